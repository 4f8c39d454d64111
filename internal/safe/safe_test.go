package safe

import (
	"errors"
	"io"
	"strings"
	"testing"
)

type secretConfig struct{ password string }

//go:noinline
func pluginCode(v any) error {
	panic(v)
}

//go:noinline
func indexOutOfRange(i int) error {
	var s []int
	_ = s[i]
	return nil
}

// TestDo: a panic becomes a PanicError that names what panicked, shows
// the value only when it cannot carry configuration, and lists the
// panicking frames (the plugin's, not the runtime's panic machinery nor
// the caller's of Do).
func TestDo(t *testing.T) {
	tests := []struct {
		name      string
		f         func() error
		headline  string
		notIn     string // must not appear anywhere in the error
		firstFunc string // the innermost frame's function
		cause     error
	}{
		{name: "string", f: func() error { return pluginCode("boom") }, headline: "X.Poll panicked: boom", firstFunc: "safe.pluginCode"},
		{name: "error", f: func() error { return pluginCode(io.ErrUnexpectedEOF) }, headline: "X.Poll panicked: unexpected EOF",
			firstFunc: "safe.pluginCode", cause: io.ErrUnexpectedEOF},
		{name: "number", f: func() error { return pluginCode(42) }, headline: "X.Poll panicked: 42", firstFunc: "safe.pluginCode"},
		{name: "map with a password", f: func() error { return pluginCode(map[string]string{"connection.password": "hunter2"}) },
			headline: "X.Poll panicked: a value of type map[string]string", notIn: "hunter2", firstFunc: "safe.pluginCode"},
		{name: "struct with a password", f: func() error { return pluginCode(secretConfig{password: "hunter2"}) },
			headline: "X.Poll panicked: a value of type safe.secretConfig", notIn: "hunter2", firstFunc: "safe.pluginCode"},
		{name: "runtime error", f: func() error { return indexOutOfRange(3) },
			headline: "X.Poll panicked: runtime error: index out of range [3] with length 0", firstFunc: "safe.indexOutOfRange"},
		{name: "nil", f: func() error { return pluginCode(nil) }, headline: "X.Poll panicked: panic called with nil argument", firstFunc: "safe.pluginCode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Do("X.Poll", tc.f)
			pe := As(err)
			if pe == nil {
				t.Fatalf("Do returned %v, want a PanicError", err)
			}
			if pe.Headline() != tc.headline {
				t.Errorf("headline %q, want %q", pe.Headline(), tc.headline)
			}
			if tc.notIn != "" && strings.Contains(err.Error(), tc.notIn) {
				t.Errorf("the error reveals %q:\n%s", tc.notIn, err)
			}
			if len(pe.Frames) == 0 || !strings.Contains(pe.Frames[0], tc.firstFunc+" (safe_test.go:") {
				t.Fatalf("frames %q do not start at %s", pe.Frames, tc.firstFunc)
			}
			for _, f := range pe.Frames {
				if strings.HasPrefix(f, "runtime.") || strings.Contains(f, "safe.Do") || strings.Contains(f, "testing.") {
					t.Errorf("frame %q is not the panicking code's", f)
				}
			}
			if !strings.HasPrefix(err.Error(), tc.headline+"\n\tat "+pe.Frames[0]) {
				t.Errorf("error is not the headline then the frames:\n%s", err)
			}
			if tc.cause != nil && !errors.Is(err, tc.cause) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.cause)
			}
		})
	}
}

// TestCall: without a panic Call returns f's results; with one, the zero
// value and the PanicError.
func TestCall(t *testing.T) {
	v, err := Call("ok", func() (int, error) { return 7, io.EOF })
	if v != 7 || err != io.EOF {
		t.Fatalf("Call = %d, %v", v, err)
	}
	v, err = Call("X.TaskConfigs", func() (int, error) {
		if err := pluginCode("deep"); err != nil {
			return 1, err
		}
		return 2, nil
	})
	if v != 0 || As(err) == nil || As(err).Headline() != "X.TaskConfigs panicked: deep" {
		t.Fatalf("Call = %d, %v", v, err)
	}
	if n := len(As(err).Frames); n < 2 || n > maxFrames {
		t.Fatalf("%d frames: %q", n, As(err).Frames)
	}
}

// TestFramesAreBounded: a deep stack is cut at maxFrames.
func TestFramesAreBounded(t *testing.T) {
	var deep func(n int) error
	deep = func(n int) error {
		if n == 0 {
			panic("bottom")
		}
		return deep(n - 1)
	}
	err := Do("deep", func() error { return deep(50) })
	if pe := As(err); pe == nil || len(pe.Frames) != maxFrames {
		t.Fatalf("got %v", err)
	}
	if As(errors.New("plain")) != nil {
		t.Fatal("As found a PanicError in a plain error")
	}
}

// TestStackEndsAtCall: the frames stop at Call and Do, whose names frames
// compares as constants.
func TestStackEndsAtCall(t *testing.T) {
	_, err := Call("c", func() (int, error) { return 0, pluginCode("x") })
	for _, f := range As(err).Frames {
		if strings.Contains(f, "TestStackEndsAtCall (") || strings.Contains(f, "safe.Call") {
			t.Fatalf("frames run past Call: %q", As(err).Frames)
		}
	}
	err = Do("d", func() error { return pluginCode("x") })
	for _, f := range As(err).Frames {
		if strings.Contains(f, "TestStackEndsAtCall (") || strings.Contains(f, "safe.Do") {
			t.Fatalf("frames run past Do: %q", As(err).Frames)
		}
	}
}

// TestMethod: CallMethod and DoMethod name what panicked after the class
// and method, and their frames end at them.
func TestMethod(t *testing.T) {
	_, err := CallMethod("com.example.Task", "Poll", func() (int, error) { return 0, pluginCode("x") })
	if pe := As(err); pe == nil || pe.Headline() != "com.example.Task.Poll panicked: x" {
		t.Fatalf("CallMethod: %v", err)
	}
	err = DoMethod("com.example.Task", "Put", func() error { return pluginCode("y") })
	if pe := As(err); pe == nil || pe.Headline() != "com.example.Task.Put panicked: y" {
		t.Fatalf("DoMethod: %v", err)
	}
	for _, f := range As(err).Frames {
		if strings.Contains(f, "TestMethod (") || strings.Contains(f, "safe.DoMethod") {
			t.Fatalf("frames run past DoMethod: %q", As(err).Frames)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = DoMethod("c", "m", func() error { return nil }) }); n != 0 {
		t.Errorf("DoMethod without a panic allocates %v times", n)
	}
}
