package config_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sluicehq/sluice/config"
)

// fileSourceDef is the configuration of a FileStreamSource-like connector.
func fileSourceDef() *config.Def {
	return config.NewDef().
		Define(config.Key{Name: "file", Type: config.String, Default: nil, Importance: config.High,
			Doc: "Source filename. If not specified, the standard input will be used."}).
		Define(config.Key{Name: "topic", Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyString(),
			Importance: config.High, Doc: "The topic to publish data to."}).
		Define(config.Key{Name: "batch.size", Type: config.Int, Default: 2000, Validator: config.AtLeast(1),
			Importance: config.Low, Doc: "The maximum number of records the source task can read from the file each time it is polled."}).
		Define(config.Key{Name: "file.encoding", Type: config.String, Default: "UTF-8",
			Validator: config.CaseInsensitiveValidString("UTF-8", "ISO-8859-1"), Importance: config.Low, Doc: "Encoding of the file."})
}

// A connector describes its configuration once, then parses what users give it.
func Example() {
	def := fileSourceDef()

	values, err := def.Parse(map[string]string{"file": "/var/log/app.log", "topic": " app-logs "})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(values.String("file"), values.String("topic"), values.Int("batch.size"))

	// Parse reports every problem, not just the first.
	_, err = def.Parse(map[string]string{"batch.size": "0", "file.encoding": "EBCDIC"})
	var cfgErr *config.Error
	if errors.As(err, &cfgErr) {
		for _, p := range cfgErr.Problems {
			fmt.Println(p.Key+":", p.Message)
		}
	}
	// Output:
	// /var/log/app.log app-logs 2000
	// topic: Missing required configuration "topic" which has no default value.
	// batch.size: Invalid value 0 for configuration batch.size: Value must be at least 1
	// file.encoding: Invalid value EBCDIC for configuration file.encoding: String must be one of (case insensitive): ISO-8859-1, UTF-8
}

// Validate gives one result per key, as the REST endpoint /config/validate returns them.
func ExampleDef_Validate() {
	for _, r := range fileSourceDef().Validate(map[string]string{"topic": "t", "batch.size": "many"}) {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
	}
	// Output:
	// {"name":"file","value":null,"recommended_values":[],"errors":[],"visible":true}
	// {"name":"topic","value":"t","recommended_values":[],"errors":[],"visible":true}
	// {"name":"batch.size","value":null,"recommended_values":[],"errors":["Invalid value many for configuration batch.size: Not a number of type INT","Invalid value null for configuration batch.size: Value must be non-null"],"visible":true}
	// {"name":"file.encoding","value":"UTF-8","recommended_values":[],"errors":[],"visible":true}
}

// Info renders a key as the REST endpoint /connector-plugins/{p}/config returns it.
func ExampleKey_Info() {
	k, _ := fileSourceDef().Key("batch.size")
	b, _ := json.Marshal(k.Info())
	fmt.Println(string(b))
	// Output:
	// {"name":"batch.size","type":"INT","required":false,"default_value":"2000","importance":"LOW","documentation":"The maximum number of records the source task can read from the file each time it is polled.","group":null,"order_in_group":-1,"width":"NONE","display_name":"batch.size","dependents":[]}
}

// Secret values never show in logs or prints; Value reveals them on purpose.
func ExampleSecret() {
	def := config.NewDef().Define(config.Key{Name: "connection.password", Type: config.Password,
		Default: config.NoDefault, Importance: config.High})
	values, _ := def.Parse(map[string]string{"connection.password": "s3cret"})
	pw := values.Password("connection.password")
	fmt.Printf("%v %s %q\n", pw, pw, pw)
	fmt.Println(len(pw.Value()))
	// Output:
	// [hidden] [hidden] "[hidden]"
	// 6
}
