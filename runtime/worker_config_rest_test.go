package runtime

import (
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/config"
)

func parseRest(t *testing.T, extra map[string]string) (*WorkerConfig, error) {
	t.Helper()
	props := map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"}
	maps.Copy(props, extra)
	return ParseWorkerConfig(props, slog.New(slog.DiscardHandler))
}

func TestWorkerConfigRestSecurity(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		check func(t *testing.T, wc *WorkerConfig)
		err   string // the problem's key and a part of its message
	}{
		{name: "basic auth", props: map[string]string{RestExtensionClasses: BasicAuthExtension, RestJAASFile: " /etc/jaas.conf "},
			check: func(t *testing.T, wc *WorkerConfig) {
				if !wc.RestBasicAuth || wc.RestJAASFile != "/etc/jaas.conf" {
					t.Errorf("RestBasicAuth %v, RestJAASFile %q", wc.RestBasicAuth, wc.RestJAASFile)
				}
			}},
		{name: "basic auth, JAAS file from elsewhere", props: map[string]string{RestExtensionClasses: BasicAuthExtension},
			check: func(t *testing.T, wc *WorkerConfig) {
				if !wc.RestBasicAuth || wc.RestJAASFile != "" {
					t.Errorf("RestBasicAuth %v, RestJAASFile %q", wc.RestBasicAuth, wc.RestJAASFile)
				}
			}},
		{name: "unknown extension", props: map[string]string{RestExtensionClasses: BasicAuthExtension + ",com.example.Audit"},
			err: RestExtensionClasses + ": Invalid value com.example.Audit for configuration rest.extension.classes: sluice has no such REST extension"},
		{name: "JAAS file without the extension", props: map[string]string{RestJAASFile: "/etc/jaas.conf"},
			err: RestJAASFile + ": rest.basic.auth.jaas.config.file is set but rest.extension.classes does not name"},
		{name: "bad ssl.client.auth", props: map[string]string{SSLClientAuth: "always"}, err: SSLClientAuth + ":"},
		{name: "bad prefixed ssl.client.auth", props: map[string]string{"listeners.https.ssl.client.auth": "always"},
			err: "listeners.https.ssl.client.auth: Invalid value always for configuration listeners.https.ssl.client.auth: must be none, requested or required"},
		{name: "https listeners and top-level ssl", props: map[string]string{Listeners: "https://:8443,http://127.0.0.1:8083", "ssl.keystore.location": "/ks.jks", "ssl.client.auth": "required"},
			check: func(t *testing.T, wc *WorkerConfig) {
				if !slices.Equal(wc.ListenersHTTPS, []bool{true, false}) || !slices.Equal(wc.Listeners, []string{":8443", "127.0.0.1:8083"}) {
					t.Errorf("Listeners %v %v", wc.Listeners, wc.ListenersHTTPS)
				}
				want := map[string]string{"ssl.keystore.location": "/ks.jks", "ssl.client.auth": "required"}
				if !maps.Equal(wc.ListenersSSL, want) || !maps.Equal(wc.AdminListenersSSL, want) || !maps.Equal(wc.ClientSSL, want) {
					t.Errorf("ListenersSSL %v, AdminListenersSSL %v, ClientSSL %v", wc.ListenersSSL, wc.AdminListenersSSL, wc.ClientSSL)
				}
			}},
		{name: "listeners.https.* all or nothing", props: map[string]string{Listeners: "https://:8443", AdminListeners: "https://:9443",
			"ssl.keystore.location": "/top.jks", "ssl.truststore.location": "/trust.jks",
			"listeners.https.ssl.keystore.location":       "/rest.jks",
			"admin.listeners.https.ssl.keystore.location": "/admin.jks", "admin.listeners.https.ssl.client.auth": "requested"},
			check: func(t *testing.T, wc *WorkerConfig) {
				if want := map[string]string{"ssl.keystore.location": "/rest.jks", "ssl.client.auth": "none"}; !maps.Equal(wc.ListenersSSL, want) {
					t.Errorf("ListenersSSL %v, want %v", wc.ListenersSSL, want)
				}
				if want := map[string]string{"ssl.keystore.location": "/admin.jks", "ssl.client.auth": "requested"}; !maps.Equal(wc.AdminListenersSSL, want) {
					t.Errorf("AdminListenersSSL %v, want %v", wc.AdminListenersSSL, want)
				}
				if want := map[string]string{"ssl.keystore.location": "/top.jks", "ssl.truststore.location": "/trust.jks"}; !maps.Equal(wc.ClientSSL, want) {
					t.Errorf("ClientSSL %v, want %v", wc.ClientSSL, want)
				}
				for k := range wc.AdminProps {
					if strings.HasPrefix(k, "listeners") {
						t.Errorf("the admin client gets the admin listeners' %s", k)
					}
				}
				if !slices.Equal(wc.AdminListenersHTTPS, []bool{true}) {
					t.Errorf("AdminListenersHTTPS %v", wc.AdminListenersHTTPS)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wc, err := parseRest(t, tt.props)
			if tt.err != "" {
				var ce *config.Error
				if !errors.As(err, &ce) {
					t.Fatalf("error %v, want a config error", err)
				}
				for _, p := range ce.Problems {
					if strings.Contains(p.Key+": "+p.Message, tt.err) {
						return
					}
				}
				t.Fatalf("problems %v, want one with %q", ce.Problems, tt.err)
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, wc)
		})
	}
}

func TestUnauthenticatedListeners(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		want  []string
	}{
		{name: "default listener: every interface", props: nil, want: []string{"0.0.0.0:8083"}},
		{name: "loopback only", props: map[string]string{Listeners: "http://127.0.0.1:8083,http://localhost:8084,http://[::1]:8085"}},
		{name: "an address of the network", props: map[string]string{Listeners: "http://127.0.0.1:8083,http://10.1.2.3:8084"}, want: []string{"10.1.2.3:8084"}},
		{name: "basic authentication", props: map[string]string{RestExtensionClasses: BasicAuthExtension}},
		{name: "mutual TLS", props: map[string]string{Listeners: "https://:8443", SSLClientAuth: "required", "ssl.truststore.location": "/ca.pem"}},
		{name: "mutual TLS against the system's roots", props: map[string]string{Listeners: "https://:8443", SSLClientAuth: "required"}, want: []string{"0.0.0.0:8443"}},
		{name: "TLS without client certificates", props: map[string]string{Listeners: "https://:8443", SSLClientAuth: "requested"}, want: []string{"0.0.0.0:8443"}},
		{name: "admin listeners too", props: map[string]string{Listeners: "http://127.0.0.1:8083", AdminListeners: "http://:9090"}, want: []string{"0.0.0.0:9090"}},
		{name: "admin listeners disabled", props: map[string]string{Listeners: "http://127.0.0.1:8083", AdminListeners: ""}},
		{name: "mutual TLS on listeners, not on admin listeners", props: map[string]string{Listeners: "https://:8443", AdminListeners: "https://:9443",
			"listeners.https.ssl.client.auth": "required", "listeners.https.ssl.truststore.location": "/ca.pem", "admin.listeners.https.ssl.keystore.location": "/a.jks"}, want: []string{"0.0.0.0:9443"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wc, err := parseRest(t, tt.props)
			if err != nil {
				t.Fatal(err)
			}
			if got := wc.UnauthenticatedListeners(); !slices.Equal(got, tt.want) {
				t.Errorf("UnauthenticatedListeners() = %v, want %v", got, tt.want)
			}
		})
	}
}
