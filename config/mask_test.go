package config

import (
	"maps"
	"reflect"
	"testing"
)

func TestDefMasked(t *testing.T) {
	d := NewDef().
		Define(Key{Name: "connection.user", Type: String, Importance: High}).
		Define(Key{Name: "connection.password", Type: Password, Default: nil, Importance: High}).
		Define(Key{Name: "ssl.key.password", Type: Password, Default: nil, Importance: Low})
	tests := []struct {
		name  string
		def   *Def
		props map[string]string
		want  map[string]string
	}{
		{
			name: "passwords hidden, others kept",
			def:  d,
			props: map[string]string{
				"connection.user":     "app",
				"connection.password": "hunter2",
				"ssl.key.password":    "${file:/etc/secrets.properties:key}",
				"undefined.password":  "shown: not defined as a Password",
			},
			want: map[string]string{
				"connection.user":     "app",
				"connection.password": "[hidden]",
				"ssl.key.password":    "[hidden]",
				"undefined.password":  "shown: not defined as a Password",
			},
		},
		{
			name:  "an empty password is hidden too",
			def:   d,
			props: map[string]string{"connection.password": ""},
			want:  map[string]string{"connection.password": "[hidden]"},
		},
		{
			name:  "absent keys stay absent",
			def:   d,
			props: map[string]string{"connection.user": "app"},
			want:  map[string]string{"connection.user": "app"},
		},
		{name: "nil props", def: d, props: nil, want: map[string]string{}},
		{
			name:  "nil def masks nothing",
			def:   nil,
			props: map[string]string{"connection.password": "p"},
			want:  map[string]string{"connection.password": "p"},
		},
		{
			name:  "zero def masks nothing",
			def:   &Def{},
			props: map[string]string{"connection.password": "p"},
			want:  map[string]string{"connection.password": "p"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := maps.Clone(tt.props)
			got := tt.def.Masked(tt.props)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Masked = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(tt.props, before) {
				t.Errorf("Masked changed its input: %v", tt.props)
			}
		})
	}
}
