package provider_test

import (
	"fmt"
	"os"

	"github.com/sluicehq/sluice/config/provider"
)

func ExampleTransformer_Transform() {
	os.Setenv("EXAMPLE_DB_USER", "app")
	defer os.Unsetenv("EXAMPLE_DB_USER")

	tr, err := provider.NewTransformer(map[string]string{
		"config.providers":           "env",
		"config.providers.env.class": "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
	})
	if err != nil {
		panic(err)
	}
	raw := map[string]string{
		"connection.user":     "${env:EXAMPLE_DB_USER}",
		"topic.format":        "${topic}-${vault:not:configured}", // not variables of a configured provider
		"connection.password": "${env:EXAMPLE_DB_PASS}",
	}
	_, err = tr.Transform(raw)
	fmt.Println(err)

	delete(raw, "connection.password")
	resolved, _ := tr.Transform(raw)
	fmt.Println(resolved["connection.user"], resolved["topic.format"])

	// Task configs are stored with the variables, not the secrets.
	fmt.Println(tr.Reverse(raw, resolved)["connection.user"])

	// Output:
	// config key "connection.password": ${env:EXAMPLE_DB_PASS}: environment variable EXAMPLE_DB_PASS is not set
	// app ${topic}-${vault:not:configured}
	// ${env:EXAMPLE_DB_USER}
}
