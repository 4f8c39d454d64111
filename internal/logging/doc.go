// Package logging gives sluice's log/slog loggers names and per-name levels
// that can be changed at run time, as Kafka Connect's /admin/loggers endpoints
// (KIP-495, and KIP-976 for the cluster scope) change log4j logger levels.
//
// # Names and hierarchy
//
// A logger name is a dotted, Go-package-like path: "sluice.runtime.worker",
// "sluice.connectors.file", or a library's short name such as "sarama". As in
// log4j, the dots form a hierarchy: "sluice.runtime.worker" takes its level
// from the nearest of itself, "sluice.runtime", "sluice" and finally the root
// logger, named "root", that has a level set explicitly. The root logger
// always has one.
//
// A [Levels] registry knows a logger once its name has been registered, which
// [Handler.Named] and [Named] do, or once a level has been set for it with
// [Levels.Set]. Only known loggers are listed by [Levels.Get]; only those with
// an explicitly set level (and root) are listed by [Levels.All].
//
// # Levels
//
// Level names are log4j's, mapped onto slog levels so that slog's own four
// keep their meaning:
//
//	TRACE  -8   LevelTrace
//	DEBUG  -4   slog.LevelDebug
//	INFO    0   slog.LevelInfo
//	WARN    4   slog.LevelWarn
//	ERROR   8   slog.LevelError
//	FATAL  12   LevelFatal
//	OFF    max  LevelOff (nothing is logged)
//
// log4j's ALL is accepted as input and means every level.
//
// # Handlers
//
// A [Handler] wraps any slog.Handler: it asks the registry whether a record
// of its logger's name and level is enabled, and adds the attribute
// logger=<name> (not for root) to what it hands on. Build the wrapped handler
// with the lowest level (e.g. slog.HandlerOptions{Level: LevelAll}), because
// the wrapped handler's own Enabled is consulted too and would otherwise hide
// what the registry lets through.
package logging
