package herder

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error with the HTTP status Kafka Connect answers it with.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return e.Message }

// NotFound returns a 404 error.
func NotFound(format string, args ...any) error {
	return &Error{Code: http.StatusNotFound, Message: fmt.Sprintf(format, args...)}
}

// AlreadyExists returns a 409 error.
func AlreadyExists(format string, args ...any) error {
	return &Error{Code: http.StatusConflict, Message: fmt.Sprintf(format, args...)}
}

// BadRequest returns a 400 error.
func BadRequest(format string, args ...any) error {
	return &Error{Code: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// TooLarge returns a 413 error: a request body or a connector
// configuration larger than the worker accepts.
func TooLarge(format string, args ...any) error {
	return &Error{Code: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf(format, args...)}
}

// StatusCode returns the HTTP status for err: its Code if it is an *Error,
// else 500.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return http.StatusInternalServerError
}

// Conflict returns a 409 error, as Kafka Connect answers a request that a
// rebalance or a concurrent change prevents.
func Conflict(format string, args ...any) error {
	return &Error{Code: http.StatusConflict, Message: fmt.Sprintf(format, args...)}
}

// RedirectError says that another worker of the cluster must handle the
// request: the leader (Kafka Connect's NotLeaderException) or the worker
// that runs the connector or task (NotAssignedException). The REST layer
// forwards the request to URL with Kafka Connect's forward-hop rules; an
// empty URL means that no leader is known yet (409).
type RedirectError struct {
	// URL is the REST base URL of the worker to forward to, "" if unknown.
	URL string
	// Leader is true when the request needs the leader, false when it
	// needs the owner of a connector or task.
	Leader bool
	// Message explains why, for logs.
	Message string
}

func (e *RedirectError) Error() string { return e.Message }

// NotLeader returns a RedirectError to the leader at leaderURL.
func NotLeader(leaderURL, format string, args ...any) error {
	return &RedirectError{URL: leaderURL, Leader: true, Message: fmt.Sprintf(format, args...)}
}

// NotAssigned returns a RedirectError to the worker at ownerURL.
func NotAssigned(ownerURL, format string, args ...any) error {
	return &RedirectError{URL: ownerURL, Message: fmt.Sprintf(format, args...)}
}
