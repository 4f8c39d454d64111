package config

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/sluicehq/sluice/internal/javafmt"
)

func TestKeyInfoJSON(t *testing.T) {
	tests := []struct {
		name string
		key  Key
		want string
	}{
		{
			name: "tasks.max as Kafka Connect's ConnectorConfig defines it",
			key: Key{Name: "tasks.max", Type: Int, Default: 1, Validator: AtLeast(1), Importance: High,
				Doc: "Maximum number of tasks to use for this connector.", Group: "Common", OrderInGroup: 3,
				Width: WidthShort, DisplayName: "Tasks max"},
			want: `{"name":"tasks.max","type":"INT","required":false,"default_value":"1","importance":"HIGH",` +
				`"documentation":"Maximum number of tasks to use for this connector.","group":"Common","order_in_group":3,` +
				`"width":"SHORT","display_name":"Tasks max","dependents":[]}`,
		},
		{
			name: "required key",
			key:  Key{Name: "name", Type: String, Default: NoDefault, Importance: High, Doc: "Connector name.", Group: "Common", OrderInGroup: 1, Width: WidthMedium, DisplayName: "Connector name"},
			want: `{"name":"name","type":"STRING","required":true,"default_value":null,"importance":"HIGH",` +
				`"documentation":"Connector name.","group":"Common","order_in_group":1,"width":"MEDIUM","display_name":"Connector name","dependents":[]}`,
		},
		{
			name: "null default, no group, no display name",
			key:  Key{Name: "key.converter", Type: Class, Importance: Low, Doc: "Converter class."},
			want: `{"name":"key.converter","type":"CLASS","required":false,"default_value":null,"importance":"LOW",` +
				`"documentation":"Converter class.","group":null,"order_in_group":-1,"width":"NONE","display_name":"key.converter","dependents":[]}`,
		},
		{
			name: "list default joined with commas, dependents",
			key: Key{Name: "transforms", Type: List, Default: []string{"a", "b"}, Importance: Low, Group: "Transforms",
				OrderInGroup: 1, Width: WidthLong, DisplayName: "Transforms", Dependents: []string{"transforms.a.type"}},
			want: `{"name":"transforms","type":"LIST","required":false,"default_value":"a,b","importance":"LOW",` +
				`"documentation":"","group":"Transforms","order_in_group":1,"width":"LONG","display_name":"Transforms","dependents":["transforms.a.type"]}`,
		},
		{
			name: "empty list default",
			key:  Key{Name: "topics", Type: List, Default: "", Importance: High},
			want: `{"name":"topics","type":"LIST","required":false,"default_value":"","importance":"HIGH",` +
				`"documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"topics","dependents":[]}`,
		},
		{
			name: "password default hidden",
			key:  Key{Name: "connection.password", Type: Password, Default: "s3cret", Importance: High},
			want: `{"name":"connection.password","type":"PASSWORD","required":false,"default_value":"[hidden]","importance":"HIGH",` +
				`"documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"connection.password","dependents":[]}`,
		},
		{
			name: "boolean, double, long, short, class defaults",
			key:  Key{Name: "b", Type: Boolean, Default: false, Importance: Medium},
			want: `{"name":"b","type":"BOOLEAN","required":false,"default_value":"false","importance":"MEDIUM",` +
				`"documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"b","dependents":[]}`,
		},
		{
			name: "double in Java notation",
			key:  Key{Name: "d", Type: Double, Default: 1e10, Importance: Low},
			want: `{"name":"d","type":"DOUBLE","required":false,"default_value":"1.0E10","importance":"LOW",` +
				`"documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"d","dependents":[]}`,
		},
		{
			name: "long",
			key:  Key{Name: "offset.flush.interval.ms", Type: Long, Default: 60000, Importance: Low},
			want: `{"name":"offset.flush.interval.ms","type":"LONG","required":false,"default_value":"60000","importance":"LOW",` +
				`"documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"offset.flush.interval.ms","dependents":[]}`,
		},
		{
			name: "short",
			key:  Key{Name: "replication.factor", Type: Short, Default: 3, Importance: Low},
			want: `{"name":"replication.factor","type":"SHORT","required":false,"default_value":"3","importance":"LOW",` +
				`"documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"replication.factor","dependents":[]}`,
		},
		{
			name: "class",
			key:  Key{Name: "header.converter", Type: Class, Default: "org.apache.kafka.connect.storage.SimpleHeaderConverter", Importance: Low},
			want: `{"name":"header.converter","type":"CLASS","required":false,"default_value":"org.apache.kafka.connect.storage.SimpleHeaderConverter","importance":"LOW",` +
				`"documentation":"","group":null,"order_in_group":-1,"width":"NONE","display_name":"header.converter","dependents":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The same JSON whether the Key went through a Def or not.
			k, _ := NewDef().Define(tt.key).Key(tt.key.Name)
			for _, key := range []Key{k, tt.key} {
				if got := marshal(t, key.Info()); got != tt.want {
					t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
				}
			}
		})
	}
}

func TestKeyInfoNilDependents(t *testing.T) {
	got := marshal(t, KeyInfo{Name: "x"})
	want := `{"name":"x","type":"","required":false,"default_value":null,"importance":"","documentation":"","group":null,"order_in_group":0,"width":"","display_name":"","dependents":[]}`
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestJavaDouble(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{1, "1.0"},
		{-2.5, "-2.5"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{1234567, "1234567.0"},
		{1e7, "1.0E7"},
		{1.5e10, "1.5E10"},
		{0.1, "0.1"},
		{1.0 / 3, "0.3333333333333333"},
		{math.Copysign(0, -1), "-0.0"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
		{-1.5e-7, "-1.5E-7"},
	}
	for _, tt := range tests {
		if got := javafmt.Double(tt.in); got != tt.want {
			t.Errorf("javaDouble(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEnumStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{Boolean.String(), "BOOLEAN"}, {String.String(), "STRING"}, {Int.String(), "INT"},
		{Short.String(), "SHORT"}, {Long.String(), "LONG"}, {Double.String(), "DOUBLE"},
		{List.String(), "LIST"}, {Class.String(), "CLASS"}, {Password.String(), "PASSWORD"},
		{Type(0).String(), "Type(0)"},
		{High.String(), "HIGH"}, {Medium.String(), "MEDIUM"}, {Low.String(), "LOW"},
		{Importance(0).String(), "Importance(0)"},
		{WidthNone.String(), "NONE"}, {WidthShort.String(), "SHORT"}, {WidthMedium.String(), "MEDIUM"},
		{WidthLong.String(), "LONG"}, {Width(7).String(), "Width(7)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestKeyInfoDecode: order_in_group is read as Kafka Connect 4 writes it,
// and Kafka Connect 3's "order" is taken when it is absent.
func TestKeyInfoDecode(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{name: "4.x order_in_group", in: `{"name":"a","order_in_group":3}`, want: 3},
		{name: "3.x order", in: `{"name":"a","order":2}`, want: 2},
		{name: "both: order_in_group wins", in: `{"name":"a","order":2,"order_in_group":5}`, want: 5},
		{name: "no group", in: `{"name":"a","order_in_group":-1}`, want: -1},
		{name: "neither", in: `{"name":"a"}`, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got KeyInfo
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if got.Name != "a" || got.OrderInGroup != tt.want {
				t.Fatalf("got %+v, want name a, order_in_group %d", got, tt.want)
			}
		})
	}
}
