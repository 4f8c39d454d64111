// Package safe turns a panic in code that sluice calls but does not own
// (connectors, tasks, converters, transformations, predicates) or in a
// request handler into an error, so that one faulty plugin fails its
// connector or task instead of the whole worker.
//
// The error names what panicked, the panic value and the first frames of
// the stack where it happened. The panic value is shown only when it is a
// string, an error or a number: any other value (a map or a struct, which
// might hold configuration values, passwords included) is named by its type
// alone. The frames name functions, files and lines, never argument values.
package safe

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
)

// maxFrames bounds the stack a PanicError keeps.
const maxFrames = 10

// PanicError is a recovered panic.
type PanicError struct {
	// What panicked, e.g. "com.example.MySourceTask.Poll".
	What string
	// Value is the panic value as shown (see the package comment).
	Value string
	// Frames are where the panic happened, innermost first, each as
	// "function (file.go:line)".
	Frames []string
	cause  error // the panic value, when it is an error
}

// Error is the headline and, one per line, the frames, as a Java stack
// trace reads.
func (e *PanicError) Error() string {
	var b strings.Builder
	b.WriteString(e.Headline())
	for _, f := range e.Frames {
		b.WriteString("\n\tat ")
		b.WriteString(f)
	}
	return b.String()
}

// Headline is the error without its frames: "<what> panicked: <value>".
func (e *PanicError) Headline() string { return e.What + " panicked: " + e.Value }

// Unwrap returns the panic value when it was an error.
func (e *PanicError) Unwrap() error { return e.cause }

// Call runs f and returns what it returns, or a *PanicError when it panics.
func Call[T any](what string, f func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Recovered(what, p)
		}
	}()
	return f()
}

// Do is Call for a function that returns only an error.
func Do(what string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Recovered(what, p)
		}
	}()
	return f()
}

// CallMethod is Call for a method of a class: what panicked is
// "<class>.<method>", a name made only when it panics (calls on every
// record allocate nothing).
func CallMethod[T any](class, method string, f func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Recovered(class+"."+method, p)
		}
	}()
	return f()
}

// DoMethod is Do for a method of a class, as CallMethod.
func DoMethod(class, method string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Recovered(class+"."+method, p)
		}
	}()
	return f()
}

// Recovered makes the error for p, a value recover returned. Call it from
// the deferred function that recovered, so that the stack it records is the
// panicking one.
func Recovered(what string, p any) *PanicError {
	e := &PanicError{What: what, Value: show(p), Frames: frames()}
	if err, ok := p.(error); ok {
		e.cause = err
	}
	return e
}

// As returns the PanicError in err's chain, or nil.
func As(err error) *PanicError {
	var pe *PanicError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// show renders a panic value without revealing data it may carry.
func show(p any) string {
	switch v := p.(type) {
	case string:
		return v
	case error:
		return v.Error()
	}
	rv := reflect.ValueOf(p)
	switch rv.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return fmt.Sprint(p)
	}
	return fmt.Sprintf("a value of type %T", p)
}

// frames returns the frames of the panicking code: those below the runtime's
// panic machinery, up to (not including) this package's Call or Do, or
// the deferred function that recovered.
func frames() []string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(1, pcs)
	it := runtime.CallersFrames(pcs[:n])
	var out []string
	inPanic, past := false, false
	for {
		f, more := it.Next()
		switch {
		case !past:
			// Skip this package, the recovering function and the runtime's
			// panic machinery (gopanic, sigpanic, panicmem, panicIndex…).
			if f.Function == "runtime.gopanic" {
				inPanic = true
			} else if inPanic && !strings.HasPrefix(f.Function, "runtime.") {
				past = true
			}
		case ends[f.Function]:
			return out
		}
		if past {
			if len(out) == maxFrames {
				return out
			}
			out = append(out, f.Function+" ("+filepath.Base(f.File)+":"+strconv.Itoa(f.Line)+")")
		}
		if !more {
			return out
		}
	}
}

// The functions whose frames end a PanicError's stack, as runtime frames
// name them (a generic function's type arguments show as "[...]").
var ends = map[string]bool{
	"github.com/sluicehq/sluice/internal/safe.Call[...]":       true,
	"github.com/sluicehq/sluice/internal/safe.Do":              true,
	"github.com/sluicehq/sluice/internal/safe.CallMethod[...]": true,
	"github.com/sluicehq/sluice/internal/safe.DoMethod":        true,
}
