package config

import (
	"encoding/json"
	"maps"
	"sort"
)

// Parse reads props (e.g. a connector config as given to the REST API or a
// .properties file) into typed values. Keys that props does not give take
// their defaults; keys not defined in d are kept only in Originals. Every
// problem, not just the first, is returned in an *Error: values that do not
// parse, required keys that are missing, and validator failures.
func (d *Def) Parse(props map[string]string) (*Values, error) {
	entries := make(map[string]entry, len(d.keys))
	var problems []Problem
	for _, k := range d.keys {
		v, msg := resolve(k, props)
		if msg != "" {
			problems = append(problems, Problem{Key: k.Name, Message: msg})
			continue
		}
		entries[k.Name] = entry{typ: k.Type, value: v}
	}
	if len(problems) > 0 {
		return nil, &Error{Problems: problems}
	}
	originals := maps.Clone(props)
	if originals == nil {
		originals = map[string]string{}
	}
	st := &valuesState{entries: entries, originals: originals}
	return &Values{state: func() *valuesState { return st }}, nil
}

// resolve finds the value of k in props (or its default) and validates it.
// msg is the problem, "" if none; value is nil when the value is missing or
// does not parse, and the parsed value when only the validator rejected it.
// As Java's parse does, it stops at the first problem: the validator does
// not run on a value that is missing or does not parse.
func resolve(k Key, props map[string]string) (value any, msg string) {
	raw, set := props[k.Name]
	switch {
	case set:
		v, err := parseString(k.Name, raw, k.Type)
		if err != nil {
			return nil, err.Error()
		}
		value = v
	case k.Required():
		return nil, `Missing required configuration "` + k.Name + `" which has no default value.`
	default:
		value = k.Default
	}
	if k.Validator != nil {
		return value, runValidator(k.Validator, k.Name, value)
	}
	return value, ""
}

// Result is the validation outcome for one key: Java's ConfigValue as the REST
// API renders it (ConfigValueInfo), so that it marshals to exactly
//
//	{"name":"topics","value":"a,b","recommended_values":[],"errors":["…"],"visible":true}
type Result struct {
	// Name is the key.
	Name string `json:"name"`
	// Value is the parsed value rendered as Java's ConfigDef.convertToString
	// does (lists joined by ",", secrets "[hidden]", defaults when not given);
	// nil (JSON null) when the key is missing or its value does not parse.
	Value *string `json:"value"`
	// RecommendedValues are the Recommender's values, rendered like Value.
	RecommendedValues []string `json:"recommended_values"`
	// Errors are the problems found, as in Problem.Message.
	Errors []string `json:"errors"`
	// Visible is the Recommender's verdict; true without a Recommender.
	Visible bool `json:"visible"`
}

// MarshalJSON encodes r as Kafka Connect's ConfigValueInfo, with [] rather
// than null for empty lists.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // no methods, so no recursion
	if r.RecommendedValues == nil {
		r.RecommendedValues = []string{}
	}
	if r.Errors == nil {
		r.Errors = []string{}
	}
	return json.Marshal(plain(r))
}

// Validate checks props against d and returns one Result per defined key, in
// definition order, like Java's ConfigDef.validate: the errors of each key
// (the messages Parse reports and, as in Java, the validator's verdict on a
// value that is missing or does not parse, as null), its value, and its recommended values and
// visibility from its Recommender, which sees every key's parsed value (nil
// for missing or unparseable ones). Keys named as Dependents but not defined
// get a trailing Result with an error and Visible false, as in Java.
func (d *Def) Validate(props map[string]string) []Result { return d.validate(props, true) }

// ValidateOnce is Validate with at most the one problem per key that Parse
// reports: no second verdict of the validator on a value that is missing or
// does not parse. It serves connectors whose Kafka Connect counterparts
// validate by rules of their own rather than ConfigDef's (Debezium's).
func (d *Def) ValidateOnce(props map[string]string) []Result { return d.validate(props, false) }

func (d *Def) validate(props map[string]string, judgeNull bool) []Result {
	results := make([]Result, 0, len(d.keys))
	parsed := make(map[string]any, len(d.keys))
	for _, k := range d.keys {
		v, msg := resolve(k, props)
		r := Result{Name: k.Name, Value: renderValue(v), RecommendedValues: []string{}, Errors: []string{}, Visible: true}
		if msg != "" {
			r.Errors = append(r.Errors, msg)
			// As Java's ConfigDef.validate, the validator also judges a
			// value that is missing or does not parse, as null: tasks.max=x
			// gives "Value must be non-null" besides the parse error.
			if judgeNull && v == nil && k.Validator != nil {
				if m := runValidator(k.Validator, k.Name, nil); m != "" && m != msg {
					r.Errors = append(r.Errors, m)
				}
			}
		}
		parsed[k.Name] = v
		results = append(results, r)
	}
	for i, k := range d.keys {
		if k.Recommender == nil {
			continue
		}
		recommended, err := k.Recommender.ValidValues(k.Name, parsed)
		if err != nil {
			results[i].Errors = append(results[i].Errors, err.Error())
			continue
		}
		for _, v := range recommended {
			results[i].RecommendedValues = append(results[i].RecommendedValues, formatValue(v))
		}
		results[i].Visible = k.Recommender.Visible(k.Name, parsed)
	}
	var undefined []string
	for _, k := range d.keys {
		for _, dep := range k.Dependents {
			if !d.has(dep) && !contains(undefined, dep) {
				undefined = append(undefined, dep)
			}
		}
	}
	sort.Strings(undefined)
	for _, name := range undefined {
		results = append(results, Result{
			Name:              name,
			RecommendedValues: []string{},
			Errors:            []string{name + " is referred in the dependents, but not defined."},
		})
	}
	return results
}
