package wire

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/sluicehq/sluice/config"
	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/plugins/external/internal/pb"
	"github.com/sluicehq/sluice/schemas"
)

// ErrorInfo describes err with its class: retriable, data error.
func ErrorInfo(err error) *pb.ErrorInfo {
	var de *schemas.DataError
	return &pb.ErrorInfo{Message: err.Error(), Retriable: connectors.IsRetriable(err), Data: errors.As(err, &de)}
}

// FromErrorInfo rebuilds an error of the class m describes.
func FromErrorInfo(m *pb.ErrorInfo) error {
	if m == nil {
		return errors.New("unknown error")
	}
	var err error
	if m.Data {
		err = schemas.DataErrorf("%s", m.Message)
	} else {
		err = errors.New(m.Message)
	}
	if m.Retriable {
		err = connectors.Retriable(err)
	}
	return err
}

// Status turns an error returned by connector code into a gRPC status
// error that carries its class; nil stays nil.
func Status(err error) error {
	if err == nil {
		return nil
	}
	st, derr := status.New(codes.Unknown, err.Error()).WithDetails(protoadapt.MessageV1Of(ErrorInfo(err)))
	if derr != nil {
		return status.Error(codes.Unknown, err.Error())
	}
	return st.Err()
}

// FromStatus returns the error connector code returned on the other side,
// with its class, and true; or err and false when err is not such an error
// (a transport failure, a process gone).
func FromStatus(err error) (error, bool) {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unknown {
		return err, false
	}
	for _, d := range st.Details() {
		if m, ok := d.(*pb.ErrorInfo); ok {
			return FromErrorInfo(m), true
		}
	}
	return err, false
}

// Partitions encodes topic partitions.
func Partitions(tps []connectors.TopicPartition) *pb.Partitions {
	out := &pb.Partitions{Partitions: make([]*pb.TopicPartition, len(tps))}
	for i, tp := range tps {
		out.Partitions[i] = &pb.TopicPartition{Topic: tp.Topic, Partition: tp.Partition}
	}
	return out
}

// FromPartitions decodes topic partitions.
func FromPartitions(m *pb.Partitions) []connectors.TopicPartition {
	out := make([]connectors.TopicPartition, len(m.GetPartitions()))
	for i, tp := range m.GetPartitions() {
		out[i] = connectors.TopicPartition{Topic: tp.GetTopic(), Partition: tp.GetPartition()}
	}
	return out
}

// Offsets encodes sink offsets.
func Offsets(offsets map[connectors.TopicPartition]int64) *pb.Offsets {
	out := &pb.Offsets{Offsets: make([]*pb.PartitionOffset, 0, len(offsets))}
	for tp, o := range offsets {
		out.Offsets = append(out.Offsets, &pb.PartitionOffset{Tp: &pb.TopicPartition{Topic: tp.Topic, Partition: tp.Partition}, HasOffset: true, Offset: o})
	}
	return out
}

// FromOffsets decodes sink offsets.
func FromOffsets(m *pb.Offsets) map[connectors.TopicPartition]int64 {
	out := make(map[connectors.TopicPartition]int64, len(m.GetOffsets()))
	for _, po := range m.GetOffsets() {
		out[connectors.TopicPartition{Topic: po.GetTp().GetTopic(), Partition: po.GetTp().GetPartition()}] = po.GetOffset()
	}
	return out
}

// Results encodes validation results.
func Results(rs []config.Result) *pb.ValidateResponse {
	out := &pb.ValidateResponse{Results: make([]*pb.ConfigResult, len(rs))}
	for i, r := range rs {
		m := &pb.ConfigResult{Name: r.Name, RecommendedValues: r.RecommendedValues, Errors: r.Errors, Visible: r.Visible}
		if r.Value != nil {
			m.HasValue, m.Value = true, *r.Value
		}
		out.Results[i] = m
	}
	return out
}

// FromResults decodes validation results.
func FromResults(m *pb.ValidateResponse) []config.Result {
	out := make([]config.Result, len(m.GetResults()))
	for i, r := range m.GetResults() {
		out[i] = config.Result{Name: r.GetName(), RecommendedValues: r.GetRecommendedValues(), Errors: r.GetErrors(), Visible: r.GetVisible()}
		if r.GetHasValue() {
			v := r.GetValue()
			out[i].Value = &v
		}
	}
	return out
}

// ConfigKeys describes a definition's keys; the Go parts (validators,
// recommenders) stay behind and only the validator's description goes.
func ConfigKeys(def *config.Def) []*pb.ConfigKey {
	if def == nil {
		return nil
	}
	keys := def.Keys()
	out := make([]*pb.ConfigKey, len(keys))
	for i, k := range keys {
		info := k.Info()
		m := &pb.ConfigKey{Name: k.Name, Type: k.Type.String(), Required: k.Required(), Importance: k.Importance.String(),
			Doc: k.Doc, Group: k.Group, OrderInGroup: int32(k.OrderInGroup), Width: k.Width.String(),
			DisplayName: k.DisplayName, Dependents: k.Dependents}
		if !m.Required {
			if info.DefaultValue == nil {
				m.DefaultNull = true
			} else {
				m.Default = *info.DefaultValue
			}
		}
		if k.Validator != nil {
			m.Validator = k.Validator.String()
		}
		out[i] = m
	}
	return out
}

// remoteValidator stands for a validator that runs in the plugin process:
// the worker validates a plugin's configuration there, so this one only
// describes the accepted values.
type remoteValidator string

func (remoteValidator) Validate(string, any) error { return nil }
func (v remoteValidator) String() string           { return string(v) }

// FromConfigKeys rebuilds a definition from its keys' descriptions.
func FromConfigKeys(keys []*pb.ConfigKey) (def *config.Def, err error) {
	def = config.NewDef()
	for _, m := range keys {
		k := config.Key{Name: m.GetName(), Doc: m.GetDoc(), Group: m.GetGroup(), OrderInGroup: int(m.GetOrderInGroup()),
			DisplayName: m.GetDisplayName(), Dependents: m.GetDependents()}
		var ok bool
		if k.Type, ok = parseEnum[config.Type](m.GetType(), 1); !ok {
			return nil, fmt.Errorf("key %s: unknown type %q", m.GetName(), m.GetType())
		}
		if k.Importance, ok = parseEnum[config.Importance](m.GetImportance(), 1); !ok {
			return nil, fmt.Errorf("key %s: unknown importance %q", m.GetName(), m.GetImportance())
		}
		if k.Width, ok = parseEnum[config.Width](m.GetWidth(), 0); !ok {
			return nil, fmt.Errorf("key %s: unknown width %q", m.GetName(), m.GetWidth())
		}
		switch {
		case m.GetRequired():
			k.Default = config.NoDefault
		case m.GetDefaultNull():
			k.Default = nil
		default:
			k.Default = m.GetDefault()
		}
		if m.GetValidator() != "" {
			k.Validator = remoteValidator(m.GetValidator())
		}
		if err := define(def, k); err != nil {
			return nil, err
		}
	}
	return def, nil
}

// define is Def.Define, its panic (a bad name, a default that does not
// parse) turned into an error.
func define(def *config.Def, k config.Key) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	def.Define(k)
	return nil
}

// parseEnum finds the value of an enum type whose String is name.
func parseEnum[E interface {
	~int
	String() string
}](name string, from int) (E, bool) {
	name = strings.TrimSpace(name)
	for i := from; i < from+32; i++ {
		if e := E(i); e.String() == name {
			return e, true
		}
	}
	return 0, false
}
