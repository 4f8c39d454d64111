package config

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name    string
		v       Validator
		value   any
		wantErr string // "" = valid
	}{
		{"range in", Range(1, 10), int32(5), ""},
		{"range low edge", Range(1, 10), int32(1), ""},
		{"range high edge", Range(1, 10), int32(10), ""},
		{"range below", Range(1, 10), int32(0), "Invalid value 0 for configuration k: Value must be at least 1"},
		{"range above", Range(1, 10), int32(11), "Invalid value 11 for configuration k: Value must be no more than 10"},
		{"range null", Range(1, 10), nil, "Invalid value null for configuration k: Value must be non-null"},
		{"range not a number", Range(1, 10), "5", "Invalid value 5 for configuration k: Value must be a number"},
		{"range short", Range(-1, 32767), int16(-1), ""},
		{"range long exact at int64 max", Range(int64(0), int64(math.MaxInt64)), int64(math.MaxInt64), ""},
		{"range long exact above", AtLeast(int64(math.MaxInt64)), int64(math.MaxInt64 - 1),
			"Invalid value 9223372036854775806 for configuration k: Value must be at least 9223372036854775807"},
		{"range double bounds", Range(0.0, 1.0), 0.5, ""},
		{"range double below", Range(0.5, 1.5), 0.25, "Invalid value 0.25 for configuration k: Value must be at least 0.5"},
		{"range double bound int value", AtLeast(0.5), int32(0), "Invalid value 0 for configuration k: Value must be at least 0.5"},
		{"range int bound double value", AtLeast(1), 0.5, "Invalid value 0.5 for configuration k: Value must be at least 1"},
		{"atleast ok", AtLeast(0), int64(0), ""},
		{"atleast negative", AtLeast(0), int64(-1), "Invalid value -1 for configuration k: Value must be at least 0"},

		{"validstring ok", ValidString("none", "all"), "all", ""},
		{"validstring case-sensitive", ValidString("none", "all"), "ALL", "Invalid value ALL for configuration k: String must be one of: none, all"},
		{"validstring null", ValidString("none", "all"), nil, "Invalid value null for configuration k: String must be one of: none, all"},

		{"ci validstring ok", CaseInsensitiveValidString("none", "all"), "All", ""},
		{"ci validstring bad", CaseInsensitiveValidString("none", "all", "ALL"), "some",
			"Invalid value some for configuration k: String must be one of (case insensitive): ALL, NONE"},
		{"ci validstring null", CaseInsensitiveValidString("none"), nil,
			"Invalid value null for configuration k: String must be one of (case insensitive): NONE"},

		{"validlist ok", ValidList("a", "b"), []string{"a", "b", "a"}, ""},
		{"validlist empty", ValidList("a", "b"), []string{}, ""},
		{"validlist null", ValidList("a", "b"), nil, ""},
		{"validlist bad element", ValidList("a", "b"), []string{"a", "c"}, "Invalid value c for configuration k: String must be one of: a, b"},

		{"nonempty ok", NonEmptyString(), "x", ""},
		{"nonempty null", NonEmptyString(), nil, ""},
		{"nonempty empty", NonEmptyString(), "", "Invalid value  for configuration k: String must be non-empty"},

		{"no control ok", NonEmptyStringWithoutControlChars(), "my-connector", ""},
		{"no control null", NonEmptyStringWithoutControlChars(), nil, ""},
		{"no control empty", NonEmptyStringWithoutControlChars(), "", "Invalid value  for configuration k: String may not be empty"},
		{"no control chars", NonEmptyStringWithoutControlChars(), "a\nb\u0085", "Invalid value a\nb\u0085 for configuration k: " +
			"String may not contain control sequences but had the following ASCII chars: 10, 133"},

		{"nonnull ok", NonNull(), "", ""},
		{"nonnull null", NonNull(), nil, "Invalid value null for configuration k: entry must be non null"},

		{"nonempty list ok", NonEmptyList(), []string{"a"}, ""},
		{"nonempty list empty", NonEmptyList(), []string{}, "Invalid value [] for configuration k: List must contain at least one element"},
		{"nonempty list null", NonEmptyList(), nil, "Invalid value null for configuration k: List must contain at least one element"},

		{"all ok", All(NonEmptyString(), ValidString("x")), "x", ""},
		{"all first failure", All(NonEmptyString(), ValidString("x")), "", "Invalid value  for configuration k: String must be non-empty"},
		{"all second failure", All(NonEmptyString(), ValidString("x")), "y", "Invalid value y for configuration k: String must be one of: x"},

		{"func ok", ValidatorFunc(func(string, any) error { return nil }, "anything"), 1, ""},
		{"func plain error wrapped", ValidatorFunc(func(string, any) error { return errors.New("must be even") }, "even"), int32(3),
			"Invalid value 3 for configuration k: must be even"},
		{"func ValueError without name", ValidatorFunc(func(_ string, v any) error {
			return &ValueError{Value: "part", Reason: "bad part"}
		}, "parts"), "whole", "Invalid value part for configuration k: bad part"},
		{"secret masked in message", ValidatorFunc(func(string, any) error { return errors.New("too short") }, "long"), Secret("hunter2"),
			"Invalid value [hidden] for configuration k: too short"},
		{"list value in message", ValidatorFunc(func(string, any) error { return errors.New("no") }, ""), []string{"a", "b"},
			"Invalid value [a, b] for configuration k: no"},
		{"double value in message", ValidatorFunc(func(string, any) error { return errors.New("no") }, ""), 1.0,
			"Invalid value 1.0 for configuration k: no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runValidator(tt.v, "k", tt.value)
			if got != tt.wantErr {
				t.Fatalf("got %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestValidatorStrings(t *testing.T) {
	tests := []struct {
		v    Validator
		want string
	}{
		{Range(1, 10), "[1,...,10]"},
		{AtLeast(0), "[0,...]"},
		{AtLeast(0.5), "[0.5,...]"},
		{Range(0.0, 1.0), "[0.0,...,1.0]"},
		{Range(int64(-1), int64(math.MaxInt64)), "[-1,...,9223372036854775807]"},
		{ValidString("none", "all"), "[none, all]"},
		{CaseInsensitiveValidString("none", "all"), "(case insensitive) [ALL, NONE]"},
		{ValidList("a", "b"), "[a, b]"},
		{NonEmptyString(), "non-empty string"},
		{NonEmptyStringWithoutControlChars(), "non-empty string without ISO control characters"},
		{NonNull(), "non-null string"},
		{NonEmptyList(), "non-empty list"},
		{All(NonEmptyString(), ValidString("x")), "non-empty string, [x]"},
		{ValidatorFunc(nil, "custom"), "custom"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestValidatorsInputsCopied(t *testing.T) {
	values := []string{"a", "b"}
	v := ValidString(values...)
	values[0] = "z"
	if runValidator(v, "k", "a") != "" {
		t.Fatal("ValidString kept the caller's slice")
	}
}

// TestTopicNames holds CheckTopicName and the topic validators to Kafka's
// Topic.validate, messages included.
func TestTopicNames(t *testing.T) {
	long := strings.Repeat("t", 250)
	for _, tc := range []struct {
		name    string
		v       Validator
		value   any
		wantErr string
	}{
		{"valid", TopicName(false), "orders-v1.eu_west", ""},
		{"longest", TopicName(false), strings.Repeat("t", 249), ""},
		{"null", TopicName(false), nil, ""},
		{"empty", TopicName(false), "", "Invalid value  for configuration k: Topic name is invalid: the empty string is not allowed"},
		{"empty, optional", TopicName(true), "", ""},
		{"dot", TopicName(true), ".", "Invalid value . for configuration k: Topic name is invalid: '.' is not allowed"},
		{"dot dot", TopicName(false), "..", "Invalid value .. for configuration k: Topic name is invalid: '..' is not allowed"},
		{"too long", TopicName(false), long,
			"Invalid value " + long + " for configuration k: Topic name is invalid: the length of '" + long + "' is longer than the max allowed length 249"},
		{"space", TopicName(false), "bad topic",
			"Invalid value bad topic for configuration k: Topic name is invalid: 'bad topic' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"},
		{"newline", TopicName(false), "a\nb",
			"Invalid value a\nb for configuration k: Topic name is invalid: 'a\nb' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"},
		{"not ASCII", TopicName(false), "café",
			"Invalid value café for configuration k: Topic name is invalid: 'café' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"},
		{"list valid", TopicNames(), []string{"a", "b.c", ""}, ""},
		{"list names the first bad entry", TopicNames(), []string{"a", "bad topic", "also/bad"},
			"Invalid value bad topic for configuration k: Topic name is invalid: 'bad topic' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Validate("k", tc.value)
			var ve *ValueError
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.wantErr != "" && (!errors.As(err, &ve) || ve.Name != "k"):
				t.Fatalf("err = %v, want a *ValueError naming k", err)
			case tc.wantErr != "" && err.Error() != tc.wantErr:
				t.Fatalf("err\n%q\nwant\n%q", err, tc.wantErr)
			}
		})
	}
	// Java counts UTF-16 units: a supplementary character is two.
	if err := CheckTopicName(strings.Repeat("t", 248) + "😀"); err == nil || !strings.Contains(err.Error(), "longer than the max allowed length 249") {
		t.Fatalf("248 + a supplementary character: %v", err)
	}
}

// TestJavaHashSetOrder: the order Java 17's HashSet iterates these sets in,
// as printed by Java (Collectors.toSet of the upper-cased values, as
// ConfigDef.CaseInsensitiveValidString builds its set).
func TestJavaHashSetOrder(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"REQUESTED", "REQUIRED"}, []string{"REQUIRED", "REQUESTED"}},
		{[]string{"POLL", "INTERVAL", "CONNECTOR"}, []string{"INTERVAL", "POLL", "CONNECTOR"}},
		{[]string{"NONE", "ALL"}, []string{"ALL", "NONE"}},
		{[]string{"V1", "V2"}, []string{"V1", "V2"}},
		{[]string{"BASE64", "NUMERIC"}, []string{"NUMERIC", "BASE64"}},
		{[]string{"UTF-8", "ISO-8859-1"}, []string{"ISO-8859-1", "UTF-8"}},
		{[]string{"NONE"}, []string{"NONE"}},
	}
	for _, tt := range tests {
		if got := javaHashSetOrder(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("javaHashSetOrder(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
