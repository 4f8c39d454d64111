package provider

import (
	"errors"
	"sort"
	"strings"
)

// Provider gives config values for variables: Kafka's ConfigProvider.
type Provider interface {
	// Get returns the values of keys found at path (a file, a directory, or
	// "" for providers without paths). A key that is not found is absent from
	// the map; an error means path as a whole could not be read.
	Get(path string, keys []string) (map[string]string, error)
}

// ErrNotFound is what errors.Is finds in the error of a variable whose
// provider does not have its key.
var ErrNotFound = errors.New("not found")

// notFound says why a key is missing; errors.Is finds ErrNotFound in it.
type notFound string

func (e notFound) Error() string      { return string(e) }
func (notFound) Is(target error) bool { return target == ErrNotFound }

// explainer is implemented by providers that can say why a key is missing
// from what their Get returned, better than "key K not found".
type explainer interface {
	missing(path, key string) error
}

// Worker config keys.
const (
	// ProvidersConfig lists the aliases of the config providers.
	ProvidersConfig = "config.providers"
	// providerPrefix + alias + ".class" names a provider's class;
	// providerPrefix + alias + ".param." + name is one of its parameters.
	providerPrefix = "config.providers."
)

// newFunc builds a provider from its parameters; param turns a parameter name
// into the worker config key, for error messages.
type newFunc func(params map[string]string, param func(name string) string) (Provider, error)

// class is a built-in provider class.
type class struct {
	name string // Java class name
	new  newFunc
}

const javaPackage = "org.apache.kafka.common.config.provider."

var classes = []class{
	{javaPackage + "DirectoryConfigProvider", newDirProvider},
	{javaPackage + "EnvVarConfigProvider", newEnvProvider},
	{javaPackage + "FileConfigProvider", newFileProvider},
}

// lookupClass finds a built-in class by its Java name, its simple name, or
// its simple name without the "ConfigProvider" suffix, as Kafka Connect's
// plugin aliases do.
func lookupClass(name string) (class, bool) {
	for _, c := range classes {
		simple := strings.TrimPrefix(c.name, javaPackage)
		if name == c.name || name == simple || name == strings.TrimSuffix(simple, "ConfigProvider") {
			return c, true
		}
	}
	return class{}, false
}

func classNames() string {
	names := make([]string, len(classes))
	for i, c := range classes {
		names[i] = c.name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
