package sink

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

// benchSchema is 10 columns: a BIGINT key, integers, a double, strings and a timestamp.
var benchSchema = schemas.NewBuilder(schemas.TypeStruct).
	Field("id", schemas.Int64Schema).
	Field("a", schemas.Int32Schema).
	Field("b", schemas.Int64Schema).
	Field("c", schemas.Float64Schema).
	Field("d", schemas.StringSchema).
	Field("e", schemas.OptionalStringSchema).
	Field("f", schemas.BooleanSchema).
	Field("g", schemas.Int16Schema).
	Field("h", schemas.TimestampSchema).
	Field("i", schemas.OptionalStringSchema).
	MustBuild()

const benchBatch = 3000

func benchRecords(first int64) []connectors.SinkRecord {
	out := make([]connectors.SinkRecord, benchBatch)
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
	for i := range out {
		id := first + int64(i)
		v := schemas.NewStruct(benchSchema).MustPut("id", id).MustPut("a", int32(i)).MustPut("b", id*7).MustPut("c", float64(i)/3).
			MustPut("d", "some text value").MustPut("e", "another, longer text value 0123456789").MustPut("f", i%2 == 0).
			MustPut("g", int16(i%1000)).MustPut("h", ts).MustPut("i", nil)
		out[i] = rec("bench", id, nil, nil, benchSchema, v)
	}
	return out
}

const benchDDL = "CREATE TABLE bench (id BIGINT NOT NULL PRIMARY KEY, a INT NOT NULL, b BIGINT NOT NULL, c DOUBLE NOT NULL, " +
	"d TEXT NOT NULL, e TEXT NULL, f TINYINT NOT NULL, g SMALLINT NOT NULL, h DATETIME(3) NOT NULL, i TEXT NULL) DEFAULT CHARSET=utf8mb4"

// BenchmarkPut measures the sink's Put in rows/s (batches of 3000 rows of 10 columns) against a
// raw database/sql baseline: the same driver, batch size and statement, prepared once, one
// transaction per batch.
func BenchmarkPut(b *testing.B) {
	for _, mode := range []string{"insert", "upsert"} {
		b.Run("sink/"+mode, func(b *testing.B) {
			d := testkit.NewDatabase(b)
			d.Exec(b, benchDDL)
			tk := &task{}
			if err := tk.Start(context.Background(), &fakeContext{}, props(d, InsertModeKey, mode, PKModeKey, "record_value", PKFieldsKey, "id")); err != nil {
				b.Fatal(err)
			}
			defer tk.Stop(context.Background())
			batches := make([][]connectors.SinkRecord, 8)
			for i := range batches {
				batches[i] = benchRecords(int64(i) * benchBatch)
			}
			b.ResetTimer()
			for i := range b.N {
				recs := batches[i%len(batches)]
				if mode == "insert" && i >= len(batches) {
					b.StopTimer()
					recs = benchRecords(int64(i) * benchBatch)
					b.StartTimer()
				}
				if err := tk.Put(context.Background(), recs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run("raw/"+mode, func(b *testing.B) {
			d := testkit.NewDatabase(b)
			d.Exec(b, benchDDL)
			ctx := context.Background()
			conn, err := d.DB.Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			cols := "id,a,b,c,d,e,f,g,h,i"
			q := "INSERT INTO bench(" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?),", benchBatch), ",")
			if mode == "upsert" {
				var upd []string
				for _, c := range strings.Split(cols, ",")[1:] {
					upd = append(upd, fmt.Sprintf("%s=VALUES(%s)", c, c))
				}
				q += " ON DUPLICATE KEY UPDATE " + strings.Join(upd, ",")
			}
			stmt, err := conn.PrepareContext(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			defer stmt.Close()
			ts := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
			args := make([]any, 0, benchBatch*10)
			b.ResetTimer()
			for n := range b.N {
				args = args[:0]
				for i := range benchBatch {
					id := int64(i)
					if mode == "insert" {
						id += int64(n) * benchBatch
					}
					args = append(args, id, int64(i), id*7, float64(i)/3, "some text value", "another, longer text value 0123456789",
						int64(i%2), int64(i%1000), ts, nil)
				}
				if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
					b.Fatal(err)
				}
				if _, err := stmt.ExecContext(ctx, args...); err != nil {
					b.Fatal(err)
				}
				if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkPutVariableSizes upserts Puts of varying sizes (1 to 3000 rows, as consumer polls
// deliver them) and reports rows/s and the statements prepared per Put.
func BenchmarkPutVariableSizes(b *testing.B) {
	d := testkit.NewDatabase(b)
	d.Exec(b, benchDDL)
	tk := &task{}
	if err := tk.Start(context.Background(), &fakeContext{}, props(d, InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id")); err != nil {
		b.Fatal(err)
	}
	defer tk.Stop(context.Background())
	recs := benchRecords(0)
	sizes := make([]int, 997)
	x := uint32(12345)
	for i := range sizes {
		x = x*1664525 + 1013904223
		sizes[i] = int(x>>8)%benchBatch + 1
	}
	rowsPut := 0
	prepared := tk.stmts.prepared
	b.ResetTimer()
	for i := range b.N {
		n := sizes[i%len(sizes)]
		if err := tk.Put(context.Background(), recs[:n]); err != nil {
			b.Fatal(err)
		}
		rowsPut += n
	}
	b.ReportMetric(float64(rowsPut)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(tk.stmts.prepared-prepared)/float64(b.N), "prepares/put")
}
