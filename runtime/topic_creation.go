package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/internal/javafmt"
	"github.com/sluicehq/sluice/plugins"
	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
	"github.com/sluicehq/sluice/transforms"
)

// Topic creation for source connectors (KIP-158), as Kafka Connect's
// TopicCreationConfig, SourceConnectorConfig and TopicCreationGroup define
// it. A source connector whose configuration has any topic.creation.* key,
// on a worker with topic.creation.enable=true, creates the topics its tasks
// write to: the default group (topic.creation.default.*) then needs its
// replication.factor and partitions, and every group listed in
// topic.creation.groups may narrow the topics it applies to with include
// and exclude regex lists and give its own settings.
const (
	// TopicCreationPrefix starts every topic creation key.
	TopicCreationPrefix = "topic.creation."
	// TopicCreationGroups lists the topic creation groups besides the
	// default one.
	TopicCreationGroups = "topic.creation.groups"
	// TopicCreationDefaultPrefix starts the keys of the default group.
	TopicCreationDefaultPrefix = "topic.creation.default."

	groupTopicCreation   = "Topic Creation"
	defaultCreationGroup = "default"

	creationInclude     = "include"
	creationExclude     = "exclude"
	creationReplication = "replication.factor"
	creationPartitions  = "partitions"
)

// topicCreationGroupsKey is topic.creation.groups, the only topic creation
// key a source connector's framework definition has (order 1 of the group
// "Topic Creation", as in Kafka Connect 4.4): as there, the keys of the
// groups (topic.creation.<group>.*) are read by parseTopicCreation, and
// validate defines none of them either.
func topicCreationGroupsKey() config.Key {
	return config.Key{Name: TopicCreationGroups, Type: config.List, Default: []string{},
		Validator:  config.All(config.NonNull(), uniqueAliases("topic creation group")),
		Importance: config.Low, Group: groupTopicCreation, OrderInGroup: 1, Width: config.WidthLong, DisplayName: "Topic Creation Groups",
		Doc: "Groups of configurations for topics created by source connectors"}
}

// usesTopicCreation is Kafka Connect's rule: a configuration uses topic
// creation when it has any key starting with topic.creation.
func usesTopicCreation(props map[string]string) bool {
	for k := range props {
		if strings.HasPrefix(k, TopicCreationPrefix) {
			return true
		}
	}
	return false
}

// topicGroup is one topic creation group: which topics it applies to and
// how it creates them.
type topicGroup struct {
	name string
	// include and exclude match whole topic names; exclusion wins.
	include, exclude *regexp.Regexp
	// partitions and replication are -1 for the broker's default.
	partitions  int32
	replication int16
	// configs are the topic configs the group gives (cleanup.policy…).
	configs map[string]string
}

// matches reports whether the group applies to topic.
func (g *topicGroup) matches(topic string) bool {
	return !g.exclude.MatchString(topic) && g.include.MatchString(topic)
}

// String describes the group in log lines.
func (g *topicGroup) String() string {
	return fmt.Sprintf("%s (partitions=%d, replication.factor=%d, configs=%s)", g.name, g.partitions, g.replication, javafmt.Map(g.configs))
}

// topicCreation is a source connector's topic creation groups.
type topicCreation struct {
	// groups are the groups of topic.creation.groups, in order, without the
	// default group.
	groups []*topicGroup
	// fallback is the default group, which applies to any topic no other
	// group takes.
	fallback *topicGroup
}

// group returns the group a topic is created with: the first listed group
// that matches it, else the default group (TopicCreation.findFirstGroup).
func (c *topicCreation) group(topic string) *topicGroup {
	for _, g := range c.groups {
		if g.matches(topic) {
			return g
		}
	}
	return c.fallback
}

// creationPartitionsValidator and creationReplicationValidator accept a
// positive number or -1, with TopicCreationConfig's messages.
var (
	creationPartitionsValidator = config.ValidatorFunc(func(name string, value any) error {
		if n, ok := value.(int32); ok && n != -1 && n < 1 {
			return &config.ValueError{Name: name, Value: value, Reason: "Number of partitions must be positive, or -1 to use the broker's default"}
		}
		return nil
	}, "Positive number, or -1 to use the broker's default")
	creationReplicationValidator = config.ValidatorFunc(func(name string, value any) error {
		if n, ok := value.(int16); ok && n != -1 && n < 1 {
			return &config.ValueError{Name: name, Value: value,
				Reason: "Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default"}
		}
		return nil
	}, "Positive number not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default")
	creationRegexValidator = config.ValidatorFunc(func(name string, value any) error {
		l, _ := value.([]string)
		for _, p := range l {
			if _, err := transforms.CompileJavaRegexWhole(p); err != nil {
				return &config.ValueError{Name: name, Value: value, Reason: "Syntax error in regular expression: " + err.Error()}
			}
		}
		return nil
	}, "Positive number, or -1 to use the broker's default") // sic: Kafka Connect's description of its regex validator
)

// creationGroupDef is the definition of a group's keys, prefixed with
// topic.creation.<group>.; replication and partitions are the defaults of
// replication.factor and partitions (nil: required, for the default group).
func creationGroupDef(group string, replication, partitions any) *config.Def {
	listValidator := creationRegexValidator
	var include any = []string{}
	if group == defaultCreationGroup {
		// The default group's include and exclude are not used: it takes
		// every topic no other group does.
		listValidator, include = config.NonNull(), ".*"
		replication, partitions = config.NoDefault, config.NoDefault
	}
	return config.NewDef().Embed(TopicCreationPrefix+group+".", group, 0, config.NewDef().
		Define(config.Key{Name: creationInclude, Type: config.List, Default: include, Validator: listValidator, Importance: config.Low}).
		Define(config.Key{Name: creationExclude, Type: config.List, Default: []string{}, Validator: listValidator, Importance: config.Low}).
		Define(config.Key{Name: creationReplication, Type: config.Short, Default: replication, Validator: creationReplicationValidator, Importance: config.Low}).
		Define(config.Key{Name: creationPartitions, Type: config.Int, Default: partitions, Validator: creationPartitionsValidator, Importance: config.Low}))
}

// parseTopicCreation reads a source connector's topic creation groups, as
// Kafka Connect's SourceConnectorConfig does when the worker enables topic
// creation and the configuration uses it. Problems are returned in a
// *config.Error naming each key, with Kafka Connect's messages; a group
// named default in topic.creation.groups is ignored with a warning, as
// there. log may be nil.
func parseTopicCreation(props map[string]string, log *slog.Logger) (*topicCreation, error) {
	// Unlike Kafka Connect, which stops at the default group's first
	// problem, every problem is reported; groups then inherit -1.
	var problems []config.Problem
	rf, parts := int16(-1), int32(-1)
	dv, err := creationGroupDef(defaultCreationGroup, nil, nil).Parse(props)
	var ce *config.Error
	switch {
	case errors.As(err, &ce):
		problems = append(problems, ce.Problems...)
	case err != nil:
		return nil, err
	default:
		rf, parts = dv.Short(TopicCreationDefaultPrefix+creationReplication), int32(dv.Int(TopicCreationDefaultPrefix+creationPartitions))
	}
	var names []string
	listed := map[string]bool{defaultCreationGroup: true}
	for _, g := range splitList(props[TopicCreationGroups]) {
		if g == defaultCreationGroup {
			if log != nil {
				log.Warn("'default' topic creation group always exists and does not need to be listed explicitly")
			}
			continue
		}
		if !listed[g] {
			listed[g] = true
			names = append(names, g)
		}
	}
	configs := groupConfigs(props, listed)
	tc := &topicCreation{fallback: &topicGroup{name: defaultCreationGroup, include: regexp.MustCompile(`\A(?s:.*)\z`),
		exclude: regexp.MustCompile(`\A\z`), partitions: parts, replication: rf,
		configs: configs[defaultCreationGroup]}}
	for _, name := range names {
		prefix := TopicCreationPrefix + name + "."
		// Only the group's own keys are parsed: a configuration with
		// thousands of groups costs time in proportion to its size.
		own := map[string]string{}
		for _, k := range []string{creationInclude, creationExclude, creationReplication, creationPartitions} {
			if v, ok := props[prefix+k]; ok {
				own[prefix+k] = v
			}
		}
		v, err := creationGroupDef(name, rf, parts).Parse(own)
		if err != nil {
			if errors.As(err, &ce) {
				problems = append(problems, ce.Problems...)
				continue
			}
			return nil, err
		}
		g := &topicGroup{name: name, partitions: int32(v.Int(prefix + creationPartitions)), replication: v.Short(prefix + creationReplication),
			configs: configs[name]}
		if g.include, err = wholeOf(v.List(prefix + creationInclude)); err == nil {
			g.exclude, err = wholeOf(v.List(prefix + creationExclude))
		}
		if err != nil {
			problems = append(problems, config.Problem{Key: prefix + creationInclude, Message: err.Error()})
			continue
		}
		tc.groups = append(tc.groups, g)
	}
	if len(problems) > 0 {
		return nil, &config.Error{Problems: problems}
	}
	return tc, nil
}

// wholeOf compiles a regex list as Kafka Connect does (joined with '|'),
// matching whole topic names.
func wholeOf(patterns []string) (*regexp.Regexp, error) {
	re, err := transforms.CompileJavaRegexWhole(strings.Join(patterns, "|"))
	if err != nil {
		return nil, fmt.Errorf("Syntax error in regular expression: %w", err)
	}
	return re, nil
}

// groupConfigs returns the topic configs of each group in groups: its
// keys other than include, exclude, replication.factor and partitions,
// prefix stripped (SourceConnectorConfig.topicCreationOtherConfigs). As
// there, a key belongs to every group whose prefix it has (with groups a
// and a.b, topic.creation.a.b.c is config b.c of a and c of a.b). It
// reads each key once, whatever the number of groups.
func groupConfigs(props map[string]string, groups map[string]bool) map[string]map[string]string {
	out := make(map[string]map[string]string, len(groups))
	for g := range groups {
		out[g] = map[string]string{}
	}
	for k, v := range props {
		rest, ok := strings.CutPrefix(k, TopicCreationPrefix)
		if !ok {
			continue
		}
		for i := strings.IndexByte(rest, '.'); i >= 0; {
			group, name := rest[:i], rest[i+1:]
			switch name {
			case "", creationInclude, creationExclude, creationReplication, creationPartitions:
			default:
				if cfgs, ok := out[group]; ok {
					cfgs[name] = v
				}
			}
			j := strings.IndexByte(rest[i+1:], '.')
			if j < 0 {
				break
			}
			i += j + 1
		}
	}
	return out
}

// sourceTopics makes sure that the topics a source task writes to exist,
// before its first record to each (AbstractWorkerSourceTask.maybeCreateTopic):
// a topic the task has not seen is looked up with the admin client; a
// missing one is created with its topic creation group's settings when
// the task may create topics. When it may not, the task waits up to
// maxBlock (the producer's max.block.ms) for the topic to appear (created
// by hand, or by the broker's automatic creation, which the lookup asks
// for as the producer would) and then fails saying how to fix it, instead
// of waiting for ever in the producer's metadata retries.
//
// It is used by the task's poll goroutine only. A topic already seen costs
// one string comparison (the same topic as the previous record) or one map
// lookup; no Kafka request is made for it again.
type sourceTopics struct {
	// creation is the connector's topic creation groups; nil when the task
	// may not create topics, for the reason whyNot.
	creation *topicCreation
	whyNot   string
	// admin calls f with the connector's admin client.
	admin    func(ctx context.Context, f func(sarama.ClusterAdmin) error) error
	maxBlock time.Duration
	log      *slog.Logger
	watch    *kafka.Watch // the task's, set when it runs
	// state, the task's, set when it runs, makes a paused task's wait for
	// a missing topic report PAUSED and not run out: a pause must not fail
	// the task.
	state *taskState
	// broker, set when the task's producer exists, gives a broker of the
	// producer's client: a task that may not create topics asks for a
	// topic's metadata as its producer would, with the producer's settings
	// (it needs no admin client, as in Kafka Connect, whose source tasks
	// have one only when they create topics).
	broker func() (*sarama.Broker, error)

	last  string
	known map[string]struct{}
}

// ensure returns once topic exists (or is being created by the broker),
// creating it if the task may; gone ends the wait when the task must stop.
func (s *sourceTopics) ensure(ctx context.Context, gone context.Context, topic string) error {
	if s == nil || topic == s.last {
		return nil
	}
	if _, ok := s.known[topic]; ok {
		s.last = topic
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(gone, cancel)()
	if err := s.check(ctx, topic); err != nil {
		return err
	}
	if s.known == nil {
		s.known = map[string]struct{}{}
	}
	s.known[topic] = struct{}{}
	s.last = topic
	return nil
}

// topicState is what a lookup found of a topic.
type topicState int

const (
	topicMissing topicState = iota
	topicExists
	topicUnknown // the lookup was not authorized
)

func (s *sourceTopics) check(ctx context.Context, topic string) error {
	if s.creation == nil {
		// Only a wait for a missing topic, through the producer's client.
		return s.awaitTopic(ctx, topic)
	}
	s.log.Info(fmt.Sprintf("The task will send records to topic '%s' for the first time. Checking whether topic exists", topic))
	state, err := s.lookup(ctx, topic)
	if err != nil {
		return err
	}
	if state == topicExists {
		s.log.Info(fmt.Sprintf("Topic '%s' already exists.", topic))
		return nil
	}
	// Missing, or not authorized to describe it (the creation will tell).
	return s.create(ctx, topic)
}

// lookup describes topic, waiting out retriable failures (the task's
// status says it waits for Kafka).
func (s *sourceTopics) lookup(ctx context.Context, topic string) (topicState, error) {
	state := topicExists
	err := kafka.RetryWatched(ctx, s.watch, "describe topic "+topic, func() error {
		return s.admin(ctx, func(a sarama.ClusterAdmin) error {
			md, err := a.DescribeTopics([]string{topic})
			if err != nil {
				return err
			}
			for _, m := range md {
				if m.Name != topic {
					continue
				}
				switch {
				case errors.Is(m.Err, sarama.ErrUnknownTopicOrPartition):
					state = topicMissing
				case errors.Is(m.Err, sarama.ErrTopicAuthorizationFailed):
					state = topicUnknown
				default:
					// Found, perhaps without a leader yet: the producer
					// waits for that.
					state = topicExists
				}
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, err)
	}
	return state, nil
}

// create creates a missing topic with the settings of its group; another
// worker creating it at the same moment is fine.
func (s *sourceTopics) create(ctx context.Context, topic string) error {
	s.log.Info(fmt.Sprintf("Creating topic '%s'", topic))
	g := s.creation.group(topic)
	s.log.Debug(fmt.Sprintf("Topic '%s' matched topic creation group: %s", topic, g))
	configs := make(map[string]*string, len(g.configs))
	for k, v := range g.configs {
		configs[k] = &v
	}
	var exists bool
	err := kafka.RetryWatched(ctx, s.watch, "create topic "+topic, func() error {
		return s.admin(ctx, func(a sarama.ClusterAdmin) error {
			err := a.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: g.partitions, ReplicationFactor: g.replication, ConfigEntries: configs}, false)
			if errors.Is(err, sarama.ErrTopicAlreadyExists) {
				exists = true
				return nil
			}
			return err
		})
	})
	switch {
	case err != nil:
		return fmt.Errorf("Task failed to create new topic %s with topic creation group %s: %w. Ensure that the task is authorized to create topics or that the topic exists and restart the task", topic, g, err)
	case exists:
		s.log.Info(fmt.Sprintf("Found existing topic '%s'", topic))
	default:
		s.log.Info(fmt.Sprintf("Created topic '%s' using creation group %s", topic, g))
	}
	return nil
}

// awaitTopic waits up to maxBlock for a missing topic the task may not
// create to appear. Its metadata is asked for as the producer asks,
// allowing the broker to create it (auto.create.topics.enable).
func (s *sourceTopics) awaitTopic(ctx context.Context, topic string) error {
	for {
		var pauses <-chan struct{}
		if s.state != nil {
			// Paused: wait for the resume, then for max.block.ms again.
			if err := s.state.awaitRunnable(ctx, nil); err != nil {
				return fmt.Errorf("wait for topic %s: %w", topic, err)
			}
			var paused bool
			if paused, pauses = s.state.paused(); paused {
				continue // paused again meanwhile
			}
		}
		wctx, cancel := context.WithTimeout(ctx, s.maxBlock)
		if pauses != nil {
			go func() {
				select {
				case <-pauses:
					cancel()
				case <-wctx.Done():
				}
			}()
		}
		err := kafka.RetryWatched(wctx, s.watch, "topic "+topic+", which does not exist", func() error {
			return s.withBroker(wctx, func(b *sarama.Broker) error {
				req := sarama.NewMetadataRequest(kafka.Version, []string{topic})
				req.AllowAutoTopicCreation = true
				md, err := b.GetMetadata(req)
				if err != nil {
					return err
				}
				for _, m := range md.Topics {
					if m.Name == topic && !errors.Is(m.Err, sarama.ErrUnknownTopicOrPartition) {
						return nil // there, or being created
					}
				}
				return sarama.ErrUnknownTopicOrPartition
			})
		})
		cancel()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("wait for topic %s: %w", topic, err)
		case pauses != nil && isClosed(pauses):
			continue // paused (or resumed) while waiting: not a failure
		case errors.Is(err, sarama.ErrUnknownTopicOrPartition):
			return fmt.Errorf("Topic '%s' does not exist, the broker did not create it, and this task may not create it: %s. "+
				"It did not appear within %v (max.block.ms). Create the topic, or let the connector create it: "+
				"set %sreplication.factor and %spartitions in the connector configuration%s",
				topic, s.whyNot, s.maxBlock, TopicCreationDefaultPrefix, TopicCreationDefaultPrefix, s.enableHint())
		case !errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("wait for topic %s: %w", topic, err)
		}
		// Kafka could not be reached when the time was up: an outage is
		// waited out, as the producer does, and the topic waited for again.
	}
}

// withBroker calls f with a broker of the producer's client (broker), or,
// before the producer exists (tests), the admin client's controller.
func (s *sourceTopics) withBroker(ctx context.Context, f func(*sarama.Broker) error) error {
	if s.broker != nil {
		b, err := s.broker()
		if err != nil {
			return err
		}
		return f(b)
	}
	return s.admin(ctx, func(a sarama.ClusterAdmin) error {
		b, err := a.Controller()
		if err != nil {
			return err
		}
		return f(b)
	})
}

// enableHint completes the failure message when the worker forbids topic
// creation.
func (s *sourceTopics) enableHint() string {
	if s.whyNot == whyNotWorker {
		return ", and set " + TopicCreationEnable + "=true in the worker configuration"
	}
	return ""
}

// Why a source task may not create topics.
const (
	whyNotWorker    = "the worker's " + TopicCreationEnable + " is false"
	whyNotConnector = "the connector configuration has no " + TopicCreationPrefix + "* keys"
)

// checkTopicCreation reports the errors of a source connector's topic
// creation keys on their entries of a validate answer, and returns how
// many. Kafka Connect finds them only when the connector starts, and fails
// it; sluice refuses the configuration instead (a 400 on create or
// update). A key that is missing (the default group's replication.factor
// or partitions) gets an entry of its own. Nothing is checked when the
// worker does not enable topic creation or the configuration does not use
// it, as Kafka Connect then ignores those keys.
func (w *Worker) checkTopicCreation(kind plugins.Kind, raw map[string]string, infos *herder.ConfigInfos) int {
	if kind != plugins.Source || !w.cfg.TopicCreation || !usesTopicCreation(raw) {
		return 0
	}
	props, _, secrets := resolveEach(w.cfg.Providers, raw)
	_, err := parseTopicCreation(props, nil)
	var ce *config.Error
	if !errors.As(err, &ce) {
		return 0
	}
	for _, p := range ce.Problems {
		msg := secrets.String(p.Message)
		i := slices.IndexFunc(infos.Configs, func(c herder.ConfigInfo) bool { return c.Value != nil && c.Value.Name == p.Key })
		if i < 0 {
			infos.Configs = append(infos.Configs, herder.ConfigInfo{Value: &herder.ConfigValueInfo{Name: p.Key,
				RecommendedValues: []string{}, Errors: []string{msg}, Visible: true}})
			continue
		}
		infos.Configs[i].Value.Errors = append(infos.Configs[i].Value.Errors, msg)
	}
	return len(ce.Problems)
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
