package distributed

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/runtime"
	"github.com/sluicehq/sluice/runtime/herder"
)

// Distributed worker configuration keys, as Kafka Connect's
// DistributedConfig names them.
const (
	GroupID                  = "group.id"
	ConfigTopic              = "config.storage.topic"
	ConfigTopicRF            = "config.storage.replication.factor"
	OffsetTopic              = "offset.storage.topic"
	OffsetTopicRF            = "offset.storage.replication.factor"
	OffsetTopicPartitions    = "offset.storage.partitions"
	StatusTopic              = "status.storage.topic"
	StatusTopicRF            = "status.storage.replication.factor"
	StatusTopicPartitions    = "status.storage.partitions"
	SessionTimeout           = "session.timeout.ms"
	HeartbeatInterval        = "heartbeat.interval.ms"
	RebalanceTimeout         = "rebalance.timeout.ms"
	ScheduledRebalanceDelay  = "scheduled.rebalance.max.delay.ms"
	ConnectProtocol          = "connect.protocol"
	WorkerSyncTimeout        = "worker.sync.timeout.ms"
	WorkerUnsyncBackoff      = "worker.unsync.backoff.ms"
	KeyGenerationAlgorithm   = "inter.worker.key.generation.algorithm"
	KeySize                  = "inter.worker.key.size"
	KeyTTL                   = "inter.worker.key.ttl.ms"
	SignatureAlgorithm       = "inter.worker.signature.algorithm"
	VerificationAlgorithms   = "inter.worker.verification.algorithms"
	ExactlyOnceSourceSupport = "exactly.once.source.support"
	groupDistributed         = "Distributed"
)

// macAlgorithms are the inter.worker algorithm names sluice accepts.
var macAlgorithms = []string{"HmacSHA1", "HmacSHA224", "HmacSHA256", "HmacSHA384", "HmacSHA512"}

// partitionsOrDefault accepts a positive count or -1 (the broker's default).
var partitionsOrDefault = config.ValidatorFunc(func(_ string, v any) error {
	if n, ok := v.(int32); ok && (n >= 1 || n == -1) {
		return nil
	}
	return fmt.Errorf("Number of partitions must be a positive integer, or -1 to use the broker's default")
}, "Positive number, or -1 to use the broker's default")

var replicationOrDefault = config.ValidatorFunc(func(_ string, v any) error {
	if n, ok := v.(int16); ok && (n >= 1 || n == -1) {
		return nil
	}
	return fmt.Errorf("Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default")
}, "Positive number not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default")

// Def is the definition of the keys distributed mode adds to
// runtime.WorkerDef, with Kafka Connect's defaults.
func Def() *config.Def {
	d := config.NewDef()
	str := func(name, def, doc string) {
		d.Define(config.Key{Name: name, Type: config.String, Default: def, Importance: config.High, Group: groupDistributed, Doc: doc})
	}
	required := func(name, doc string) {
		d.Define(config.Key{Name: name, Type: config.String, Default: config.NoDefault, Validator: config.NonEmptyString(), Importance: config.High, Group: groupDistributed, Doc: doc})
	}
	ms := func(name string, def int64, min int64, imp config.Importance, doc string) {
		d.Define(config.Key{Name: name, Type: config.Int, Default: int32(def), Validator: config.AtLeast(int32(min)), Importance: imp, Group: groupDistributed, Doc: doc})
	}
	required(GroupID, "A unique string that identifies the Connect cluster group this worker belongs to.")
	required(ConfigTopic, "The name of the Kafka topic where connector configurations are stored (one partition, compacted).")
	required(OffsetTopic, "The name of the Kafka topic where source connector offsets are stored (compacted).")
	required(StatusTopic, "The name of the Kafka topic where connector and task status are stored (compacted).")
	for _, k := range []string{ConfigTopicRF, OffsetTopicRF, StatusTopicRF} {
		d.Define(config.Key{Name: k, Type: config.Short, Default: int16(3), Validator: replicationOrDefault, Importance: config.Low, Group: groupDistributed,
			Doc: "Replication factor used when creating the topic; -1 uses the broker's default."})
	}
	d.Define(config.Key{Name: OffsetTopicPartitions, Type: config.Int, Default: int32(25), Validator: partitionsOrDefault, Importance: config.Low, Group: groupDistributed,
		Doc: "The number of partitions used when creating the offset storage topic; -1 uses the broker's default."})
	d.Define(config.Key{Name: StatusTopicPartitions, Type: config.Int, Default: int32(5), Validator: partitionsOrDefault, Importance: config.Low, Group: groupDistributed,
		Doc: "The number of partitions used when creating the status storage topic; -1 uses the broker's default."})
	ms(SessionTimeout, 10000, 1, config.High, "The timeout used to detect worker failures: the worker heartbeats to the group coordinator, and is removed from the group when no heartbeat arrives before this expires.")
	ms(HeartbeatInterval, 3000, 1, config.High, "The expected time between heartbeats to the group coordinator. Must be lower than session.timeout.ms, typically no more than a third of it.")
	ms(RebalanceTimeout, 60000, 1, config.High, "The maximum time each worker may take to join the group once a rebalance has begun.")
	ms(ScheduledRebalanceDelay, 300000, 0, config.Low, "The maximum delay scheduled in order to wait for the return of one or more departed workers before rebalancing and reassigning their connectors and tasks to the group. 0 reassigns them at once.")
	ms(WorkerSyncTimeout, 3000, 1, config.Medium, "When the worker is out of sync with other workers and needs to resynchronize configurations, wait up to this long before giving up, leaving the group, and waiting a backoff period before rejoining.")
	ms(WorkerUnsyncBackoff, 300000, 0, config.Medium, "When the worker is out of sync with other workers and fails to catch up within worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining.")
	d.Define(config.Key{Name: ConnectProtocol, Type: config.String, Default: "sessioned", Validator: config.ValidString("eager", "compatible", "sessioned"), Importance: config.Low, Group: groupDistributed,
		Doc: "Compatibility mode for the Connect cluster protocol: eager (stop-the-world rebalances), compatible (incremental cooperative) or sessioned (incremental cooperative with signed internal requests)."})
	str(KeyGenerationAlgorithm, "HmacSHA256", "The algorithm used to generate session keys for internal requests (HMAC algorithms: HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, HmacSHA512).")
	d.Define(config.Key{Name: KeySize, Type: config.Int, Default: nil, Importance: config.Low, Group: groupDistributed,
		Doc: "The size of the key used to sign internal requests, in bits. Unset: 256 bits."})
	d.Define(config.Key{Name: KeyTTL, Type: config.Long, Default: int64(3600000), Validator: config.AtLeast(int64(1)), Importance: config.Low, Group: groupDistributed,
		Doc: "The TTL of generated session keys used for internal request validation, in milliseconds."})
	str(SignatureAlgorithm, "HmacSHA256", "The algorithm used to sign internal requests; it must be one of inter.worker.verification.algorithms.")
	d.Define(config.Key{Name: VerificationAlgorithms, Type: config.List, Default: "HmacSHA256", Validator: config.ValidList(macAlgorithms...), Importance: config.Low, Group: groupDistributed,
		Doc: "A list of permitted algorithms for verifying internal requests; it must include inter.worker.signature.algorithm."})
	d.Define(config.Key{Name: ExactlyOnceSourceSupport, Type: config.String, Default: "disabled", Validator: config.ValidString("disabled", "preparing", "enabled"), Importance: config.High, Group: groupDistributed,
		Doc: "Whether to enable exactly-once support for source connectors. sluice supports only disabled so far."})
	return d
}

// Config is a parsed distributed worker configuration.
type Config struct {
	*runtime.WorkerConfig
	GroupID                            string
	ConfigTopic, OffsetTopic           string
	StatusTopic                        string
	ConfigRF, OffsetRF, StatusRF       int16
	OffsetPartitions, StatusPartitions int32
	SessionTimeout, HeartbeatInterval  time.Duration
	RebalanceTimeout                   time.Duration
	MaxDelay                           time.Duration
	SyncTimeout, UnsyncBackoff         time.Duration
	Protocol                           string
	KeyAlgorithm                       string
	KeySize                            int // bits
	KeyTTL                             time.Duration
	SignatureAlgorithm                 string
	VerificationAlgorithms             []string
	// URL is the REST URL this worker advertises to the others.
	URL string
}

// ParseConfig parses and validates a distributed worker configuration; an
// error names every key that is missing or malformed.
func ParseConfig(props map[string]string, log *slog.Logger) (*Config, error) {
	wc, err := runtime.ParseWorkerConfig(props, log, Def())
	if err != nil {
		return nil, err
	}
	v := wc.Values
	ms := func(k string) time.Duration { return time.Duration(v.Int(k)) * time.Millisecond }
	c := &Config{WorkerConfig: wc,
		GroupID: strings.TrimSpace(v.String(GroupID)), ConfigTopic: strings.TrimSpace(v.String(ConfigTopic)),
		OffsetTopic: strings.TrimSpace(v.String(OffsetTopic)), StatusTopic: strings.TrimSpace(v.String(StatusTopic)),
		ConfigRF: v.Short(ConfigTopicRF), OffsetRF: v.Short(OffsetTopicRF), StatusRF: v.Short(StatusTopicRF),
		OffsetPartitions: int32(v.Int(OffsetTopicPartitions)), StatusPartitions: int32(v.Int(StatusTopicPartitions)),
		SessionTimeout: ms(SessionTimeout), HeartbeatInterval: ms(HeartbeatInterval), RebalanceTimeout: ms(RebalanceTimeout),
		MaxDelay: ms(ScheduledRebalanceDelay), SyncTimeout: ms(WorkerSyncTimeout), UnsyncBackoff: ms(WorkerUnsyncBackoff),
		Protocol: v.String(ConnectProtocol), KeyAlgorithm: v.String(KeyGenerationAlgorithm), KeySize: 256,
		KeyTTL: time.Duration(v.Long(KeyTTL)) * time.Millisecond, SignatureAlgorithm: v.String(SignatureAlgorithm),
		VerificationAlgorithms: v.List(VerificationAlgorithms)}
	var problems []config.Problem
	bad := func(key, format string, args ...any) {
		problems = append(problems, config.Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	if n, ok := v.Get(KeySize).(int32); ok {
		if n < 8 || n%8 != 0 {
			bad(KeySize, "Invalid value %d for configuration %s: must be a positive multiple of 8 bits", n, KeySize)
		}
		c.KeySize = int(n)
	}
	for _, k := range []string{KeyGenerationAlgorithm, SignatureAlgorithm} {
		if !herder.SupportedSignatureAlgorithm(v.String(k)) {
			bad(k, "Invalid value %s for configuration %s: must be one of %s", v.String(k), k, strings.Join(macAlgorithms, ", "))
		}
	}
	if !containsString(c.VerificationAlgorithms, c.SignatureAlgorithm) {
		bad(SignatureAlgorithm, "Invalid value %s for configuration %s: Signature algorithm must be present in %s list", c.SignatureAlgorithm, SignatureAlgorithm, VerificationAlgorithms)
	}
	if c.HeartbeatInterval >= c.SessionTimeout {
		bad(HeartbeatInterval, "Invalid value %d for configuration %s: must be lower than %s (%d)", c.HeartbeatInterval.Milliseconds(), HeartbeatInterval, SessionTimeout, c.SessionTimeout.Milliseconds())
	}
	if s := v.String(ExactlyOnceSourceSupport); s != "disabled" {
		bad(ExactlyOnceSourceSupport, "Invalid value %s for configuration %s: sluice does not support exactly-once source connectors yet; use disabled", s, ExactlyOnceSourceSupport)
	}
	for _, k := range []string{ConfigTopic, OffsetTopic, StatusTopic} {
		for _, o := range []string{ConfigTopic, OffsetTopic, StatusTopic} {
			if k < o && v.String(k) == v.String(o) {
				bad(o, "Invalid value %s for configuration %s: %s and %s must name different topics", v.String(o), o, k, o)
			}
		}
	}
	if len(problems) > 0 {
		return nil, &config.Error{Problems: problems}
	}
	c.URL = wc.AdvertisedURL()
	return c, nil
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
