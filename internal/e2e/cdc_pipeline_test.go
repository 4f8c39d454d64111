package e2e

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas/avro"
)

// cdcTable is one table of the pipeline test: its DDL, its key columns, the ALTER TABLE the
// workload runs on it half-way, and how the workload makes a row.
type cdcTable struct {
	name   string
	create string
	keys   []string
	alter  string
	// row returns the column list and SQL values of the row with key k (after the ALTER when
	// altered is set).
	row func(rng *rand.Rand, k [2]int64, altered bool) (cols, vals string)
	// key returns the key of the n-th row.
	key func(n int64) [2]int64
}

// sqlString quotes s for SQL (the workload's own strings: no backslashes).
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// nullOr returns NULL one time in five, else v.
func nullOr(rng *rand.Rand, v string) string {
	if rng.IntN(5) == 0 {
		return "NULL"
	}
	return v
}

var cdcTables = []cdcTable{
	{
		name: "customers",
		create: "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, email VARCHAR(128) NULL, " +
			"balance DECIMAL(12,2) NOT NULL, born DATE NULL, updated DATETIME(3) NOT NULL)",
		keys:  []string{"id"},
		alter: "ALTER TABLE customers ADD COLUMN tier VARCHAR(16) NOT NULL DEFAULT 'basic'",
		key:   func(n int64) [2]int64 { return [2]int64{n * 7919} },
		row: func(rng *rand.Rand, k [2]int64, altered bool) (string, string) {
			cols := "id, name, email, balance, born, updated"
			vals := fmt.Sprintf("%d, %s, %s, %d.%02d, %s, '2026-%02d-%02d %02d:%02d:%02d.%03d'", k[0],
				sqlString(fmt.Sprintf("Zoë ✓ %d-%d", k[0], rng.IntN(1000))),
				nullOr(rng, sqlString(fmt.Sprintf("c%d@example.com", rng.IntN(1e6)))),
				rng.IntN(2_000_000)-1_000_000, rng.IntN(100),
				nullOr(rng, fmt.Sprintf("'19%02d-%02d-%02d'", rng.IntN(100), 1+rng.IntN(12), 1+rng.IntN(28))),
				1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1000))
			if altered {
				cols += ", tier"
				vals += ", " + sqlString([]string{"gold", "silver", "basic"}[rng.IntN(3)])
			}
			return cols, vals
		},
	},
	{
		name: "orders",
		create: "CREATE TABLE orders (id INT PRIMARY KEY, customer_id BIGINT NOT NULL, qty SMALLINT NOT NULL, " +
			"price DOUBLE NOT NULL, note TEXT NULL, created DATETIME(3) NULL)",
		keys:  []string{"id"},
		alter: "ALTER TABLE orders ADD COLUMN shipped DATE NULL",
		key:   func(n int64) [2]int64 { return [2]int64{n} },
		row: func(rng *rand.Rand, k [2]int64, altered bool) (string, string) {
			cols := "id, customer_id, qty, price, note, created"
			vals := fmt.Sprintf("%d, %d, %d, %d.%02d, %s, %s", k[0], rng.Int64N(1e12), rng.IntN(65536)-32768,
				rng.IntN(100000), []int{0, 25, 5, 75}[rng.IntN(4)],
				nullOr(rng, sqlString(strings.Repeat("note ", rng.IntN(50))+"日本")),
				nullOr(rng, fmt.Sprintf("'2025-%02d-%02d 12:00:%02d.%03d'", 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(60), rng.IntN(1000))))
			if altered {
				cols += ", shipped"
				vals += ", " + nullOr(rng, fmt.Sprintf("'2026-%02d-%02d'", 1+rng.IntN(12), 1+rng.IntN(28)))
			}
			return cols, vals
		},
	},
	{
		name: "items",
		create: "CREATE TABLE items (order_id INT NOT NULL, line INT NOT NULL, sku VARCHAR(32) NOT NULL, " +
			"data VARBINARY(64) NULL, weight DECIMAL(10,3) NULL, PRIMARY KEY (order_id, line))",
		keys:  []string{"order_id", "line"},
		alter: "ALTER TABLE items ADD COLUMN discount INT NULL",
		key:   func(n int64) [2]int64 { return [2]int64{n / 3, n % 3} },
		row: func(rng *rand.Rand, k [2]int64, altered bool) (string, string) {
			cols := "order_id, line, sku, data, weight"
			data := make([]byte, rng.IntN(64))
			for i := range data {
				data[i] = byte(rng.IntN(256))
			}
			vals := fmt.Sprintf("%d, %d, %s, %s, %s", k[0], k[1], sqlString(fmt.Sprintf("SKU-%06d", rng.IntN(1e6))),
				nullOr(rng, fmt.Sprintf("X'%X'", data)), nullOr(rng, fmt.Sprintf("%d.%03d", rng.IntN(10000), rng.IntN(1000))))
			if altered {
				cols += ", discount"
				vals += ", " + nullOr(rng, fmt.Sprint(rng.IntN(100)))
			}
			return cols, vals
		},
	},
}

// cdcWorkload writes a seeded sequence of transactions to the tables, and keeps the keys each
// table holds.
type cdcWorkload struct {
	t       *testing.T
	db      *sql.DB
	rng     *rand.Rand
	next    []int64
	live    [][][2]int64
	altered bool
	stmts   int
}

// seed inserts n rows into each table.
func (wl *cdcWorkload) seed(n int) {
	wl.t.Helper()
	for ti, tb := range cdcTables {
		var vals []string
		var cols string
		for range n {
			k := tb.key(wl.next[ti])
			wl.next[ti]++
			c, v := tb.row(wl.rng, k, wl.altered)
			cols = c
			vals = append(vals, "("+v+")")
			wl.live[ti] = append(wl.live[ti], k)
		}
		execAll(wl.t, wl.db, fmt.Sprintf("INSERT INTO %s (%s) VALUES %s", tb.name, cols, strings.Join(vals, ", ")))
		wl.stmts++
	}
}

// batches runs n transactions of 5 to 20 inserts, updates and deletes across the tables.
func (wl *cdcWorkload) batches(n int) {
	wl.t.Helper()
	for range n {
		tx, err := wl.db.Begin()
		if err != nil {
			wl.t.Fatal(err)
		}
		for range 5 + wl.rng.IntN(16) {
			ti := wl.rng.IntN(len(cdcTables))
			tb := cdcTables[ti]
			var stmt string
			switch r := wl.rng.IntN(10); {
			case r < 4 || len(wl.live[ti]) < 10:
				k := tb.key(wl.next[ti])
				wl.next[ti]++
				cols, vals := tb.row(wl.rng, k, wl.altered)
				stmt = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", tb.name, cols, vals)
				wl.live[ti] = append(wl.live[ti], k)
			case r < 8:
				k := wl.live[ti][wl.rng.IntN(len(wl.live[ti]))]
				stmt = fmt.Sprintf("UPDATE %s SET %s WHERE %s", tb.name, wl.set(tb, k), keyWhere(tb, k))
			default:
				i := wl.rng.IntN(len(wl.live[ti]))
				stmt = fmt.Sprintf("DELETE FROM %s WHERE %s", tb.name, keyWhere(tb, wl.live[ti][i]))
				wl.live[ti] = slices.Delete(wl.live[ti], i, i+1)
			}
			if _, err := tx.Exec(stmt); err != nil {
				_ = tx.Rollback()
				wl.t.Fatalf("%.300s: %v", stmt, err)
			}
			wl.stmts++
		}
		if err := tx.Commit(); err != nil {
			wl.t.Fatal(err)
		}
	}
}

// set returns the assignments of an update giving the row with key k fresh values in every
// column but the key's (the generators' values hold no ", ").
func (wl *cdcWorkload) set(tb cdcTable, k [2]int64) string {
	wl.t.Helper()
	c, v := tb.row(wl.rng, k, wl.altered)
	cols, vals := strings.Split(c, ", "), strings.Split(v, ", ")
	if len(cols) != len(vals) {
		wl.t.Fatalf("%s: %d columns, %d values: %s", tb.name, len(cols), len(vals), v)
	}
	var set []string
	for i, col := range cols {
		if !slices.Contains(tb.keys, col) {
			set = append(set, col+" = "+vals[i])
		}
	}
	return strings.Join(set, ", ")
}

// keyWhere returns the WHERE condition of key k.
func keyWhere(tb cdcTable, k [2]int64) string {
	parts := make([]string, len(tb.keys))
	for i, c := range tb.keys {
		parts[i] = fmt.Sprintf("%s = %d", c, k[i])
	}
	return strings.Join(parts, " AND ")
}

// TestCDCPipelineKill9 runs MariaDB database A → CDC source (Avro through the registry) → Kafka →
// ExtractNewRecordState → JDBC sink (upsert, deletes, auto.create, auto.evolve) → database B,
// under a seeded workload of inserts, updates and deletes on three tables (one with a composite
// key), with an ALTER TABLE ADD COLUMN on each half-way, and kills both workers with SIGKILL
// twice, writing while they are down. Once the last transaction's marker rows are in B, A and B
// are equal row by row, every column compared.
func TestCDCPipelineKill9(t *testing.T) {
	bootstrap, registry := testkit.Kafka(t), testkit.SchemaRegistryURL(t)
	a, b := testkit.NewDatabase(t), testkit.NewDatabase(t)
	dbA, dbB := openDB(t, a.DSN), openDB(t, b.DSN)
	for _, tb := range cdcTables {
		execAll(t, dbA, tb.create)
	}
	wl := &cdcWorkload{t: t, db: dbA, rng: rand.New(rand.NewPCG(17, 1)), next: make([]int64, len(cdcTables)), live: make([][][2]int64, len(cdcTables))}
	for i := range wl.next {
		wl.next[i] = 1
	}
	wl.seed(300)

	prefix := unique("e2ecdc_pipe")
	var topics []string
	for _, tb := range cdcTables {
		topics = append(topics, prefix+"."+a.Name+"."+tb.name)
	}
	avroConv := func(m map[string]string) map[string]string {
		m["key.converter"], m["key.converter.schema.registry.url"] = avro.ConverterClass, registry
		m["value.converter"], m["value.converter.schema.registry.url"] = avro.ConverterClass, registry
		delete(m, "key.converter.schemas.enable")
		delete(m, "value.converter.schemas.enable")
		return m
	}
	source := avroConv(cdcSource(a.MySQLServer, bootstrap, "cdc-a", prefix, a.Name, nil))
	src := newCDCWorker(t, bootstrap, t.TempDir(), a.Password)
	sink := avroConv(map[string]string{
		"name": "jdbc-b", "connector.class": jdbcSinkClass, "tasks.max": "1", "topics": strings.Join(topics, ","),
		"connection.url": b.JDBCURL, "connection.user": b.User, "connection.password": b.Password,
		"insert.mode": "upsert", "pk.mode": "record_key", "delete.enabled": "true",
		"auto.create": "true", "auto.evolve": "true", "max.retries": "100", "retry.backoff.ms": "200",
		"transforms":                             "unwrap,route",
		"transforms.unwrap.type":                 extractNewRecordState,
		"transforms.unwrap.drop.tombstones":      "false",
		"transforms.unwrap.delete.handling.mode": "none",
		"transforms.route.type":                  "org.apache.kafka.connect.transforms.RegexRouter",
		"transforms.route.regex":                 `[^.]+\.[^.]+\.(.+)`,
		"transforms.route.replacement":           "$1",
	})
	sink["consumer.override.group.id"] = "connect-jdbc-b-" + prefix // this run's own group
	snk := newCDCWorker(t, bootstrap, t.TempDir(), b.Password)
	bCount := func(table string) int64 {
		var n int64
		if err := dbB.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			return -1
		}
		return n
	}
	start := time.Now()

	ws := src.start(source)
	eventually(t, time.Minute, "the snapshot in the three topics", func() (bool, string) {
		var ends []int64
		for _, tp := range topics {
			ends = append(ends, partitionEnd(bootstrap, tp))
		}
		return !slices.Contains(ends, 0), fmt.Sprintf("records %v", ends)
	}, ws)
	wk := snk.start(sink)
	wl.batches(40)
	eventually(t, time.Minute, "rows of each table in B", func() (bool, string) {
		var ns []int64
		for _, tb := range cdcTables {
			ns = append(ns, bCount(tb.name))
		}
		return !slices.ContainsFunc(ns, func(n int64) bool { return n <= 0 }), fmt.Sprintf("rows %v", ns)
	}, ws, wk)

	// The first crash, mid-stream; writes and the ALTERs while the workers are down.
	ws.Kill9()
	wk.Kill9()
	wl.batches(20)
	for _, tb := range cdcTables {
		execAll(t, dbA, tb.alter)
	}
	wl.altered = true
	wl.batches(20)
	ws, wk = src.start(source), snk.start(sink)
	eventually(t, time.Minute, "the added columns in B", func() (bool, string) {
		n := 0
		if err := dbB.QueryRow("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND COLUMN_NAME IN ('tier', 'shipped', 'discount')", b.Name).Scan(&n); err != nil {
			return false, err.Error()
		}
		return n == 3, fmt.Sprintf("%d of 3", n)
	}, ws, wk)

	// The second crash, right after a burst of writes.
	wl.batches(40)
	ws.Kill9()
	wk.Kill9()
	wl.batches(20)
	ws, wk = src.start(source), snk.start(sink)
	wl.batches(5)

	// The marker: the last transaction writes one row to each table.
	tx, err := dbA.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var markers []string
	for ti, tb := range cdcTables {
		k := tb.key(1_000_000 + int64(ti))
		cols, vals := tb.row(wl.rng, k, true)
		if _, err := tx.Exec(fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", tb.name, cols, vals)); err != nil {
			t.Fatal(err)
		}
		markers = append(markers, fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s", tb.name, keyWhere(tb, k)))
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "the marker rows in B", func() (bool, string) {
		found := 0
		for _, q := range markers {
			var n int
			if err := dbB.QueryRow(q).Scan(&n); err == nil && n == 1 {
				found++
			}
		}
		return found == len(markers), fmt.Sprintf("%d of %d", found, len(markers))
	}, ws, wk)
	elapsed := time.Since(start)

	for _, c := range []struct {
		w    *cdcWorker
		name string
	}{{src, "cdc-a"}, {snk, "jdbc-b"}} {
		if st := connectorStatus(t, c.w.listener, c.name); st != "RUNNING/RUNNING" {
			t.Errorf("%s at the end: %s", c.name, st)
		}
	}
	total := 0
	for _, tb := range cdcTables {
		total += compareTables(t, dbA, dbB, a.Name, tb)
	}
	ws.Term()
	wk.Term()
	t.Logf("%d statements, %d rows compared in 3 tables, 2 kills of both workers, in %s", wl.stmts, total, elapsed.Round(time.Millisecond))
}

// compareTables compares a table of database A with its copy in B, every column of A by name,
// and fails t with the differences; it returns the number of rows.
func compareTables(t *testing.T, dbA, dbB *sql.DB, nameA string, tb cdcTable) int {
	t.Helper()
	rows, err := dbA.Query("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", nameA, tb.name)
	if err != nil {
		t.Fatal(err)
	}
	cols := slices.Clone(tb.keys)
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(cols, c) {
			cols = append(cols, c)
		}
	}
	rows.Close()
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + tb.name
	want, _, err := tableText(dbA, q, len(tb.keys))
	if err != nil {
		t.Fatalf("A: %v", err)
	}
	got, _, err := tableText(dbB, q, len(tb.keys))
	if err != nil {
		t.Fatalf("B: %v", err)
	}
	var diffs []string
	for k, wr := range want {
		gr, ok := got[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s %s: in A %s, missing from B", tb.name, k, textRow(wr)))
			continue
		}
		for i, c := range cols {
			if (wr[i] == nil) != (gr[i] == nil) || (wr[i] != nil && *wr[i] != *gr[i]) {
				diffs = append(diffs, fmt.Sprintf("%s %s column %s: A %s, B %s", tb.name, k, c, textRow(wr[i:i+1]), textRow(gr[i:i+1])))
			}
		}
	}
	for k, gr := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s %s: in B %s, not in A (a delete lost)", tb.name, k, textRow(gr)))
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		t.Errorf("%s: %d differences between A (%d rows) and B (%d rows); the first ones:\n%s", tb.name, len(diffs), len(want), len(got),
			strings.Join(diffs[:min(len(diffs), 25)], "\n"))
	}
	return len(want)
}
