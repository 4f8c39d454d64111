package provider

import (
	"fmt"
	"os"
	"regexp"

	"github.com/sluicehq/sluice/config"
)

// allowlistParam is EnvVarConfigProvider's parameter restricting which
// environment variables may be read.
const allowlistParam = "allowlist.pattern"

// envProvider is EnvVarConfigProvider: ${env:NAME} is the environment
// variable NAME.
type envProvider struct {
	allow   *regexp.Regexp // nil: every variable
	pattern string         // allow as configured
}

func newEnvProvider(params map[string]string, param func(string) string) (Provider, error) {
	p := &envProvider{}
	if pattern, ok := params[allowlistParam]; ok {
		re, err := regexp.Compile(`^(?:` + pattern + `)$`)
		if err != nil {
			return nil, &config.ValueError{Name: param(allowlistParam), Value: pattern,
				Reason: fmt.Sprintf("not a regular expression sluice accepts (Go RE2 syntax: no lookarounds or backreferences): %v", err)}
		}
		p.allow, p.pattern = re, pattern
	}
	return p, nil
}

// Get returns the environment variables named by keys that are set and
// allowed. Environment variables have no path.
func (p *envProvider) Get(path string, keys []string) (map[string]string, error) {
	if path != "" {
		return nil, fmt.Errorf("environment variables have no path, got %q (write ${alias:NAME})", path)
	}
	data := make(map[string]string, len(keys))
	for _, k := range keys {
		if !p.allowed(k) {
			continue
		}
		if v, ok := os.LookupEnv(k); ok {
			data[k] = v
		}
	}
	return data, nil
}

func (p *envProvider) allowed(name string) bool { return p.allow == nil || p.allow.MatchString(name) }

func (p *envProvider) missing(_, key string) error {
	if !p.allowed(key) {
		return notFound(fmt.Sprintf("environment variable %s is not allowed by %s %s", key, allowlistParam, p.pattern))
	}
	return notFound(fmt.Sprintf("environment variable %s is not set", key))
}
