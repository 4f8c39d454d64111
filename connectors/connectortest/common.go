package connectortest

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
)

// BadProps is a configuration the connector must refuse, and the key its
// error must name.
type BadProps struct {
	// Props is the whole configuration, as given to Validate and Start.
	Props map[string]string
	// Key is the key whose validation result must hold an error.
	Key string
}

// common is what SourceConfig and SinkConfig share.
type common struct {
	plugin   plugins.Plugin
	kind     plugins.Kind
	props    func(t *testing.T) map[string]string
	maxTasks int
	bad      []BadProps
	skip     []*regexp.Regexp
	timeout  time.Duration
}

func compileSkip(t *testing.T, skip []string) []*regexp.Regexp {
	t.Helper()
	var out []*regexp.Regexp
	for _, s := range skip {
		re, err := regexp.Compile(s)
		if err != nil {
			t.Fatalf("connectortest: Skip %q is not a regular expression: %v", s, err)
		}
		out = append(out, re)
	}
	return out
}

// run runs f as the sub-test name unless Skip names it.
func (c *common) run(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		for _, re := range c.skip {
			if re.MatchString(name) {
				t.Skipf("skipped: Skip matches %q", re)
			}
		}
		f(t)
	})
}

// newConnector makes a connector from the plugin, failing t when it cannot.
func (c *common) newConnector(t *testing.T) connectors.Connector {
	t.Helper()
	var v any
	if err := safely(func() error { v = c.plugin.New(); return nil }); err != nil {
		t.Fatalf("contract: Plugin.New of %s: %v", c.plugin.Class, err)
	}
	conn, ok := v.(connectors.Connector)
	if !ok {
		t.Fatalf("contract: Plugin.New of %s returned a %T, not a connectors.Connector", c.plugin.Class, v)
	}
	return conn
}

// safely calls f and turns a panic into an error carrying the stack.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return f()
}

// within runs f, failing t when it does not return within d: a call that
// hangs the worker is a broken contract, and the suite must not hang with
// it. f's goroutine is left behind.
func within(t *testing.T, d time.Duration, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- safely(f) }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		t.Fatalf("contract: %s did not return within %v", what, d)
		return nil
	}
}

func (c *common) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	t.Cleanup(cancel)
	return ctx
}

// validate runs the connector's validation as the worker does: its
// Validator when it has one, else its Config definition.
func validate(conn connectors.Connector, props map[string]string) ([]config.Result, error) {
	var out []config.Result
	err := safely(func() error {
		if v, ok := conn.(connectors.Validator); ok {
			out = v.Validate(props)
		} else {
			out = conn.Config().Validate(props)
		}
		return nil
	})
	return out, err
}

func resultErrors(results []config.Result) map[string][]string {
	out := map[string][]string{}
	for _, r := range results {
		if len(r.Errors) > 0 {
			out[r.Name] = append(out[r.Name], r.Errors...)
		}
	}
	return out
}

func (c *common) testConnector(t *testing.T) {
	c.run(t, "Plugin", c.testPlugin)
	c.run(t, "ConfigDef", c.testConfigDef)
	c.run(t, "Validate", c.testValidate)
	c.run(t, "BadConfig", c.testBadConfig)
	c.run(t, "Lifecycle", c.testLifecycle)
}

func (c *common) testPlugin(t *testing.T) {
	p := c.plugin
	if p.Class == "" {
		t.Error("contract: Plugin.Class is empty; it is the name users configure as connector.class")
	}
	if p.Kind != c.kind {
		t.Errorf("contract: Plugin.Kind is %q; a %s connector's is plugins.%s", p.Kind, c.kind, strings.ToUpper(string(c.kind[:1]))+string(c.kind[1:]))
	}
	if p.Version == "" {
		t.Error("contract: Plugin.Version is empty; GET /connector-plugins reports it")
	}
	if p.New == nil {
		t.Fatal("contract: Plugin.New is nil")
	}
	conn := c.newConnector(t)
	switch c.kind {
	case plugins.Source:
		if _, ok := conn.(connectors.SourceConnector); !ok {
			t.Errorf("contract: Plugin.New returned a %T, not a connectors.SourceConnector", conn)
		}
	case plugins.Sink:
		if _, ok := conn.(connectors.SinkConnector); !ok {
			t.Errorf("contract: Plugin.New returned a %T, not a connectors.SinkConnector", conn)
		}
	}
	if c.newConnector(t) == conn && reflect.TypeOf(conn).Kind() == reflect.Pointer {
		t.Error("contract: Plugin.New returned the same instance twice; each connector needs its own")
	}
}

func (c *common) testConfigDef(t *testing.T) {
	conn := c.newConnector(t)
	var def *config.Def
	if err := safely(func() error { def = conn.Config(); return nil }); err != nil {
		t.Fatalf("contract: Config: %v", err)
	}
	if def == nil {
		t.Fatal("contract: Config returned nil; return config.NewDef() for a connector without keys")
	}
	good := c.props(t)
	for _, k := range def.Keys() {
		if strings.TrimSpace(k.Doc) == "" {
			t.Errorf("contract: key %q has no Doc; the REST API and the generated docs show it to users", k.Name)
		}
		if k.Required() || k.Default == nil {
			continue
		}
		// The default as the REST API renders it must parse back.
		props := maps.Clone(good)
		delete(props, k.Name)
		rendered := def.Validate(props)
		var value *string
		for _, r := range rendered {
			if r.Name == k.Name {
				value = r.Value
			}
		}
		if value == nil {
			t.Errorf("contract: key %q: its default %v renders as null", k.Name, k.Default)
			continue
		}
		props[k.Name] = *value
		for _, r := range def.Validate(props) {
			if r.Name == k.Name && len(r.Errors) > 0 {
				t.Errorf("contract: key %q: its default, rendered as %q, does not parse back: %v", k.Name, *value, r.Errors)
			}
		}
	}
}

func (c *common) testValidate(t *testing.T) {
	conn := c.newConnector(t)
	props := c.props(t)
	results, err := validate(conn, props)
	if err != nil {
		t.Fatalf("contract: Validate of the good configuration: %v", err)
	}
	if errs := resultErrors(results); len(errs) > 0 {
		t.Errorf("contract: Validate reports errors for the configuration Props gives: %v", errs)
	}
}

// badCases derives configurations to refuse from the definition: each
// required key missing, each number given as a word, each integer out of
// its type's range, plus the caller's.
func (c *common) badCases(t *testing.T, def *config.Def) []BadProps {
	good := c.props(t)
	var out []BadProps
	for _, k := range def.Keys() {
		with := func(v string) BadProps {
			p := maps.Clone(good)
			p[k.Name] = v
			return BadProps{Props: p, Key: k.Name}
		}
		if k.Required() {
			p := maps.Clone(good)
			delete(p, k.Name)
			out = append(out, BadProps{Props: p, Key: k.Name})
		}
		switch k.Type {
		case config.Int, config.Short, config.Long:
			out = append(out, with("not-a-number"), with("99999999999999999999999"))
		case config.Double:
			out = append(out, with("not-a-number"))
		case config.Boolean:
			out = append(out, with("maybe"))
		}
	}
	for _, b := range c.bad {
		out = append(out, BadProps{Props: maps.Clone(b.Props), Key: b.Key})
	}
	return out
}

func (c *common) testBadConfig(t *testing.T) {
	conn := c.newConnector(t)
	cases := c.badCases(t, conn.Config())
	if len(cases) == 0 {
		t.Skip("no configuration to refuse: no required or typed keys and no BadProps")
	}
	for _, bc := range cases {
		results, err := validate(conn, bc.Props)
		if err != nil {
			t.Errorf("contract: Validate of a bad %s (%q): %v", bc.Key, bc.Props[bc.Key], err)
			continue
		}
		if len(resultErrors(results)[bc.Key]) == 0 {
			t.Errorf("contract: Validate gave no error on key %q for the bad configuration %v; errors: %v", bc.Key, bc.Props, resultErrors(results))
		}
		fresh := c.newConnector(t)
		err = within(t, c.timeout, "Start with a bad configuration", func() error {
			return fresh.Start(c.ctx(t), NewConnectorContext(t), maps.Clone(bc.Props))
		})
		switch {
		case err == nil:
			t.Errorf("contract: Start accepted the configuration Validate refuses (key %q): %v", bc.Key, bc.Props)
			_ = fresh.Stop(c.ctx(t))
		case strings.HasPrefix(err.Error(), "panic:"):
			t.Errorf("contract: Start panicked on a bad %q: %v", bc.Key, err)
		case !strings.Contains(err.Error(), bc.Key):
			t.Errorf("contract: Start's error for a bad %q does not name the key: %v", bc.Key, err)
		}
	}
}

func (c *common) testLifecycle(t *testing.T) {
	for round := range 2 {
		conn := c.newConnector(t)
		cc := NewConnectorContext(t)
		props := c.props(t)
		err := within(t, c.timeout, "connector Start", func() error { return conn.Start(c.ctx(t), cc, props) })
		if err != nil {
			t.Fatalf("contract: connector Start with the good configuration (instance %d): %v", round+1, err)
		}
		for n := 1; n <= c.maxTasks; n++ {
			cfgs := c.taskConfigs(t, conn, n)
			for i, cfg := range cfgs {
				cfg["connectortest.changed"] = "by the runtime"
				cfgs[i] = cfg
			}
			again := c.taskConfigs(t, conn, n)
			for _, cfg := range again {
				if _, ok := cfg["connectortest.changed"]; ok {
					t.Fatalf("contract: TaskConfigs(%d) returned maps it still holds: a change the runtime made shows in the next call", n)
				}
			}
			if third := c.taskConfigs(t, conn, n); !reflect.DeepEqual(third, again) {
				t.Errorf("contract: TaskConfigs(%d) answered differently twice in a row (the runtime restarts tasks whose configurations change): %v then %v", n, again, third)
			}
		}
		if err := within(t, c.timeout, "connector Stop", func() error { return conn.Stop(c.ctx(t)) }); err != nil {
			t.Errorf("contract: connector Stop: %v", err)
		}
		if raised := cc.Raised(); len(raised) > 0 {
			t.Errorf("contract: the connector raised errors while running with a good configuration: %v", raised)
		}
	}
}

func (c *common) taskConfigs(t *testing.T, conn connectors.Connector, n int) []map[string]string {
	t.Helper()
	var cfgs []map[string]string
	err := within(t, c.timeout, "TaskConfigs", func() error {
		var err error
		cfgs, err = conn.TaskConfigs(n)
		return err
	})
	if err != nil {
		t.Fatalf("contract: TaskConfigs(%d): %v", n, err)
	}
	if len(cfgs) > n {
		t.Fatalf("contract: TaskConfigs(%d) returned %d task configurations, more than maxTasks", n, len(cfgs))
	}
	for _, cfg := range cfgs {
		if cfg == nil {
			t.Fatalf("contract: TaskConfigs(%d) returned a nil task configuration", n)
		}
	}
	return cfgs
}

// startConnector starts a connector with Props and returns it with the
// configurations of n tasks; the connector is stopped at the end of t.
func (c *common) startConnector(t *testing.T, props map[string]string, n int) (connectors.Connector, []map[string]string) {
	t.Helper()
	conn := c.newConnector(t)
	if err := within(t, c.timeout, "connector Start", func() error { return conn.Start(c.ctx(t), NewConnectorContext(t), props) }); err != nil {
		t.Fatalf("contract: connector Start with the good configuration: %v", err)
	}
	t.Cleanup(func() {
		if err := within(t, c.timeout, "connector Stop", func() error { return conn.Stop(context.Background()) }); err != nil {
			t.Errorf("contract: connector Stop: %v", err)
		}
	})
	cfgs := c.taskConfigs(t, conn, n)
	if len(cfgs) == 0 {
		t.Fatalf("contract: TaskConfigs(%d) returned no task for the good configuration; the suite needs one", n)
	}
	return conn, cfgs
}
