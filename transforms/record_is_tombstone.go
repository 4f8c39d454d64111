package transforms

import "github.com/sluicehq/sluice/config"

// recordIsTombstone is true for records whose value is null: Kafka Connect's
// RecordIsTombstone predicate.
type recordIsTombstone struct{}

func newRecordIsTombstone() Predicate { return recordIsTombstone{} }

func (recordIsTombstone) Config() *config.Def { return config.NewDef() }

func (recordIsTombstone) Configure(props map[string]string) error {
	_, err := config.NewDef().Parse(props)
	return err
}

func (recordIsTombstone) Test(r *Record) bool { return isNull(r.Value) }

func (recordIsTombstone) Close() error { return nil }
