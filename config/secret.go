package config

import "strings"

// Hidden is what a secret shows instead of itself, as Java's
// Password.toString: "[hidden]".
const Hidden = hidden

// IsSecretName reports whether a config key's name marks its value as a
// secret, whatever its definition and under any prefix (producer.override.,
// value.converter., transforms.x., ...): a last name element holding
// "password" or "passwd" (ssl.key.password, connection.password), a
// JAAS line (*.jaas.config), Schema Registry credentials
// (*basic.auth.user.info), tokens (token, *.token*), anything with "secret"
// in it, API and private keys (*api.key, *apikey, *private.key) and the
// PEM private key of an SSL keystore (*ssl.keystore.key, any *.key under
// ssl.). Keys defined as Password are secrets too: see MaskSecrets.
func IsSecretName(key string) bool {
	k := strings.ToLower(strings.TrimSpace(key))
	last := k[strings.LastIndexByte(k, '.')+1:]
	switch {
	case strings.Contains(last, "password"), strings.Contains(last, "passwd"),
		strings.Contains(k, "secret"),
		k == "jaas.config" || strings.HasSuffix(k, ".jaas.config"),
		strings.HasSuffix(k, "basic.auth.user.info"),
		k == "token" || strings.HasPrefix(k, "token.") || strings.Contains(k, ".token") || strings.HasSuffix(last, "token"),
		strings.HasSuffix(k, "api.key") || strings.HasSuffix(k, "apikey"),
		strings.HasSuffix(k, "private.key"),
		last == "key" && (strings.HasPrefix(k, "ssl.") || strings.Contains(k, ".ssl.")):
		return true
	}
	return false
}

// IsSecret reports whether key's value is a secret: IsSecretName says so,
// or one of defs defines key as a Password. Nil defs are skipped.
func IsSecret(key string, defs ...*Def) bool {
	if IsSecretName(key) {
		return true
	}
	for _, d := range defs {
		if d == nil {
			continue
		}
		if i, ok := d.index[key]; ok && d.keys[i].Type == Password {
			return true
		}
	}
	return false
}

// MaskSecrets returns a copy of props in which the value of every secret
// key (see IsSecret) is "[hidden]": for logging a configuration or showing
// it back. props is not changed.
func MaskSecrets(props map[string]string, defs ...*Def) map[string]string {
	out := make(map[string]string, len(props))
	for k, v := range props {
		if IsSecret(k, defs...) {
			v = hidden
		}
		out[k] = v
	}
	return out
}
