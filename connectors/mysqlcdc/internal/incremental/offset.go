package incremental

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/mysqlconn"
)

// The offset keys of a running incremental snapshot, Debezium's
// (AbstractIncrementalSnapshotContext). They are present in a record's
// offset only while a snapshot runs.
const (
	OffsetCollections   = "incremental_snapshot_collections"
	OffsetPrimaryKey    = "incremental_snapshot_primary_key"
	OffsetMaximumKey    = "incremental_snapshot_maximum_key"
	OffsetCorrelationID = "incremental_snapshot_correlation_id"

	collID        = OffsetCollections + "_id"
	collCondition = OffsetCollections + "_additional_condition"
	collSurrogate = OffsetCollections + "_surrogate_key"
	collCorrID    = OffsetCollections + "_correlation_id"
)

// Key is the value of a chunking key (the primary key's columns, or the
// surrogate key): each column's value as MySQL prints it (the text protocol's
// bytes: "42", "2024-01-02 03:04:05", "abc"). It is what the chunk queries
// bind and what the offset stores.
type Key []string

// encodeKey is the offset form of a key, a JSON array: Debezium writes a
// Java-serialized Object[] in hex there, which nothing but a JVM reads; sluice
// writes each column's value as a JSON string, or as {"base64": "..."} when
// the value is not valid UTF-8 (a binary key).
func encodeKey(k Key) string {
	if k == nil {
		return ""
	}
	out := make([]any, len(k))
	for i, v := range k {
		if utf8.ValidString(v) {
			out[i] = v
		} else {
			out[i] = map[string]string{"base64": base64.StdEncoding.EncodeToString([]byte(v))}
		}
	}
	b, _ := json.Marshal(out) // strings and maps of strings always marshal
	return string(b)
}

// decodeKey reads encodeKey's form back; name is the offset key, for errors.
func decodeKey(name string, v any) (Key, error) {
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("offset key %s is a %T, want a JSON array in a string", name, v)
	}
	if s == "" {
		return nil, nil
	}
	if strings.HasPrefix(strings.ToLower(s), "aced0005") {
		return nil, fmt.Errorf("offset key %s holds a key in Java serialization (written by Debezium), which sluice cannot read: "+
			"stop the incremental snapshot in Debezium first, or send execute-snapshot again after the move", name)
	}
	var items []any
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return nil, fmt.Errorf("offset key %s is not a JSON array of strings: %w", name, err)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("offset key %s is an empty array", name)
	}
	k := make(Key, len(items))
	for i, it := range items {
		switch it := it.(type) {
		case string:
			k[i] = it
		case map[string]any:
			b64, ok := it["base64"].(string)
			if !ok || len(it) != 1 {
				return nil, fmt.Errorf("offset key %s: element %d is an object other than {\"base64\": \"...\"}", name, i)
			}
			b, err := base64.StdEncoding.DecodeString(b64)
			if err != nil {
				return nil, fmt.Errorf("offset key %s: element %d: %w", name, i, err)
			}
			k[i] = string(b)
		default:
			return nil, fmt.Errorf("offset key %s: element %d is a %s, want a string", name, i, jsonKind(it))
		}
	}
	return k, nil
}

// collection is one table queued for the incremental snapshot
// (Debezium's DataCollection).
type collection struct {
	ID tables.ID
	// Condition is the additional condition, wrapped in parentheses as
	// Debezium stores it, or "".
	Condition     string
	SurrogateKey  string
	CorrelationID string
}

// encodeCollections is Debezium's incremental_snapshot_collections value: a
// JSON array of objects (this one is plain JSON in Debezium too).
func encodeCollections(cs []collection) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"` + collID + `":`)
		writeJSONString(&b, c.ID.String())
		b.WriteString(`,"` + collCondition + `":`)
		writeOptional(&b, c.Condition)
		b.WriteString(`,"` + collSurrogate + `":`)
		writeOptional(&b, c.SurrogateKey)
		b.WriteString(`,"` + collCorrID + `":`)
		writeOptional(&b, c.CorrelationID)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.String()
}

func writeOptional(b *strings.Builder, s string) {
	if s == "" {
		b.WriteString("null")
		return
	}
	writeJSONString(b, s)
}

func writeJSONString(b *strings.Builder, s string) {
	j, _ := json.Marshal(s)
	b.Write(j)
}

func decodeCollections(v any) ([]collection, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("offset key %s is a %T, want a JSON array in a string", OffsetCollections, v)
	}
	var items []map[string]*string
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return nil, fmt.Errorf("offset key %s is not a JSON array of objects: %w", OffsetCollections, err)
	}
	out := make([]collection, 0, len(items))
	for i, it := range items {
		id := it[collID]
		if id == nil {
			return nil, fmt.Errorf("offset key %s: element %d has no %s", OffsetCollections, i, collID)
		}
		tid, err := ParseTableID(*id)
		if err != nil {
			return nil, fmt.Errorf("offset key %s: element %d: %w", OffsetCollections, i, err)
		}
		c := collection{ID: tid}
		if p := it[collCondition]; p != nil {
			c.Condition = *p
		}
		if p := it[collSurrogate]; p != nil {
			c.SurrogateKey = *p
		}
		if p := it[collCorrID]; p != nil {
			c.CorrelationID = *p
		}
		out = append(out, c)
	}
	return out, nil
}

// ParseTableID parses "db.table" as Debezium's MySQL connector names a table
// (catalog, then table; either part may be quoted). A name without a
// database is refused.
func ParseTableID(s string) (tables.ID, error) {
	id, err := mysqlconn.ParseTableID(s, "")
	if err != nil {
		return tables.ID{}, err
	}
	if id.Database == "" {
		return tables.ID{}, fmt.Errorf("%q is not a table name of the form db.table", s)
	}
	return tables.ID{DB: id.Database, Table: id.Table}, nil
}
