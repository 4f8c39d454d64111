// Package builtin lists sluice's built-in plugins: the connectors,
// converters, transformations and predicates the sluice binary ships. It is
// kept apart from package plugins (the registry, and the Plugin type that
// connector authors use) so that the runtime, which only needs the registry,
// does not depend on every built-in implementation.
package builtin

import (
	"github.com/sluicehq/sluice/connectors/datagen"
	"github.com/sluicehq/sluice/connectors/file"
	jdbcsink "github.com/sluicehq/sluice/connectors/jdbc/sink"
	jdbcsource "github.com/sluicehq/sluice/connectors/jdbc/source"
	"github.com/sluicehq/sluice/connectors/mysqlcdc"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/schemas/avro"
	"github.com/sluicehq/sluice/schemas/json"
	"github.com/sluicehq/sluice/schemas/simple"
	"github.com/sluicehq/sluice/transforms"
)

// ConverterVersion is the version of sluice's built-in converters and
// header converters, which GET /connector-plugins shows and the
// *.converter.plugin.version keys match.
const ConverterVersion = "0.1.0"

// Registry returns a new registry holding sluice's built-in plugins (connectors,
// converters, transformations and predicates), under the Java class names of
// their Kafka Connect equivalents.
func Registry() *plugins.Registry {
	r := plugins.NewRegistry()
	r.Register(plugins.Plugin{Class: file.SourceClass, Kind: plugins.Source, Version: file.Version, New: func() any { return file.NewSource() }})
	r.Register(plugins.Plugin{Class: file.SinkClass, Kind: plugins.Sink, Version: file.Version, New: func() any { return file.NewSink() }})
	r.Register(plugins.Plugin{Class: jdbcsink.Class, Kind: plugins.Sink, Version: jdbcsink.Version, New: func() any { return jdbcsink.New() }})
	// Answers to DatagenConnector and Datagen too (simple names).
	r.Register(plugins.Plugin{Class: datagen.Class, Kind: plugins.Source, Version: datagen.Version, New: func() any { return datagen.New() }})
	// Answers to JdbcSourceConnector and JdbcSource too (simple names).
	r.Register(plugins.Plugin{Class: jdbcsource.Class, Kind: plugins.Source, Version: jdbcsource.Version, New: func() any { return jdbcsource.New() }})
	// Answer to MySqlConnector and MariaDbConnector too (simple names).
	r.Register(plugins.Plugin{Class: mysqlcdc.MySQLClass, Kind: plugins.Source, Version: mysqlcdc.Version, New: func() any { return mysqlcdc.NewMySQL() }})
	r.Register(plugins.Plugin{Class: mysqlcdc.MariaDBClass, Kind: plugins.Source, Version: mysqlcdc.Version, New: func() any { return mysqlcdc.NewMariaDB() }})
	r.Register(plugins.Plugin{Class: "org.apache.kafka.connect.json.JsonConverter", Kind: plugins.Converter, Version: ConverterVersion, New: func() any { return json.New() }})
	r.Register(plugins.Plugin{Class: avro.ConverterClass, Kind: plugins.Converter, Version: ConverterVersion, New: func() any { return avro.New() }})
	r.Register(plugins.Plugin{Class: "org.apache.kafka.connect.storage.StringConverter", Kind: plugins.Converter, Version: ConverterVersion, New: func() any { return simple.NewStringConverter() }})
	r.Register(plugins.Plugin{Class: "org.apache.kafka.connect.converters.ByteArrayConverter", Kind: plugins.Converter, Version: ConverterVersion, New: func() any { return &simple.ByteArrayConverter{} }})
	r.Register(plugins.Plugin{Class: "org.apache.kafka.connect.storage.SimpleHeaderConverter", Kind: plugins.HeaderConverter, Version: ConverterVersion, New: func() any { return &simple.HeaderConverter{} }})
	for _, t := range transforms.Builtins() {
		if t.NewTransformation != nil {
			r.Register(plugins.Plugin{Class: t.Class, Kind: plugins.Transformation, Version: transforms.Version, New: func() any { return t.NewTransformation() }})
		} else {
			r.Register(plugins.Plugin{Class: t.Class, Kind: plugins.Predicate, Version: transforms.Version, New: func() any { return t.NewPredicate() }})
		}
	}
	// Kafka Connect's numeric converters and BooleanConverter, converters
	// and header converters both; LongConverter answers to Long too, and so
	// on (simple names).
	for class, newConverter := range map[string]func() any{
		simple.ShortConverterClass:   func() any { return simple.NewShortConverter() },
		simple.IntegerConverterClass: func() any { return simple.NewIntegerConverter() },
		simple.LongConverterClass:    func() any { return simple.NewLongConverter() },
		simple.FloatConverterClass:   func() any { return simple.NewFloatConverter() },
		simple.DoubleConverterClass:  func() any { return simple.NewDoubleConverter() },
		simple.BooleanConverterClass: func() any { return simple.BooleanConverter{} },
	} {
		r.Register(plugins.Plugin{Class: class, Kind: plugins.Converter, Version: ConverterVersion, New: newConverter})
	}
	return r
}
