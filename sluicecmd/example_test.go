package sluicecmd_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/sluicecmd"
)

// A custom worker: sluice with one more connector. Its main function is
//
//	func main() { sluicecmd.Run(sluicecmd.WithPlugins(counter)) }
//
// and it runs `standalone`, `distributed` and the rest as sluice does.
// Main runs the same command with given arguments; here `plugins docs`,
// which documents the new connector beside the built-ins.
func Example() {
	counter := plugins.Plugin{
		Class:   "com.example.CounterSource",
		Kind:    plugins.Source,
		Version: "1.0.0",
		Aliases: []string{"Counter"},
		New:     func() any { return &counterSource{} },
	}
	var out bytes.Buffer
	code := sluicecmd.Main([]string{"plugins", "docs", "Counter"}, nil, &out, os.Stderr,
		sluicecmd.WithPlugins(counter), sluicecmd.WithVersion("myworker 1.0.0"))
	lines := strings.Split(out.String(), "\n")
	fmt.Println(code)
	fmt.Println(strings.Join(lines[:7], "\n"))
	// Output:
	// 0
	// ## `com.example.CounterSource`
	//
	// Source connector · version 1.0.0 · also named `Counter`, `CounterSource`
	//
	// | Name | Type | Default | Valid values | Importance | Description |
	// |---|---|---|---|---|---|
	// | `topic` | string | *required* |  | high | Topic to write the numbers to. |
}

// counterSource is the connector of the example: a source of numbers
// (its task is left out).
type counterSource struct{ props map[string]string }

func (c *counterSource) Config() *config.Def {
	return config.NewDef().Define(config.Key{Name: "topic", Type: config.String, Default: config.NoDefault,
		Importance: config.High, Doc: "Topic to write the numbers to."})
}

func (c *counterSource) Start(_ context.Context, _ connectors.ConnectorContext, props map[string]string) error {
	c.props = props
	return nil
}

func (c *counterSource) TaskConfigs(int) ([]map[string]string, error) {
	return []map[string]string{c.props}, nil
}

func (c *counterSource) Stop(context.Context) error { return nil }

func (c *counterSource) NewTask() connectors.SourceTask { return nil }
