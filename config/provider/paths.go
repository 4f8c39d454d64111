package provider

import (
	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/allowedpaths"
)

// allowedPathsParam is the parameter of the file and directory providers
// that limits what they may read (KIP-993).
const allowedPathsParam = "allowed.paths"

// parseAllowedPaths reads allowed.paths: a comma-separated list of absolute
// paths that exist, as Kafka requires. Blank entries are skipped.
func parseAllowedPaths(params map[string]string, param func(string) string) (allowedpaths.Paths, error) {
	a, err := allowedpaths.Parse(allowedPathsParam, params[allowedPathsParam])
	if err != nil {
		return a, &config.ValueError{Name: param(allowedPathsParam), Value: params[allowedPathsParam], Reason: err.Error()}
	}
	return a, nil
}
