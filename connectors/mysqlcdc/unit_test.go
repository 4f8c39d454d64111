package mysqlcdc

import (
	"encoding/hex"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/history"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/incremental"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
)

func TestOffsetRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		o    offset
		want map[string]any
	}{
		{"zeros omitted", offset{File: "mysql-bin.000003", Pos: 154}, map[string]any{"file": "mysql-bin.000003", "pos": int64(154)}},
		{"mid transaction", offset{File: "f.1", Pos: 4, GTIDs: "0-1-5", Event: 3, Row: 2, TsSec: 1700000000, ServerID: 1},
			map[string]any{"file": "f.1", "pos": int64(4), "gtids": "0-1-5", "event": int64(3), "row": int64(2), "ts_sec": int64(1700000000), "server_id": int64(1)}},
		{"snapshot", offset{File: "f.1", Pos: 4, Snapshot: snapshotInitial}, map[string]any{"file": "f.1", "pos": int64(4), "snapshot": "INITIAL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.o.toMap()
			if !maps.Equal(m, tt.want) {
				t.Fatalf("toMap = %v, want %v", m, tt.want)
			}
			back, err := parseOffset(m)
			if err != nil || back != tt.o {
				t.Fatalf("parseOffset = %+v, %v; want %+v", back, err, tt.o)
			}
		})
	}
}

func TestParseOffsetDebeziumForms(t *testing.T) {
	// Older Debezium wrote "snapshot": true; numbers may come back as
	// strings or floats from other stores.
	o, err := parseOffset(map[string]any{"file": "b.2", "pos": "77", "snapshot": true, "row": float64(3)})
	if err != nil || o != (offset{File: "b.2", Pos: 77, Row: 3, Snapshot: snapshotInitial}) {
		t.Fatalf("got %+v, %v", o, err)
	}
	o, err = parseOffset(map[string]any{"file": "b.2", "pos": int64(9), "snapshot": "INITIAL", "snapshot_completed": true})
	if err != nil || o.Snapshot != "" {
		t.Fatalf("snapshot_completed: %+v, %v", o, err)
	}
	for _, bad := range []map[string]any{
		{"pos": int64(4)},
		{"file": "f", "pos": "x"},
		{"file": "f", "pos": int64(-1)},
		{"file": "f", "pos": int64(4), "gtids": int64(1)},
		{"file": "f", "pos": int64(4), "snapshot": "BLOCKING"},
		{"file": "f", "pos": 1.5},
	} {
		if _, err := parseOffset(bad); err == nil {
			t.Errorf("parseOffset(%v) took it", bad)
		}
	}
}

// TestTrackerDebeziumOffsets replays a MariaDB transaction's events and
// checks the offsets a record of each row carries, and the skip on a
// restart from them.
func TestTrackerDebeziumOffsets(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	p := newTracker(offset{File: "f.1", Pos: 4, GTIDs: "0-1-9"}, nil)
	// GTID event at 100 (size 40) begins the transaction.
	p.event(100, 40, 1, ts)
	p.begin(false)
	p.completeEvent()
	// TABLE_MAP at 140, size 50.
	p.event(140, 50, 1, ts)
	p.completeEvent()
	// WRITE_ROWS at 190, 3 rows.
	p.event(190, 80, 1, ts)
	for r, want := range []int64{1, 2, 3} {
		if o := p.offsetAt(want); o.Pos != 100 || o.Event != 2 || o.Row != want || o.GTIDs != "0-1-9" {
			t.Fatalf("row %d offset %+v", r, o)
		}
	}
	p.completeEvent()
	if o := p.offset(); o.Event != 3 || o.Row != 0 {
		t.Fatalf("after the rows event: %+v", o)
	}
	// XID at 270, size 31: the position moves past the transaction.
	p.event(270, 31, 1, ts)
	p.startGTID("0-1-10", nil)
	p.commit()
	p.completeEvent()
	if o := p.offset(); o.Pos != 301 || o.Event != 0 || o.Row != 0 {
		t.Fatalf("after commit: %+v", o)
	}

	// A restart from event 2 row 1 skips the GTID and TABLE_MAP events'
	// count and resumes the rows event at its second row.
	r := newTracker(offset{File: "f.1", Pos: 100, Event: 2, Row: 1}, nil)
	r.event(100, 40, 1, ts)
	r.begin(false)
	if !r.skipEvent() {
		t.Fatal("the first event of the transaction is not skipped")
	}
	r.completeEvent()
	r.event(140, 50, 1, ts)
	r.completeEvent()
	r.event(190, 80, 1, ts)
	if r.skipEvent() {
		t.Fatal("the rows event is skipped")
	}
	if got := r.firstRow(); got != 1 {
		t.Fatalf("firstRow = %d, want 1", got)
	}
	if got := r.firstRow(); got != 0 {
		t.Fatalf("firstRow again = %d, want 0", got)
	}
}

func TestBinlogSettingsCheck(t *testing.T) {
	tests := []struct {
		b    binlogSettings
		want string // "" for none
	}{
		{binlogSettings{"1", "ROW", "FULL"}, ""},
		{binlogSettings{"ON", "row", ""}, ""},
		{binlogSettings{"0", "ROW", "FULL"}, "log_bin is OFF"},
		{binlogSettings{"1", "STATEMENT", "FULL"}, "binlog_format is STATEMENT"},
		{binlogSettings{"1", "MIXED", "FULL"}, "SET GLOBAL binlog_format=ROW"},
		{binlogSettings{"1", "ROW", "MINIMAL"}, "binlog_row_image=FULL"},
	}
	for _, tt := range tests {
		err := tt.b.check()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.b, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want it to say %q", tt.b, err, tt.want)
		}
	}
}

func TestGrantsMissing(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		flavor Flavor
		locks  bool
		want   []string // the privileges named, in order
	}{
		{"all", []string{"GRANT ALL PRIVILEGES ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*AB'"}, MariaDB, true, nil},
		{"debezium's grants", []string{"GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `cdc`@`%`"}, MariaDB, true, nil},
		{"mysql client", []string{"GRANT SELECT, RELOAD, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `cdc`@`%`"}, MySQL, true, nil},
		{"no replication", []string{"GRANT SELECT, RELOAD ON *.* TO `u`@`%`"}, MariaDB, true, []string{"REPLICATION SLAVE", "BINLOG MONITOR"}},
		{"select on a database only", []string{"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `u`@`%`", "GRANT SELECT ON `shop`.* TO `u`@`%`"}, MySQL, false, nil},
		{"no reload with locks", []string{"GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `u`@`%`"}, MySQL, true, []string{"RELOAD"}},
		{"no reload without locks", []string{"GRANT SELECT, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `u`@`%`"}, MySQL, false, nil},
		{"through a role", []string{"GRANT `cdc_role` TO `u`@`%`", "GRANT USAGE ON *.* TO `u`@`%`"}, MariaDB, true, nil},
		{"column grant", []string{"GRANT SELECT (a, b), INSERT ON `d`.`t` TO `u`@`%`", "GRANT USAGE ON *.* TO `u`@`%`"}, MySQL, false, []string{"REPLICATION SLAVE", "REPLICATION CLIENT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseGrants(tt.lines).missing(tt.flavor, tt.locks)
			if len(m) != len(tt.want) {
				t.Fatalf("missing = %q, want %q", m, tt.want)
			}
			for i := range m {
				if !strings.HasPrefix(m[i], tt.want[i]+" ") {
					t.Errorf("missing[%d] = %q, want %s", i, m[i], tt.want[i])
				}
			}
		})
	}
}

func TestValidate(t *testing.T) {
	base := map[string]string{
		HostnameKey: "db", UserKey: "u", PasswordKey: "secret", ServerIDKey: "5400", TopicPrefixKey: "shop",
		HistoryTopicKey: "h", HistoryServersKey: "k:9092",
	}
	with := func(kv ...string) map[string]string {
		m := maps.Clone(base)
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "<unset>" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}
	tests := []struct {
		name  string
		props map[string]string
		key   string // "" for valid
		says  string
	}{
		{"valid", base, "", ""},
		{"no server id", with(ServerIDKey, "<unset>"), ServerIDKey, "Missing required"},
		{"server id 0", with(ServerIDKey, "0"), ServerIDKey, "at least 1"},
		{"server id too big", with(ServerIDKey, "4294967296"), ServerIDKey, "no more than 4294967295"},
		{"prefix chars", with(TopicPrefixKey, "a/b"), TopicPrefixKey, "characters"},
		{"include and exclude", with(TableIncludeKey, "d.t", TableExcludeKey, "d.u"), TableExcludeKey, "may not both"},
		{"bad mode", with(SnapshotModeKey, "sometimes"), SnapshotModeKey, "sometimes"},
		{"old mode name", with(SnapshotModeKey, "schema_only"), "", ""},
		{"queue not above batch", with(MaxBatchSizeKey, "100", MaxQueueSizeKey, "100"), MaxQueueSizeKey, "larger than max.batch.size"},
		{"unsupported key", with("gtid.source.includes", "x"), "gtid.source.includes", "does not implement"},
		{"masking", with("column.mask.with.10.chars", "d.t.c"), "column.mask.with.10.chars", "does not implement"},
		{"bad regex", with(DatabaseIncludeKey, "("), DatabaseIncludeKey, "regular expression"},
		{"signal table", with(SignalCollectionKey, "nodot"), SignalCollectionKey, "database.table"},
		{"kafka channel without servers", with(SignalCollectionKey, "d.sig", incremental.EnabledChannelsKey, "source,kafka"),
			incremental.KafkaServersKey, "required with the kafka signal channel"},
		{"kafka channel", with(SignalCollectionKey, "d.sig", incremental.EnabledChannelsKey, "source,kafka", incremental.KafkaServersKey, "k:9092"), "", ""},
		{"bad chunk size", with(SignalCollectionKey, "d.sig", incremental.ChunkSizeKey, "0"), incremental.ChunkSizeKey, "at least 1"},
		// Absurd sizes and durations: refused on their key, before the
		// task would allocate them or overflow a time.Duration.
		{"huge queue", with(MaxQueueSizeKey, "2147483647"), MaxQueueSizeKey, "no more than 1048576"},
		{"queue not a number", with(MaxQueueSizeKey, "99999999999999999999"), MaxQueueSizeKey, "Invalid value"},
		{"largest queue", with(MaxBatchSizeKey, "1048575", MaxQueueSizeKey, "1048576"), "", ""},
		{"huge batch", with(MaxBatchSizeKey, "2000000", MaxQueueSizeKey, "1048576"), MaxBatchSizeKey, "no more than 1048575"},
		{"negative batch", with(MaxBatchSizeKey, "-1"), MaxBatchSizeKey, "at least 1"},
		{"huge chunk", with(SignalCollectionKey, "d.sig", incremental.ChunkSizeKey, "2147483647"), incremental.ChunkSizeKey, "no more than 100000"},
		{"huge poll interval", with(PollIntervalKey, "9223372036854775807"), PollIntervalKey, "no more than 2147483647"},
		{"negative poll interval", with(PollIntervalKey, "-5"), PollIntervalKey, "at least 1"},
		{"huge lock timeout", with(SnapshotLockTimeoutKey, "9223372036854775807"), SnapshotLockTimeoutKey, "no more than 2147483647"},
		{"huge keep-alive", with(KeepAliveIntervalKey, "9223372036854775807"), KeepAliveIntervalKey, "no more than 2147483647"},
		{"huge backoff", with(BackoffMaxKey, "9223372036854775807"), BackoffMaxKey, "no more than 2147483647"},
		{"long beyond int64", with(BackoffMaxKey, "9223372036854775808"), BackoffMaxKey, "Invalid value"},
		{"huge heartbeat", with(HeartbeatIntervalKey, "2147483648"), HeartbeatIntervalKey, "Invalid value"},
		{"negative heartbeat", with(HeartbeatIntervalKey, "-1"), HeartbeatIntervalKey, "at least 0"},
		{"huge connect timeout", with(ConnectTimeoutKey, "2147483648"), ConnectTimeoutKey, "Invalid value"},
		{"port 0", with(PortKey, "0"), PortKey, "at least 1"},
		{"port too big", with(PortKey, "65536"), PortKey, "no more than 65535"},
		{"port not a number", with(PortKey, "33o6"), PortKey, "Invalid value"},
		{"server id negative", with(ServerIDKey, "-1"), ServerIDKey, "at least 1"},
		{"prefix too long", with(TopicPrefixKey, strings.Repeat("p", 250)), TopicPrefixKey, "longer than the max allowed length 249"},
		{"prefix dot", with(TopicPrefixKey, "."), TopicPrefixKey, "'.' is not allowed"},
		{"heartbeat topic too long", with(TopicPrefixKey, strings.Repeat("p", 240)), TopicPrefixKey, "heartbeat topic"},
		{"long prefix", with(TopicPrefixKey, strings.Repeat("p", 228)), "", ""},
		{"queue bytes", with("max.queue.size.in.bytes", "1000000"), "max.queue.size.in.bytes", "max.queue.size records only"},
		{"queue bytes off", with("max.queue.size.in.bytes", "0"), "", ""},
		{"history attempts", with(history.KeyRecoveryAttempts, "-1"), history.KeyRecoveryAttempts, "not a non-negative integer"},
		{"history poll", with(history.KeyRecoveryPollMs, "99999999999999999999"), history.KeyRecoveryPollMs, "not a valid number of milliseconds"},
		{"history producer", with("schema.history.internal.producer.security.protocol", "BOGUS"), "schema.history.internal.producer.", "BOGUS"},
		{"signal topic from a long prefix", with(TopicPrefixKey, strings.Repeat("p", 245), TopicHeartbeatPrefixKey, "hb", SignalCollectionKey, "d.sig",
			incremental.EnabledChannelsKey, "source,kafka", incremental.KafkaServersKey, "k:9092"), TopicPrefixKey, "<topic.prefix>-signal"},
		{"bad signal topic", with(SignalCollectionKey, "d.sig", incremental.EnabledChannelsKey, "kafka", incremental.KafkaServersKey, "k:9092",
			incremental.KafkaTopicKey, "a b"), incremental.KafkaTopicKey, "Topic name is invalid"},
		{"empty prefix", with(TopicPrefixKey, ""), TopicPrefixKey, ""},
		{"many regexes", with(TableIncludeKey, strings.Repeat("d.t,", 100000)+"d.u"), "", ""},
		{"skip unparseable DDL", with(tables.KeySkipUnparseableDDL, "TRUE"), "", ""},
		{"skip unparseable DDL not a boolean", with(tables.KeySkipUnparseableDDL, "yes"), tables.KeySkipUnparseableDDL, "Invalid value"},
		{"repeat beyond RE2's limit", with(TableIncludeKey, "d.t{1001}"), TableIncludeKey, "invalid repeat count"},
	}
	c := NewMySQL()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []string
			for _, r := range c.Validate(tt.props) {
				for _, e := range r.Errors {
					errs = append(errs, r.Name+": "+e)
					if strings.Contains(e, "secret") {
						t.Errorf("an error shows the password: %s", e)
					}
				}
			}
			if tt.key == "" {
				if len(errs) > 0 {
					t.Fatalf("errors %q", errs)
				}
				return
			}
			if len(errs) != 1 || !strings.HasPrefix(errs[0], tt.key+": ") || !strings.Contains(errs[0], tt.says) {
				t.Fatalf("errors %q, want one on %s saying %q", errs, tt.key, tt.says)
			}
		})
	}
}

func TestOneTaskConfig(t *testing.T) {
	c := NewMariaDB()
	props := map[string]string{HostnameKey: "db", UserKey: "u", ServerIDKey: "1", TopicPrefixKey: "p", HistoryTopicKey: "h", HistoryServersKey: "k:1"}
	if err := c.Start(t.Context(), nil, props); err != nil {
		t.Fatal(err)
	}
	cfgs, err := c.TaskConfigs(4)
	if err != nil || len(cfgs) != 1 || !maps.Equal(cfgs[0], props) {
		t.Fatalf("TaskConfigs(4) = %v, %v", cfgs, err)
	}
}

func TestFlavorOfVersion(t *testing.T) {
	for v, want := range map[string]Flavor{
		"10.11.19-MariaDB-0+deb12u1-log": MariaDB, "11.4.2-MariaDB": MariaDB,
		"8.0.36": MySQL, "8.4.0-commercial": MySQL, "5.7.44-log": MySQL,
	} {
		if got := flavorOfVersion(v); got != want {
			t.Errorf("%s: %s, want %s", v, got, want)
		}
	}
}

// TestMySQLTransactionPositions drives handle with the events of a MySQL
// transaction (no MySQL server here): GTID, BEGIN, XID. The transaction
// starts at BEGIN, its GTID joins the set at the commit.
func TestMySQLTransactionPositions(t *testing.T) {
	const uuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
	sid, _ := hex.DecodeString(strings.ReplaceAll(uuid, "-", ""))
	set, err := parseGTIDSet(MySQL, uuid+":1-4")
	if err != nil {
		t.Fatal(err)
	}
	tk := &Task{flavor: MySQL, st: &settings{}, log: slog.New(slog.DiscardHandler)}
	tk.pos = newTracker(offset{File: "binlog.000002", Pos: 1000, GTIDs: uuid + ":1-4"}, set)
	ev := func(pos, size uint32, e replication.Event) *replication.BinlogEvent {
		return &replication.BinlogEvent{Header: &replication.EventHeader{Timestamp: 1700000000, ServerID: 7, EventSize: size, LogPos: pos + size}, Event: e}
	}
	steps := []struct {
		ev        *replication.BinlogEvent
		pos, evts int64
		gtids     string
	}{
		{ev(1000, 79, &replication.GTIDEvent{SID: sid, GNO: 5}), 1079, 0, uuid + ":1-4"},
		{ev(1079, 70, &replication.QueryEvent{Query: []byte("BEGIN"), SlaveProxyID: 42}), 1079, 1, uuid + ":1-4"},
		{ev(1149, 31, &replication.XIDEvent{XID: 9}), 1180, 0, uuid + ":1-5"},
	}
	for i, s := range steps {
		if err := tk.handle(t.Context(), s.ev); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		o := tk.pos.offset()
		if o.Pos != s.pos || o.Event != s.evts || o.GTIDs != s.gtids || o.File != "binlog.000002" || o.ServerID != 7 {
			t.Fatalf("step %d: offset %+v, want pos %d event %d gtids %s", i, o, s.pos, s.evts, s.gtids)
		}
	}
	if tk.pos.gtid != uuid+":5" {
		t.Errorf("source gtid %q", tk.pos.gtid)
	}
}

func TestHeartbeatPrefixKeys(t *testing.T) {
	base := map[string]string{HostnameKey: "db", UserKey: "u", ServerIDKey: "1", TopicPrefixKey: "p", HistoryTopicKey: "h", HistoryServersKey: "k:1"}
	for _, tt := range []struct {
		set  map[string]string
		want string
	}{
		{nil, "__debezium-heartbeat"},
		{map[string]string{HeartbeatTopicsPrefixKey: "old"}, "old"},
		{map[string]string{TopicHeartbeatPrefixKey: "new", HeartbeatTopicsPrefixKey: "old"}, "new"},
	} {
		props := maps.Clone(base)
		maps.Copy(props, tt.set)
		st, err := parseSettings(props)
		if err != nil || st.heartbeatPfx != tt.want {
			t.Errorf("%v: err %v; want %s", tt.set, err, tt.want)
		}
	}
}

// TestSkipUnparseableDDLKey: schema.history.internal.skip.unparseable.ddl
// is a boolean key as in Debezium (any case), not only the exact text
// "true".
func TestSkipUnparseableDDLKey(t *testing.T) {
	base := map[string]string{
		HostnameKey: "db", UserKey: "u", ServerIDKey: "5400", TopicPrefixKey: "shop",
		HistoryTopicKey: "h", HistoryServersKey: "k:9092",
	}
	for _, tt := range []struct {
		value string
		want  bool
	}{{"<unset>", false}, {"true", true}, {"TRUE", true}, {"False", false}} {
		props := maps.Clone(base)
		if tt.value != "<unset>" {
			props[tables.KeySkipUnparseableDDL] = tt.value
		}
		s, err := parseSettings(props)
		if err != nil {
			t.Fatalf("%s: %v", tt.value, err)
		}
		if s.skipBadDDL != tt.want {
			t.Errorf("%s=%s: skip %v, want %v", tables.KeySkipUnparseableDDL, tt.value, s.skipBadDDL, tt.want)
		}
	}
}
