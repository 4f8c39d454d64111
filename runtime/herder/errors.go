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

// StatusCode returns the HTTP status for err: its Code if it is an *Error,
// else 500.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return http.StatusInternalServerError
}
