package runtime

import (
	"errors"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/mavenversion"
	"github.com/sluicehq/sluice/internal/redact"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
)

// The plugin version keys of KIP-891 (Kafka Connect 4.1+), in connector
// configurations and (the converters') in the worker's.
const (
	ConnectorPluginVersion = "connector.plugin.version"
	KeyConverterVersion    = "key.converter.plugin.version"
	ValueConverterVersion  = "value.converter.plugin.version"
	HeaderConverterVersion = "header.converter.plugin.version"
	// pluginVersionSuffix follows "<converter key>." and
	// "transforms.<alias>." / "predicates.<alias>.".
	pluginVersionSuffix = "plugin.version"
)

// versionDoc says how every plugin version key is read.
const versionDoc = "An exact version (1.2.0) or a Maven version range ([1.0,2.0), (,2.0], [1.0,1.5),[2.0,)); " +
	"the latest installed version that satisfies it is used. Unset, blank or 'latest': the latest installed version."

// versionValidator accepts what mavenversion.Requirement reads; its error
// is Maven's ("Unbounded range: [1.0"), naming the key.
func versionValidator() config.Validator {
	return config.ValidatorFunc(func(name string, v any) error {
		s, _ := v.(string)
		if _, err := mavenversion.Requirement(s, strings.TrimSpace(s) != ""); err != nil {
			return &config.ValueError{Name: name, Value: s, Reason: err.Error()}
		}
		return nil
	}, "a version or a Maven version range, e.g. [1.0,2.0)")
}

// converterVersionKey is the version key of a converter key
// (key.converter → key.converter.plugin.version).
func converterVersionKey(classKey string) string { return classKey + "." + pluginVersionSuffix }

// versionProblem reports whether err is about the version requirement (a
// malformed range, or none installed satisfies it) rather than the class.
func versionProblem(reg *plugins.Registry, class string, err error, kinds ...plugins.Kind) bool {
	var ve *plugins.VersionError
	if errors.As(err, &ve) {
		return true
	}
	_, lerr := reg.Lookup(class, kinds...)
	return lerr == nil
}

// converterKeyOf names the key a converter's error is about: its version
// key when the class is installed but not at the version asked for, else
// its class key.
func converterKeyOf(reg *plugins.Registry, classKey, class string, err error, kinds []plugins.Kind) string {
	if versionProblem(reg, class, err, kinds...) {
		return converterVersionKey(classKey)
	}
	return classKey
}

// aliasKeyOf names the key a transformation's or predicate's error is
// about: prefix+"plugin.version" when its type is installed but not at
// the version asked for, else prefix+"type".
func aliasKeyOf(reg *plugins.Registry, prefix string, props map[string]string, err error, kind plugins.Kind) string {
	if strings.TrimSpace(props[prefix+pluginVersionSuffix]) != "" && versionProblem(reg, props[prefix+"type"], err, kind) {
		return prefix + pluginVersionSuffix
	}
	return prefix + "type"
}

// defineAliasVersion defines a transformation's or predicate's version key
// as Kafka Connect 4.4 does (order 1 in its group, after the type): its
// default is the latest installed version of the type, and a value that
// no installed version satisfies is an error naming the versions there
// are.
func defineAliasVersion(reg *plugins.Registry, def *config.Def, prefix, group, alias, noun string, kind plugins.Kind, props map[string]string) {
	var latest any
	if p, err := reg.Lookup(props[prefix+"type"], kind); err == nil {
		latest = p.Version
	}
	def.Define(config.Key{Name: prefix + pluginVersionSuffix, Type: config.String, Default: latest, Importance: config.High, Group: group, OrderInGroup: 1, Width: config.WidthLong,
		DisplayName: strings.ToUpper(noun[:1]) + noun[1:] + " version for " + alias, Doc: "Version of the '" + alias + "' " + noun + ".",
		Validator: config.ValidatorFunc(func(name string, v any) error {
			s, _ := v.(string)
			if err := versionValidator().Validate(name, s); err != nil {
				return err
			}
			class := props[prefix+"type"]
			if _, err := reg.LookupVersion(class, s, kind); err != nil && versionProblem(reg, class, err, kind) {
				return &config.ValueError{Name: name, Value: s, Reason: err.Error()}
			}
			return nil
		}, "a version of the "+noun+" that is installed")})
}

// checkPluginVersions completes a validation's plugin version keys as
// Kafka Connect 4.4 answers them: connector.plugin.version and each
// converter's version key get the latest installed version as default
// (and as value when unset) and the installed versions as recommended
// values; a converter version that no installed version satisfies is an
// error on the version key, and on the converter key when the connector
// names the converter. A converter the connector does not name is the
// worker's (worker may be nil: none). props are resolved (config provider
// variables replaced), and the errors have the values of secrets hidden.
// It returns the errors added.
func checkPluginVersions(reg *plugins.Registry, props map[string]string, worker *WorkerConfig, infos *herder.ConfigInfos, secrets *redact.Set) int {
	if connectorNotLoaded(infos) {
		return 0
	}
	entries := map[string]*herder.ConfigInfo{}
	for i := range infos.Configs {
		if c := &infos.Configs[i]; c.Value != nil {
			entries[c.Value.Name] = c
		}
	}
	describe := func(key string, p plugins.Plugin, kinds ...plugins.Kind) {
		c := entries[key]
		if c == nil {
			return
		}
		latest := p.Version
		if c.Definition != nil {
			c.Definition.DefaultValue = &latest
		}
		if c.Value.Value == nil || strings.TrimSpace(*c.Value.Value) == "" {
			c.Value.Value = &latest
		}
		c.Value.RecommendedValues = append([]string{}, reg.Versions(p.Class, kinds...)...)
	}
	if p, err := reg.Lookup(props[ConnectorClass], plugins.Source, plugins.Sink); err == nil {
		describe(ConnectorPluginVersion, p, plugins.Source, plugins.Sink)
	}
	n := 0
	for _, key := range []string{KeyConverter, ValueConverter, HeaderConverter} {
		vkey := converterVersionKey(key)
		kinds := []plugins.Kind{plugins.Converter}
		if key == HeaderConverter {
			kinds = []plugins.Kind{plugins.HeaderConverter, plugins.Converter}
		}
		class, version, own := props[key], props[vkey], true
		if strings.TrimSpace(class) == "" {
			own = false
			if worker == nil || worker.Values == nil {
				continue
			}
			class = worker.Values.Class(key)
			if strings.TrimSpace(version) == "" {
				version = worker.Values.OriginalsWithPrefix(key + ".")[pluginVersionSuffix]
			}
		}
		latest, err := reg.Lookup(class, kinds...)
		if err != nil {
			// An unknown class is reported on its key; its version key is
			// hidden, as Kafka Connect 4.4 answers.
			if c := entries[vkey]; c != nil {
				c.Value.Visible = false
			}
			continue
		}
		describe(vkey, latest, kinds...)
		if _, err := reg.LookupVersion(class, version, kinds...); err != nil {
			targets := []string{vkey}
			if own {
				targets = append(targets, key)
			}
			msg := secrets.String(err.Error())
			for _, k := range targets {
				if c := entries[k]; c != nil && !containsString(c.Value.Errors, msg) {
					c.Value.Errors = append(c.Value.Errors, msg)
					n++
				}
			}
		}
	}
	return n
}

// connectorNotLoaded reports whether a validation is versionFailure's:
// the connector was not loaded at the version asked for, so only the
// framework's common keys were validated, as they are defined without a
// worker (Kafka Connect 4.4 shows no converter defaults then either).
func connectorNotLoaded(infos *herder.ConfigInfos) bool {
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == ConnectorPluginVersion && len(c.Value.Errors) > 0 {
			return true
		}
	}
	return false
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// versionFailure is the validation (named name: the class as sent) of a
// configuration whose connector
// class is installed but not at the version connector.plugin.version asks
// for, as Kafka Connect 4.4 answers it: only the framework's common keys
// are validated, and the error is on connector.class and on
// connector.plugin.version, whose recommended values are the installed
// versions.
func versionFailure(reg *plugins.Registry, name string, latest plugins.Plugin, props map[string]string, cause error) herder.ConfigInfos {
	def := ConnectorDef()
	infos := herder.ConfigInfos{Name: name, Groups: def.Groups()}
	for _, r := range def.Validate(props) {
		k, _ := def.Key(r.Name)
		ki := k.Info()
		v := valueInfo(r)
		switch r.Name {
		case ConnectorClass:
			v.Errors = append(v.Errors, cause.Error())
		case ConnectorPluginVersion:
			// A malformed range has its validator's error already.
			if len(v.Errors) == 0 {
				v.Errors = append(v.Errors, cause.Error())
			}
			latestVersion := latest.Version
			ki.DefaultValue = &latestVersion
			v.RecommendedValues = append([]string{}, reg.Versions(latest.Class, latest.Kind)...)
		case KeyConverterVersion, ValueConverterVersion, HeaderConverterVersion:
			v.Visible = false
		}
		infos.ErrorCount += len(v.Errors)
		infos.Configs = append(infos.Configs, herder.ConfigInfo{Definition: &ki, Value: v})
	}
	return infos
}
