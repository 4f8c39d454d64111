package mysqlcdc

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// querier is what the checks need of a connection: a *sql.DB, or a fake
// in tests.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// serverInfo is what the task learns of the server before it reads.
type serverInfo struct {
	flavor  Flavor
	version string
}

// detectFlavor reads the server's version: MariaDB's says so.
func detectFlavor(ctx context.Context, db querier) (serverInfo, error) {
	var v string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return serverInfo{}, fmt.Errorf("reading the server version: %w", err)
	}
	return serverInfo{flavor: flavorOfVersion(v), version: v}, nil
}

// sessionCipher is the TLS cipher of one of db's connections as the server
// reports it (Ssl_cipher), empty on a plaintext connection.
func sessionCipher(ctx context.Context, db querier) (string, error) {
	var name, cipher string
	if err := db.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &cipher); err != nil {
		return "", fmt.Errorf("reading the session's TLS cipher: %w", err)
	}
	return cipher, nil
}

func flavorOfVersion(v string) Flavor {
	if strings.Contains(strings.ToLower(v), "mariadb") {
		return MariaDB
	}
	return MySQL
}

// binlogSettings are the server variables the binlog reader depends on.
type binlogSettings struct {
	logBin, format, rowImage string
}

// readBinlogSettings reads log_bin, binlog_format and binlog_row_image.
func readBinlogSettings(ctx context.Context, db querier) (binlogSettings, error) {
	var b binlogSettings
	var rowImage sql.NullString
	err := db.QueryRowContext(ctx, "SELECT @@GLOBAL.log_bin, @@GLOBAL.binlog_format, @@GLOBAL.binlog_row_image").Scan(&b.logBin, &b.format, &rowImage)
	if err != nil {
		return b, fmt.Errorf("reading the binlog settings (log_bin, binlog_format, binlog_row_image): %w", err)
	}
	b.rowImage = rowImage.String
	return b, nil
}

// check says what is wrong with the settings for change data capture, as
// Debezium refuses them: the binlog must be on, in ROW format with FULL
// row images.
func (b binlogSettings) check() error {
	var errs []error
	if b.logBin != "1" && !strings.EqualFold(b.logBin, "ON") {
		errs = append(errs, errors.New("the binary log is disabled (log_bin is OFF): start the server with --log-bin (and binlog_format=ROW, binlog_row_image=FULL)"))
	}
	if !strings.EqualFold(b.format, "ROW") {
		errs = append(errs, fmt.Errorf("binlog_format is %s, change data capture needs ROW: SET GLOBAL binlog_format=ROW (and in the server's configuration), then restart the connector", b.format))
	}
	if b.rowImage != "" && !strings.EqualFold(b.rowImage, "FULL") {
		errs = append(errs, fmt.Errorf("binlog_row_image is %s, change data capture needs FULL (every column of every row): SET GLOBAL binlog_row_image=FULL (and in the server's configuration), then restart the connector", b.rowImage))
	}
	return errors.Join(errs...)
}

// grants is the set of privileges SHOW GRANTS lists, by the target they
// apply to ("*.*", "`db`.*", "`db`.`t`").
type grants map[string]map[string]bool

var grantLine = regexp.MustCompile(`(?is)^GRANT\s+(.+?)\s+ON\s+(\S+)\s+TO\s`)
var roleLine = regexp.MustCompile(`(?is)^GRANT\s+\S+\s+TO\s`)

// roleTarget is where parseGrants records that the user has roles: their
// privileges are not in SHOW GRANTS, so nothing can be said missing.
const roleTarget = "<roles>"

var parens = regexp.MustCompile(`\([^)]*\)`)

// parseGrants reads the lines of SHOW GRANTS (roles and proxies are
// ignored).
func parseGrants(lines []string) grants {
	g := grants{}
	for _, l := range lines {
		m := grantLine.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			if roleLine.MatchString(strings.TrimSpace(l)) {
				g[roleTarget] = map[string]bool{}
			}
			continue
		}
		target := strings.ReplaceAll(m[2], "`", "")
		privs := parens.ReplaceAllString(m[1], "")
		for _, p := range strings.Split(privs, ",") {
			p = strings.ToUpper(strings.Join(strings.Fields(p), " "))
			if p == "" {
				continue
			}
			if g[target] == nil {
				g[target] = map[string]bool{}
			}
			g[target][p] = true
		}
	}
	return g
}

// global reports whether priv (or ALL PRIVILEGES) is granted on *.*.
func (g grants) global(priv string) bool {
	return g["*.*"][priv] || g["*.*"]["ALL PRIVILEGES"] || g["*.*"]["ALL"]
}

// anywhere reports whether priv is granted on anything.
func (g grants) anywhere(priv string) bool {
	for _, ps := range g {
		if ps[priv] || ps["ALL PRIVILEGES"] || ps["ALL"] {
			return true
		}
	}
	return false
}

// missing names the privileges the user lacks, each with what it is
// needed for. locks says whether the snapshot takes a lock.
func (g grants) missing(f Flavor, locks bool) []string {
	if _, ok := g[roleTarget]; ok {
		return nil // granted through roles, perhaps: the server will say
	}
	var out []string
	if !g.global("REPLICATION SLAVE") && !g.global("REPLICATION REPLICA") {
		out = append(out, "REPLICATION SLAVE (GRANT REPLICATION SLAVE ON *.*: to read the binlog)")
	}
	if !g.global("REPLICATION CLIENT") && !g.global("BINLOG MONITOR") && !g.global("SUPER") {
		what := "REPLICATION CLIENT (GRANT REPLICATION CLIENT ON *.*: to read the binlog position)"
		if f == MariaDB {
			what = "BINLOG MONITOR (GRANT BINLOG MONITOR ON *.*: to read the binlog position; REPLICATION CLIENT before MariaDB 10.5)"
		}
		out = append(out, what)
	}
	if !g.anywhere("SELECT") {
		out = append(out, "SELECT (GRANT SELECT ON the captured databases: to read the tables)")
	}
	if locks && !g.global("RELOAD") && !g.anywhere("LOCK TABLES") {
		out = append(out, "RELOAD (GRANT RELOAD ON *.*: FLUSH TABLES WITH READ LOCK for a consistent snapshot; LOCK TABLES instead makes it lock each table)")
	}
	return out
}

// readGrants runs SHOW GRANTS for the current user.
func readGrants(ctx context.Context, db querier) (grants, error) {
	rows, err := db.QueryContext(ctx, "SHOW GRANTS FOR CURRENT_USER()")
	if err != nil {
		return nil, fmt.Errorf("reading the user's privileges (SHOW GRANTS): %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("reading the user's privileges (SHOW GRANTS): %w", err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the user's privileges (SHOW GRANTS): %w", err)
	}
	return parseGrants(lines), nil
}

// snapshotLocks reports whether the configured snapshot takes locks.
func (s *settings) snapshotLocks() bool {
	return s.lockingMode != LockingNone && s.snapshotMode != SnapshotNever
}

// checkServer runs the start-up checks: the binlog settings and the
// privileges. The error says what to change.
func checkServer(ctx context.Context, db querier, st *settings, f Flavor) error {
	b, err := readBinlogSettings(ctx, db)
	if err != nil {
		return err
	}
	if err := b.check(); err != nil {
		return err
	}
	g, err := readGrants(ctx, db)
	if err != nil {
		return err
	}
	if m := g.missing(f, st.snapshotLocks()); len(m) > 0 {
		return fmt.Errorf("the user %s lacks privileges change data capture needs: %s", st.user, strings.Join(m, "; "))
	}
	return nil
}
