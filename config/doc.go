// Package config describes, parses and validates the configuration of
// connectors, converters, transforms and the worker, with the semantics of
// Apache Kafka's org.apache.kafka.common.config.ConfigDef.
//
// One [Def] drives everything: [Def.Parse] turns string properties into typed
// [Values] (collecting every problem into an [*Error]), [Def.Validate] yields
// one [Result] per key for the REST endpoint /connector-plugins/{p}/config/validate,
// [Key.Info] renders a key as Kafka Connect's ConfigKeyInfo JSON, and
// [Def.Docs] writes a Markdown reference table.
//
// Values are parsed from strings as Java's ConfigDef.parseType does: the value
// is trimmed of leading and trailing characters <= U+0020 (also for [Password],
// as in Java), then read according to the key's [Type]. Parsed values have these
// Go types, which validators, recommenders and [Values.Get] see:
//
//	Boolean   bool        "true" or "false", case-insensitive
//	String    string
//	Int       int32       decimal, within int32
//	Short     int16       decimal, within int16
//	Long      int64       decimal, within int64
//	Double    float64     Java's Double.parseDouble syntax (NaN, Infinity, 1e3, 2.5d)
//	List      []string    comma-separated, elements trimmed; "" is an empty list
//	Class     string      a non-empty class name or plugin alias (not resolved here)
//	Password  Secret      masked in every log and print path
//
// A key whose value is neither given nor defaulted (Default: nil) has the
// value nil, which Java calls null.
//
// A Def is built once (usually in a package-level function) and is then safe
// for concurrent use by Parse, Validate and the other read methods; Define,
// Embed and Merge are not safe to call concurrently with anything else.
package config
