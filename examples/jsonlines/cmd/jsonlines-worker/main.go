// Command jsonlines-worker is a sluice worker with the JSON lines sink
// linked in: the whole sluice command (standalone, distributed, dev, the
// REST CLI) plus one connector.
package main

import (
	"github.com/sluicehq/sluice/examples/jsonlines"
	"github.com/sluicehq/sluice/sluicecmd"
)

func main() { sluicecmd.Run(sluicecmd.WithPlugins(jsonlines.Plugin)) }
