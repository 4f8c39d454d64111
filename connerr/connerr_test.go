package connerr

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestRetriable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", io.EOF, false},
		{"marked", Retriable(io.EOF), true},
		{"wrapped", fmt.Errorf("poll: %w", Retriable(io.EOF)), true},
		{"data error", DataErrorf("bad"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsRetriable(tc.err); got != tc.want {
				t.Fatalf("IsRetriable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if Retriable(nil) != nil {
		t.Fatal("Retriable(nil) is not nil")
	}
	if err := Retriable(io.EOF); !errors.Is(err, io.EOF) || err.Error() != io.EOF.Error() {
		t.Fatalf("Retriable hides its cause: %v", err)
	}
}

func TestDataError(t *testing.T) {
	err := fmt.Errorf("convert: %w", DataErrorf("field %s: %w", "x", io.ErrUnexpectedEOF))
	var de *DataError
	if !errors.As(err, &de) {
		t.Fatal("not a *DataError")
	}
	if de.Error() != "field x: unexpected EOF" || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("DataError = %q, cause kept: %v", de.Error(), errors.Is(err, io.ErrUnexpectedEOF))
	}
}
