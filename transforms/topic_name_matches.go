package transforms

import "github.com/sluicehq/sluice/config"

// topicNameMatches is true for records whose whole topic matches a Java
// regular expression: Kafka Connect's TopicNameMatches predicate.
type topicNameMatches struct {
	pattern *javaRegex
}

func newTopicNameMatches() Predicate { return &topicNameMatches{} }

func topicNameMatchesDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "pattern", Type: config.String, Default: config.NoDefault,
			Validator: config.All(config.NonEmptyString(), regexValidator{}), Importance: config.Medium,
			Doc: "The Java regular expression a record's topic must match, as a whole."})
}

func (*topicNameMatches) Config() *config.Def { return topicNameMatchesDef() }

func (p *topicNameMatches) Configure(props map[string]string) error {
	v, err := topicNameMatchesDef().Parse(props)
	if err != nil {
		return err
	}
	re, err := compileJavaRegex(v.String("pattern"))
	if err != nil { // the validator has already let it through
		return invalidValue("pattern", v.String("pattern"), "entry must be a Java-compatible regular expression: "+err.Error())
	}
	p.pattern = re
	return nil
}

func (p *topicNameMatches) Test(r *Record) bool { return p.pattern.matches(r.Topic) }

func (*topicNameMatches) Close() error { return nil }
