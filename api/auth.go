package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/sluicehq/sluice/internal/jaas"
	"github.com/sluicehq/sluice/internal/javaprops"
)

// Kafka Connect's basic authentication extension (enabled by the worker's
// rest.extension.classes) reads its users through this JAAS login module.
const (
	PropertyFileLoginModule = "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule"
	// JAASEntry is the JAAS configuration entry the extension reads
	// (JaasBasicAuthFilter's CONNECT_LOGIN_MODULE).
	JAASEntry = "KafkaConnect"
	// JAASSystemProperty is the Java system property that names the JAAS
	// configuration file, which Kafka Connect's start scripts pass in
	// KAFKA_OPTS.
	JAASSystemProperty = "java.security.auth.login.config"
)

// MsgUnauthorized is the plain-text body of Kafka Connect's 401
// (JaasBasicAuthFilter).
const MsgUnauthorized = "User cannot access the resource."

// maxCredentialsFile bounds the credentials file read at start-up.
const maxCredentialsFile = 16 << 20

// BasicAuth checks the Authorization header of requests against the users
// of a PropertyFileLoginModule credentials file, as Kafka Connect's
// BasicAuthSecurityRestExtension does. The file is read once.
type BasicAuth struct {
	// users maps each user to the SHA-256 of the password: every check
	// then compares 32 bytes in constant time, whatever the lengths.
	users map[string][sha256.Size]byte
}

// JAASFileFromKafkaOpts returns the JAAS configuration file that the
// -Djava.security.auth.login.config=… option in kafkaOpts (the value of
// the KAFKA_OPTS environment variable, split on blanks as the start
// scripts' shell splits it) names, or "" if it names none. The last such
// option wins, as in Java; Java's "==file" (this file only) is the same
// file here; a file: URL is its path.
func JAASFileFromKafkaOpts(kafkaOpts string) string {
	return strings.TrimPrefix(javaprops.SystemProperty(kafkaOpts, JAASSystemProperty), "=")
}

// LoadBasicAuth reads the JAAS configuration file jaasFile, its
// KafkaConnect entry and the credentials file that entry's
// PropertyFileLoginModule names (Java properties, user=password). An
// empty credentials file permits every request, as in Kafka Connect, with
// a warning on log. Anything sluice cannot honour is an error: no
// KafkaConnect entry, another login module, no file option, an unreadable
// file.
func LoadBasicAuth(jaasFile string, log *slog.Logger) (*BasicAuth, error) {
	path, err := jaasPath(jaasFile)
	if err != nil {
		return nil, err
	}
	text, err := readBounded(path, jaas.MaxFile)
	if err != nil {
		return nil, fmt.Errorf("REST authentication: JAAS configuration: %w", err)
	}
	entries, err := jaas.ParseFile(string(text))
	if err != nil {
		return nil, fmt.Errorf("REST authentication: JAAS configuration %s: %w", path, err)
	}
	modules, ok := entries[JAASEntry]
	if !ok {
		return nil, fmt.Errorf("REST authentication: JAAS configuration %s has no %s entry; basic authentication needs one: %s { %s required file=\"/path/to/credentials.properties\"; };",
			path, JAASEntry, JAASEntry, PropertyFileLoginModule)
	}
	if len(modules) != 1 || modules[0].Class != PropertyFileLoginModule {
		return nil, fmt.Errorf("REST authentication: the %s entry of %s must have exactly one login module, %s; sluice runs no other (it has %d: %s)",
			JAASEntry, path, PropertyFileLoginModule, len(modules), moduleClasses(modules))
	}
	credFile := strings.TrimSpace(modules[0].Options["file"])
	if credFile == "" {
		return nil, fmt.Errorf("REST authentication: the %s entry of %s gives %s no file option: the credentials file must be specified (file=\"/path/to/credentials.properties\")",
			JAASEntry, path, PropertyFileLoginModule)
	}
	raw, err := readBounded(credFile, maxCredentialsFile)
	if err != nil {
		return nil, fmt.Errorf("REST authentication: credentials file: %w", err)
	}
	users, err := javaprops.Load(raw)
	if err != nil {
		return nil, fmt.Errorf("REST authentication: credentials file %s: %w", credFile, err)
	}
	if len(users) == 0 {
		log.Warn("REST authentication: the credentials file is empty; all requests will be permitted", "file", credFile)
	}
	return NewBasicAuth(users), nil
}

// NewBasicAuth returns a BasicAuth of the given users and passwords (none:
// every request is permitted).
func NewBasicAuth(users map[string]string) *BasicAuth {
	a := &BasicAuth{users: make(map[string][sha256.Size]byte, len(users))}
	for u, p := range users {
		a.users[u] = sha256.Sum256([]byte(p))
	}
	return a
}

// jaasPath is the path of a JAAS configuration file given as a path or a
// file: URL (Java takes both).
func jaasPath(file string) (string, error) {
	if !strings.Contains(file, ":") || len(file) > 1 && file[1] == ':' {
		return file, nil // a path (or a Windows drive path)
	}
	u, err := url.Parse(file)
	if err != nil || u.Scheme == "" {
		return file, nil
	}
	if !strings.EqualFold(u.Scheme, "file") {
		return "", fmt.Errorf("REST authentication: JAAS configuration %s: sluice reads a file path or a file: URL, not %s:", file, u.Scheme)
	}
	if u.Path == "" {
		return u.Opaque, nil
	}
	return u.Path, nil
}

// readBounded reads a file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

func moduleClasses(ms []jaas.Module) string {
	if len(ms) == 0 {
		return "none"
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Class
	}
	return strings.Join(names, ", ")
}

// Allow reports whether a request with these Authorization header values
// may pass, as PropertyFileLoginModule decides: any request when there are
// no users; else "Basic base64(user:password)" of a user with that
// password. A malformed header fails (Kafka Connect answers a 500 to bad
// base64; sluice a 401).
func (a *BasicAuth) Allow(authorization []string) bool {
	if len(a.users) == 0 {
		return true
	}
	user, password, ok := parseBasic(authorization)
	want, known := a.users[user]
	got := sha256.Sum256([]byte(password))
	// The comparison runs for unknown users too, so that timing tells
	// nothing about which users exist.
	match := subtle.ConstantTimeCompare(want[:], got[:]) == 1
	return ok && known && match
}

// parseBasic reads "Basic base64(user:password)" as Kafka Connect's
// BasicAuthCredentials does: the scheme is any case, the user is what
// precedes the first colon and must not be empty. More than one header is
// malformed.
func parseBasic(values []string) (user, password string, ok bool) {
	if len(values) != 1 {
		return "", "", false
	}
	scheme, cred, found := strings.Cut(values[0], " ")
	if !found || scheme == "" || !strings.EqualFold(scheme, "basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		// Java's decoder takes the padding as optional.
		if raw, err = base64.RawStdEncoding.DecodeString(cred); err != nil {
			return "", "", false
		}
	}
	user, password, found = strings.Cut(string(raw), ":")
	if !found || user == "" {
		return "", "", false
	}
	return user, password, true
}

// exemptFromAuth reports whether a request matched by pattern skips the
// basic authentication: the two internal endpoints that workers of a group
// call on each other, which Kafka Connect exempts too (they are signed,
// KIP-507).
func exemptFromAuth(pattern string) bool {
	return pattern == "POST /connectors/{connector}/tasks" || pattern == "PUT /connectors/{connector}/fence"
}

// unauthorized answers Kafka Connect's 401: its plain-text body and no
// WWW-Authenticate header (Kafka Connect sends none, so a browser does not
// prompt).
func unauthorized(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, MsgUnauthorized)
}
