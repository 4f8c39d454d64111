// Command counter-worker is a sluice worker with the counter connector
// linked in: the whole sluice command (standalone, distributed, dev, the
// REST CLI) plus one connector.
package main

import (
	"github.com/sluicehq/sluice/examples/counter"
	"github.com/sluicehq/sluice/sluicecmd"
)

func main() { sluicecmd.Run(sluicecmd.WithPlugins(counter.Plugin)) }
