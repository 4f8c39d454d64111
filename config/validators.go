package config

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/sluicehq/sluice/internal/javafmt"
)

// Validator checks a parsed value (see the package documentation for the Go
// type of each Type; nil is a null value). Validate returns nil when the value
// is acceptable, and otherwise either a *ValueError or a plain error whose
// text says what was expected (Def wraps it into a *ValueError naming the key
// and value). String describes the accepted values for docs and the REST API,
// as Java's Validator.toString.
type Validator interface {
	Validate(name string, value any) error
	String() string
}

// The built-in validators mirror Java's ConfigDef validators, messages included:
// Range and AtLeast (Range.between, Range.atLeast), ValidString, CaseInsensitiveValidString,
// ValidList, NonEmptyString, NonEmptyStringWithoutControlChars, NonNull, All
// (CompositeValidator) and ValidatorFunc (LambdaValidator); NonEmptyList is a
// sluice addition.

// funcValidator is a Validator made of a function and a description.
type funcValidator struct {
	fn   func(name string, value any) error
	desc string
}

func (v funcValidator) Validate(name string, value any) error { return v.fn(name, value) }
func (v funcValidator) String() string                        { return v.desc }

// ValidatorFunc returns a Validator that calls fn and is described by desc
// (Java's LambdaValidator).
func ValidatorFunc(fn func(name string, value any) error, desc string) Validator {
	return funcValidator{fn: fn, desc: desc}
}

// Number is the set of Go types Range and AtLeast accept as bounds.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

// bound is a numeric bound, kept as an integer when given as one so that
// int64 bounds compare exactly.
type bound struct {
	set     bool
	isFloat bool
	i       int64
	f       float64
}

func newBound[N Number](n N) bound {
	if isFloatType(n) {
		return bound{set: true, isFloat: true, f: float64(n)}
	}
	return bound{set: true, i: int64(n)}
}

// isFloatType reports whether N's underlying type is a float type: only those
// make 1/2 non-zero.
func isFloatType[N Number](_ N) bool {
	var one N = 1
	return one/2 != 0
}

func (b bound) String() string {
	if b.isFloat {
		return javafmt.Double(b.f)
	}
	return strconv.FormatInt(b.i, 10)
}

// cmp compares the number v with b: -1, 0 or +1.
func (b bound) cmp(v any) int {
	var vi int64
	var vf float64
	isInt := true
	switch x := v.(type) {
	case int:
		vi = int64(x)
	case int8:
		vi = int64(x)
	case int16:
		vi = int64(x)
	case int32:
		vi = int64(x)
	case int64:
		vi = x
	case float32:
		vf, isInt = float64(x), false
	case float64:
		vf, isInt = x, false
	}
	if isInt && !b.isFloat {
		switch {
		case vi < b.i:
			return -1
		case vi > b.i:
			return 1
		}
		return 0
	}
	if isInt {
		vf = float64(vi)
	}
	bf := b.f
	if !b.isFloat {
		bf = float64(b.i)
	}
	switch {
	case vf < bf:
		return -1
	case vf > bf:
		return 1
	}
	return 0
}

type rangeValidator struct{ min, max bound }

// Range accepts numbers from min to max, both inclusive (Java's Range.between).
func Range[N Number](min, max N) Validator {
	return rangeValidator{min: newBound(min), max: newBound(max)}
}

// AtLeast accepts numbers of at least min (Java's Range.atLeast).
func AtLeast[N Number](min N) Validator {
	return rangeValidator{min: newBound(min)}
}

func (r rangeValidator) Validate(name string, value any) error {
	switch value.(type) {
	case nil:
		return &ValueError{Name: name, Value: nil, Reason: "Value must be non-null"}
	case int, int8, int16, int32, int64, float32, float64:
	default:
		return &ValueError{Name: name, Value: value, Reason: "Value must be a number"}
	}
	if r.min.set && r.min.cmp(value) < 0 {
		return &ValueError{Name: name, Value: value, Reason: "Value must be at least " + r.min.String()}
	}
	if r.max.set && r.max.cmp(value) > 0 {
		return &ValueError{Name: name, Value: value, Reason: "Value must be no more than " + r.max.String()}
	}
	return nil
}

func (r rangeValidator) String() string {
	switch {
	case !r.min.set && !r.max.set:
		return "[...]"
	case !r.min.set:
		return "[...," + r.max.String() + "]"
	case !r.max.set:
		return "[" + r.min.String() + ",...]"
	}
	return "[" + r.min.String() + ",...," + r.max.String() + "]"
}

type validString struct{ values []string }

// ValidString accepts exactly one of values, case-sensitively (Java's
// ValidString.in). A null value is rejected.
func ValidString(values ...string) Validator {
	return validString{values: append([]string(nil), values...)}
}

func (v validString) Validate(name string, value any) error {
	if s, ok := value.(string); ok {
		for _, ok := range v.values {
			if s == ok {
				return nil
			}
		}
	}
	return &ValueError{Name: name, Value: value, Reason: "String must be one of: " + strings.Join(v.values, ", ")}
}

func (v validString) String() string { return "[" + strings.Join(v.values, ", ") + "]" }

type caseInsensitiveValidString struct{ upper []string }

// CaseInsensitiveValidString accepts one of values in any letter case (Java's
// CaseInsensitiveValidString.in); messages list the values in upper case and
// in the order Java's do, which is its HashSet's (see javaHashSetOrder). A
// null value is rejected.
func CaseInsensitiveValidString(values ...string) Validator {
	var upper []string
	for _, s := range values {
		u := strings.ToUpper(s)
		if !contains(upper, u) {
			upper = append(upper, u)
		}
	}
	return caseInsensitiveValidString{upper: javaHashSetOrder(upper)}
}

// javaHashSetOrder returns distinct strings in the order a java.util.HashSet
// filled with them in turn iterates them: by bucket (String.hashCode spread
// as HashMap.hash does, masked by the table size, which starts at 16 and
// doubles past a load of 0.75), and in insertion order within a bucket.
func javaHashSetOrder(ss []string) []string {
	size := 16
	for len(ss) > size*3/4 {
		size *= 2
	}
	bucket := func(s string) uint32 {
		var h int32
		for _, u := range utf16.Encode([]rune(s)) {
			h = 31*h + int32(u)
		}
		x := uint32(h)
		return (x ^ x>>16) & uint32(size-1)
	}
	out := slices.Clone(ss)
	slices.SortStableFunc(out, func(a, b string) int { return cmp.Compare(bucket(a), bucket(b)) })
	return out
}

func (v caseInsensitiveValidString) Validate(name string, value any) error {
	if s, ok := value.(string); ok && contains(v.upper, strings.ToUpper(s)) {
		return nil
	}
	return &ValueError{Name: name, Value: value, Reason: "String must be one of (case insensitive): " + strings.Join(v.upper, ", ")}
}

func (v caseInsensitiveValidString) String() string {
	return "(case insensitive) [" + strings.Join(v.upper, ", ") + "]"
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

type validList struct{ elem validString }

// ValidList accepts a list whose every element is one of values (Java's
// ValidList.in); the message names the first offending element. A null list
// is accepted.
func ValidList(values ...string) Validator {
	return validList{elem: validString{values: append([]string(nil), values...)}}
}

func (v validList) Validate(name string, value any) error {
	l, _ := value.([]string)
	for _, e := range l {
		if err := v.elem.Validate(name, e); err != nil {
			return err
		}
	}
	return nil
}

func (v validList) String() string { return v.elem.String() }

type nonEmptyString struct{}

// NonEmptyString rejects the empty string; null is accepted (Java's NonEmptyString).
func NonEmptyString() Validator { return nonEmptyString{} }

func (nonEmptyString) Validate(name string, value any) error {
	if s, ok := value.(string); ok && s == "" {
		return &ValueError{Name: name, Value: value, Reason: "String must be non-empty"}
	}
	return nil
}

func (nonEmptyString) String() string { return "non-empty string" }

type nonEmptyStringWithoutControlChars struct{}

// NonEmptyStringWithoutControlChars rejects the empty string and strings with
// ISO control characters (U+0000–U+001F, U+007F–U+009F); null is accepted, as
// in Java, because a missing required value is reported on its own. Kafka
// Connect uses it for the connector name.
func NonEmptyStringWithoutControlChars() Validator { return nonEmptyStringWithoutControlChars{} }

func (nonEmptyStringWithoutControlChars) Validate(name string, value any) error {
	s, ok := value.(string)
	if !ok {
		return nil
	}
	if s == "" {
		return &ValueError{Name: name, Value: value, Reason: "String may not be empty"}
	}
	var found []string
	for _, r := range s {
		if r <= 0x1f || (r >= 0x7f && r <= 0x9f) {
			found = append(found, strconv.Itoa(int(r)))
		}
	}
	if len(found) > 0 {
		return &ValueError{Name: name, Value: value,
			Reason: "String may not contain control sequences but had the following ASCII chars: " + strings.Join(found, ", ")}
	}
	return nil
}

func (nonEmptyStringWithoutControlChars) String() string {
	return "non-empty string without ISO control characters"
}

type nonNull struct{}

// NonNull rejects a null value (Java's NonNullValidator): useful with Default: nil
// when the key may be omitted only if set elsewhere, e.g. by a worker default.
func NonNull() Validator { return nonNull{} }

func (nonNull) Validate(name string, value any) error {
	if value == nil {
		return &ValueError{Name: name, Value: nil, Reason: "entry must be non null"}
	}
	return nil
}

func (nonNull) String() string { return "non-null string" }

type nonEmptyList struct{}

// NonEmptyList rejects a null or empty list.
func NonEmptyList() Validator { return nonEmptyList{} }

func (nonEmptyList) Validate(name string, value any) error {
	if l, _ := value.([]string); len(l) == 0 {
		return &ValueError{Name: name, Value: value, Reason: "List must contain at least one element"}
	}
	return nil
}

func (nonEmptyList) String() string { return "non-empty list" }

type allValidator []Validator

// All applies every validator in order and returns the first failure (Java's
// CompositeValidator); its description joins theirs with ", ".
func All(validators ...Validator) Validator {
	return allValidator(append([]Validator(nil), validators...))
}

func (a allValidator) Validate(name string, value any) error {
	for _, v := range a {
		if err := v.Validate(name, value); err != nil {
			return err
		}
	}
	return nil
}

func (a allValidator) String() string {
	descs := make([]string, len(a))
	for i, v := range a {
		descs[i] = v.String()
	}
	return strings.Join(descs, ", ")
}

// maxTopicNameLength is Kafka's longest topic name (Topic.MAX_NAME_LENGTH).
const maxTopicNameLength = 249

// CheckTopicName applies Kafka's rules for topic names (Topic.validate):
// not empty, not "." or "..", at most 249 characters, only ASCII letters,
// digits, '.', '_' and '-'. The error has Kafka's message.
func CheckTopicName(name string) error {
	reason := ""
	switch {
	case name == "":
		reason = "the empty string is not allowed"
	case name == ".":
		reason = "'.' is not allowed"
	case name == "..":
		reason = "'..' is not allowed"
	case javaLength(name) > maxTopicNameLength:
		reason = "the length of '" + name + "' is longer than the max allowed length " + strconv.Itoa(maxTopicNameLength)
	default:
		for i := 0; i < len(name); i++ {
			if c := name[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				reason = "'" + name + "' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
				break
			}
		}
	}
	if reason == "" {
		return nil
	}
	return errors.New("Topic name is invalid: " + reason)
}

// javaLength is Java's String.length: UTF-16 code units.
func javaLength(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

type topicName struct{ optional bool }

// TopicName accepts a String that is a valid Kafka topic name (see
// CheckTopicName); null is accepted, as a missing required value is
// reported on its own, and with optional so is the empty string (no
// topic).
func TopicName(optional bool) Validator { return topicName{optional: optional} }

func (v topicName) Validate(name string, value any) error {
	s, ok := value.(string)
	if !ok || (v.optional && s == "") {
		return nil
	}
	if err := CheckTopicName(s); err != nil {
		return &ValueError{Name: name, Value: s, Reason: err.Error()}
	}
	return nil
}

func (v topicName) String() string {
	if v.optional {
		return "a Kafka topic name, or empty for none"
	}
	return "a Kafka topic name"
}

type topicNames struct{}

// TopicNames accepts a List whose every entry is a valid Kafka topic name
// or empty (Kafka Connect drops empty entries of a sink's topics, as in
// "a,b,"); the error names the first entry that is not.
func TopicNames() Validator { return topicNames{} }

func (topicNames) Validate(name string, value any) error {
	l, _ := value.([]string)
	for _, t := range l {
		if t == "" {
			continue
		}
		if err := CheckTopicName(t); err != nil {
			return &ValueError{Name: name, Value: t, Reason: err.Error()}
		}
	}
	return nil
}

func (topicNames) String() string { return "a list of Kafka topic names" }
