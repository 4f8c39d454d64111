package config

import (
	"maps"
	"testing"
)

func TestIsSecretName(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"password", true},
		{"connection.password", true},
		{"ssl.key.password", true},
		{"producer.override.ssl.truststore.password", true},
		{"db_passwd", true},
		{"consumer.override.sasl.jaas.config", true},
		{"sasl.jaas.config", true},
		{"value.converter.basic.auth.user.info", true},
		{"schema.registry.basic.auth.user.info", true},
		{"token", true},
		{"github.token", true},
		{"auth.token.value", true},
		{"access_token", true},
		{"aws.secret.access.key", true},
		{"client_secret", true},
		{"transforms.x.SECRET", true},
		{"ssl.keystore.key", true},
		{"producer.override.ssl.keystore.key", true},
		{"admin.override.ssl.key", true},
		{"datadog.api.key", true},
		{"snowflake.private.key", true},
		{"name", false},
		{"connector.class", false},
		{"key.converter", false},
		{"topics", false},
		{"ssl.truststore.location", false},
		{"ssl.keystore.type", false},
		{"sasl.mechanism", false},
		{"basic.auth.credentials.source", false},
		{"transforms.mask.fields", false},
		{"file", false},
		{"keystore", false},
		{"message.key", false},
	}
	for _, tt := range tests {
		if got := IsSecretName(tt.key); got != tt.want {
			t.Errorf("IsSecretName(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestMaskSecrets(t *testing.T) {
	def := NewDef().Define(Key{Name: "conn.credential", Type: Password, Importance: High}).
		Define(Key{Name: "user", Type: String, Importance: High})
	props := map[string]string{
		"conn.credential":                    "s1",
		"user":                               "alice",
		"producer.override.ssl.key.password": "s2",
		"topics":                             "t",
	}
	orig := maps.Clone(props)
	got := MaskSecrets(props, nil, def)
	want := map[string]string{"conn.credential": Hidden, "user": "alice", "producer.override.ssl.key.password": Hidden, "topics": "t"}
	if !maps.Equal(got, want) {
		t.Errorf("MaskSecrets = %v, want %v", got, want)
	}
	if !maps.Equal(props, orig) {
		t.Errorf("MaskSecrets changed its input: %v", props)
	}
}
