package source

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/internal/testkit"
)

// BenchmarkRead reads a 100k-row table of 10 columns (b.N times) in
// incrementing and bulk mode, batch.max.rows 1000, and reports rows/s.
func BenchmarkRead(b *testing.B) {
	d := testkit.NewDatabase(b)
	d.Exec(b, `CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, a INT, b BIGINT, c VARCHAR(40), e DOUBLE,
		f DECIMAL(12,2), g DATETIME(3), h TINYINT, i VARCHAR(10), j INT)`)
	const rows = 100000
	for start := 0; start < rows; start += 5000 {
		vals := make([]string, 0, 5000)
		for i := start; i < start+5000; i++ {
			vals = append(vals, fmt.Sprintf("(NULL,%d,%d,'name-%d',%d.5,%d.25,'2026-01-01 00:00:00.123',%d,'x',%d)", i, i*7, i, i, i, i%100, i))
		}
		d.Exec(b, "INSERT INTO t VALUES "+strings.Join(vals, ","))
	}
	for _, mode := range []string{ModeIncrementing, ModeBulk} {
		b.Run(mode, func(b *testing.B) {
			props := map[string]string{
				ConnectionURLKey: d.JDBCURL, ConnectionUserKey: d.User, ConnectionPasswordKey: d.Password,
				TopicPrefixKey: "p-", PollIntervalKey: "3600000", ModeKey: mode, BatchMaxRowsKey: "1000",
			}
			b.ResetTimer()
			for range b.N {
				c := New()
				if err := c.Start(context.Background(), &reconfigs{}, props); err != nil {
					b.Fatal(err)
				}
				cfgs, _ := c.TaskConfigs(1)
				tk := c.NewTask().(*task)
				if err := tk.Start(context.Background(), newOffsetStore(), cfgs[0]); err != nil {
					b.Fatal(err)
				}
				n := 0
				for n < rows {
					recs, err := tk.Poll(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					n += len(recs)
				}
				_ = tk.Stop(context.Background())
				_ = c.Stop(context.Background())
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
