package transforms

import (
	"testing"

	"github.com/sluicehq/sluice/config"
)

func TestBuiltinsRoutes(t *testing.T) {
	byClass := map[string]Plugin{}
	for _, p := range Builtins() {
		if _, dup := byClass[p.Class]; dup {
			t.Errorf("%s is registered twice", p.Class)
		}
		byClass[p.Class] = p
	}
	transformations := map[string]Side{
		"DropHeaders": -1, "Filter": -1, "InsertHeader": -1, "RegexRouter": -1,
		"HeaderFrom$Key": Key, "HeaderFrom$Value": Value,
		"InsertField$Key": Key, "InsertField$Value": Value,
		"SetSchemaMetadata$Key": Key, "SetSchemaMetadata$Value": Value,
	}
	for simple, side := range transformations {
		p, ok := byClass[javaPackage+simple]
		if !ok || p.NewTransformation == nil || p.NewPredicate != nil {
			t.Errorf("%s: %+v", simple, p)
			continue
		}
		tr := p.NewTransformation()
		if simple != "Filter" && tr == p.NewTransformation() {
			t.Errorf("%s: instances are shared", simple)
		}
		var got Side = -1
		switch x := tr.(type) {
		case *headerFrom:
			got = x.side
		case *insertField:
			got = x.side
		case *setSchemaMetadata:
			got = x.side
		}
		if got != side {
			t.Errorf("%s works on side %v, want %v", simple, got, side)
		}
	}
	for _, simple := range []string{"TopicNameMatches", "HasHeaderKey", "RecordIsTombstone"} {
		p, ok := byClass[javaPredicatePackage+simple]
		if !ok || p.NewPredicate == nil || p.NewTransformation != nil || p.NewPredicate() == nil {
			t.Errorf("%s: %+v", simple, p)
		}
	}
}

// The keys, types, defaults and importance of Kafka Connect's CONFIG_DEFs.
func TestRoutesConfigKeys(t *testing.T) {
	type key struct {
		name, typ string
		def       any // config.NoDefault for required keys
		imp       string
	}
	req := config.NoDefault
	tests := []struct {
		name string
		def  *config.Def
		keys []key
	}{
		{"DropHeaders", newDropHeaders().Config(), []key{{"headers", "LIST", req, "HIGH"}}},
		{"Filter", newFilter().Config(), nil},
		{"HeaderFrom", newHeaderFrom(Key).Config(), []key{
			{"fields", "LIST", req, "HIGH"}, {"headers", "LIST", req, "HIGH"},
			{"operation", "STRING", req, "HIGH"}, {"replace.null.with.default", "BOOLEAN", true, "MEDIUM"}}},
		{"InsertField", newInsertField(Value).Config(), []key{
			{"topic.field", "STRING", nil, "MEDIUM"}, {"partition.field", "STRING", nil, "MEDIUM"},
			{"offset.field", "STRING", nil, "MEDIUM"}, {"timestamp.field", "STRING", nil, "MEDIUM"},
			{"static.field", "STRING", nil, "MEDIUM"}, {"static.value", "STRING", nil, "MEDIUM"},
			{"replace.null.with.default", "BOOLEAN", true, "MEDIUM"}}},
		{"InsertHeader", newInsertHeader().Config(), []key{
			{"header", "STRING", req, "HIGH"}, {"value.literal", "STRING", req, "HIGH"}}},
		{"RegexRouter", newRegexRouter().Config(), []key{
			{"regex", "STRING", req, "HIGH"}, {"replacement", "STRING", req, "HIGH"}}},
		{"SetSchemaMetadata", newSetSchemaMetadata(Key).Config(), []key{
			{"schema.name", "STRING", nil, "HIGH"}, {"schema.version", "INT", nil, "HIGH"},
			{"replace.null.with.default", "BOOLEAN", true, "MEDIUM"}}},
		{"TopicNameMatches", newTopicNameMatches().Config(), []key{{"pattern", "STRING", req, "MEDIUM"}}},
		{"HasHeaderKey", newHasHeaderKey().Config(), []key{{"name", "STRING", req, "MEDIUM"}}},
		{"RecordIsTombstone", newRecordIsTombstone().Config(), nil},
	}
	for _, tt := range tests {
		keys := tt.def.Keys()
		if len(keys) != len(tt.keys) {
			t.Errorf("%s has %d keys, want %d", tt.name, len(keys), len(tt.keys))
			continue
		}
		for i, k := range keys {
			w := tt.keys[i]
			if k.Name != w.name || k.Type.String() != w.typ || k.Default != w.def || k.Importance.String() != w.imp || k.Doc == "" {
				t.Errorf("%s key %d = %s %v %v %v, want %+v", tt.name, i, k.Name, k.Type, k.Default, k.Importance, w)
			}
		}
	}
}
