package transforms

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/schemas"
)

// Field paths as KIP-821 defines them for the transformations that can reach
// into nested structs and maps (Kafka Connect's SingleFieldPath and
// FieldSyntaxVersion).
//
// With syntax V1 a path is one top-level field name, dots and all. With V2 a
// path is a dotted list of names, "a.b.c"; a name that holds dots is wrapped
// in backticks, "a.`b.c`.d", and a backtick that would end such a name early
// is escaped with a backslash, "`b\`.c`" naming "b`.c". A backtick that does
// not start a name, or that is not followed by a dot or the end of the path,
// is part of the name.

// fieldSyntaxConfig is the key choosing the syntax of field paths.
const fieldSyntaxConfig = "field.syntax.version"

// fieldSyntax is a version of the field path syntax.
type fieldSyntax int

const (
	fieldSyntaxV1 fieldSyntax = iota + 1 // one top-level field name
	fieldSyntaxV2                        // dotted nested path with backtick quoting
)

// fieldSyntaxKey defines fieldSyntaxConfig, to be added to the Def of a
// transformation that takes field paths.
func fieldSyntaxKey() config.Key {
	return config.Key{Name: fieldSyntaxConfig, Type: config.String, Default: "V1",
		Validator: config.CaseInsensitiveValidString("V1", "V2"), Importance: config.High,
		Doc: "How field paths are written. V1: a path is the name of a top-level field, taken literally. " +
			"V2: a path may reach nested fields by joining names with dots, e.g. \"order.id\"; " +
			"wrap a name that contains dots in backticks, e.g. \"`order.v2`.id\"."}
}

// fieldSyntaxOf returns the syntax chosen in v, which a Def with
// fieldSyntaxKey has validated.
func fieldSyntaxOf(v *config.Values) fieldSyntax {
	if strings.EqualFold(v.String(fieldSyntaxConfig), "V2") {
		return fieldSyntaxV2
	}
	return fieldSyntaxV1
}

// fieldPath is a parsed path to one, possibly nested, field.
type fieldPath struct {
	text  string   // as configured, for messages
	steps []string // field names from the top down; never empty
}

// parseFieldPath parses text in the given syntax. The error has the message
// of Kafka Connect's ConfigException for a bad path.
func parseFieldPath(text string, syntax fieldSyntax) (fieldPath, error) {
	if syntax != fieldSyntaxV2 {
		return fieldPath{text: text, steps: []string{text}}, nil
	}
	steps, err := splitFieldPathV2(text)
	if err != nil {
		return fieldPath{}, err
	}
	if len(steps) == 0 {
		// Kafka Connect accepts the empty V2 path and then fails on every
		// record; say so once, up front.
		return fieldPath{}, pathError("A field path must name at least one field, but the path is empty")
	}
	return fieldPath{text: text, steps: steps}, nil
}

// pathError is a configuration problem in a field path.
type pathError string

func (e pathError) Error() string { return string(e) }

// splitFieldPathV2 splits a V2 path into its steps. The backtick, dot and
// backslash are ASCII, so working on bytes is safe for UTF-8 text.
func splitFieldPathV2(path string) ([]string, error) {
	var steps []string
	i := 0
	for i < len(path) {
		if path[i] != '`' {
			dot := strings.IndexByte(path[i:], '.')
			if dot < 0 {
				steps = append(steps, path[i:])
				break
			}
			steps = append(steps, path[i:i+dot])
			i += dot + 1
			continue
		}
		// A quoted name: look for a closing backtick that ends the path or
		// is followed by a dot and is not escaped.
		open := i
		i++
		start := i
		var name strings.Builder
		for {
			tick := strings.IndexByte(path[i:], '`')
			if tick < 0 {
				return nil, incompleteBackticks(path, open)
			}
			i += tick
			escaped := path[i-1] == '\\'
			if i == len(path)-1 {
				if escaped {
					return nil, incompleteBackticks(path, open)
				}
				name.WriteString(path[start:i])
				steps = append(steps, name.String())
				i++
				break
			}
			if path[i+1] != '.' {
				i++ // a backtick inside the name
				continue
			}
			if escaped {
				name.WriteString(path[start : i-1])
				name.WriteByte('`')
				i++
				start = i
				continue
			}
			name.WriteString(path[start:i])
			steps = append(steps, name.String())
			i += 2
			break
		}
	}
	if path != "" && path[len(path)-1] == '.' {
		steps = append(steps, "")
	}
	return steps, nil
}

// incompleteBackticks reports an unmatched backtick at byte offset at; the
// message gives its position in UTF-16 units, as Java counts.
func incompleteBackticks(path string, at int) error {
	pos := len(utf16.Encode([]rune(path[:at])))
	return pathError("Incomplete backtick pair in path: [" + path + "], consider adding a backslash before backtick at position " +
		strconv.Itoa(pos) + " to escape it")
}

// field returns the field the path names in the STRUCT schema s; ok is false
// when a step names no field.
func (p fieldPath) field(s *schemas.Schema) (f schemas.Field, ok bool, err error) {
	cur := s
	for i, step := range p.steps {
		if cur.Type != schemas.TypeStruct {
			return schemas.Field{}, false, schemas.DataErrorf("Cannot look up fields on non-struct type")
		}
		if f, ok = cur.Field(step); !ok {
			return schemas.Field{}, false, nil
		}
		if i < len(p.steps)-1 {
			cur = f.Schema
		}
	}
	return f, true, nil
}

// structValue returns the value the path names in st: nil when a step names
// no field or an enclosing struct is null. withDefault reads a null last
// field as its default; enclosing structs always fall back to theirs.
func (p fieldPath) structValue(st *schemas.Struct, withDefault bool) (any, error) {
	cur := st
	last := len(p.steps) - 1
	for _, step := range p.steps[:last] {
		if _, ok := cur.Schema().Field(step); !ok {
			return nil, nil
		}
		next, err := requireStructOrNull(cur.Get(step), "nested field access")
		if err != nil || next == nil {
			return nil, err
		}
		cur = next
	}
	if _, ok := cur.Schema().Field(p.steps[last]); !ok {
		return nil, nil
	}
	if withDefault {
		return cur.Get(p.steps[last]), nil
	}
	return cur.GetWithoutDefault(p.steps[last]), nil
}

// mapValue returns the value the path names in the schemaless m: nil when a
// step names no entry or an enclosing map is null.
func (p fieldPath) mapValue(m map[string]any) (any, error) {
	cur := m
	last := len(p.steps) - 1
	for _, step := range p.steps[:last] {
		next, err := requireMapOrNull(cur[step], "nested field access")
		if err != nil || next == nil {
			return nil, err
		}
		cur = next
	}
	return cur[p.steps[last]], nil
}
