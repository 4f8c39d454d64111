package logging

import (
	"context"
	"log/slog"
)

// LoggerKey is the attribute key under which a Handler records its logger's
// name, and under which Named names a logger whose handler is not a Handler.
const LoggerKey = "logger"

// Handler is a slog.Handler that belongs to one named logger: it lets
// through the records its Levels registry enables for that name, adds the
// attribute logger=<name> (none for the root) and hands them to the handler
// it wraps. Build one with NewHandler and derive named ones with Named.
type Handler struct {
	base   slog.Handler // the handler given to NewHandler
	ops    []op         // WithAttrs and WithGroup calls since NewHandler, oldest first
	out    slog.Handler // base + logger attribute + ops: what records go to
	levels *Levels
	lg     *logger
}

// op is one WithAttrs (group == "") or WithGroup call, kept so that Named can
// rebuild the wrapped handler with another logger attribute in front.
type op struct {
	group string
	attrs []slog.Attr
}

// NewHandler returns a Handler for the root logger that writes to inner and
// takes its levels from levels (a new registry at INFO if nil). inner's own
// Enabled is consulted too, so build it with the lowest level, LevelAll.
func NewHandler(inner slog.Handler, levels *Levels) *Handler {
	if levels == nil {
		levels = NewLevels(slog.LevelInfo)
	}
	return &Handler{base: inner, out: inner, levels: levels, lg: levels.root}
}

// Named returns a handler for the logger called name ("" or "root" is the
// root), with the attributes and groups of h, and registers the name with
// h's Levels so that GET /admin/loggers/{name} finds it. The name replaces
// h's, it is not appended to it.
func (h *Handler) Named(name string) *Handler {
	lg := h.levels.lookup(name)
	out := h.base
	if lg != h.levels.root {
		// In front of the other attributes, so that it stays outside the groups.
		out = out.WithAttrs([]slog.Attr{slog.String(LoggerKey, lg.name)})
	}
	for _, o := range h.ops {
		if o.group != "" {
			out = out.WithGroup(o.group)
		} else {
			out = out.WithAttrs(o.attrs)
		}
	}
	return &Handler{base: h.base, ops: h.ops, out: out, levels: h.levels, lg: lg}
}

// Name returns the name of h's logger.
func (h *Handler) Name() string { return h.lg.name }

// Levels returns the registry h takes its levels from.
func (h *Handler) Levels() *Levels { return h.levels }

// Enabled reports whether h's logger logs at level l and the wrapped handler
// accepts it. The first check is one atomic load.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.Level(h.lg.effective.Load()) && h.out.Enabled(ctx, l)
}

// Handle hands r, with h's logger attribute, to the wrapped handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	return h.out.Handle(ctx, r)
}

// WithAttrs returns a Handler for the same logger with attrs added.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(op{attrs: attrs}, h.out.WithAttrs(attrs))
}

// WithGroup returns a Handler for the same logger that puts the attributes
// that follow into the group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(op{group: name}, h.out.WithGroup(name))
}

func (h *Handler) with(o op, out slog.Handler) *Handler {
	ops := make([]op, len(h.ops), len(h.ops)+1)
	copy(ops, h.ops)
	return &Handler{base: h.base, ops: append(ops, o), out: out, levels: h.levels, lg: h.lg}
}

// Named returns a logger called name that logs like l. If l's handler is a
// *Handler, the result's handler is that handler renamed (l's attributes and
// groups kept, level from the registry); otherwise it is l with the attribute
// logger=<name>. A nil l means slog.Default().
func Named(l *slog.Logger, name string) *slog.Logger {
	if l == nil {
		l = slog.Default()
	}
	if h, ok := l.Handler().(*Handler); ok {
		return slog.New(h.Named(name))
	}
	return l.With(LoggerKey, name)
}

// Wrap returns a logger that logs like l through wrap(the handler l writes
// to): with l's name, attributes, groups and levels if l's handler is a
// *Handler (so that Named still works on the result), else simply through
// wrap(l.Handler()). sluice wraps the worker's logger so that secrets are
// scrubbed from every record.
func Wrap(l *slog.Logger, wrap func(slog.Handler) slog.Handler) *slog.Logger {
	h, ok := l.Handler().(*Handler)
	if !ok {
		return slog.New(wrap(l.Handler()))
	}
	root := &Handler{base: wrap(h.base), ops: h.ops, levels: h.levels, lg: h.levels.root}
	return slog.New(root.Named(h.lg.name))
}
