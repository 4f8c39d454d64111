package javaprops

import "testing"

func TestSystemProperty(t *testing.T) {
	tests := []struct{ opts, want string }{
		{"", ""},
		{"-Xmx1g -Djava.security.krb5.conf=/etc/k.conf", "/etc/k.conf"},
		{`-Djava.security.krb5.conf="/etc/k.conf"`, "/etc/k.conf"},
		{"-Djava.security.krb5.conf=/a -Djava.security.krb5.conf=/b", "/b"},
		{"-Djava.security.krb5.config=/x", ""},
		{"-Djava.security.krb5.conf", ""},
	}
	for _, tt := range tests {
		if got := SystemProperty(tt.opts, "java.security.krb5.conf"); got != tt.want {
			t.Errorf("SystemProperty(%q) = %q, want %q", tt.opts, got, tt.want)
		}
	}
}
