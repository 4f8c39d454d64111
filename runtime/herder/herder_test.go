package herder

import (
	"testing"
)

// TestInvalidConfigMessage: the 400 message lists each error as Kafka
// Connect words it, prefixed with its key only when the error does not name
// the key itself.
func TestInvalidConfigMessage(t *testing.T) {
	t.Parallel()
	infos := ConfigInfos{ErrorCount: 5, Configs: []ConfigInfo{
		{Value: &ConfigValueInfo{Name: "topic", Errors: []string{
			`Missing required configuration "topic" which has no default value.`,
			"Null value can not be supplied as the configuration value."}}},
		{Value: &ConfigValueInfo{Name: "topics", Errors: []string{
			"Invalid value x y for configuration topics.regex: not a regex"}}},
		{Value: &ConfigValueInfo{Name: "tasks.max", Errors: []string{
			"Invalid value x for configuration tasks.max: Not a number of type INT"}}},
		{Value: &ConfigValueInfo{Name: "batch.size", Errors: []string{"must be at most max.batch.size."}}},
		{Value: &ConfigValueInfo{Name: "ok"}},
	}}
	want := "Connector configuration is invalid and contains the following 5 error(s):\n" +
		"Missing required configuration \"topic\" which has no default value.\n" +
		"topic: Null value can not be supplied as the configuration value.\n" +
		"topics: Invalid value x y for configuration topics.regex: not a regex\n" +
		"Invalid value x for configuration tasks.max: Not a number of type INT\n" +
		"batch.size: must be at most max.batch.size.\n" +
		"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
	err := InvalidConfig(infos)
	if err == nil || err.Error() != want {
		t.Fatalf("InvalidConfig =\n%v\nwant\n%s", err, want)
	}
	if StatusCode(err) != 400 {
		t.Errorf("status %d", StatusCode(err))
	}
	if InvalidConfig(ConfigInfos{}) != nil {
		t.Error("no errors gave an error")
	}
}

func TestNamesKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		msg, name string
		want      bool
	}{
		{`Missing required configuration "topic" which has no default value.`, "topic", true},
		{"Invalid value 0 for configuration tasks.max: must be at least 1", "tasks.max", true},
		{"Invalid value for configuration topics.regex", "topics", false},
		{"ends with the key topic.", "topic", true},
		{"subtopic", "topic", false},
		{"topic", "topic", true},
		{"x.topic is wrong", "topic", false},
		{"anything", "", false},
	} {
		if got := namesKey(tc.msg, tc.name); got != tc.want {
			t.Errorf("namesKey(%q, %q) = %v", tc.msg, tc.name, got)
		}
	}
}
