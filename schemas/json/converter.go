// Package json is Kafka Connect's JsonConverter
// (org.apache.kafka.connect.json.JsonConverter): Connect data as JSON, by
// default inside a {"schema":...,"payload":...} envelope, byte-for-byte as
// Kafka Connect writes it.
//
// Output is compact JSON with the schema keys in Kafka Connect's order.
// Where Kafka Connect's output depends on Java hash-map iteration order (the
// entries of MAP values and the schema "parameters" object) sluice sorts by
// key, so output is deterministic; readers must not depend on that order,
// and Kafka Connect's readers do not. Doubles and floats are written as
// Java's Double.toString / Float.toString (JDK 19+) write them.
package json

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	cfgdef "github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// Converter is JsonConverter. It implements schemas.Converter and
// schemas.HeaderConverter. The zero value is usable and has the default
// configuration; a Converter is safe for concurrent use.
type Converter struct {
	cfg   config
	fixed *schemas.Schema // schema.content's schema, read by Configure; nil: none

	mu         sync.Mutex
	fromCache  *lru[*schemas.Schema, []byte]
	toCache    *lru[string, *schemas.Schema]
	lastRaw    string          // text of the schema most recently read (a cache key)
	lastRead   *schemas.Schema // and that schema
	lastSchema *schemas.Schema // fast path for the schema most recently written
	lastJSON   []byte

	sizeHint atomic.Int64 // size of the last output, to allocate once
}

var (
	_ schemas.Converter       = (*Converter)(nil)
	_ schemas.HeaderConverter = (*Converter)(nil)
)

// New returns a Converter with the default configuration.
func New() *Converter { return &Converter{} }

// Configure applies the converter's settings; isKey does not change how
// JsonConverter behaves.
func (c *Converter) Configure(props map[string]string, isKey bool) error {
	cfg, err := parseConfig(props)
	if err != nil {
		return err
	}
	fixed, err := c.contentSchema(cfg.schemaContent)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cfg, c.fixed = cfg, fixed
	c.fromCache, c.toCache = nil, nil
	c.lastSchema, c.lastJSON, c.lastRaw, c.lastRead = nil, nil, "", nil
	return nil
}

// contentSchema reads schema.content as Kafka Connect 4.4's JsonConverter
// does when it is configured: nil when it is empty, and an error when its
// text is not JSON or not a schema.
func (c *Converter) contentSchema(content string) (*schemas.Schema, error) {
	if content == "" {
		return nil, nil
	}
	n, ok, err := parseJSON(content, false, "")
	if err == nil && !ok {
		err = errors.New("no content to map due to end-of-input")
	}
	if err != nil {
		return nil, schemas.DataErrorf("Failed to parse schema in converter config due to serialization error: %w", err)
	}
	return c.asConnectSchema(&n)
}

// ConfigureHeader applies the converter's settings for use as a header
// converter.
func (c *Converter) ConfigureHeader(props map[string]string) error {
	return c.Configure(props, false)
}

// Config describes the keys Configure accepts (see Def).
func (c *Converter) Config() *cfgdef.Def { return Def() }

// FromConnectHeader serializes a header value exactly as FromConnectData.
func (c *Converter) FromConnectHeader(topic, _ string, schema *schemas.Schema, value any) ([]byte, error) {
	return c.FromConnectData(topic, schema, value)
}

// ToConnectHeader deserializes a header value exactly as ToConnectData.
func (c *Converter) ToConnectHeader(topic, _ string, data []byte) (*schemas.Schema, any, error) {
	return c.ToConnectData(topic, data)
}

// schemaJSON returns the cached JSON form of s.
func (c *Converter) schemaJSON(s *schemas.Schema) ([]byte, error) {
	c.mu.Lock()
	if s == c.lastSchema {
		b := c.lastJSON
		c.mu.Unlock()
		return b, nil
	}
	if c.fromCache == nil {
		c.fromCache = newLRU[*schemas.Schema, []byte](c.cfg.schemaCacheSize())
	}
	b, ok := c.fromCache.get(s)
	if ok {
		c.lastSchema, c.lastJSON = s, b
	}
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := c.appendSchema(nil, s)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.fromCache.size > 0 {
		c.fromCache.put(s, b)
		c.lastSchema, c.lastJSON = s, b
	}
	c.mu.Unlock()
	return b, nil
}

// connectSchema returns the Connect schema for the JSON schema text raw,
// parsing it only when it is not cached.
func (c *Converter) connectSchema(raw string) (*schemas.Schema, error) {
	c.mu.Lock()
	if c.toCache == nil {
		c.toCache = newLRU[string, *schemas.Schema](c.cfg.schemaCacheSize())
	}
	s, ok := c.toCache.get(raw)
	if ok && raw != c.lastRaw {
		c.lastRaw, c.lastRead = strings.Clone(raw), s // raw points into the record
	}
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	n, _, err := parseJSON(raw, false, "")
	if err != nil {
		return nil, schemas.DataErrorf("Converting byte[] to Kafka Connect data failed due to serialization error: %w", err)
	}
	if s, err = c.asConnectSchema(&n); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.toCache.size > 0 {
		key := strings.Clone(raw)
		c.toCache.put(key, s)
		c.lastRaw, c.lastRead = key, s
	}
	c.mu.Unlock()
	return s, nil
}

// knownSchema returns the text of the schema most recently read, and that
// schema.
func (c *Converter) knownSchema() (string, *schemas.Schema) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastRaw, c.lastRead
}
