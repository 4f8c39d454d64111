package transforms

import (
	"slices"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
)

// dropHeaders removes every header with one of the configured keys: Kafka
// Connect's DropHeaders.
type dropHeaders struct {
	keys map[string]bool
}

func newDropHeaders() Transformation { return &dropHeaders{} }

func dropHeadersDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "headers", Type: config.List, Default: config.NoDefault,
			Validator: nonEmptyList(), Importance: config.High,
			Doc: "The keys of the headers to remove."})
}

func (*dropHeaders) Config() *config.Def { return dropHeadersDef() }

func (d *dropHeaders) Configure(props map[string]string) error {
	v, err := dropHeadersDef().Parse(props)
	if err != nil {
		return err
	}
	d.keys = map[string]bool{}
	for _, k := range v.List("headers") {
		d.keys[k] = true
	}
	return nil
}

func (d *dropHeaders) Apply(r *Record) (bool, error) {
	if !slices.ContainsFunc(r.Headers, func(h connectors.Header) bool { return d.keys[h.Key] }) {
		return true, nil
	}
	// A new slice: the producer of r may still hold the old one.
	var kept connectors.Headers
	for _, h := range r.Headers {
		if !d.keys[h.Key] {
			kept = append(kept, h)
		}
	}
	r.Headers = kept
	return true, nil
}

func (*dropHeaders) Close() error { return nil }
