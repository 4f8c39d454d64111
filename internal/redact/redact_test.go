package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
)

func TestSetString(t *testing.T) {
	s := NewSet()
	s.Put("c1", "hunter22", "hunter22-long", "ab")
	s.Put("c2", "s3cr3t!")
	tests := []struct{ in, want string }{
		{"password hunter22 here", "password [hidden] here"},
		{"hunter22-long", "[hidden]"},
		{"ab is too short to scrub", "ab is too short to scrub"},
		{"x=s3cr3t!,y=hunter22", "x=[hidden],y=[hidden]"},
		{"nothing", "nothing"},
	}
	for _, tt := range tests {
		if got := s.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	s.Put("c1", "other-value")
	if got := s.String("hunter22 other-value"); got != "hunter22 [hidden]" {
		t.Errorf("after replacing c1's secrets: %q", got)
	}
	s.Put("c1")
	if got := s.String("other-value s3cr3t!"); got != "other-value [hidden]" {
		t.Errorf("after dropping c1's secrets: %q", got)
	}
	var nilSet *Set
	if got := nilSet.String("s3cr3t!"); got != "s3cr3t!" {
		t.Errorf("nil set changed text: %q", got)
	}
}

func TestSetAdd(t *testing.T) {
	s := NewSet()
	s.Add("w", "first-secret")
	s.Add("w", "second-secret")
	if got := s.String("first-secret second-secret"); got != "[hidden] [hidden]" {
		t.Errorf("String = %q", got)
	}
}

func TestSetError(t *testing.T) {
	s := NewSet()
	s.Put("c", "topsecret")
	base := fmt.Errorf("open topsecret: %w", fs.ErrNotExist)
	err := s.Error(base)
	if err.Error() != "open [hidden]: file does not exist" {
		t.Errorf("Error() = %q", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the scrubbed error no longer unwraps to its cause")
	}
	clean := errors.New("nothing to hide")
	if s.Error(clean) != clean {
		t.Error("an error without secrets was replaced")
	}
	if s.Error(nil) != nil {
		t.Error("nil error became non-nil")
	}
}

type stringer struct{ v string }

func (s stringer) String() string { return "stringer " + s.v }

func TestHandler(t *testing.T) {
	s := NewSet()
	s.Put("c", "pa55word-xyz")
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var inner slog.Handler = slog.NewTextHandler(&buf, nil)
			if format == "json" {
				inner = slog.NewJSONHandler(&buf, nil)
			}
			log := slog.New(NewHandler(inner, s)).With("pre", "pa55word-xyz")
			log.WithGroup("g").Info("msg pa55word-xyz",
				"str", "x pa55word-xyz",
				"err", fmt.Errorf("wrapped: %w", errors.New("pa55word-xyz")),
				"map", map[string]string{"connection.password": "pa55word-xyz"},
				"stringer", stringer{"pa55word-xyz"},
				slog.Group("inner", "v", "pa55word-xyz"),
				"n", 42)
			out := buf.String()
			if strings.Contains(out, "pa55word-xyz") {
				t.Errorf("secret in log line: %s", out)
			}
			if n := strings.Count(out, "[hidden]"); n != 7 {
				t.Errorf("want 7 [hidden], got %d: %s", n, out)
			}
			if !strings.Contains(out, "42") {
				t.Errorf("other attributes lost: %s", out)
			}
		})
	}
}

func TestHandlerNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	slog.New(NewHandler(slog.NewJSONHandler(&buf, nil), NewSet())).Info("m", "n", 42, "err", errors.New("e"))
	if !strings.Contains(buf.String(), `"n":42`) || !strings.Contains(buf.String(), `"err":"e"`) {
		t.Errorf("record changed: %s", buf.String())
	}
}

// A secret with quotes, backslashes or control characters in it is hidden
// where it shows escaped: in a %q-quoted error and in a JSON document.
func TestSetStringEscapedForms(t *testing.T) {
	const secret = "Pa\"ss\\word<99>\t"
	s := NewSet()
	s.Put("c", secret)
	quoted := fmt.Sprintf("invalid value %q for configuration acks", secret)
	js, err := json.Marshal(map[string]string{"trace": quoted, "raw": secret})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{quoted, string(js), "plain " + secret} {
		got := s.String(text)
		for _, leak := range []string{"Pa\"ss", `Pa\"ss`, `Pa\\\"ss`, "word<99>", `word\u003c99`} {
			if strings.Contains(got, leak) {
				t.Errorf("String(%q) = %q: %q shows", text, got, leak)
			}
		}
		if !strings.Contains(got, "[hidden]") {
			t.Errorf("String(%q) = %q: nothing hidden", text, got)
		}
	}
}
