package redact

import (
	"context"
	"fmt"
	"log/slog"
)

// Handler is a slog.Handler that scrubs the secrets of a Set out of every
// record's message and attributes (strings, errors, and any other value
// whose printed form holds a secret), then hands the record on.
type Handler struct {
	inner   slog.Handler
	secrets *Set
}

// NewHandler returns a Handler that writes to inner.
func NewHandler(inner slog.Handler, secrets *Set) *Handler {
	return &Handler{inner: inner, secrets: secrets}
}

// Enabled is inner's.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle scrubs r and hands it to inner.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if h.secrets.empty() {
		return h.inner.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, h.secrets.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

// WithAttrs scrubs attrs with the secrets known now.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &Handler{inner: h.inner.WithAttrs(clean), secrets: h.secrets}
}

// WithGroup is inner's.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name), secrets: h.secrets}
}

func (h *Handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.secrets.String(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		default:
			s = fmt.Sprint(x)
		}
		if clean := h.secrets.String(s); clean != s {
			return slog.String(a.Key, clean)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
