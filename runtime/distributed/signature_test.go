package distributed

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/storage"
)

// TestCheckSignature checks the verification of internal requests
// (DistributedHerder.requestNotSignedProperly): only the sessioned protocol
// checks (before the first join, the configured protocol says); a
// missing signature or a not permitted algorithm is 400, no
// session key yet 503, a wrong MAC 403.
func TestCheckSignature(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	body := []byte(`[{"task.class":"x"}]`)
	sign := func(alg string, k, b []byte) *herder.InternalSignature {
		mac, err := herder.Sign(k, alg, b)
		if err != nil {
			t.Fatal(err)
		}
		return &herder.InternalSignature{Algorithm: alg, MAC: mac, Body: body}
	}
	good := sign("HmacSHA256", key, body)
	sessionKey := &storage.SessionKey{Key: key, Algorithm: "HmacSHA256", Created: time.Now()}
	for _, tc := range []struct {
		name     string
		protocol string
		key      *storage.SessionKey
		verify   []string
		sig      *herder.InternalSignature
		code     int // 0: accepted
		message  string
	}{
		{"compatible: no signature needed", ProtocolCompatible, nil, nil, nil, 0, ""},
		{"eager: no signature needed", ProtocolDefault, nil, nil, nil, 0, ""},
		{"a sessioned worker in a group that negotiated compatible", ProtocolCompatible, sessionKey, nil, nil, 0, ""},
		{"compatible ignores a bad signature", ProtocolCompatible, sessionKey, nil, sign("HmacSHA256", []byte("other"), body), 0, ""},
		{"not joined yet: the configured protocol (sessioned) applies", "", nil, nil, nil, http.StatusBadRequest, "Internal request missing required signature"},
		{"not joined yet: no session key", "", nil, nil, good, http.StatusServiceUnavailable, "has not been able to read a session key"},
		{"sessioned: good MAC", ProtocolSessioned, sessionKey, nil, good, 0, ""},
		{"sessioned: nil signature", ProtocolSessioned, sessionKey, nil, nil, http.StatusBadRequest, "Internal request missing required signature"},
		{"sessioned: algorithm not permitted", ProtocolSessioned, sessionKey, nil, sign("HmacSHA512", key, body), http.StatusBadRequest, "does not support the 'HmacSHA512' key signing algorithm"},
		{"sessioned: unknown algorithm", ProtocolSessioned, sessionKey, nil, &herder.InternalSignature{Algorithm: "HmacMD5", MAC: []byte{1}, Body: body}, http.StatusBadRequest, "'HmacMD5'"},
		{"sessioned: other permitted algorithm", ProtocolSessioned, sessionKey, []string{"HmacSHA256", "HmacSHA1"}, sign("HmacSHA1", key, body), 0, ""},
		{"sessioned: no session key yet", ProtocolSessioned, nil, nil, good, http.StatusServiceUnavailable, "has not been able to read a session key"},
		{"sessioned: MAC under another key", ProtocolSessioned, sessionKey, nil, sign("HmacSHA256", []byte("not the session key"), body), http.StatusForbidden, "Internal request contained invalid signature."},
		{"sessioned: MAC of another body", ProtocolSessioned, sessionKey, nil, &herder.InternalSignature{Algorithm: "HmacSHA256", MAC: good.MAC, Body: []byte(`[]`)}, http.StatusForbidden, "invalid signature"},
		{"sessioned: empty MAC", ProtocolSessioned, sessionKey, nil, &herder.InternalSignature{Algorithm: "HmacSHA256", Body: body}, http.StatusForbidden, "invalid signature"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			verify := tc.verify
			if verify == nil {
				verify = []string{"HmacSHA256"}
			}
			h := &Herder{cfg: &Config{Protocol: ProtocolSessioned, VerificationAlgorithms: verify, SignatureAlgorithm: "HmacSHA256"}, sessionKey: tc.key,
				membership: membership{joined: tc.protocol != "", protocol: tc.protocol}}
			err := h.checkSignature(tc.sig)
			if tc.code == 0 {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var he *herder.Error
			if !errors.As(err, &he) {
				t.Fatalf("error %v (%T), want a *herder.Error with status %d", err, err, tc.code)
			}
			if he.Code != tc.code || !strings.Contains(he.Message, tc.message) {
				t.Errorf("status %d %q, want %d and a message containing %q", he.Code, he.Message, tc.code, tc.message)
			}
		})
	}
}
