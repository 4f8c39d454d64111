// Package provider resolves config variables such as ${env:DB_PASS} or
// ${file:/etc/kafka/secrets.properties:db.password} in connector configs, as
// Kafka's ConfigTransformer and config providers do (KIP-297; the directory
// provider is KIP-632, the environment one KIP-887), so that secrets need
// not be stored in the config topic.
//
// The worker config declares the providers:
//
//	config.providers=env,file
//	config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
//	config.providers.file.class=FileConfigProvider
//	config.providers.file.param.allowed.paths=/etc/kafka/secrets
//
// and a connector config refers to them as ${alias:key} or
// ${alias:path:key}; a value may hold several variables, each replaced in
// place. [NewTransformer] reads the declarations and [Transformer.Transform]
// resolves a config.
//
// The built-in providers answer to Kafka's class names, their simple names
// and their simple names without "ConfigProvider":
//
//	org.apache.kafka.common.config.provider.EnvVarConfigProvider     ${env:NAME}
//	    param allowlist.pattern: a regular expression a variable's name must match entirely
//	org.apache.kafka.common.config.provider.FileConfigProvider       ${file:/path/x.properties:key}
//	    param allowed.paths: comma-separated absolute directories (or files) the provider may read (KIP-993)
//	org.apache.kafka.common.config.provider.DirectoryConfigProvider  ${dir:/path/dir:filename}
//	    param allowed.paths: as for FileConfigProvider
//
// # Differences from Kafka
//
// Kafka leaves a variable unresolved, silently, when its provider is
// configured but cannot give the value (variable not set, key missing from
// the file, path not allowed): the connector then sees the literal text and
// fails in confusing ways, or uses "${env:DB_PASS}" as a password. sluice
// instead fails the transformation with an error naming the config key, the
// variable and the cause. A variable whose alias is not a configured
// provider is left as it is, as in Kafka, since "${" may be ordinary text.
//
// Also stricter than Kafka: a provider listed in config.providers without a
// class is an error (Kafka skips it); allowlist.pattern must match the whole
// variable name (Kafka accepts a match anywhere in it) and uses Go's RE2
// syntax, so Java-only constructs such as lookarounds are rejected when the
// worker starts; allowed.paths is also checked against the paths with
// symbolic links resolved, so a link cannot lead out of an allowed directory.
//
// As in Kafka, DirectoryConfigProvider returns a file's contents exactly,
// including any trailing newline.
package provider
