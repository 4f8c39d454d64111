package datagen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/hamba/avro/v2"

	"github.com/sluicehq/sluice/config"
	avroconv "github.com/sluicehq/sluice/schemas/avro"
)

func configDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: KafkaTopicKey, Type: config.String, Default: config.NoDefault, Validator: config.TopicName(false), Importance: config.High,
			Doc: "The topic the records are written to"}).
		Define(config.Key{Name: MaxIntervalKey, Type: config.Long, Default: int64(500), Importance: config.High,
			Doc: "The longest pause between two records, in milliseconds: each task waits a random time up to it before each record; 0 or less for no pause"}).
		Define(config.Key{Name: IterationsKey, Type: config.Int, Default: int32(-1), Importance: config.High,
			Doc: "How many records each task generates; 0 or less for no limit"}).
		Define(config.Key{Name: SchemaStringKey, Type: config.String, Default: "", Validator: schemaStringValidator{}, Importance: config.High,
			Doc: "An Avro schema, as JSON, whose arg.properties annotations shape the values. Set exactly one of schema.string, schema.filename and quickstart"}).
		Define(config.Key{Name: SchemaFilenameKey, Type: config.String, Default: "", Validator: schemaFileValidator{}, Importance: config.High,
			Doc: "The file holding an Avro schema whose arg.properties annotations shape the values, or the name of a bundled schema file. Set exactly one of schema.string, schema.filename and quickstart"}).
		Define(config.Key{Name: SchemaKeyfieldKey, Type: config.String, Default: "", Importance: config.High,
			Doc: "The top-level field whose value is each record's key; with a quickstart, the quickstart's key field when empty. No key field: null keys"}).
		Define(config.Key{Name: QuickstartKey, Type: config.String, Default: "", Validator: quickstartValidator{}, Importance: config.High,
			Doc: "A bundled schema to generate: " + strings.Join(Quickstarts(), ", ") + ". Set exactly one of schema.string, schema.filename and quickstart"}).
		Define(config.Key{Name: RandomSeedKey, Type: config.Long, Default: nil, Importance: config.Low,
			Doc: "A seed that makes the data reproducible: two connectors with the same seed and schema generate the same records. Each task derives its own seed from it, so tasks generate different records"})
}

type quickstartValidator struct{}

func (quickstartValidator) Validate(name string, v any) error {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	if _, ok := findQuickstart(s); !ok {
		return fmt.Errorf("%s must be one out of %s", name, strings.Join(Quickstarts(), ","))
	}
	return nil
}

func (quickstartValidator) String() string { return "one of " + strings.Join(Quickstarts(), ", ") }

type schemaStringValidator struct{}

func (schemaStringValidator) Validate(name string, v any) error {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	if _, err := parseSchema(s); err != nil {
		// The schema itself would drown the message: name it by its start.
		return &config.ValueError{Name: name, Value: abbreviate(s), Reason: err.Error()}
	}
	return nil
}

func (schemaStringValidator) String() string { return "an Avro schema" }

type schemaFileValidator struct{}

func (schemaFileValidator) Validate(name string, v any) error {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	_, err := loadSchemaFile(s)
	return err
}

func (schemaFileValidator) String() string { return "an Avro schema file" }

func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// parseSchema parses an Avro schema and checks that records can be made
// from it: a record, whose annotations are valid and which has a Connect
// equivalent (sluice's Connect schemas cannot recurse). Comments are
// allowed, as Avro's Java parser allows them.
func parseSchema(text string) (avro.Schema, error) {
	s, err := avro.ParseWithCache(stripComments(text), "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("Unable to parse the provided schema: %w", err)
	}
	if s.Type() != avro.Record {
		return nil, fmt.Errorf("the schema must be a record, not %s", s.Type())
	}
	if _, err := NewGenerator(s, 0, 0); err != nil {
		return nil, fmt.Errorf("the schema's arg.properties cannot be honoured: %w", err)
	}
	if _, err := avroconv.NewData(avroconv.DefaultDataConfig()).ToConnectSchema(s); err != nil {
		return nil, fmt.Errorf("the schema has no Connect equivalent: %w", err)
	}
	return s, nil
}

// loadSchemaFile reads and parses a schema file; a name no file has is
// looked up among the schema files bundled with the connector, as
// kafka-connect-datagen looks it up on its class path.
func loadSchemaFile(name string) (avro.Schema, error) {
	b, err := os.ReadFile(name)
	text := string(b)
	if errors.Is(err, fs.ErrNotExist) {
		var ok bool
		if text, ok = bundledSchema(name); !ok {
			return nil, fmt.Errorf("Unable to find the schema file %s", name)
		}
	} else if err != nil {
		return nil, fmt.Errorf("Unable to read the schema file %s: %w", name, err)
	}
	s, err := parseSchema(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// stripComments removes // and /* */ comments outside strings from JSON
// text (Avro's Java parser accepts them; the quickstarts had some).
func stripComments(s string) string {
	if !strings.Contains(s, "/") {
		return s
	}
	var b strings.Builder
	inString, escaped := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			if i < len(s) {
				b.WriteByte('\n')
			}
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return b.String() // an unterminated comment runs to the end
			}
			i += 2 + end + 1
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// settings is a parsed, validated connector or task configuration.
type settings struct {
	topic       string
	maxInterval int64
	iterations  int
	keyField    string
	seed        *int64
	schema      avro.Schema
}

// schemaSources are the keys of which exactly one gives the schema.
var schemaSources = []string{SchemaStringKey, SchemaFilenameKey, QuickstartKey}

// validate checks props as kafka-connect-datagen does: each key, then that
// exactly one schema source is set, then that the key field is a field of
// the schema. It returns one result per key.
func validate(props map[string]string) []config.Result {
	def := configDef()
	results := def.Validate(props)
	byName := map[string]*config.Result{}
	failed := false
	for i := range results {
		byName[results[i].Name] = &results[i]
		failed = failed || len(results[i].Errors) > 0
	}
	var set []string
	for _, k := range schemaSources {
		if r := byName[k]; r.Value != nil && *r.Value != "" {
			set = append(set, k)
		}
	}
	if len(set) != 1 {
		msg := "Must set exactly one of " + strings.Join(schemaSources, ", ")
		targets := set
		if len(set) == 0 {
			targets = schemaSources
		}
		for _, k := range targets {
			byName[k].Errors = append(byName[k].Errors, msg)
		}
		return results
	}
	if failed {
		return results // the schema may not even parse
	}
	v, err := def.Parse(props)
	if err != nil {
		return results
	}
	s, err := schemaOf(v)
	if err != nil {
		byName[set[0]].Errors = append(byName[set[0]].Errors, err.Error())
		return results
	}
	if kf := v.String(SchemaKeyfieldKey); kf != "" && !hasField(s, kf) {
		r := byName[SchemaKeyfieldKey]
		r.Errors = append(r.Errors, "The schema does not contain the field provided in '"+SchemaKeyfieldKey+"'")
	}
	return results
}

func hasField(s avro.Schema, name string) bool {
	rec, ok := s.(*avro.RecordSchema)
	if !ok {
		return false
	}
	for _, f := range rec.Fields() {
		if f.Name() == name {
			return true
		}
	}
	return false
}

// schemaOf loads the schema the configuration names, the quickstart first,
// then schema.string, then schema.filename (kafka-connect-datagen's order,
// should several be set).
func schemaOf(v *config.Values) (avro.Schema, error) {
	if q := v.String(QuickstartKey); q != "" {
		qs, ok := findQuickstart(q)
		if !ok {
			return nil, fmt.Errorf("unknown quickstart %s", q)
		}
		text, _ := bundledSchema(qs.file)
		return parseSchema(text)
	}
	if s := v.String(SchemaStringKey); s != "" {
		return parseSchema(s)
	}
	if f := v.String(SchemaFilenameKey); f != "" {
		return loadSchemaFile(f)
	}
	return nil, fmt.Errorf("Must set exactly one of %s", strings.Join(schemaSources, ", "))
}

// parseSettings validates props and reads them.
func parseSettings(props map[string]string) (*settings, error) {
	var problems []config.Problem
	for _, r := range validate(props) {
		for _, e := range r.Errors {
			problems = append(problems, config.Problem{Key: r.Name, Message: e})
		}
	}
	if len(problems) > 0 {
		return nil, &config.Error{Problems: problems}
	}
	v, err := configDef().Parse(props)
	if err != nil {
		return nil, err
	}
	s, err := schemaOf(v)
	if err != nil {
		return nil, err
	}
	st := &settings{
		topic:       v.String(KafkaTopicKey),
		maxInterval: v.Long(MaxIntervalKey),
		iterations:  v.Int(IterationsKey),
		keyField:    v.String(SchemaKeyfieldKey),
		schema:      s,
	}
	if st.keyField == "" {
		if qs, ok := findQuickstart(v.String(QuickstartKey)); ok {
			st.keyField = qs.keyField
		}
	}
	if seed, ok := v.Get(RandomSeedKey).(int64); ok {
		st.seed = &seed
	}
	return st, nil
}
