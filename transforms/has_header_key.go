package transforms

import "github.com/sluicehq/sluice/config"

// hasHeaderKey is true for records with at least one header of a given key:
// Kafka Connect's HasHeaderKey predicate.
type hasHeaderKey struct {
	key string
}

func newHasHeaderKey() Predicate { return &hasHeaderKey{} }

func hasHeaderKeyDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "name", Type: config.String, Default: config.NoDefault,
			Validator: config.NonEmptyString(), Importance: config.Medium,
			Doc: "The header key to look for."})
}

func (*hasHeaderKey) Config() *config.Def { return hasHeaderKeyDef() }

func (p *hasHeaderKey) Configure(props map[string]string) error {
	v, err := hasHeaderKeyDef().Parse(props)
	if err != nil {
		return err
	}
	p.key = v.String("name")
	return nil
}

func (p *hasHeaderKey) Test(r *Record) bool {
	_, ok := r.Headers.Last(p.key)
	return ok
}

func (*hasHeaderKey) Close() error { return nil }
