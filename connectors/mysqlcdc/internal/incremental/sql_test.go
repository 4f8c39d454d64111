package incremental

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluicehq/sluice/connectors/mysqlcdc/internal/tables"
	"github.com/sluicehq/sluice/internal/testkit"
)

func TestChunkQuery(t *testing.T) {
	scale := 2
	tbl := &tables.Table{ID: tables.ID{DB: "d", Table: "t`x"}, PrimaryKey: []string{"a", "b", "c"}, Columns: []tables.Column{
		{Name: "a", TypeName: "BIGINT UNSIGNED", Unsigned: true}, {Name: "b", TypeName: "DECIMAL", Length: 10, Scale: &scale},
		{Name: "c", TypeName: "VARCHAR", Optional: true}, {Name: "d", TypeName: "VARBINARY"}}}
	q := Query{Table: tbl, KeyColumns: []string{"a", "b", "c", "d"}, Condition: "(c <> 'x')"}
	got, err := ChunkQuery(q, Key{"18446744073709551615", "1.50", "it's", "\x00"}, Key{"18446744073709551615", "9.99", "z", ""}, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT `a`, `b`, `c`, `d` FROM `d`.`t``x` WHERE ((`a` > 18446744073709551615) OR (`a` = 18446744073709551615 AND `b` > 1.50)" +
		" OR (`a` = 18446744073709551615 AND `b` = 1.50 AND `c` > _utf8mb4 X'69742773')" +
		" OR (`a` = 18446744073709551615 AND `b` = 1.50 AND `c` = _utf8mb4 X'69742773' AND `d` > X'00'))" +
		" AND NOT ((`a` > 18446744073709551615) OR (`a` = 18446744073709551615 AND `b` > 9.99)" +
		" OR (`a` = 18446744073709551615 AND `b` = 9.99 AND `c` > _utf8mb4 X'7a')" +
		" OR (`a` = 18446744073709551615 AND `b` = 9.99 AND `c` = _utf8mb4 X'7a' AND `d` > X''))" +
		" AND (c <> 'x') ORDER BY `a`, `b`, `c`, `d` LIMIT 100"
	if got != want {
		t.Fatalf("query\n got %s\nwant %s", got, want)
	}
	// the first chunk has only the upper bound
	got, err = ChunkQuery(Query{Table: tbl, KeyColumns: []string{"a"}}, nil, Key{"5"}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT `a`, `b`, `c`, `d` FROM `d`.`t``x` WHERE NOT ((`a` > 5)) ORDER BY `a` LIMIT 3"; got != want {
		t.Fatalf("first chunk query\n got %s\nwant %s", got, want)
	}
	// numbers from a hostile offset are checked
	for _, k := range []Key{{"1; DROP TABLE x", "1", "a", "b"}, {"-1", "1", "a", "b"}, {"1", "1 OR 1=1", "a", "b"}, {"1", "", "a", "b"}} {
		if _, err := ChunkQuery(q, k, Key{"5", "1", "a", "b"}, 3); err == nil {
			t.Errorf("ChunkQuery accepted key %q", k)
		}
	}
	if _, err := ChunkQuery(q, Key{"1"}, Key{"5", "1", "a", "b"}, 3); err == nil || !strings.Contains(err.Error(), "1 values") {
		t.Errorf("key of the wrong width: %v", err)
	}
}

func textConvert(t *tables.Table, row []sql.RawBytes) ([]string, string, error) {
	out := make([]string, len(row))
	for i, v := range row {
		if v == nil {
			out[i] = "NULL"
			continue
		}
		out[i] = string(v)
	}
	var key []string
	for _, k := range t.PrimaryKey {
		for i, c := range t.Columns {
			if c.Name == k {
				key = append(key, out[i])
			}
		}
	}
	return out, strings.Join(key, "|"), nil
}

// TestSQLAgainstMariaDB: the chunk and maximum-key queries on the real
// server, with composite, BIGINT UNSIGNED, DECIMAL and binary keys, values
// in the text protocol's form, signal writes, and a stale model.
func TestSQLAgainstMariaDB(t *testing.T) {
	d := testkit.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d.Exec(t,
		"CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		"CREATE TABLE k (a BIGINT UNSIGNED NOT NULL, b DECIMAL(10,2) NOT NULL, c VARBINARY(4) NOT NULL, v FLOAT, ts DATETIME(3), PRIMARY KEY (a, b, c))",
		"INSERT INTO k VALUES (18446744073709551615, 1.50, x'ff00', 1.5, '2024-01-02 03:04:05.678'),"+
			"(18446744073709551615, 1.50, x'ff01', NULL, NULL), (18446744073709551614, 9.99, x'00', -2.25, '2024-01-01 00:00:00'),"+
			"(18446744073709551615, 2.00, x'01', 3, NULL), (1, 0.01, x'', 0, NULL)")
	scale := 2
	model := &tables.Table{ID: tables.ID{DB: d.Name, Table: "k"}, PrimaryKey: []string{"a", "b", "c"}, Columns: []tables.Column{
		{Name: "a", TypeName: "BIGINT UNSIGNED", Unsigned: true}, {Name: "b", TypeName: "DECIMAL", Length: 10, Scale: &scale},
		{Name: "c", TypeName: "VARBINARY", Length: 4}, {Name: "v", TypeName: "FLOAT", Optional: true},
		{Name: "ts", TypeName: "DATETIME", Length: 3, Optional: true}}}
	db := &SQL[[]string]{DB: d.DB, SignalTable: tables.ID{DB: d.Name, Table: "sig"}, Convert: textConvert}
	q := Query{Table: model, KeyColumns: model.PrimaryKey}
	max, err := db.MaxKey(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Key{"18446744073709551615", "2.00", "\x01"}); fmt.Sprint(max) != fmt.Sprint(want) {
		t.Fatalf("max key %q, want %q", max, want)
	}
	var all [][]string
	var after Key
	for {
		rows, err := db.ReadChunk(ctx, q, after, max, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			all = append(all, r.Value)
		}
		after = rows[len(rows)-1].KeyValues
		// the key survives the offset's encoding
		back, err := decodeKey("k", encodeKey(after))
		if err != nil || fmt.Sprint(back) != fmt.Sprint(after) {
			t.Fatalf("key %q came back from the offset as %q (%v)", after, back, err)
		}
		after = back
	}
	want := [][]string{
		{"1", "0.01", "", "0", "NULL"},
		{"18446744073709551614", "9.99", "\x00", "-2.25", "2024-01-01 00:00:00.000"},
		{"18446744073709551615", "1.50", "\xff\x00", "1.5", "2024-01-02 03:04:05.678"},
		{"18446744073709551615", "1.50", "\xff\x01", "NULL", "NULL"},
		{"18446744073709551615", "2.00", "\x01", "3", "NULL"},
	}
	if fmt.Sprintf("%q", all) != fmt.Sprintf("%q", want) {
		t.Fatalf("rows\n got %q\nwant %q", all, want)
	}
	// the same rows through the text protocol (a plain SELECT, as a
	// snapshot reads) give the same values
	plain, err := d.DB.QueryContext(ctx, "SELECT a, b, c, v, ts FROM k ORDER BY a, b, c")
	if err != nil {
		t.Fatal(err)
	}
	var i int
	for plain.Next() {
		vals := make([]sql.RawBytes, 5)
		ptrs := []any{&vals[0], &vals[1], &vals[2], &vals[3], &vals[4]}
		if err := plain.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for j, v := range vals {
			s := string(v)
			if v == nil {
				s = "NULL"
			}
			if s != want[i][j] {
				t.Errorf("row %d column %d: text protocol %q, chunk query %q", i, j, s, want[i][j])
			}
		}
		i++
	}
	plain.Close()
	// string keys: quotes, backslashes, other scripts, and the column's
	// case-insensitive collation deciding the order
	d.Exec(t, "CREATE TABLE s (k VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL PRIMARY KEY, n INT)",
		`INSERT INTO s VALUES ('a', 1), ('B', 2), ('c''d', 3), ('e\\f', 4), ('Ärger', 5), ('z', 6), ('Y', 7)`)
	smodel := &tables.Table{ID: tables.ID{DB: d.Name, Table: "s"}, PrimaryKey: []string{"k"}, Columns: []tables.Column{
		{Name: "k", TypeName: "VARCHAR", Length: 20, Charset: "latin1"}, {Name: "n", TypeName: "INT", Optional: true}}}
	sq := Query{Table: smodel, KeyColumns: smodel.PrimaryKey}
	smax, err := db.MaxKey(ctx, sq)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	after = nil
	for {
		rows, err := db.ReadChunk(ctx, sq, after, smax, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			got = append(got, r.Value[0])
		}
		after = rows[len(rows)-1].KeyValues
	}
	var wantS []string
	ordered, err := d.DB.QueryContext(ctx, "SELECT k FROM s ORDER BY k")
	if err != nil {
		t.Fatal(err)
	}
	for ordered.Next() {
		var k string
		if err := ordered.Scan(&k); err != nil {
			t.Fatal(err)
		}
		wantS = append(wantS, k)
	}
	ordered.Close()
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", wantS) || len(got) != 7 {
		t.Fatalf("string keys in chunks %q, the table in order %q", got, wantS)
	}
	// an additional condition
	rows, err := db.ReadChunk(ctx, Query{Table: model, KeyColumns: model.PrimaryKey, Condition: "(v > 1)"}, nil, max, 10)
	if err != nil || len(rows) != 2 {
		t.Fatalf("conditioned chunk: %d rows, %v", len(rows), err)
	}
	// signals
	if err := db.WriteSignal(ctx, Signal{ID: "w-open", Type: TypeWindowOpen, Data: `{"a": 1}`}); err != nil {
		t.Fatal(err)
	}
	var typ, data string
	if err := d.DB.QueryRowContext(ctx, "SELECT type, data FROM sig WHERE id = 'w-open'").Scan(&typ, &data); err != nil || typ != TypeWindowOpen || data != `{"a": 1}` {
		t.Fatalf("signal row: %q %q %v", typ, data, err)
	}
	// a model that lost a column: the query does not fit
	d.Exec(t, "ALTER TABLE k DROP COLUMN v")
	if _, err := db.ReadChunk(ctx, q, nil, max, 10); !errors.Is(err, ErrStaleSchema) {
		t.Fatalf("chunk query with a dropped column: %v, want ErrStaleSchema", err)
	}
	d.Exec(t, "DROP TABLE k")
	if _, err := db.ReadChunk(ctx, q, nil, max, 10); err == nil || errors.Is(err, ErrStaleSchema) {
		t.Fatalf("chunk query of a dropped table: %v, want a plain error", err)
	}
}

// liveSchema is the models of the test's tables.
type liveSchema map[tables.ID]*tables.Table

func (s liveSchema) Table(id tables.ID) *tables.Table { return s[id] }
func (s liveSchema) Tables(context.Context) []tables.ID {
	var out []tables.ID
	for id := range s {
		out = append(out, id)
	}
	return out
}

// TestIncrementalSnapshotWithBinlog: an incremental snapshot of a table of
// 20k rows on the real MariaDB while a writer updates, deletes and inserts
// rows; the binary log is read with go-mysql and played through the engine
// as the task does. The replica built from the records equals the table
// at the end, and no snapshot row carries an older version of a row than
// the stream gave before it.
func TestIncrementalSnapshotWithBinlog(t *testing.T) {
	const rowsN = 20000
	d := testkit.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	d.Exec(t,
		"CREATE TABLE sig (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)",
		"CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(64) NOT NULL)",
		// MariaDB's Sequence engine: seq_1_to_N is a table of 1..N
		"INSERT INTO t (id, v) SELECT seq, CONCAT('v0-', seq) FROM seq_1_to_"+strconv.Itoa(rowsN))
	tid, sigID := tables.ID{DB: d.Name, Table: "t"}, tables.ID{DB: d.Name, Table: "sig"}
	schema := liveSchema{tid: {ID: tid, PrimaryKey: []string{"id"}, Columns: []tables.Column{
		{Name: "id", TypeName: "BIGINT"}, {Name: "v", TypeName: "VARCHAR", Length: 64}}}}

	var file string
	var pos uint32
	var cols int
	if err := func() error {
		r, err := d.DB.QueryContext(ctx, "SHOW MASTER STATUS")
		if err != nil {
			return err
		}
		defer r.Close()
		names, _ := r.Columns()
		cols = len(names)
		if !r.Next() {
			return fmt.Errorf("SHOW MASTER STATUS: no row (binary log off?)")
		}
		vals := make([]any, cols)
		vals[0], vals[1] = &file, &pos
		for i := 2; i < cols; i++ {
			vals[i] = new(sql.RawBytes)
		}
		return r.Scan(vals...)
	}(); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(d.Addr)
	p, _ := strconv.Atoi(port)
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{
		ServerID: 100000 + rand.Uint32N(1<<20), Flavor: "mariadb", Host: host, Port: uint16(p),
		User: d.User, Password: d.Password, Logger: slog.New(slog.DiscardHandler),
	})
	defer syncer.Close()
	streamer, err := syncer.StartSync(mysql.Position{Name: file, Pos: pos})
	if err != nil {
		t.Fatal(err)
	}

	l := &logs{}
	e := New[[]string](Config{SignalTable: sigID, Logger: slog.New(l)}, schema,
		&SQL[[]string]{DB: d.DB, SignalTable: sigID, Convert: textConvert})

	// writers change random rows until told to stop
	const writers = 3
	stop, done := make(chan struct{}), make(chan error, writers)
	var changes atomic.Int64
	var next atomic.Int64
	next.Store(rowsN)
	for w := range writers {
		go func() {
			rng := rand.New(rand.NewPCG(7, uint64(w)))
			for n := 0; ; n++ {
				select {
				case <-stop:
					done <- nil
					return
				default:
				}
				var err error
				top := int(next.Load())
				switch r := rng.IntN(10); {
				case r < 2:
					_, err = d.DB.ExecContext(ctx, "INSERT INTO t VALUES (?, ?)", next.Add(1), fmt.Sprintf("ins-%d-%d", w, n))
				case r < 4:
					_, err = d.DB.ExecContext(ctx, "DELETE FROM t WHERE id = ?", rng.IntN(top)+1)
				case r < 5:
					// re-insert a deleted key, or update it
					_, err = d.DB.ExecContext(ctx, "INSERT INTO t VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)",
						rng.IntN(top)+1, fmt.Sprintf("re-%d-%d", w, n))
				default:
					_, err = d.DB.ExecContext(ctx, "UPDATE t SET v = ? WHERE id = ?", fmt.Sprintf("upd-%d-%d", w, n), rng.IntN(top)+1)
				}
				if err != nil {
					done <- err
					return
				}
				changes.Add(1)
			}
		}()
	}
	if _, err := d.DB.ExecContext(ctx, "INSERT INTO sig VALUES ('go', 'execute-snapshot', ?)",
		fmt.Sprintf(`{"data-collections": ["%s\\.t"]}`, d.Name)); err != nil {
		t.Fatal(err)
	}

	var out []record
	started, stopped := false, false
	superseded := 0 // buffered rows a change inside their window superseded
	key := func(row []any) (int, string) {
		id, ok := row[0].(int64)
		if !ok {
			t.Fatalf("binlog id is a %T", row[0])
		}
		v, _ := row[1].(string)
		return int(id), v
	}
	for {
		ev, err := streamer.GetEvent(ctx)
		if err != nil {
			t.Fatalf("binlog: %v (records so far %d)", err, len(out))
		}
		re, ok := ev.Event.(*replication.RowsEvent)
		if !ok || string(re.Table.Schema) != d.Name {
			continue
		}
		id := tables.ID{DB: d.Name, Table: string(re.Table.Table)}
		typ := ev.Header.EventType
		isWrite := typ == replication.WRITE_ROWS_EVENTv1 || typ == replication.WRITE_ROWS_EVENTv2
		isUpdate := typ == replication.UPDATE_ROWS_EVENTv1 || typ == replication.UPDATE_ROWS_EVENTv2
		if id == sigID {
			if !isWrite {
				continue
			}
			finished := false
			for _, row := range re.Rows {
				if row[0] == "end" {
					finished = true
				}
				emits, err := e.Signal(ctx, row)
				if err != nil {
					t.Fatal(err)
				}
				for _, em := range emits {
					k, _ := strconv.Atoi(em.Value[0])
					out = append(out, record{table: em.Table.ID, op: 'r', key: k, value: em.Value[1], offset: em.Offset})
				}
			}
			if finished {
				break
			}
		} else if id == tid {
			step := 1
			if isUpdate {
				step = 2
			}
			for i := 0; i+step-1 < len(re.Rows); i += step {
				row := re.Rows[i+step-1]
				k, v := key(row)
				if isUpdate {
					if bk, _ := key(re.Rows[i]); bk != k {
						e.Change(tid, strconv.Itoa(bk))
					}
				}
				if _, ok := e.inWindow[strconv.Itoa(k)]; ok && e.windowOpen {
					superseded++
				}
				e.Change(tid, strconv.Itoa(k))
				op := byte('c')
				switch {
				case isUpdate:
					op = 'u'
				case !isWrite:
					op = 'd'
				}
				out = append(out, record{table: tid, op: op, key: k, value: v, offset: e.Offset()})
			}
		}
		if e.Running() {
			started = true
		}
		if started && !e.Running() && !stopped {
			stopped = true
			close(stop)
			for range writers {
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.DB.ExecContext(ctx, "INSERT INTO sig VALUES ('end', 'log', '{\"message\": \"end of test\"}')"); err != nil {
				t.Fatal(err)
			}
		}
	}
	replica, streamed := map[tables.ID]map[int]string{}, map[tables.ID]map[int]bool{}
	consume(t, replica, streamed, out)
	final := map[int]string{}
	rs, err := d.DB.QueryContext(ctx, "SELECT id, v FROM t")
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var k int
		var v string
		if err := rs.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		final[k] = v
	}
	rs.Close()
	if !mapsEqual(replica[tid], final) {
		missing, wrong := 0, 0
		for k, v := range final {
			if rv, ok := replica[tid][k]; !ok {
				missing++
			} else if rv != v {
				wrong++
			}
		}
		t.Fatalf("replica has %d rows, the table %d: %d missing, %d with another value", len(replica[tid]), len(final), missing, wrong)
	}
	n := len(reads(out, tid))
	t.Logf("%d rows at the end, %d snapshot reads, %d buffered rows superseded in their window, %d changes by the writers during the snapshot, %d records",
		len(final), n, superseded, changes.Load(), len(out))
	if changes.Load() < 100 {
		t.Fatalf("the writers made only %d changes during the snapshot: the test proves little", changes.Load())
	}
	l.find(t, "INFO", "end of test", "signal=end")
}
