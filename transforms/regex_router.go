package transforms

import (
	"github.com/sluicehq/sluice/config"
)

// regexRouter renames topics: Kafka Connect's RegexRouter. When regex
// matches the whole topic, the topic becomes the result of Java's
// Matcher.replaceFirst with replacement, which refers to groups as $1 or
// ${name} and escapes '$' and '\' with '\'. Other topics are kept.
type regexRouter struct {
	regex    *javaRegex
	template string // replacement as a template for regexp.Expand
}

func newRegexRouter() Transformation { return &regexRouter{} }

func regexRouterDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "regex", Type: config.String, Default: config.NoDefault,
			Validator: regexValidator{}, Importance: config.High,
			Doc: "The Java regular expression a topic must match, as a whole, to be renamed."}).
		Define(config.Key{Name: "replacement", Type: config.String, Default: config.NoDefault, Importance: config.High,
			Doc: "The new topic name; $1 or ${name} stand for a group of the match."})
}

func (*regexRouter) Config() *config.Def { return regexRouterDef() }

func (t *regexRouter) Configure(props map[string]string) error {
	v, err := regexRouterDef().Parse(props)
	if err != nil {
		return err
	}
	re, err := compileJavaRegex(v.String("regex"))
	if err != nil { // the validator has already let it through
		return invalidValue("regex", v.String("regex"), "Invalid regex: "+err.Error())
	}
	// Kafka Connect finds a bad group reference only when a topic matches,
	// and then fails every such record; checking it here fails once.
	tmpl, err := javaReplacement(v.String("replacement"), re.find)
	if err != nil {
		return invalidValue("replacement", v.String("replacement"), err.Error())
	}
	t.regex, t.template = re, tmpl
	return nil
}

func (t *regexRouter) Apply(r *Record) (bool, error) {
	if !t.regex.matches(r.Topic) {
		return true, nil
	}
	// replaceFirst replaces the first match that find sees, which for
	// patterns such as "a|ab" is not the whole topic.
	loc := t.regex.find.FindStringSubmatchIndex(r.Topic)
	out := []byte(r.Topic[:loc[0]])
	out = t.regex.find.ExpandString(out, t.template, r.Topic, loc)
	r.Topic = string(out) + r.Topic[loc[1]:]
	return true, nil
}

func (*regexRouter) Close() error { return nil }
