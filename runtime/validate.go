package runtime

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/config/provider"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/redact"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
)

// ValidateConnectorConfig validates a connector configuration against the
// framework's definition and the connector's own, in the shape of Kafka
// Connect's ConfigInfos: every defined key, then keys no definition knows
// (definition null, no error). It returns the connector's kind when the
// class was found.
//
// Config provider variables are resolved before validation, as Kafka
// Connect does; a variable that cannot be resolved is an error on its key,
// and values that held variables are shown as submitted, never resolved.
// No answer carries a secret: the values of secret keys (config.IsSecret)
// are shown as "[hidden]", and the values providers gave and those of
// secret keys are scrubbed out of every error message, so that an error
// that quotes a value cannot give away a file read through a provider.
func ValidateConnectorConfig(reg *plugins.Registry, providers *provider.Transformer, raw map[string]string) (herder.ConfigInfos, plugins.Kind, error) {
	props, unresolved, secrets := resolveEach(providers, raw)
	class := strings.TrimSpace(props[ConnectorClass])
	if class == "" {
		return herder.ConfigInfos{}, "", herder.BadRequest("Connector config contains no connector type: %s is missing or empty", ConnectorClass)
	}
	conn, plugin, err := reg.NewConnectorVersion(class, props[ConnectorPluginVersion])
	if err != nil {
		latest, lerr := reg.Lookup(class, plugins.Source, plugins.Sink)
		if lerr != nil {
			return herder.ConfigInfos{}, "", herder.BadRequest("%s", secrets.String(err.Error()))
		}
		// Installed, but not at the version asked for.
		infos := versionFailure(reg, raw[ConnectorClass], latest, props, err)
		hideSecrets(&infos, providers, raw, props, unresolved, secrets, nil, ConnectorDef())
		return infos, latest.Kind, nil
	}
	framework := enrich(reg, FrameworkDef(plugin.Kind), props)
	// As Kafka Connect, the answer is named by connector.class as sent
	// (FileStreamSource, not the class the alias resolves to).
	infos := herder.ConfigInfos{Name: raw[ConnectorClass]}
	seen := map[string]bool{}
	add := func(def *config.Def, results []config.Result) {
		for _, r := range results {
			if seen[r.Name] {
				continue
			}
			seen[r.Name] = true
			k, _ := def.Key(r.Name)
			ki := k.Info()
			infos.Configs = append(infos.Configs, herder.ConfigInfo{Definition: &ki, Value: valueInfo(r)})
			infos.ErrorCount += len(r.Errors)
		}
	}
	add(framework, framework.Validate(props))
	infos.ErrorCount += checkConverterClasses(reg, props, &infos)
	if plugin.Kind == plugins.Sink {
		infos.ErrorCount += checkSinkTopics(props, &infos)
	}
	infos.ErrorCount += checkConfigure(reg, props, &infos)
	var connResults []config.Result
	if v, ok := conn.(connectors.Validator); ok {
		connResults = v.Validate(props)
	} else {
		connResults = conn.Config().Validate(props)
	}
	add(conn.Config(), connResults)
	for _, def := range []*config.Def{framework, conn.Config()} {
		infos.Groups = appendNew(infos.Groups, def.Groups()...)
	}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if seen[k] {
			continue
		}
		v := props[k]
		infos.Configs = append(infos.Configs, herder.ConfigInfo{Value: &herder.ConfigValueInfo{Name: k, Value: &v, RecommendedValues: []string{}, Errors: []string{}, Visible: true}})
	}
	hideSecrets(&infos, providers, raw, props, unresolved, secrets, embeddedSecrets(conn, props), framework, conn.Config())
	return infos, plugin.Kind, nil
}

// hideSecrets makes a validation answer show no secret: a value from a
// config provider is shown as its variable, a secret key's value (by
// name, or PASSWORD in defs) as [hidden], a secret inside a value (inside)
// is hidden in place, and every error has those values [hidden]; a
// variable that did not resolve gets its error (unresolved), counted.
// secrets holds the values the providers gave.
func hideSecrets(infos *herder.ConfigInfos, providers *provider.Transformer, raw, props, unresolved map[string]string,
	secrets *redact.Set, inside []string, defs ...*config.Def) {
	for k, v := range props {
		if config.IsSecret(k, defs...) {
			secrets.Add("", v, raw[k])
		}
	}
	embedded := redact.NewSet()
	embedded.Add("", inside...)
	secrets.Add("", inside...)
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		name := c.Value.Name
		switch {
		case providers.HasVariables(raw[name]):
			v := raw[name]
			c.Value.Value = &v
		case c.Value.Value != nil && config.IsSecret(name, defs...):
			v := config.Hidden
			c.Value.Value = &v
		case c.Value.Value != nil:
			// A secret inside a value (a password in a JDBC URL) is hidden in place.
			v := embedded.String(*c.Value.Value)
			c.Value.Value = &v
		}
		for i, e := range c.Value.Errors {
			c.Value.Errors[i] = secrets.String(e)
		}
		if msg, ok := unresolved[name]; ok {
			c.Value.Errors = append(c.Value.Errors, secrets.String(msg))
			infos.ErrorCount++
		}
	}
}

// resolveEach resolves config provider variables key by key, so that each
// failure is reported on its own key. It returns the resolved config, the
// errors by key, and the values the providers gave.
func resolveEach(providers *provider.Transformer, raw map[string]string) (map[string]string, map[string]string, *redact.Set) {
	props := make(map[string]string, len(raw))
	var unresolved map[string]string
	secrets := redact.NewSet()
	for k, v := range raw {
		props[k] = v
		if !providers.HasVariables(v) {
			continue
		}
		r, values, err := providers.Resolve(map[string]string{k: v})
		if err != nil {
			if unresolved == nil {
				unresolved = map[string]string{}
			}
			unresolved[k] = err.Error()
			continue
		}
		props[k] = r[k]
		secrets.Add("", values...)
	}
	return props, unresolved, secrets
}

// checkConverterClasses reports converter classes the registry does not
// know on their keys, and lists the installed ones as the keys'
// recommended values (ConverterClasses).
func checkConverterClasses(reg *plugins.Registry, props map[string]string, infos *herder.ConfigInfos) int {
	n := 0
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		kinds := map[string][]plugins.Kind{
			KeyConverter:    {plugins.Converter},
			ValueConverter:  {plugins.Converter},
			HeaderConverter: {plugins.HeaderConverter, plugins.Converter},
		}[c.Value.Name]
		if kinds == nil {
			continue
		}
		c.Value.RecommendedValues = ConverterClasses(reg, c.Value.Name == HeaderConverter)
		if strings.TrimSpace(props[c.Value.Name]) == "" {
			continue
		}
		if _, err := reg.Lookup(props[c.Value.Name], kinds...); err != nil {
			// Kafka Connect's words (a CLASS key's parse error); the
			// installed converters are the entry's recommended values.
			ce := &config.ValueError{Name: c.Value.Name, Value: props[c.Value.Name],
				Reason: "Class " + props[c.Value.Name] + " could not be found."}
			c.Value.Errors = append(c.Value.Errors, ce.Error())
			n++
		}
	}
	return n
}

// checkSinkTopics applies Kafka Connect's rules that a sink names exactly
// one of topics and topics.regex, and does not consume its own dead letter
// queue, adding the error to the topics entry.
func checkSinkTopics(props map[string]string, infos *herder.ConfigInfos) int {
	topics, regex := strings.TrimSpace(props[Topics]), strings.TrimSpace(props[TopicsRegex])
	var msg string
	switch {
	case topics == "" && regex == "":
		msg = "Must configure one of topics or topics.regex"
	case topics != "" && regex != "":
		msg = "topics and topics.regex are mutually exclusive options, but both are set."
	case regex != "":
		msg = "topics.regex is not supported by sluice yet; list the topics in topics"
	default:
		list := splitList(topics)
		dlq := strings.TrimSpace(props[DLQTopicName])
		if dlq == "" || !slices.Contains(list, dlq) {
			return 0
		}
		msg = fmt.Sprintf("The DLQ topic '%s' may not be included in the list of topics ('%s=[%s]') consumed by the connector", dlq, Topics, strings.Join(list, ", "))
	}
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == Topics {
			c.Value.Errors = append(c.Value.Errors, msg)
			return 1
		}
	}
	return 0
}

// checkConfigure adds what transformations and predicates reject when
// configured to their type keys, unless the alias's keys already have
// errors.
func checkConfigure(reg *plugins.Registry, props map[string]string, infos *herder.ConfigInfos) int {
	errs := configureErrors(reg, props)
	if len(errs) == 0 {
		return 0
	}
	// An alias whose keys already have errors gets no second report.
	for _, c := range infos.Configs {
		if c.Value == nil || len(c.Value.Errors) == 0 {
			continue
		}
		for typeKey := range errs {
			if strings.HasPrefix(c.Value.Name, strings.TrimSuffix(typeKey, "type")) {
				delete(errs, typeKey)
			}
		}
	}
	n := 0
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		if msg, ok := errs[c.Value.Name]; ok {
			c.Value.Errors = append(c.Value.Errors, msg)
			n++
		}
	}
	return n
}

func valueInfo(r config.Result) *herder.ConfigValueInfo {
	v := &herder.ConfigValueInfo{Name: r.Name, Value: r.Value, RecommendedValues: r.RecommendedValues, Errors: r.Errors, Visible: r.Visible}
	if v.RecommendedValues == nil {
		v.RecommendedValues = []string{}
	}
	if v.Errors == nil {
		v.Errors = []string{}
	}
	return v
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, x := range list {
			found = found || x == it
		}
		if !found {
			list = append(list, it)
		}
	}
	return list
}

// validateLive adds to infos the errors a connectors.LiveValidator finds in
// raw (see Worker.ValidateConnectorConfigLive), scrubbed of secrets as
// ValidateConnectorConfig scrubs its own.
func validateLive(ctx context.Context, reg *plugins.Registry, providers *provider.Transformer, raw map[string]string, infos *herder.ConfigInfos) error {
	conn, _, err := reg.NewConnectorVersion(strings.TrimSpace(raw[ConnectorClass]), raw[ConnectorPluginVersion])
	if err != nil {
		return nil // reported by ValidateConnectorConfig
	}
	lv, ok := conn.(connectors.LiveValidator)
	if !ok {
		return nil
	}
	props, _, secrets := resolveEach(providers, raw)
	for k, v := range props {
		if config.IsSecret(k, conn.Config()) {
			secrets.Add("", v, raw[k])
		}
	}
	secrets.Add("", embeddedSecrets(conn, props)...)
	for _, r := range lv.ValidateLive(ctx, props) {
		if len(r.Errors) == 0 {
			continue
		}
		errs := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			errs[i] = secrets.String(e)
		}
		infos.ErrorCount += len(errs)
		found := false
		for _, c := range infos.Configs {
			if c.Value != nil && c.Value.Name == r.Name {
				c.Value.Errors = append(c.Value.Errors, errs...)
				found = true
				break
			}
		}
		if !found {
			infos.Configs = append(infos.Configs, herder.ConfigInfo{Value: &herder.ConfigValueInfo{Name: r.Name,
				RecommendedValues: []string{}, Errors: errs, Visible: true}})
		}
	}
	return nil
}
