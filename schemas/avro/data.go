package avro

import (
	"sync"

	"github.com/hamba/avro/v2"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/sluicehq/sluice/schemas"
)

// Names and properties of Confluent's Connect ↔ Avro mapping (AvroData).
const (
	// Namespace is the namespace of the Avro types the mapping makes up.
	Namespace = "io.confluent.connect.avro"
	// DefaultSchemaName names a record made from a Connect struct without a
	// name: ConnectDefault, then ConnectDefault2, ConnectDefault3, ...
	DefaultSchemaName     = "ConnectDefault"
	defaultSchemaFullName = Namespace + "." + DefaultSchemaName
	mapEntryTypeName      = "MapEntry"
	keyField              = "key"
	valueField            = "value"

	propConnectName       = "connect.name"
	propConnectDoc        = "connect.doc"
	propConnectVersion    = "connect.version"
	propConnectDefault    = "connect.default"
	propConnectParameters = "connect.parameters"
	propConnectType       = "connect.type"
	propInternalType      = "connect.internal.type"
	propFixedSize         = "connect.fixed.size"
	// ParamDecimalPrecision is the Connect schema parameter holding an Avro
	// decimal's precision when it is not the default 64.
	ParamDecimalPrecision   = "connect.decimal.precision"
	defaultDecimalPrecision = 64

	paramRecordDoc     = Namespace + ".record.doc"
	paramEnumDocPrefix = Namespace + ".enum.doc."
	paramFieldDocPrefx = Namespace + ".field.doc."
	paramFieldDefault  = Namespace + ".field.default"
	paramEnumDefPrefix = Namespace + ".enum.default."

	// UnionName names the Connect struct standing for an Avro union of
	// several types: one optional field per branch, exactly one of them set.
	UnionName = Namespace + ".Union"
	// ParamEnum is the Connect parameter holding an Avro enum's full name on
	// the STRING schema the enum becomes; ParamEnum + "." + symbol lists each
	// symbol, in order.
	ParamEnum = Namespace + ".Enum"
	// AnythingName names the record schemaless Connect data is written as.
	AnythingName = Namespace + ".Anything"

	connectTypeInt8  = "int8"
	connectTypeInt16 = "int16"
)

// DataConfig selects the options of the mapping, under the converter keys of
// the same names.
type DataConfig struct {
	// ConnectMetaData (connect.meta.data) writes connect.name, connect.doc,
	// connect.version, connect.parameters and connect.default into Avro
	// schemas and reads them back.
	ConnectMetaData bool
	// EnhancedSchemaSupport (enhanced.avro.schema.support) keeps Avro enums
	// as enums when writing back what was read, and names union branches of
	// named types by full name.
	EnhancedSchemaSupport bool
	// ScrubInvalidNames (scrub.invalid.names) replaces characters Avro names
	// cannot hold.
	ScrubInvalidNames bool
	// AllowOptionalMapKeys (allow.optional.map.keys) writes maps with
	// optional string keys as Avro maps.
	AllowOptionalMapKeys bool
	// FlattenSingletonUnions (flatten.singleton.unions) reads a union of one
	// type as that type.
	FlattenSingletonUnions bool
	// IgnoreDefaultForNullables (ignore.default.for.nullables) writes a
	// null optional field as null even when its schema has a default
	// (Struct.getWithoutDefault instead of Struct.get).
	IgnoreDefaultForNullables bool
	// CacheSize (schemas.cache.config) bounds each schema cache.
	CacheSize int
}

// DefaultDataConfig returns Confluent's defaults: metadata on, enhanced
// support off, singleton unions flattened, 1000 cached schemas.
func DefaultDataConfig() DataConfig {
	return DataConfig{ConnectMetaData: true, FlattenSingletonUnions: true, CacheSize: 1000}
}

// Data converts between Connect schemas and values and Avro schemas and
// binary data, as Confluent's AvroData does. It is safe for concurrent use.
type Data struct {
	cfg DataConfig

	// fromConnect caches the Avro side of a Connect schema, by pointer:
	// Connect schemas are immutable and converters reuse them.
	fromConnect *lru.Cache[*schemas.Schema, *WriterSchema]
	// fromConnectNil is the Avro side of schemaless data.
	anythingOnce sync.Once
	anything     *WriterSchema
	anythingErr  error
	// toConnect caches the Connect side of a parsed Avro schema.
	toConnect *lru.Cache[toConnectKey, *ReaderSchema]
}

type toConnectKey struct {
	schema  avro.Schema
	version int
}

// NewData returns a Data with the given options.
func NewData(cfg DataConfig) *Data {
	size := cfg.CacheSize
	if size <= 0 {
		size = 1000
	}
	from, _ := lru.New[*schemas.Schema, *WriterSchema](size)
	to, _ := lru.New[toConnectKey, *ReaderSchema](size)
	return &Data{cfg: cfg, fromConnect: from, toConnect: to}
}

// Config returns the options d was made with.
func (d *Data) Config() DataConfig { return d.cfg }
