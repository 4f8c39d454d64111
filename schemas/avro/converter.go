package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
	cfgdef "github.com/sluicehq/sluice/config"

	"github.com/hamba/avro/v2"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/sluicehq/sluice/connerr"
	"github.com/sluicehq/sluice/schemas"
)

// ConverterClass is the Java class name sluice's AvroConverter answers to.
const ConverterClass = "io.confluent.connect.avro.AvroConverter"

// magicByte starts every record in Confluent's wire format, followed by the
// 4-byte big-endian schema id and the Avro binary body.
const magicByte = 0

// Converter reads and writes Avro in Confluent's wire format, with schemas
// kept in a Confluent-compatible Schema Registry, as Confluent's
// AvroConverter. Like the other converters it is used from one task
// goroutine; the registry client and its caches are shared by every
// converter of the worker with the same registry settings.
type Converter struct {
	cfg   config
	isKey bool
	data  *Data
	reg   *registry
	w     *avro.Writer
	// r is reused for every record; rLimit is its size limit, rd r with
	// the limits of the record being read.
	r      *avro.Reader
	rLimit int
	rd     reader

	// writers caches, per Connect schema and subject, the id and encoder.
	writers *lru.Cache[writerKey, *boundWriter]
	// readers caches, per schema id, the decoder.
	readers *lru.Cache[int, *ReaderSchema]
}

type writerKey struct {
	schema  *schemas.Schema
	subject string
}

type boundWriter struct {
	header [5]byte
	ws     *WriterSchema
	enc    encodeFn
}

// New returns an unconfigured converter.
func New() *Converter { return &Converter{} }

// Config describes the keys Configure accepts (see Def).
func (c *Converter) Config() *cfgdef.Def { return Def() }

// Configure applies the converter's settings.
func (c *Converter) Configure(props map[string]string, isKey bool) error {
	cfg, err := parseConfig(props)
	if err != nil {
		return err
	}
	c.cfg, c.isKey = cfg, isKey
	c.data = NewData(cfg.data)
	c.reg = sharedRegistry(cfg.registry, cfg.tls)
	c.w = avro.NewWriter(nil, 512)
	c.writers, _ = lru.New[writerKey, *boundWriter](cfg.data.CacheSize)
	c.readers, _ = lru.New[int, *ReaderSchema](cfg.data.CacheSize)
	return nil
}

func (c *Converter) part() string {
	if c.isKey {
		return "key"
	}
	return "value"
}

// subject names the registry subject of a record of topic with Avro
// schema s, by the configured strategy.
func (c *Converter) subject(topic string, s avro.Schema) string {
	strategy := c.cfg.valueStrategy
	if c.isKey {
		strategy = c.cfg.keyStrategy
	}
	switch strategy {
	case strategyRecordName:
		return recordName(s)
	case strategyTopicRecordName:
		return topic + "-" + recordName(s)
	}
	return topic + "-" + c.part()
}

// recordName is the name RecordNameStrategy uses: a named type's full name,
// else the Avro type's name.
func recordName(s avro.Schema) string {
	if n, ok := deref(s).(avro.NamedSchema); ok {
		return n.FullName()
	}
	return string(s.Type())
}

// FromConnectData serializes value: the Avro schema made from schema is
// registered (or looked up) under the record's subject, and the record is
// written as magic byte, schema id and Avro body.
func (c *Converter) FromConnectData(topic string, schema *schemas.Schema, value any) ([]byte, error) {
	if value == nil || isNilValue(value) {
		if schema == nil || schema.Default == nil {
			return nil, nil
		}
	}
	bw, err := c.writer(topic, schema)
	if err != nil {
		return nil, c.serializeError(topic, err)
	}
	c.w.Reset(nil)
	_, _ = c.w.Write(bw.header[:])
	if err := bw.enc(c.w, value); err != nil {
		return nil, c.serializeError(topic, err)
	}
	out := make([]byte, c.w.Buffered())
	copy(out, c.w.Buffer())
	return out, nil
}

func (c *Converter) writer(topic string, schema *schemas.Schema) (*boundWriter, error) {
	ws, err := c.data.FromConnectSchema(schema)
	if err != nil {
		return nil, err
	}
	subject := c.subject(topic, ws.Avro)
	key := writerKey{schema, subject}
	if bw, ok := c.writers.Get(key); ok {
		return bw, nil
	}
	bw := &boundWriter{ws: ws, enc: ws.encode}
	var id int
	if c.cfg.useLatest {
		latestID, text, err := c.reg.latestSchema(subject)
		if err != nil {
			return nil, fmt.Errorf("Error retrieving the latest version of subject %s: %w", subject, err)
		}
		latest, err := c.readerByID(latestID, text, subject)
		if err != nil {
			return nil, err
		}
		if c.cfg.latestStrict {
			if err := avro.NewSchemaCompatibility().Compatible(latest.Avro, ws.Avro); err != nil {
				return nil, schemas.DataErrorf("the latest version of subject %s (schema id %d) cannot read records of the schema made from %v (set %s=false to skip this check): %w",
					subject, latestID, schema, LatestCompatibilityStrict, err)
			}
		}
		if schema == nil {
			bw.enc = encodeAnything
		} else if bw.enc, err = c.data.compileEncoder(latest.Avro, schema); err != nil {
			return nil, fmt.Errorf("cannot write %v with the latest version of subject %s (schema id %d): %w", schema, subject, latestID, err)
		}
		id = latestID
	} else {
		if id, err = c.reg.register(subject, ws.JSON, c.cfg.autoRegister); err != nil {
			verb := "registering"
			if !c.cfg.autoRegister {
				verb = "looking up"
			}
			return nil, fmt.Errorf("Error %s Avro schema %s under subject %s: %w", verb, ws.JSON, subject, err)
		}
	}
	bw.header[0] = magicByte
	binary.BigEndian.PutUint32(bw.header[1:], uint32(id))
	c.writers.Add(key, bw)
	return bw, nil
}

// serializeError words a failure as Confluent's AvroConverter does, keeping
// it retriable when the registry may come back.
func (c *Converter) serializeError(topic string, err error) error {
	if connerr.IsRetriable(err) {
		return connerr.Retriable(fmt.Errorf("Failed to serialize Avro data from topic %s: %w", topic, err))
	}
	return schemas.DataErrorf("Failed to serialize Avro data from topic %s: %w", topic, err)
}

func (c *Converter) deserializeError(topic string, err error) error {
	if connerr.IsRetriable(err) {
		return connerr.Retriable(fmt.Errorf("Failed to deserialize data for topic %s to Avro: %w", topic, err))
	}
	return schemas.DataErrorf("Failed to deserialize data for topic %s to Avro: %w", topic, err)
}

// ToConnectData reads a record in Confluent's wire format. Null is a
// tombstone.
func (c *Converter) ToConnectData(topic string, data []byte) (*schemas.Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	if len(data) < 5 || data[0] != magicByte {
		return nil, nil, c.deserializeError(topic, errors.New("Unknown magic byte!"))
	}
	id := int(binary.BigEndian.Uint32(data[1:5]))
	rs, err := c.readerFor(topic, id)
	if err != nil {
		return nil, nil, c.deserializeError(topic, err)
	}
	c.rd.Reader = reuseReader(&c.r, &c.rLimit, data[5:])
	v, err := rs.decodeWith(&c.rd, data[5:])
	if err != nil {
		return nil, nil, c.deserializeError(topic, fmt.Errorf("schema id %d: %w", id, err))
	}
	return rs.Connect, v, nil
}

func (c *Converter) readerFor(topic string, id int) (*ReaderSchema, error) {
	if rs, ok := c.readers.Get(id); ok {
		return rs, nil
	}
	text, err := c.reg.schemaByID(id)
	if err != nil {
		return nil, fmt.Errorf("Error retrieving Avro %s schema for id %d: %w", c.part(), id, err)
	}
	parsed, err := parseSchema(text)
	if err != nil {
		return nil, fmt.Errorf("the registry's schema %d is not a valid Avro schema: %w", id, err)
	}
	// The Connect schema's version is the schema's version under the
	// record's subject, as Confluent's converter gives it.
	version := -1
	if prop(parsed, propConnectVersion) == nil && !isAnything(parsed) {
		if version, err = c.reg.version(c.subject(topic, parsed), id, text); err != nil {
			return nil, fmt.Errorf("Error retrieving the version of Avro %s schema %d: %w", c.part(), id, err)
		}
	}
	rs, err := c.data.Reader(parsed, version)
	if err != nil {
		return nil, fmt.Errorf("schema id %d: %w", id, err)
	}
	c.readers.Add(id, rs)
	return rs, nil
}

// readerByID is readerFor for a schema whose text is known.
func (c *Converter) readerByID(id int, text, subject string) (*ReaderSchema, error) {
	if rs, ok := c.readers.Get(id); ok {
		return rs, nil
	}
	parsed, err := parseSchema(text)
	if err != nil {
		return nil, fmt.Errorf("the registry's schema %d (subject %s) is not a valid Avro schema: %w", id, subject, err)
	}
	rs, err := c.data.Reader(parsed, -1)
	if err != nil {
		return nil, err
	}
	c.readers.Add(id, rs)
	return rs, nil
}
