package transforms

import "github.com/sluicehq/sluice/config"

// filter drops every record: Kafka Connect's Filter, meant to be used with a
// predicate that picks the records to drop.
type filter struct{}

func newFilter() Transformation { return filter{} }

func (filter) Config() *config.Def { return config.NewDef() }

func (filter) Configure(props map[string]string) error {
	_, err := config.NewDef().Parse(props)
	return err
}

func (filter) Apply(*Record) (bool, error) { return false, nil }

func (filter) Close() error { return nil }
