package incremental

import (
	"context"
	"database/sql"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	gomysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/go-sql-driver/mysql"
	"github.com/pingcap/tidb/pkg/parser"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/events"
	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// hookEnv is the task as the hooks see it, over a real database.
type hookEnv struct {
	db     *sql.DB
	tables map[tables.ID]*events.Table
	pos    map[string]any
}

func (e *hookEnv) Table(id tables.ID) *events.Table { return e.tables[id] }
func (e *hookEnv) Partition() map[string]any        { return map[string]any{"server": "pfx"} }
func (e *hookEnv) Offset() map[string]any           { return e.pos }
func (e *hookEnv) DB() *sql.DB                      { return e.db }

// TestHooks drives the hooks as the task does, with the watermark rows fed
// back by hand (no binlog): the snapshot reads are Debezium's op=r records
// with source.snapshot=incremental, the rows changed inside the window are
// left out, and the signal row's records carry the state the signal made.
func TestHooks(t *testing.T) {
	d := testkit.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d.Exec(t,
		"CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		"CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20), ts TIMESTAMP(3) NULL)",
		"INSERT INTO t VALUES (1, 'a', '2024-05-06 07:08:09.123'), (2, 'b', NULL), (3, 'c', NULL)")
	cfg, _ := mysql.ParseDSN(d.DSN)
	cfg.Loc = time.UTC
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	ev, err := events.New(events.Options{Connector: events.ConnectorMariaDB, TopicPrefix: "pfx"})
	if err != nil {
		t.Fatal(err)
	}
	tid, sid := tables.ID{DB: d.Name, Table: "t"}, tables.ID{DB: d.Name, Table: "sig"}
	tmodel := &tables.Table{ID: tid, PrimaryKey: []string{"id"}, Columns: []tables.Column{
		{Name: "id", Position: 1, TypeName: "BIGINT", TypeExpression: "BIGINT", JDBCType: -5, Length: -1},
		{Name: "name", Position: 2, TypeName: "VARCHAR", TypeExpression: "VARCHAR(20)", JDBCType: 12, Length: 20, Optional: true},
		{Name: "ts", Position: 3, TypeName: "TIMESTAMP", TypeExpression: "TIMESTAMP(3)", JDBCType: 2014, Length: 3, Optional: true}}}
	smodel := &tables.Table{ID: sid, PrimaryKey: []string{"id"}, Columns: []tables.Column{
		{Name: "id", Position: 1, TypeName: "VARCHAR", TypeExpression: "VARCHAR(42)", JDBCType: 12, Length: 42},
		{Name: "type", Position: 2, TypeName: "VARCHAR", TypeExpression: "VARCHAR(32)", JDBCType: 12, Length: 32},
		{Name: "data", Position: 3, TypeName: "VARCHAR", TypeExpression: "VARCHAR(2048)", JDBCType: 12, Length: 2048, Optional: true}}}
	env := &hookEnv{db: db, tables: map[tables.ID]*events.Table{}, pos: map[string]any{"file": "mysql-bin.000007", "pos": int64(1234), "server_id": int64(1)}}
	for _, m := range []*tables.Table{tmodel, smodel} {
		et, err := ev.Table(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		env.tables[m.ID] = et
	}
	l := &logs{}
	h, err := NewHooks(sid.String(), map[string]string{ChunkSizeKey: "2", EnabledChannelsKey: "source,jmx"}, ev, slog.New(l))
	if err != nil || h == nil {
		t.Fatalf("NewHooks: %v %v", h, err)
	}
	l.find(t, "WARN", "jmx")
	if err := h.Start(ctx, map[string]any{"file": "x", "pos": int64(4)}, env); err != nil {
		t.Fatal(err)
	}
	// the signal row as the binlog gives it: after struct of the signal table
	sigRow := func(id, typ, data string) *schemas.Struct {
		_, after, err := env.tables[sid].FromBinlog([]any{id, typ, data})
		if err != nil {
			t.Fatal(err)
		}
		return after
	}
	sigRec := connectors.SourceRecord{Record: connectors.Record{Topic: "pfx.sig"}, SourceOffset: map[string]any{"file": "mysql-bin.000007", "pos": int64(1000)}}
	out, err := h.Change(ctx, sid, events.OpCreate, nil, sigRow("go", TypeExecuteSnapshot, `{"data-collections": ["`+d.Name+`.t"]}`),
		[]connectors.SourceRecord{sigRec})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].SourceOffset[OffsetCollections] == nil || out[0].SourceOffset["pos"] != int64(1000) {
		t.Fatalf("the execute-snapshot row's record: %+v", out)
	}
	if sigRec.SourceOffset[OffsetCollections] != nil {
		t.Fatal("the task's offset map was changed")
	}
	// the watermarks the hooks wrote
	watermarks := func() [][3]string {
		rows, err := db.QueryContext(ctx, "SELECT id, type, data FROM sig WHERE id <> 'go'")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][3]string
		for rows.Next() {
			var w [3]string
			if err := rows.Scan(&w[0], &w[1], &w[2]); err != nil {
				t.Fatal(err)
			}
			out = append(out, w)
		}
		return out
	}
	ws := watermarks()
	if len(ws) != 2 {
		t.Fatalf("watermark rows: %q", ws)
	}
	open, close := ws[0], ws[1]
	if open[1] == TypeWindowClose {
		open, close = close, open
	}
	if !strings.HasSuffix(open[0], "-open") || !strings.HasSuffix(close[0], "-close") || !strings.Contains(open[2], `"correlationId": "go"`) {
		t.Fatalf("watermarks %q", ws)
	}
	if _, err := h.Change(ctx, sid, events.OpCreate, nil, sigRow(open[0], open[1], open[2]), nil); err != nil {
		t.Fatal(err)
	}
	// key 2 changes inside the window
	k2, _, err := env.tables[tid].FromBinlog([]any{int64(2), "B", nil})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Change(ctx, tid, events.OpUpdate, k2, nil, nil); err != nil {
		t.Fatal(err)
	}
	out, err = h.Change(ctx, sid, events.OpCreate, nil, sigRow(close[0], close[1], close[2]), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("%d records at the close, want 1 (key 1; key 2 changed in the window)", len(out))
	}
	r := out[0]
	if r.Topic != "pfx."+d.Name+".t" || r.Key.(*schemas.Struct).Get("id") != int64(1) {
		t.Fatalf("record %s key %v", r.Topic, r.Key)
	}
	envl := r.Value.(*schemas.Struct)
	src := envl.Get("source").(*schemas.Struct)
	after := envl.Get("after").(*schemas.Struct)
	if envl.Get("op") != "r" || src.Get("snapshot") != "incremental" || src.Get("file") != "mysql-bin.000007" || src.Get("table") != "t" {
		t.Fatalf("envelope %v", envl)
	}
	if after.Get("name") != "a" || after.Get("ts") != "2024-05-06T07:08:09.123Z" {
		t.Fatalf("after %v", after)
	}
	if r.SourceOffset[OffsetPrimaryKey] != `["1"]` || r.SourceOffset["pos"] != int64(1234) {
		t.Fatalf("offset %v", r.SourceOffset)
	}
	if err := r.Value.(*schemas.Struct).Validate(); err != nil {
		t.Fatal(err)
	}
	m := map[string]any{"file": "f"}
	h.Offset(m)
	if m[OffsetCollections] == nil || m[OffsetPrimaryKey] != `["1"]` {
		t.Fatalf("Offset added %v", m)
	}

	// The next chunk (key 3) is buffered; a TRUNCATE reaches the task (which
	// then builds a new event builder for the table) before the close: the
	// chunk is read again, finds nothing, and nothing is resurrected.
	d.Exec(t, "TRUNCATE TABLE t")
	et2, err := ev.Table(tmodel, nil)
	if err != nil {
		t.Fatal(err)
	}
	env.tables[tid] = et2
	ws = watermarks()
	var lastClose [3]string
	for _, w := range ws {
		if w[1] == TypeWindowClose && w[0] != close[0] {
			lastClose = w
		}
	}
	if lastClose[0] == "" {
		t.Fatalf("no second chunk's close among %q", ws)
	}
	out, err = h.Change(ctx, sid, events.OpCreate, nil, sigRow(lastClose[0], lastClose[1], lastClose[2]), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 0 {
		t.Fatalf("%d rows of a truncated table emitted", len(out))
	}
	if h.eng.Running() {
		t.Fatal("the snapshot runs on after the truncated table was read again")
	}
}

// TestKeysAgreeAcrossPaths: for primary keys of many types, the key the
// hooks compute for a change read from the binlog (go-mysql, with the
// events package's syncer options) equals the key of the same row read by
// a chunk query, so a change inside a window always finds its row.
func TestKeysAgreeAcrossPaths(t *testing.T) {
	d := testkit.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d.Exec(t, "CREATE TABLE k (i INT UNSIGNED NOT NULL, b BIGINT NOT NULL, u BIGINT UNSIGNED NOT NULL,"+
		" s VARCHAR(10) CHARACTER SET latin1 NOT NULL, d DATETIME(6) NOT NULL, dc DECIMAL(10,3) NOT NULL,"+
		" bin VARBINARY(8) NOT NULL, dt DATE NOT NULL, ts TIMESTAMP(3) NOT NULL, y YEAR NOT NULL,"+
		" e ENUM('zz', 'aa', 'mm') NOT NULL, st SET('z', 'a') NOT NULL, v INT,"+
		" PRIMARY KEY (e, st, i, b, u, s, d, dc, bin, dt, ts, y))")
	cfg, _ := mysql.ParseDSN(d.DSN)
	cfg.Loc = time.UTC
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var file string
	var pos uint32
	var x1, x2 []byte
	if err := db.QueryRowContext(ctx, "SHOW MASTER STATUS").Scan(&file, &pos, &x1, &x2); err != nil {
		t.Fatal(err)
	}
	rows := []string{
		"(4294967295, -9223372036854775808, 18446744073709551615, 'Ärger', '2024-02-29 23:59:59.999999', -1234567.891, x'00ff', '1000-01-01', '2038-01-19 03:14:07.999', 2155, 'aa', 'z,a', 1)",
		"(0, 9223372036854775807, 0, '', '1000-01-01 00:00:00', 0.001, x'', '9999-12-31', '1970-01-01 00:00:01', 1901, 'zz', '', 2)",
		"(7, 7, 9223372036854775808, 'it''s', '2024-01-02 03:04:05.000001', 9999999.999, x'7f80', '2024-01-02', '2024-01-02 03:04:05.100', 2024, 'mm', 'a', 3)",
		"(7, 7, 9223372036854775808, 'it''s', '2024-01-02 03:04:05.000001', 9999999.999, x'7f80', '2024-01-02', '2024-01-02 03:04:05.100', 2024, 'zz', 'a', 4)",
		"(7, 7, 9223372036854775808, 'it''s', '2024-01-02 03:04:05.000001', 9999999.999, x'7f80', '2024-01-02', '2024-01-02 03:04:05.100', 2024, 'zz', 'z', 5)",
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO k VALUES "+strings.Join(rows, ", ")); err != nil {
		t.Fatal(err)
	}
	var create string
	var name string
	if err := db.QueryRowContext(ctx, "SHOW CREATE TABLE k").Scan(&name, &create); err != nil {
		t.Fatal(err)
	}
	schema := tables.NewSchema(tables.Options{})
	if _, err := schema.Apply(parser.New(), d.Name, create); err != nil {
		t.Fatal(err)
	}
	kid := tables.ID{DB: d.Name, Table: "k"}
	model := schema.Table(kid)
	if model == nil || len(model.PrimaryKey) != 12 {
		t.Fatalf("model %+v", model)
	}
	for _, modes := range []map[string]string{{}, {"bigint.unsigned.handling.mode": "precise", "decimal.handling.mode": "string", "time.precision.mode": "connect", "binary.handling.mode": "hex"}} {
		m, err := events.ParseModes(modes)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := events.New(events.Options{Connector: events.ConnectorMariaDB, TopicPrefix: "pfx", Modes: m})
		if err != nil {
			t.Fatal(err)
		}
		et, err := ev.Table(model, nil)
		if err != nil {
			t.Fatal(err)
		}
		// the binlog's keys
		host, port, _ := net.SplitHostPort(d.Addr)
		p, _ := strconv.Atoi(port)
		sc := replication.BinlogSyncerConfig{ServerID: 200000 + uint32(time.Now().UnixNano()%100000), Flavor: "mariadb",
			Host: host, Port: uint16(p), User: d.User, Password: d.Password, Logger: slog.New(slog.DiscardHandler)}
		events.SyncerOptions(&sc)
		syncer := replication.NewBinlogSyncer(sc)
		streamer, err := syncer.StartSync(gomysql.Position{Name: file, Pos: pos})
		if err != nil {
			t.Fatal(err)
		}
		var fromBinlog []string
		for len(fromBinlog) < len(rows) {
			e, err := streamer.GetEvent(ctx)
			if err != nil {
				t.Fatal(err)
			}
			re, ok := e.Event.(*replication.RowsEvent)
			if !ok || string(re.Table.Schema) != d.Name || string(re.Table.Table) != "k" {
				continue
			}
			for _, row := range re.Rows {
				key, _, err := et.FromBinlog(row)
				if err != nil {
					t.Fatal(err)
				}
				fromBinlog = append(fromBinlog, keyString(key))
			}
		}
		syncer.Close()
		// the chunk query's keys
		h := &Hooks{env: &hookEnv{db: db, tables: map[tables.ID]*events.Table{kid: et}}}
		sq := &SQL[incrRow]{DB: db, Convert: h.convert}
		q := Query{Table: model, KeyColumns: model.PrimaryKey}
		max, err := sq.MaxKey(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var fromChunks []string
		var after Key
		for {
			chunk, err := sq.ReadChunk(ctx, q, after, max, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(chunk) == 0 {
				break
			}
			fromChunks = append(fromChunks, chunk[0].Key)
			after = chunk[0].KeyValues
		}
		slices.Sort(fromBinlog)
		slices.Sort(fromChunks)
		if !slices.Equal(fromBinlog, fromChunks) {
			t.Fatalf("modes %v: keys from the binlog\n%q\nfrom chunks (one row each, so every key went through the offset's bounds)\n%q", modes, fromBinlog, fromChunks)
		}
	}
}

// TestKafkaSignalChannel: signals produced to the signal topic (partition
// 0, keyed by topic.prefix) start an incremental snapshot on the real Kafka
// broker; records of other connectors and malformed ones are skipped, and
// the consumer group's committed offset keeps a restarted task from acting
// on them again.
func TestKafkaSignalChannel(t *testing.T) {
	bootstrap := testkit.RealKafka(t)
	d := testkit.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d.Exec(t,
		"CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		"CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20))",
		"INSERT INTO t VALUES (1, 'a'), (2, 'b')")
	topic := testkit.NewTopic(t, bootstrap, 1)
	producer, err := sarama.NewSyncProducer(testkit.Addrs(bootstrap), testkit.SaramaConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	for _, m := range []struct{ key, value string }{
		{"other", `{"id": "o1", "type": "execute-snapshot", "data": {"data-collections": ["` + d.Name + `.t"]}}`},
		{"pfx", `{oops`},
		{"pfx", `{"id": "k1", "type": "execute-snapshot", "data": {"data-collections": ["` + d.Name + `.t"]}}`},
	} {
		if _, _, err := producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Partition: 0,
			Key: sarama.StringEncoder(m.key), Value: sarama.StringEncoder(m.value)}); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := events.New(events.Options{Connector: events.ConnectorMariaDB, TopicPrefix: "pfx"})
	if err != nil {
		t.Fatal(err)
	}
	tid, sid := tables.ID{DB: d.Name, Table: "t"}, tables.ID{DB: d.Name, Table: "sig"}
	et, err := ev.Table(&tables.Table{ID: tid, PrimaryKey: []string{"id"}, Columns: []tables.Column{
		{Name: "id", Position: 1, TypeName: "BIGINT", TypeExpression: "BIGINT", JDBCType: -5, Length: -1},
		{Name: "name", Position: 2, TypeName: "VARCHAR", TypeExpression: "VARCHAR(20)", JDBCType: 12, Length: 20, Optional: true}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	env := &hookEnv{db: d.DB, tables: map[tables.ID]*events.Table{tid: et}, pos: map[string]any{"file": "f", "pos": int64(4)}}
	props := map[string]string{"topic.prefix": "pfx", EnabledChannelsKey: "source,kafka", KafkaTopicKey: topic,
		KafkaServersKey: bootstrap, KafkaGroupKey: "g-" + topic}
	start := func(l *logs) (*Hooks, context.CancelFunc) {
		t.Helper()
		h, err := NewHooks(sid.String(), props, ev, slog.New(l))
		if err != nil || h == nil {
			t.Fatalf("NewHooks: %v", err)
		}
		hctx, stop := context.WithCancel(ctx)
		if err := h.Start(hctx, nil, env); err != nil {
			t.Fatal(err)
		}
		return h, stop
	}
	l := &logs{}
	h, stop := start(l)
	deadline := time.Now().Add(time.Minute)
	for !h.eng.Running() {
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot from the kafka signal; log:\n%s", strings.Join(l.lines, "\n"))
		}
		if _, err := h.Idle(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // polling for the consumer goroutine's signal
	}
	l.find(t, "INFO", "another connector", "key=other")
	l.find(t, "WARN", "not a signal", "offset=1")
	l.find(t, "INFO", "incremental snapshot requested", "signal=k1")
	var n int
	if err := d.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM sig WHERE type IN ('snapshot-window-open', 'snapshot-window-close')").Scan(&n); err != nil || n != 2 {
		t.Fatalf("watermark rows: %d %v", n, err)
	}
	// the handled offset is committed: a new task starts after the three
	// records (the group commits within a second of the mark)
	deadline = time.Now().Add(time.Minute)
	for {
		l2 := &logs{}
		stop()
		h2, stop2 := start(l2)
		var line string
		for line == "" && time.Now().Before(deadline) {
			l2.mu.Lock()
			for _, s := range l2.lines {
				if strings.Contains(s, "reading signals from the kafka signal channel") {
					line = s
				}
			}
			l2.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
		stop = stop2
		if strings.Contains(line, "from=3") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restarted channel: %q, want it to start at offset 3", line)
		}
		_ = h2
	}
	stop()
}

// TestHooksWaitForDDL: a chunk query that no longer fits the table (a
// column the task's model still has was dropped; its DDL has not reached
// the task) waits; once the task has applied the DDL, the next Idle reads
// the chunk with the new model.
func TestHooksWaitForDDL(t *testing.T) {
	d := testkit.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d.Exec(t,
		"CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		"CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(20))",
		"INSERT INTO t VALUES (1, 'a'), (2, 'b')")
	ev, err := events.New(events.Options{Connector: events.ConnectorMariaDB, TopicPrefix: "pfx"})
	if err != nil {
		t.Fatal(err)
	}
	tid, sid := tables.ID{DB: d.Name, Table: "t"}, tables.ID{DB: d.Name, Table: "sig"}
	cols := []tables.Column{
		{Name: "id", Position: 1, TypeName: "BIGINT", TypeExpression: "BIGINT", JDBCType: -5, Length: -1},
		{Name: "name", Position: 2, TypeName: "VARCHAR", TypeExpression: "VARCHAR(20)", JDBCType: 12, Length: 20, Optional: true}}
	stale, err := ev.Table(&tables.Table{ID: tid, PrimaryKey: []string{"id"}, Columns: append(slices.Clone(cols),
		tables.Column{Name: "gone", Position: 3, TypeName: "INT", TypeExpression: "INT", JDBCType: 4, Length: -1, Optional: true})}, nil)
	if err != nil {
		t.Fatal(err)
	}
	env := &hookEnv{db: d.DB, tables: map[tables.ID]*events.Table{tid: stale}, pos: map[string]any{"file": "f", "pos": int64(4)}}
	l := &logs{}
	h, err := NewHooks(sid.String(), nil, ev, slog.New(l))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(ctx, nil, env); err != nil {
		t.Fatal(err)
	}
	emits, err := h.eng.Handle(ctx, Signal{ID: "go", Type: TypeExecuteSnapshot, Data: `{"data-collections": ["` + tid.String() + `"]}`})
	if err != nil || len(emits) != 0 {
		t.Fatal(emits, err)
	}
	l.find(t, "WARN", "waiting for its DDL", "Unknown column")
	if !h.eng.Held() {
		t.Fatal("the chunk does not wait")
	}
	// an Idle before the DDL changes nothing
	if _, err := h.Idle(ctx); err != nil || !h.eng.Held() {
		t.Fatalf("Idle before the DDL: held=%v %v", h.eng.Held(), err)
	}
	// the task applies the DDL: a new event builder with the new model
	fresh, err := ev.Table(&tables.Table{ID: tid, PrimaryKey: []string{"id"}, Columns: cols}, nil)
	if err != nil {
		t.Fatal(err)
	}
	env.tables[tid] = fresh
	if _, err := h.Idle(ctx); err != nil {
		t.Fatal(err)
	}
	if h.eng.Held() || len(h.eng.window) != 2 {
		t.Fatalf("after the DDL: held=%v, %d rows buffered", h.eng.Held(), len(h.eng.window))
	}
}
