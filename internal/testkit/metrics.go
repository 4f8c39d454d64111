package testkit

import (
	"fmt"
	"io"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// ParseMetrics parses Prometheus' text format with Prometheus' own parser.
func ParseMetrics(r io.Reader) (map[string]*dto.MetricFamily, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("not Prometheus' text format: %w", err)
	}
	return fams, nil
}

// Series returns the value of the series of family name whose labels are
// exactly labels, and whether there is one.
func Series(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		if len(m.Label) != len(labels) {
			continue
		}
		for _, l := range m.Label {
			if v, ok := labels[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// Labelled returns the value of label of the family's series that has the
// labels given and label besides (and no other), and whether there is one.
func Labelled(fams map[string]*dto.MetricFamily, name string, labels map[string]string, label string) (string, bool) {
	f := fams[name]
	if f == nil {
		return "", false
	}
next:
	for _, m := range f.Metric {
		if len(m.Label) != len(labels)+1 {
			continue
		}
		value, found := "", false
		for _, l := range m.Label {
			if l.GetName() == label {
				value, found = l.GetValue(), true
			} else if v, ok := labels[l.GetName()]; !ok || v != l.GetValue() {
				continue next
			}
		}
		if found {
			return value, true
		}
	}
	return "", false
}
