package kafka

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/IBM/sarama"
)

// stubAdmin answers the admin calls the group offset functions make; any
// other call panics on the nil embedded interface.
type stubAdmin struct {
	sarama.ClusterAdmin
	list     *sarama.OffsetFetchResponse
	listErr  error
	describe []*sarama.GroupDescription
	commit   *sarama.OffsetCommitResponse
	delErr   error
	dropErr  error
	commits  int

	describeErr error
}

func (s *stubAdmin) ListConsumerGroupOffsets(string, map[string][]int32) (*sarama.OffsetFetchResponse, error) {
	return s.list, s.listErr
}

func (s *stubAdmin) DescribeConsumerGroups(groups []string) ([]*sarama.GroupDescription, error) {
	return s.describe, nil
}

func (s *stubAdmin) AlterConsumerGroupOffsets(string, map[string]map[int32]sarama.OffsetAndMetadata, *sarama.AlterConsumerGroupOffsetsOptions) (*sarama.OffsetCommitResponse, error) {
	s.commits++
	return s.commit, nil
}

func (s *stubAdmin) DeleteConsumerGroupOffset(string, string, int32) error { return s.delErr }

// DescribeTopics knows topic a with partitions 0 to 2 and topic b with
// partition 0, and the error describeErr.
func (s *stubAdmin) DescribeTopics(topics []string) ([]*sarama.TopicMetadata, error) {
	if s.describeErr != nil {
		return nil, s.describeErr
	}
	known := map[string]int{"a": 3, "b": 1}
	var out []*sarama.TopicMetadata
	for _, t := range topics {
		m := &sarama.TopicMetadata{Name: t, Err: sarama.ErrUnknownTopicOrPartition}
		if n, ok := known[t]; ok {
			m.Err = sarama.ErrNoError
			for p := range n {
				m.Partitions = append(m.Partitions, &sarama.PartitionMetadata{ID: int32(p)})
			}
		}
		out = append(out, m)
	}
	return out, nil
}

func (s *stubAdmin) DeleteConsumerGroup(string) error { return s.dropErr }

func TestGroupOffsetsErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("partition error", func(t *testing.T) {
		resp := &sarama.OffsetFetchResponse{Version: 7}
		resp.AddBlock("t", 1, &sarama.OffsetFetchResponseBlock{Offset: -1, Err: sarama.ErrUnstableOffsetCommit})
		_, err := GroupOffsets(ctx, &stubAdmin{list: resp}, "g")
		if !errors.Is(err, sarama.ErrUnstableOffsetCommit) || !strings.Contains(err.Error(), "topic t partition 1") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("group error in a version 8 answer", func(t *testing.T) {
		resp := &sarama.OffsetFetchResponse{Version: 8, Groups: []sarama.OffsetFetchResponseGroup{{GroupId: "g", Err: sarama.ErrGroupAuthorizationFailed}}}
		if _, err := GroupOffsets(ctx, &stubAdmin{list: resp}, "g"); !errors.Is(err, sarama.ErrGroupAuthorizationFailed) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("unknown group", func(t *testing.T) {
		got, err := GroupOffsets(ctx, &stubAdmin{listErr: sarama.ErrGroupIDNotFound}, "g")
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want an empty list", got, err)
		}
	})
	t.Run("no committed offset", func(t *testing.T) {
		resp := &sarama.OffsetFetchResponse{Version: 7}
		resp.AddBlock("t", 0, &sarama.OffsetFetchResponseBlock{Offset: -1, Err: sarama.ErrNoError})
		got, err := GroupOffsets(ctx, &stubAdmin{list: resp}, "g")
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}

func TestAlterGroupOffsetsErrors(t *testing.T) {
	ctx := context.Background()
	body := `{"offsets":[{"partition":{"kafka_topic":"b","kafka_partition":0},"offset":{"kafka_offset":1}},` +
		`{"partition":{"kafka_topic":"a","kafka_partition":1},"offset":{"kafka_offset":1}},` +
		`{"partition":{"kafka_topic":"a","kafka_partition":2},"offset":null}]}`
	idle := []*sarama.GroupDescription{{GroupId: "g", State: "Empty", Err: sarama.ErrNoError}}
	ok := &sarama.OffsetCommitResponse{}
	ok.AddError("a", 1, sarama.ErrNoError)
	ok.AddError("b", 0, sarama.ErrNoError)

	for _, tc := range []struct {
		name   string
		body   string // default body
		admin  *stubAdmin
		want   string
		is     error
		active bool
		status int  // of an error; default 500
		early  bool // refused before anything was committed
	}{
		{name: "committed and deleted", admin: &stubAdmin{describe: idle, commit: ok}},
		{name: "deleting from an unknown group", admin: &stubAdmin{describe: idle, commit: ok, delErr: sarama.ErrGroupIDNotFound}},
		{name: "unknown group described", admin: &stubAdmin{describe: []*sarama.GroupDescription{{GroupId: "g", Err: sarama.ErrGroupIDNotFound}}, commit: ok}},
		{name: "dead group", admin: &stubAdmin{describe: []*sarama.GroupDescription{{GroupId: "g", State: "Dead", Err: sarama.ErrNoError}}, commit: ok}},
		{name: "rebalancing group", admin: &stubAdmin{describe: []*sarama.GroupDescription{{GroupId: "g", State: "PreparingRebalance", Err: sarama.ErrNoError}}},
			want: "Failed to alter consumer group offsets for connector c either because", active: true},
		{name: "describe error", admin: &stubAdmin{describe: []*sarama.GroupDescription{{GroupId: "g", Err: sarama.ErrGroupAuthorizationFailed}}},
			want: "Failed to alter consumer group offsets for connector c: describe consumer group g: ", is: sarama.ErrGroupAuthorizationFailed},
		{name: "partition error in the commit answer", admin: &stubAdmin{describe: idle, commit: func() *sarama.OffsetCommitResponse {
			r := &sarama.OffsetCommitResponse{}
			r.AddError("b", 0, sarama.ErrOffsetMetadataTooLarge)
			r.AddError("a", 1, sarama.ErrUnknownTopicOrPartition)
			return r
		}()}, want: "Failed to alter consumer group offsets for connector c: topic 'a' partition 1 does not exist", status: http.StatusBadRequest},
		{name: "partition error in the commit answer, not a client's", admin: &stubAdmin{describe: idle, commit: func() *sarama.OffsetCommitResponse {
			r := &sarama.OffsetCommitResponse{}
			r.AddError("b", 0, sarama.ErrOffsetMetadataTooLarge)
			r.AddError("a", 1, sarama.ErrNoError)
			return r
		}()}, want: "Failed to alter consumer group offsets for connector c: topic b partition 0: ", is: sarama.ErrOffsetMetadataTooLarge},
		{name: "unknown topic", admin: &stubAdmin{describe: idle, commit: ok},
			body: `{"offsets":[{"partition":{"kafka_topic":"a","kafka_partition":0},"offset":{"kafka_offset":1}},{"partition":{"kafka_topic":"nope","kafka_partition":0},"offset":{"kafka_offset":1}}]}`,
			want: "Failed to alter consumer group offsets for connector c: topic 'nope' does not exist", status: http.StatusBadRequest, early: true},
		{name: "unknown partition", admin: &stubAdmin{describe: idle, commit: ok},
			body: `{"offsets":[{"partition":{"kafka_topic":"a","kafka_partition":3},"offset":null}]}`,
			want: "Failed to alter consumer group offsets for connector c: topic 'a' has no partition 3 (it has 3 partitions, numbered from 0)", status: http.StatusBadRequest, early: true},
		{name: "invalid topic name", admin: &stubAdmin{describe: idle, commit: ok},
			body: `{"offsets":[{"partition":{"kafka_topic":"bad topic","kafka_partition":0},"offset":{"kafka_offset":1}}]}`,
			want: "Failed to alter consumer group offsets for connector c: Topic name is invalid: 'bad topic' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'", status: http.StatusBadRequest, early: true},
		{name: "topics not described", admin: &stubAdmin{describe: idle, commit: ok, describeErr: sarama.ErrOutOfBrokers},
			want: "Failed to alter consumer group offsets for connector c: describe topics [a b]: ", is: sarama.ErrOutOfBrokers, early: true},
		{name: "deleted meanwhile", admin: &stubAdmin{describe: idle, commit: ok, delErr: sarama.ErrUnknownTopicOrPartition},
			want: "Failed to alter consumer group offsets for connector c: topic 'a' partition 2 does not exist", status: http.StatusBadRequest},
		{name: "member error in the commit answer", admin: &stubAdmin{describe: idle, commit: func() *sarama.OffsetCommitResponse {
			r := &sarama.OffsetCommitResponse{}
			r.AddError("a", 1, sarama.ErrNoError)
			r.AddError("b", 0, sarama.ErrIllegalGeneration)
			return r
		}()}, want: "Failed to alter consumer group offsets for connector c either because", is: sarama.ErrIllegalGeneration, active: true},
		{name: "delete refused", admin: &stubAdmin{describe: idle, commit: ok, delErr: sarama.ErrGroupSubscribedToTopic},
			want: "Failed to alter consumer group offsets for connector c either because", is: sarama.ErrGroupSubscribedToTopic, active: true},
		{name: "delete failed", admin: &stubAdmin{describe: idle, commit: ok, delErr: sarama.ErrGroupAuthorizationFailed},
			want: "Failed to alter consumer group offsets for connector c: delete offset of topic a partition 2: ", is: sarama.ErrGroupAuthorizationFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := body
			if tc.body != "" {
				b = tc.body
			}
			err := AlterGroupOffsets(ctx, tc.admin, "c", "g", sinkOffsets(t, b))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tc.admin.commits != 1 {
					t.Fatalf("%d commits, want 1", tc.admin.commits)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant one starting %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error does not match %v", tc.is)
			}
			if errors.Is(err, ErrGroupActive) != tc.active {
				t.Fatalf("errors.Is(err, ErrGroupActive) = %v", !tc.active)
			}
			status := tc.status
			if status == 0 {
				status = http.StatusInternalServerError
			}
			if code := statusOf(err); code != status {
				t.Fatalf("status %d, want %d", code, status)
			}
			if tc.early && tc.admin.commits != 0 {
				t.Fatalf("%d commits after a refusal", tc.admin.commits)
			}
		})
	}
}

func TestResetGroupOffsetsErrors(t *testing.T) {
	ctx := context.Background()
	if err := ResetGroupOffsets(ctx, &stubAdmin{dropErr: sarama.ErrGroupIDNotFound}, "c", "g"); err != nil {
		t.Fatalf("unknown group: %v", err)
	}
	err := ResetGroupOffsets(ctx, &stubAdmin{dropErr: sarama.ErrGroupAuthorizationFailed}, "c", "g")
	if err == nil || !strings.HasPrefix(err.Error(), "Failed to reset consumer group offsets for sink connector c: ") ||
		!errors.Is(err, sarama.ErrGroupAuthorizationFailed) || errors.Is(err, ErrGroupActive) {
		t.Fatalf("error %v", err)
	}
}
