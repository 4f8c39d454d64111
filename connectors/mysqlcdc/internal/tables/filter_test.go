package tables

import (
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		in    []ID
		out   []ID
	}{
		{"nothing set", nil, []ID{{"a", "t"}, {"Inventory", "x"}}, []ID{{"mysql", "user"}, {"SYS", "x"}, {"performance_schema", "t"}, {"information_schema", "TABLES"}}},
		{"db include", map[string]string{KeyDatabaseInclude: "inv.*, shop"}, []ID{{"inventory", "t"}, {"SHOP", "t"}}, []ID{{"shop2", "t"}, {"xinv", "t"}, {"mysql", "t"}}},
		{"db exclude", map[string]string{KeyDatabaseExclude: "tmp"}, []ID{{"prod", "t"}, {"tmp2", "t"}}, []ID{{"tmp", "t"}, {"TMP", "t"}}},
		{"table include", map[string]string{KeyTableInclude: `inv\.orders,inv\.cust.*`}, []ID{{"inv", "orders"}, {"INV", "Customers"}}, []ID{{"inv", "orders2"}, {"inv", "x"}, {"other", "orders"}}},
		{"table include anchored", map[string]string{KeyTableInclude: `orders`}, nil, []ID{{"inv", "orders"}}},
		{"table exclude", map[string]string{KeyTableExclude: `.*\.audit_.*`}, []ID{{"inv", "orders"}}, []ID{{"inv", "audit_log"}}},
		{"db and table", map[string]string{KeyDatabaseInclude: "inv", KeyTableInclude: `.*\.orders`}, []ID{{"inv", "orders"}}, []ID{{"other", "orders"}, {"inv", "x"}}},
		{"quantifier comma", map[string]string{KeyTableInclude: `inv\.t{1,2}`}, []ID{{"inv", "t"}, {"inv", "tt"}}, []ID{{"inv", "ttt"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewFilter(tc.props)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range tc.in {
				if !f.TableIncluded(id) {
					t.Errorf("%s excluded, want included", id)
				}
			}
			for _, id := range tc.out {
				if f.TableIncluded(id) {
					t.Errorf("%s included, want excluded", id)
				}
			}
		})
	}
	var nilFilter *Filter
	if !nilFilter.TableIncluded(ID{"a", "b"}) || nilFilter.TableIncluded(ID{"mysql", "user"}) || !nilFilter.ColumnIncluded(ID{"a", "b"}, "c") {
		t.Error("a nil filter captures all but the system databases")
	}
}

func TestFilterColumns(t *testing.T) {
	f, err := NewFilter(map[string]string{KeyColumnExclude: `inv\.cust\.(ssn|card_.*)`})
	if err != nil {
		t.Fatal(err)
	}
	id := ID{"inv", "cust"}
	if f.ColumnIncluded(id, "ssn") || f.ColumnIncluded(id, "CARD_no") || !f.ColumnIncluded(id, "name") || !f.ColumnIncluded(ID{"inv", "other"}, "ssn") {
		t.Error("column.exclude.list")
	}
	f, err = NewFilter(map[string]string{KeyColumnInclude: `inv\.cust\.(id|name)`})
	if err != nil {
		t.Fatal(err)
	}
	if !f.ColumnIncluded(id, "id") || f.ColumnIncluded(id, "ssn") {
		t.Error("column.include.list")
	}
}

func TestFilterErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  []string
	}{
		{map[string]string{KeyDatabaseInclude: "a", KeyDatabaseExclude: "b"}, []string{KeyDatabaseInclude, KeyDatabaseExclude}},
		{map[string]string{KeyTableInclude: "a.b", KeyTableExclude: "c.d"}, []string{KeyTableInclude, KeyTableExclude}},
		{map[string]string{KeyColumnInclude: "a.b.c", KeyColumnExclude: "c.d.e"}, []string{KeyColumnInclude, KeyColumnExclude}},
		{map[string]string{KeyTableInclude: "inv.(orders"}, []string{KeyTableInclude, "inv.(orders"}},
	} {
		_, err := NewFilter(tc.props)
		if err == nil {
			t.Errorf("%v: no error", tc.props)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not name %s", tc.props, err, w)
			}
		}
	}
}

func TestOptionsFromProps(t *testing.T) {
	o, err := OptionsFromProps(map[string]string{KeySkipUnparseableDDL: "true", KeyTableInclude: `a\.b`}, nil)
	if err != nil || !o.SkipUnparseableDDL || o.Filter.TableIncluded(ID{"a", "c"}) || !o.Filter.TableIncluded(ID{"a", "b"}) {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := OptionsFromProps(map[string]string{KeySkipUnparseableDDL: "maybe"}, nil); err == nil || !strings.Contains(err.Error(), KeySkipUnparseableDDL) {
		t.Errorf("a bad boolean: %v", err)
	}
	if _, err := OptionsFromProps(map[string]string{KeyTableInclude: "(", KeySkipUnparseableDDL: "false"}, nil); err == nil {
		t.Errorf("a bad filter: no error")
	}
}
