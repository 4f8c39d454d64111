package avro

import (
	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/schemas"
)

// anythingJSON is Confluent's record for schemaless Connect data: one
// optional field per kind of value, arrays of itself and maps as arrays of
// key/value entries of itself.
const anythingJSON = `{"type":"record","name":"Anything","namespace":"io.confluent.connect.avro","fields":[` +
	`{"name":"boolean","type":["null","boolean"],"default":null},` +
	`{"name":"bytes","type":["null","bytes"],"default":null},` +
	`{"name":"double","type":["null","double"],"default":null},` +
	`{"name":"float","type":["null","float"],"default":null},` +
	`{"name":"int","type":["null","int"],"default":null},` +
	`{"name":"long","type":["null","long"],"default":null},` +
	`{"name":"string","type":["null","string"],"default":null},` +
	`{"name":"array","type":["null",{"type":"array","items":"Anything"}],"default":null},` +
	`{"name":"map","type":["null",{"type":"array","items":{"type":"record","name":"MapEntry","fields":[` +
	`{"name":"key","type":"Anything"},{"name":"value","type":"Anything"}]}}],"default":null}]}`

// Field positions of the Anything record.
const (
	anyBoolean = iota
	anyBytes
	anyDouble
	anyFloat
	anyInt
	anyLong
	anyString
	anyArray
	anyMap
	anyFields
)

func (d *Data) anythingWriter() (*WriterSchema, error) {
	d.anythingOnce.Do(func() {
		parsed, err := parseSchema(anythingJSON)
		if err != nil {
			d.anythingErr = err
			return
		}
		d.anything = &WriterSchema{JSON: anythingJSON, Avro: parsed, encode: encodeAnything}
	})
	return d.anything, d.anythingErr
}

func (d *Data) anythingDecoder() decodeFn { return decodeAnything }

// encodeAnything writes a schemaless value as an Anything record.
func encodeAnything(w *avro.Writer, v any) error {
	field := -1
	switch v.(type) {
	case nil:
	case bool:
		field = anyBoolean
	case []byte:
		field = anyBytes
	case float64:
		field = anyDouble
	case float32:
		field = anyFloat
	case int8, int16, int32:
		field = anyInt
	case int64, int:
		field = anyLong
	case string:
		field = anyString
	case []any:
		field = anyArray
	case map[string]any, map[any]any:
		field = anyMap
	default:
		return schemas.DataErrorf("Unknown Java type for schemaless data: %T", v)
	}
	for i := 0; i < anyFields; i++ {
		if i != field {
			w.WriteLong(0) // null branch
			continue
		}
		w.WriteLong(1)
		switch x := v.(type) {
		case bool:
			w.WriteBool(x)
		case []byte:
			w.WriteBytes(x)
		case float64:
			w.WriteDouble(x)
		case float32:
			w.WriteFloat(x)
		case int8:
			w.WriteInt(int32(x))
		case int16:
			w.WriteInt(int32(x))
		case int32:
			w.WriteInt(x)
		case int64:
			w.WriteLong(x)
		case int:
			w.WriteLong(int64(x))
		case string:
			w.WriteString(x)
		case []any:
			if len(x) > 0 {
				w.WriteLong(int64(len(x)))
				for _, e := range x {
					if err := encodeAnything(w, e); err != nil {
						return err
					}
				}
			}
			w.WriteLong(0)
		default:
			entries, err := mapEntries(&schemas.Schema{Type: schemas.TypeMap}, v)
			if err != nil {
				return err
			}
			if len(entries) > 0 {
				w.WriteLong(int64(len(entries)))
				for _, e := range entries {
					if err := encodeAnything(w, e.k); err != nil {
						return err
					}
					if err := encodeAnything(w, e.v); err != nil {
						return err
					}
				}
			}
			w.WriteLong(0)
		}
	}
	return nil
}

// decodeAnything reads an Anything record back to a schemaless value: the
// first field set, or null.
func decodeAnything(r *reader) (any, error) {
	var out any
	for i := 0; i < anyFields; i++ {
		branch := r.ReadLong()
		if r.Error != nil {
			return nil, r.Error
		}
		if branch == 0 {
			continue
		}
		if branch != 1 {
			return nil, schemas.DataErrorf("union branch index %d out of range for 2 branches", branch)
		}
		var v any
		switch i {
		case anyBoolean:
			v = r.ReadBool()
		case anyBytes:
			v = r.ReadBytes()
		case anyDouble:
			v = r.ReadDouble()
		case anyFloat:
			v = r.ReadFloat()
		case anyInt:
			v = r.ReadInt()
		case anyLong:
			v = r.ReadLong()
		case anyString:
			v = r.ReadString()
		case anyArray:
			if err := r.enter(); err != nil {
				return nil, err
			}
			l := []any{}
			for {
				n, _ := r.ReadBlockHeader()
				if n == 0 || r.Error != nil {
					break
				}
				for ; n > 0 && r.Error == nil; n-- {
					e, err := decodeAnything(r)
					if err != nil {
						return nil, err
					}
					l = append(l, e)
				}
			}
			r.depth--
			v = l
		case anyMap:
			if err := r.enter(); err != nil {
				return nil, err
			}
			m := map[any]any{}
			for {
				n, _ := r.ReadBlockHeader()
				if n == 0 || r.Error != nil {
					break
				}
				for ; n > 0 && r.Error == nil; n-- {
					k, err := decodeAnything(r)
					if err != nil {
						return nil, err
					}
					e, err := decodeAnything(r)
					if err != nil {
						return nil, err
					}
					hk, err := hashableKey(k)
					if err != nil {
						return nil, err
					}
					m[hk] = e
				}
			}
			r.depth--
			v = m
		}
		if out == nil {
			out = v
		}
	}
	if r.Error != nil {
		return nil, r.Error
	}
	return out, nil
}
