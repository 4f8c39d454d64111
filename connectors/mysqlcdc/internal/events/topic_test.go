package events

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

// TestTopicOfHostileTableNames: tables whose names a topic may not carry
// (spaces, non-ASCII letters, characters beyond the BMP, 64-character
// database and table names past 249 in all) get a valid topic, made as
// Debezium's topic naming strategy makes it; valid names are unchanged.
func TestTopicOfHostileTableNames(t *testing.T) {
	long := strings.Repeat("t", 64)
	tests := []struct {
		prefix, db, table, want string
	}{
		{"p", "d", "orders", "p.d.orders"},
		{"p", "d", "my-t_1", "p.d.my-t_1"},
		{"p", "d", "a b", "p.d.a_b"},
		{"p", "bücher", "größe", "p.b_cher.gr__e"},
		{"p", "d", "x😀", "p.d.x__"},
		{"p", "d", "a/b\x00c", "p.d.a_b_c"},
		{strings.Repeat("p", 200), long, long, (strings.Repeat("p", 200) + "." + long + "." + long)[:249]},
	}
	for _, tt := range tests {
		e := newEvents(t, tt.prefix, Modes{})
		tb, err := e.Table(&tables.Table{ID: tables.ID{DB: tt.db, Table: tt.table}, PrimaryKey: []string{"id"},
			Columns: []tables.Column{{Name: "id", TypeName: "INT", Length: -1}}}, nil)
		if err != nil {
			t.Fatalf("%s.%s: %v", tt.db, tt.table, err)
		}
		if tb.Topic != tt.want {
			t.Errorf("%s.%s: topic %q, want %q", tt.db, tt.table, tb.Topic, tt.want)
		}
		if err := config.CheckTopicName(tb.Topic); err != nil {
			t.Errorf("%s.%s: %v", tt.db, tt.table, err)
		}
	}
	for in, want := range map[string]string{".": "_", "..": "__", "ok": "ok"} {
		if got := sanitizedTopic(in); got != want {
			t.Errorf("sanitizedTopic(%q) = %q, want %q", in, got, want)
		}
	}
}
