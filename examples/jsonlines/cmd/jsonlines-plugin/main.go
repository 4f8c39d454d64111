// Command jsonlines-plugin is the JSON lines sink as a plugin.path plugin:
// put the binary in a directory named by the worker's plugin.path.
package main

import (
	"github.com/sluicehq/sluice/examples/jsonlines"
	"github.com/sluicehq/sluice/plugins/external"
)

func main() { external.Serve(jsonlines.Plugin) }
