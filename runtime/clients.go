package runtime

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// Which Kafka client takes which keys, as Kafka Connect's Worker does:
//
//   - a source task's producer and a sink's dead letter queue producer:
//     the worker's producer.* then the connector's producer.override.*
//     (baseProducerConfigs), never the top-level security keys;
//   - a sink task's consumer: consumer.* then consumer.override.*
//     (baseConsumerConfigs);
//   - admin clients (dead letter queue topic, offsets of sink connectors):
//     the worker's top-level client keys, then admin.*, then the
//     connector's admin.override.* (adminConfigs);
//   - distributed mode's internal topics' clients and group member, and the
//     cluster id lookup: the top-level keys.

// overridePrefixes are the connector keys that override client settings.
var overridePrefixes = []string{"producer.override.", "consumer.override.", "admin.override."}

// overrideAllowed reports whether the worker's
// connector.client.config.override.policy lets a connector override the
// client key k (unprefixed).
func (w *Worker) overrideAllowed(k string) bool {
	switch w.cfg.OverridePolicy {
	case PolicyNone:
		return false
	case PolicyPrincipal:
		return slices.Contains(kafka.PrincipalOverrideKeys, k)
	}
	return true
}

// overrideError is Kafka Connect's message for an override its policy
// forbids.
func (w *Worker) overrideError(k string) string {
	return fmt.Sprintf("The '%s' policy does not allow '%s' to be overridden in the connector configuration.", w.cfg.OverridePolicy, k)
}

// clientProps merges the worker's client settings with the connector's
// overrides; an override the policy forbids is an error (Kafka Connect
// fails the task the same way).
func (w *Worker) clientProps(worker, connProps map[string]string, overridePrefix string) (map[string]string, error) {
	props := maps.Clone(worker)
	if props == nil {
		props = map[string]string{}
	}
	for _, k := range slices.Sorted(maps.Keys(connProps)) {
		if rest, ok := strings.CutPrefix(k, overridePrefix); ok {
			if !w.overrideAllowed(rest) {
				return nil, fmt.Errorf("client config overrides not allowed: %s", w.overrideError(rest))
			}
			props[rest] = connProps[k]
		}
	}
	return props, nil
}

// checkOverridePolicy adds the policy's error to each override key of a
// validated configuration that it forbids (AbstractHerder.validateClientOverrides).
func (w *Worker) checkOverridePolicy(infos *herder.ConfigInfos) int {
	errs := 0
	for _, c := range infos.Configs {
		if c.Value == nil {
			continue
		}
		for _, p := range overridePrefixes {
			if rest, ok := strings.CutPrefix(c.Value.Name, p); ok && !w.overrideAllowed(rest) {
				c.Value.Errors = append(c.Value.Errors, w.overrideError(rest))
				errs++
			}
		}
	}
	return errs
}

// connectorAdmin calls f with an admin client for a connector (connProps
// resolved, config provider variables replaced): the
// worker's shared one, or, when the connector overrides admin settings
// (admin.override.*), one of its own, closed after f. Creating it waits
// for Kafka until ctx ends.
func (w *Worker) connectorAdmin(ctx context.Context, connProps map[string]string, f func(sarama.ClusterAdmin) error) error {
	props, err := w.clientProps(w.cfg.AdminClientProps(), connProps, "admin.override.")
	if err != nil {
		return err
	}
	if maps.Equal(props, w.cfg.AdminClientProps()) {
		admin, err := w.Admin(ctx)
		if err != nil {
			return err
		}
		return f(admin)
	}
	name := connProps[ConnectorName]
	admin, err := w.newAdmin(ctx, "connector-adminclient-"+name, props)
	if err != nil {
		return err
	}
	defer admin.Close()
	return f(admin)
}

// newAdmin creates an admin client with props; creating it follows ctx.
func (w *Worker) newAdmin(ctx context.Context, clientID string, props map[string]string) (sarama.ClusterAdmin, error) {
	base, ignored, err := kafka.AdminConfig(clientID, props)
	if err != nil {
		return nil, fmt.Errorf("admin client %s: %w", clientID, err)
	}
	warnIgnored(w.log, "admin", ignored.Unsupported)
	cfg, stop := kafka.AbortOnDone(ctx, base)
	a, err := sarama.NewClusterAdmin(w.cfg.BootstrapServers, cfg)
	if !stop() {
		// ctx ended: the dialer refuses every connection from now on.
		if err == nil {
			_ = a.Close()
		}
		return nil, fmt.Errorf("connect to Kafka at %v: %w", w.cfg.BootstrapServers, context.Cause(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("connect to Kafka at %v: %w", w.cfg.BootstrapServers, kafka.WithDiagnosis(err, w.cfg.BootstrapServers, cfg, ctx.Done()))
	}
	return a, nil
}
