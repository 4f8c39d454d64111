package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const secretText = "hunter2-TOP-SECRET"

func TestSecretNeverPrinted(t *testing.T) {
	s := Secret(secretText)
	type wrapper struct {
		User string
		Pass Secret
	}
	d := NewDef().
		Define(Key{Name: "user", Type: String, Importance: High}).
		Define(Key{Name: "pass", Type: Password, Default: NoDefault, Importance: High})
	vals, err := d.Parse(map[string]string{"user": "u", "pass": secretText})
	if err != nil {
		t.Fatal(err)
	}
	parsed := vals.Password("pass")
	var outputs []string
	for _, format := range []string{"%v", "%s", "%+v", "%#v", "%q", "%x", "%X", "%d", "%10s", "%-20v", "%T"} {
		for _, arg := range []any{s, &s, parsed, wrapper{"u", s}, &wrapper{"u", s}, []Secret{s}, map[string]any{"p": s},
			vals, *vals, Key{Name: "k", Default: s}} {
			outputs = append(outputs, fmt.Sprintf(format, arg))
		}
	}
	outputs = append(outputs, fmt.Sprint(s), fmt.Sprintln(s), s.String(), s.GoString())

	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		l := slog.New(h)
		l.Info("connecting", "password", s, "wrapped", wrapper{"u", s}, slog.Any("any", s))
		l.Info("group", slog.Group("g", "password", s))
	}
	outputs = append(outputs, buf.String())

	for _, v := range []any{s, wrapper{"u", s}, map[string]Secret{"p": s}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(b))
	}
	text, _ := s.MarshalText()
	outputs = append(outputs, string(text))

	for _, out := range outputs {
		if strings.Contains(out, secretText) || strings.Contains(out, fmt.Sprintf("%x", []byte(secretText))) {
			t.Errorf("secret leaked: %s", out)
		}
	}
	if got := fmt.Sprintf("%v|%s|%q|%#v", s, s, s, s); got != `[hidden]|[hidden]|"[hidden]"|config.Secret("[hidden]")` {
		t.Errorf("formatting = %s", got)
	}
	if !strings.Contains(buf.String(), "password=[hidden]") || !strings.Contains(buf.String(), `"password":"[hidden]"`) {
		t.Errorf("slog output lacks [hidden]: %s", buf.String())
	}
	if parsed.Value() != secretText {
		t.Errorf("Value() = %q", parsed.Value())
	}
}

func TestSecretNotInErrors(t *testing.T) {
	d := NewDef().Define(Key{Name: "pass", Type: Password, Default: NoDefault, Importance: High,
		Validator: ValidatorFunc(func(_ string, v any) error {
			if len(v.(Secret).Value()) < 100 {
				return errors.New("too short")
			}
			return nil
		}, "at least 100 characters")})
	_, err := d.Parse(map[string]string{"pass": secretText})
	if err == nil || strings.Contains(err.Error(), secretText) || !strings.Contains(err.Error(), "Invalid value [hidden] for configuration pass: too short") {
		t.Fatalf("err = %v", err)
	}
	for _, r := range d.Validate(map[string]string{"pass": secretText}) {
		if strings.Contains(marshal(t, r), secretText) {
			t.Fatalf("secret in validate result: %s", marshal(t, r))
		}
	}
}
