package mysqlcdc

import (
	"fmt"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// BenchmarkStreamSingleRowTransactions measures the task alone (no Kafka):
// change events per second from the binlog to Poll's records, reading a
// backlog of single-row transactions (5 columns) written beforehand by a
// server-side loop.
func BenchmarkStreamSingleRowTransactions(b *testing.B) {
	const rows = 100_000
	d := testkit.NewDatabase(b)
	d.Exec(b, "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(50), qty INT, price DECIMAL(10,2), at DATETIME(3))",
		`CREATE PROCEDURE fill(n INT) BEGIN DECLARE i INT DEFAULT 0; WHILE i < n DO
			INSERT INTO t VALUES (i, CONCAT('name-', i), i % 100, i / 7, NOW(3)); SET i = i + 1; END WHILE; END`)
	topic := "core." + d.Name + ".t"
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := newHarness(b, d, map[string]string{SnapshotModeKey: "no_data"})
		h.startStreaming()
		h.stop()
		d.Exec(b, "TRUNCATE TABLE t")
		d.Exec(b, fmt.Sprintf("CALL fill(%d)", rows))
		b.StartTimer()
		start := time.Now()
		h.start()
		n := 0
		for n < rows {
			for _, r := range h.pollOnce(nil) {
				if r.Topic == topic {
					n++
				}
			}
		}
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "events/s")
		h.stop()
	}
}
