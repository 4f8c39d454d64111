package mysqlconn

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Open returns a connection pool for u. It does not connect: see Connect.
func Open(u *URL) (*sql.DB, error) {
	c, err := mysql.NewConnector(u.Config)
	if err != nil {
		return nil, fmt.Errorf("connection.url: %w", err)
	}
	return sql.OpenDB(c), nil
}

// Connect opens a pool for u and checks that the server lets the user in, trying up to attempts
// times (connection.attempts) with backoff (connection.backoff.ms) between tries while the error
// is retriable (the server unreachable, too many connections); an error that retrying cannot
// cure (access denied, no such database) returns at once. Errors are Describe's.
func Connect(ctx context.Context, u *URL, attempts int, backoff time.Duration, log *slog.Logger) (*sql.DB, error) {
	db, err := Open(u)
	if err != nil {
		return nil, err
	}
	if attempts < 1 {
		attempts = 1
	}
	for i := 1; ; i++ {
		pctx, cancel := context.WithTimeout(ctx, u.Config.Timeout+5*time.Second)
		err = db.PingContext(pctx)
		cancel()
		if err == nil {
			return db, nil
		}
		err = Describe(err, u)
		if i >= attempts || !Retriable(err) || ctx.Err() != nil {
			_ = db.Close()
			if attempts > 1 && Retriable(err) {
				return nil, fmt.Errorf("%w (after %d attempts)", err, i)
			}
			return nil, err
		}
		if log != nil {
			log.Warn("cannot connect to the database; retrying", "attempt", i, "of", attempts, "backoff", backoff, "error", err)
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			_ = db.Close()
			return nil, err
		}
	}
}

// MySQL server error numbers the connectors tell apart.
const (
	ErAccessDenied        = 1045 // ER_ACCESS_DENIED_ERROR: user or password wrong
	ErDBAccessDenied      = 1044 // ER_DBACCESS_DENIED_ERROR: no right on the database
	ErBadDB               = 1049 // ER_BAD_DB_ERROR: unknown database
	ErNoSuchTable         = 1146 // ER_NO_SUCH_TABLE
	ErBadField            = 1054 // ER_BAD_FIELD_ERROR: unknown column
	ErTableExists         = 1050 // ER_TABLE_EXISTS_ERROR
	ErDupFieldName        = 1060 // ER_DUP_FIELDNAME: the column exists (a concurrent ALTER)
	ErConCount            = 1040 // ER_CON_COUNT_ERROR: too many connections
	ErLockWaitTimeout     = 1205 // ER_LOCK_WAIT_TIMEOUT
	ErLockDeadlock        = 1213 // ER_LOCK_DEADLOCK
	ErServerShutdown      = 1053 // ER_SERVER_SHUTDOWN
	ErQueryInterrupted    = 1317 // ER_QUERY_INTERRUPTED
	ErReadOnly            = 1290 // ER_OPTION_PREVENTS_STATEMENT (--read-only, a failover in progress)
	ErConnectionKilled    = 1927 // ER_CONNECTION_KILLED (MariaDB)
	ErTooManyUserConns    = 1203 // ER_TOO_MANY_USER_CONNECTIONS
	ErUserLimitReached    = 1226 // ER_USER_LIMIT_REACHED
	ErHostIsBlocked       = 1129 // ER_HOST_IS_BLOCKED
	ErStatementTimeout    = 1969 // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
	ErBadNull             = 1048 // ER_BAD_NULL_ERROR
	ErDupEntry            = 1062 // ER_DUP_ENTRY
	ErDataTooLong         = 1406 // ER_DATA_TOO_LONG
	ErWarnDataOutOfRange  = 1264 // ER_WARN_DATA_OUT_OF_RANGE
	ErTruncatedWrongValue = 1292 // ER_TRUNCATED_WRONG_VALUE (a bad date)
	ErWrongValueForField  = 1366 // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
	ErDataTruncated       = 1265 // WARN_DATA_TRUNCATED
	ErNoReferencedRow     = 1452 // ER_NO_REFERENCED_ROW_2: foreign key
	ErRowIsReferenced     = 1451 // ER_ROW_IS_REFERENCED_2: foreign key
	ErCheckConstraint     = 4025 // ER_CONSTRAINT_FAILED (MariaDB CHECK, JSON_VALID)
	ErCheckConstraintMy   = 3819 // ER_CHECK_CONSTRAINT_VIOLATED (MySQL 8)
	ErInvalidJSONText     = 3140 // ER_INVALID_JSON_TEXT (MySQL 8)
	ErWrongValue          = 1525 // ER_WRONG_VALUE
	ErNoDefaultForField   = 1364 // ER_NO_DEFAULT_FOR_FIELD
)

// Code returns the server error number of err, or 0 when err is not a server error.
func Code(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// IsDataError reports whether the server refused err's statement because of the values in it (a
// constraint, a value too long or out of range, a NULL for a NOT NULL column, a bad date or
// JSON, a trigger refusing the row): the same statement would fail again, and the rows without
// the bad one could succeed. Besides the error numbers above, any error of SQLSTATE class 22
// (data exception) or 23 (integrity constraint violation), and SQLSTATE 45000 (an unhandled
// user-defined exception: a trigger's SIGNAL), is one.
func IsDataError(err error) bool {
	switch Code(err) {
	case ErBadNull, ErDupEntry, ErDataTooLong, ErWarnDataOutOfRange, ErTruncatedWrongValue, ErWrongValueForField,
		ErDataTruncated, ErNoReferencedRow, ErRowIsReferenced, ErCheckConstraint, ErCheckConstraintMy,
		ErInvalidJSONText, ErWrongValue, ErNoDefaultForField:
		return true
	case 0:
		return false
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	state := string(me.SQLState[:])
	return strings.HasPrefix(state, "22") || strings.HasPrefix(state, "23") || state == "45000"
}

// Retriable reports whether err is transient: the connection failed or was lost, the server is
// shutting down, busy (too many connections) or read-only, or the statement lost a lock (a
// deadlock, a lock wait timeout). Retrying the same work later may succeed.
func Retriable(err error) bool {
	if err == nil {
		return false
	}
	switch Code(err) {
	case ErConCount, ErLockWaitTimeout, ErLockDeadlock, ErServerShutdown, ErQueryInterrupted, ErReadOnly,
		ErConnectionKilled, ErTooManyUserConns, ErUserLimitReached, ErStatementTimeout:
		return true
	case 0:
	default:
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var de *describedError
	if errors.As(err, &de) {
		return de.retriable
	}
	return false
}

// describedError is a driver error in words, keeping the original (for Code and errors.Is) and
// whether it is retriable.
type describedError struct {
	msg       string
	err       error
	retriable bool
}

func (e *describedError) Error() string { return e.msg }
func (e *describedError) Unwrap() error { return e.err }

// Describe says what a connection error means for the user, naming the server and the user
// (never the password): the server is unreachable, refuses the user or has no such database.
// Other errors come back as they are.
func Describe(err error, u *URL) error {
	if err == nil {
		return nil
	}
	var de *describedError
	if errors.As(err, &de) {
		return err
	}
	addr, user, db := u.Config.Addr, u.Config.User, u.Config.DBName
	switch Code(err) {
	case ErAccessDenied:
		hint := ""
		if u.noRetrieval && u.Config.TLS == nil || u.noRetrieval && u.Config.AllowFallbackToPlaintext {
			hint = "; or, if the user logs in with caching_sha2_password or sha256_password over a connection without TLS, " +
				"the password could only be sent encrypted with the server's RSA key: use TLS (sslMode), name the key with " +
				"serverRSAPublicKeyFile, or set allowPublicKeyRetrieval=true in connection.url"
		}
		return &describedError{msg: fmt.Sprintf("%s at %s refused user %q: access denied; check connection.user and connection.password%s (%v)",
			u.Flavor.Name(), addr, user, hint, err), err: err}
	case ErDBAccessDenied:
		return &describedError{msg: fmt.Sprintf("%s at %s: user %q may not use database %q: %v", u.Flavor.Name(), addr, user, db, err), err: err}
	case ErBadDB:
		return &describedError{msg: fmt.Sprintf("%s at %s has no database %q (the database in connection.url)", u.Flavor.Name(), addr, db), err: err}
	case ErHostIsBlocked:
		return &describedError{msg: fmt.Sprintf("%s at %s blocks this host after too many connection errors (FLUSH HOSTS unblocks it): %v", u.Flavor.Name(), addr, err), err: err}
	case 0:
	default:
		return err
	}
	var ne net.Error
	if errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &ne) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, context.DeadlineExceeded) {
		cause := err.Error()
		if errors.Is(err, syscall.ECONNREFUSED) {
			cause = "connection refused"
		} else if errors.Is(err, context.DeadlineExceeded) || (ne != nil && ne.Timeout()) {
			cause = "no answer within " + u.Config.Timeout.String()
		}
		return &describedError{msg: fmt.Sprintf("cannot reach %s at %s (connection.url): %s", u.Flavor.Name(), addr, cause), err: err, retriable: true}
	}
	if strings.Contains(err.Error(), "tls") || strings.Contains(err.Error(), "x509") {
		return &describedError{msg: fmt.Sprintf("TLS to %s at %s failed (sslMode in connection.url): %v", u.Flavor.Name(), addr, err), err: err}
	}
	return err
}

// Name is the flavor as people write it.
func (f Flavor) Name() string {
	if f == MariaDB {
		return "MariaDB"
	}
	return "MySQL"
}

// driverLogger sends go-sql-driver/mysql's messages (a bad idle connection closed, a packet out
// of order) to a slog logger at WARN instead of the driver's default, the process's stderr.
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Print(v ...any) {
	l.log.Warn("mysql driver: " + strings.TrimSpace(fmt.Sprint(v...)))
}

// SetLogger has the driver log through log (a task's or connector's logger, so that its lines
// name the task and go through the worker's secret scrubbing). ParseURL starts with
// slog.Default().
func (u *URL) SetLogger(log *slog.Logger) {
	if log != nil {
		u.Config.Logger = driverLogger{log}
	}
}
