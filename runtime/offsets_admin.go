package runtime

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/safe"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/runtime/storage"
)

// Admin returns the worker's Kafka admin client, created on first use.
// Creating it waits for Kafka, holding no lock but its own, and ends when
// ctx does.
func (w *Worker) Admin(ctx context.Context) (sarama.ClusterAdmin, error) {
	w.adminMu.Lock()
	defer w.adminMu.Unlock()
	if w.admin != nil {
		return w.admin, nil
	}
	id := w.cfg.ClientID
	if id == "" {
		id = "sluice-admin-" + w.ID()
	}
	a, err := w.newAdmin(ctx, id, w.cfg.AdminClientProps())
	if err != nil {
		return nil, err
	}
	w.admin = a
	return a, nil
}

// ClusterID asks the brokers for the Kafka cluster id (GET / shows it).
func (w *Worker) ClusterID() (string, error) {
	w.clusterMu.Lock()
	defer w.clusterMu.Unlock()
	if w.clusterID != "" {
		return w.clusterID, nil
	}
	cfg, _, err := kafka.AdminConfig("sluice-cluster-id", w.cfg.ClientProps)
	if err != nil {
		return "", err
	}
	client, err := sarama.NewClient(w.cfg.BootstrapServers, cfg)
	if err != nil {
		return "", fmt.Errorf("connect to Kafka at %v: %w", w.cfg.BootstrapServers, kafka.WithDiagnosis(err, w.cfg.BootstrapServers, cfg, nil))
	}
	defer client.Close()
	b, err := client.Controller()
	if err != nil {
		return "", fmt.Errorf("find the Kafka controller: %w", err)
	}
	resp, err := b.GetMetadata(sarama.NewMetadataRequest(kafka.Version, nil))
	if err != nil {
		return "", fmt.Errorf("read Kafka metadata: %w", err)
	}
	if resp.ClusterID == nil {
		return "", errors.New("the Kafka cluster reported no cluster id")
	}
	w.clusterID = *resp.ClusterID
	return w.clusterID, nil
}

// instance returns a fresh, unstarted instance of a configuration's
// connector, and its resolved configuration.
func (w *Worker) instance(raw map[string]string) (connectors.Connector, plugins.Plugin, map[string]string, error) {
	var plugin plugins.Plugin
	conn, err := safe.Call(strings.TrimSpace(raw[ConnectorClass])+" (creating the connector)", func() (conn connectors.Connector, err error) {
		conn, plugin, err = w.newConnector(raw) // the version its configuration selects
		return conn, err
	})
	if err != nil {
		return nil, plugin, nil, err
	}
	// Its own owner of secrets: the running connector's may differ (a
	// rotated file) and must stay scrubbed.
	props, err := w.resolve(raw[ConnectorName]+"/offsets", conn, plugin, raw)
	if err != nil {
		return nil, plugin, nil, err
	}
	return conn, plugin, props, nil
}

// alterFailed is the answer when a connector refuses altered offsets: a
// 400 with its reason, or a 500 when it panicked.
func alterFailed(name string, err error) error {
	if safe.As(err) != nil {
		return fmt.Errorf("Failed to alter offsets for connector %s: %w", name, err)
	}
	return herder.BadRequest("Failed to alter offsets for connector %s: %v", name, err)
}

// offsetsMessage is KIP-875's answer: the plain one when the connector
// handled the change in full, else the one warning about offsets the
// connector keeps elsewhere.
func offsetsMessage(full, reset bool) string {
	switch {
	case full && reset:
		return herder.OffsetsReset
	case full:
		return herder.OffsetsAltered
	case reset:
		return herder.OffsetsResetExternal
	}
	return herder.OffsetsAlteredExternal
}

// AlterSourceOffsets validates altered offsets of a stopped source
// connector, lets the connector check them, and writes them to the offset
// store. reset removes every offset the store holds for the connector.
func (w *Worker) AlterSourceOffsets(ctx context.Context, name string, raw map[string]string, offsets []herder.PartitionOffset, reset bool) (string, error) {
	conn, plugin, props, err := w.instance(raw)
	if err != nil {
		return "", err
	}
	if reset {
		stored, err := w.offsets.Offsets(ctx, name)
		if err != nil {
			return "", err
		}
		offsets = offsets[:0]
		for _, o := range stored {
			offsets = append(offsets, herder.PartitionOffset{Partition: o.Partition})
		}
	} else if err := storage.ValidateSourceOffsets(offsets); err != nil {
		return "", err
	}
	full := false
	if a, ok := conn.(connectors.SourceOffsetAlterer); ok {
		req := make([]connectors.SourceOffset, len(offsets))
		for i, o := range offsets {
			req[i] = connectors.SourceOffset{Partition: storage.NormalizeNumbers(maps.Clone(o.Partition)), Offset: storage.NormalizeNumbers(maps.Clone(o.Offset))}
		}
		if full, err = safe.CallMethod(plugin.Class, "AlterOffsets", func() (bool, error) { return a.AlterOffsets(ctx, props, req) }); err != nil {
			return "", alterFailed(name, err)
		}
	}
	put := make([]storage.Offset, len(offsets))
	for i, o := range offsets {
		put[i] = storage.Offset{Partition: o.Partition, Offset: o.Offset}
	}
	if err := w.offsets.Put(ctx, name, put); err != nil {
		return "", fmt.Errorf("write offsets of connector %s: %w", name, err)
	}
	w.logOffsetsChanged(name, len(offsets), reset)
	return offsetsMessage(full, reset), nil
}

// SinkOffsets returns a sink connector's offsets: the committed offsets of
// its consumer group.
func (w *Worker) SinkOffsets(ctx context.Context, name string, raw map[string]string) (offsets []herder.PartitionOffset, err error) {
	// Resolved as a connector's, so that what providers gave is scrubbed
	// from the errors of its admin client.
	_, _, props, err := w.instance(raw)
	if err != nil {
		return nil, err
	}
	err = w.connectorAdmin(ctx, props, func(admin sarama.ClusterAdmin) error {
		group, err := kafka.GroupOffsets(ctx, admin, w.SinkGroupID(name, props))
		offsets = restOffsets(group)
		return err
	})
	return offsets, err
}

// restOffsets converts a sink connector's offsets to the REST entities.
func restOffsets(offsets []kafka.SinkOffset) []herder.PartitionOffset {
	if offsets == nil {
		return nil
	}
	out := make([]herder.PartitionOffset, len(offsets))
	for i, o := range offsets {
		out[i] = herder.PartitionOffset(o)
	}
	return out
}

// requestError answers a sink offset request that runtime/kafka refused
// for what it asks (*kafka.RequestError) with a 400 and Kafka Connect's
// message; other errors are returned as they are.
func requestError(err error) error {
	var re *kafka.RequestError
	if errors.As(err, &re) {
		return herder.BadRequest("%s", re.Message)
	}
	return err
}

// AlterSinkOffsets changes (or with reset, deletes) the committed offsets
// of a stopped sink connector's consumer group, after the connector had
// its say.
func (w *Worker) AlterSinkOffsets(ctx context.Context, name string, raw map[string]string, offsets []herder.PartitionOffset, reset bool) (string, error) {
	conn, plugin, props, err := w.instance(raw)
	if err != nil {
		return "", err
	}
	var full bool
	err = w.connectorAdmin(ctx, props, func(admin sarama.ClusterAdmin) error {
		full, err = w.alterSinkOffsets(ctx, admin, name, conn, plugin, props, offsets, reset)
		return err
	})
	if err != nil {
		return "", err
	}
	w.logOffsetsChanged(name, len(offsets), reset)
	return offsetsMessage(full, reset), nil
}

// logOffsetsChanged logs, once per request, that a connector's offsets
// were reset or altered (n partitions; a sink's reset names none).
func (w *Worker) logOffsetsChanged(name string, n int, reset bool) {
	if reset {
		w.log.Info("Reset offsets of connector "+name, "connector", name)
		return
	}
	w.log.Info("Altered offsets of connector "+name, "connector", name, "partitions", n)
}

// alterSinkOffsets is AlterSinkOffsets with the connector's admin client.
func (w *Worker) alterSinkOffsets(ctx context.Context, admin sarama.ClusterAdmin, name string, conn connectors.Connector, plugin plugins.Plugin,
	props map[string]string, offsets []herder.PartitionOffset, reset bool) (bool, error) {
	var err error
	group := w.SinkGroupID(name, props)
	sink := make([]kafka.SinkOffset, len(offsets))
	for i, o := range offsets {
		sink[i] = kafka.SinkOffset(o)
	}
	if reset {
		if sink, err = kafka.GroupOffsets(ctx, admin, group); err != nil {
			return false, err
		}
		for i := range sink {
			sink[i].Offset = nil
		}
	}
	// A reset of a group with no committed offset (it never consumed, or an
	// earlier reset deleted it) resets nothing and succeeds, as Kafka
	// Connect's does; an alter must name offsets.
	parsed := map[connectors.TopicPartition]*int64{}
	if !reset || len(sink) > 0 {
		if parsed, err = kafka.ParseSinkOffsets(sink); err != nil {
			return false, requestError(err)
		}
	}
	full := false
	if a, ok := conn.(connectors.SinkOffsetAlterer); ok {
		if full, err = safe.CallMethod(plugin.Class, "AlterOffsets", func() (bool, error) { return a.AlterOffsets(ctx, props, parsed) }); err != nil {
			return false, alterFailed(name, err)
		}
	}
	if reset {
		err = kafka.ResetGroupOffsets(ctx, admin, name, group)
	} else {
		err = requestError(kafka.AlterGroupOffsets(ctx, admin, name, group, sink))
	}
	return full, err
}
