package runtime

import (
	"strings"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
)

// ValidateConnectorConfig validates a connector configuration against the
// framework's definition and the connector's own, in the shape of Kafka
// Connect's ConfigInfos: every defined key, then keys no definition knows
// (definition null, no error). It returns the connector's kind when the
// class was found.
func ValidateConnectorConfig(reg *plugins.Registry, props map[string]string) (herder.ConfigInfos, plugins.Kind, error) {
	class := strings.TrimSpace(props[ConnectorClass])
	if class == "" {
		return herder.ConfigInfos{}, "", herder.BadRequest("Connector config %v contains no connector type", props)
	}
	conn, plugin, err := reg.NewConnector(class)
	if err != nil {
		return herder.ConfigInfos{}, "", herder.BadRequest("%s", err.Error())
	}
	framework := ConnectorDef()
	if plugin.Kind == plugins.Sink {
		framework = SinkDef()
	}
	infos := herder.ConfigInfos{Name: plugin.Class}
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
	for k, v := range props {
		if seen[k] {
			continue
		}
		v := v
		infos.Configs = append(infos.Configs, herder.ConfigInfo{Value: &herder.ConfigValueInfo{Name: k, Value: &v, RecommendedValues: []string{}, Errors: []string{}, Visible: true}})
	}
	return infos, plugin.Kind, nil
}

// checkConverterClasses reports converter classes the registry does not
// know on their keys.
func checkConverterClasses(reg *plugins.Registry, props map[string]string, infos *herder.ConfigInfos) int {
	n := 0
	for _, c := range infos.Configs {
		if c.Value == nil || strings.TrimSpace(props[c.Value.Name]) == "" {
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
		if _, err := reg.Lookup(props[c.Value.Name], kinds...); err != nil {
			c.Value.Errors = append(c.Value.Errors, err.Error())
			n++
		}
	}
	return n
}

// checkSinkTopics applies Kafka Connect's rule that a sink names exactly one
// of topics and topics.regex, adding the error to the topics entry.
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
		return 0
	}
	for _, c := range infos.Configs {
		if c.Value != nil && c.Value.Name == Topics {
			c.Value.Errors = append(c.Value.Errors, msg)
			return 1
		}
	}
	return 0
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

// InvalidConfigError turns validation results with errors into Kafka
// Connect's 400 message, or returns nil when there are none.
func InvalidConfigError(infos herder.ConfigInfos) error {
	if infos.ErrorCount == 0 {
		return nil
	}
	var msgs []string
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		for _, e := range c.Value.Errors {
			msgs = append(msgs, c.Value.Name+": "+e)
		}
	}
	return herder.BadRequest("Connector configuration is invalid and contains the following %d error(s):\n%s\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
		len(msgs), strings.Join(msgs, "\n"))
}
