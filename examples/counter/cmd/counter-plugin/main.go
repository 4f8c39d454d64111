// Command counter-plugin is the counter connector as a plugin.path plugin:
// put the binary in a directory named by the worker's plugin.path.
package main

import (
	"github.com/sluicehq/sluice/examples/counter"
	"github.com/sluicehq/sluice/plugins/external"
)

func main() { external.Serve(counter.Plugin) }
