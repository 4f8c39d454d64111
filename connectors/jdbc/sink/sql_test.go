package sink

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/mysqlconn"
	"github.com/sluicehq/sluice/schemas"
)

func TestBuildSQL(t *testing.T) {
	sh := &shape{
		keys:   []column{{name: "id"}, {name: "k`2"}},
		values: []column{{name: "a"}, {name: "b"}},
	}
	keyOnly := &shape{keys: []column{{name: "id"}}}
	id := mysqlconn.TableID{Database: "db", Table: "t"}
	tests := []struct {
		name  string
		mode  string
		quote bool
		kind  runKind
		sh    *shape
		rows  int
		want  string
	}{
		{"insert", modeInsert, true, runWrite, sh, 2, "INSERT INTO `db`.`t`(`id`,`k``2`,`a`,`b`) VALUES (?,?,?,?),(?,?,?,?)"},
		{"upsert", modeUpsert, true, runWrite, sh, 1, "INSERT INTO `db`.`t`(`id`,`k``2`,`a`,`b`) VALUES (?,?,?,?) ON DUPLICATE KEY UPDATE `a`=VALUES(`a`),`b`=VALUES(`b`)"},
		{"upsert keys only", modeUpsert, true, runWrite, keyOnly, 1, "INSERT INTO `db`.`t`(`id`) VALUES (?) ON DUPLICATE KEY UPDATE `id`=VALUES(`id`)"},
		{"update", modeUpdate, true, runWrite, sh, 1, "UPDATE `db`.`t` SET `a`=?,`b`=? WHERE `id`=? AND `k``2`=?"},
		{"delete one key", modeUpsert, true, runDelete, keyOnly, 3, "DELETE FROM `db`.`t` WHERE `id` IN (?,?,?)"},
		{"delete composite", modeUpsert, true, runDelete, sh, 2, "DELETE FROM `db`.`t` WHERE (`id`,`k``2`) IN ((?,?),(?,?))"},
		{"never quoted", modeUpsert, false, runWrite, keyOnly, 1, "INSERT INTO db.t(id) VALUES (?) ON DUPLICATE KEY UPDATE id=VALUES(id)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := &task{cfg: &settings{insertMode: tt.mode, quote: tt.quote}}
			if got := tk.buildSQL(&run{id: id, shape: tt.sh, kind: tt.kind}, tt.rows); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestBindTimestampFields(t *testing.T) {
	paris, err := mysqlconn.Zone("Europe/Paris")
	mustNotErr(t, err)
	c := &column{name: "ts", schema: schemas.Int64Schema, tsUnit: true}
	instant := time.Date(2024, 7, 1, 12, 0, 0, 123456789, time.UTC)
	for _, tt := range []struct {
		nanos bool
		v     int64
		want  string
	}{
		{false, instant.UnixMicro(), "2024-07-01 14:00:00.123456"}, // 12:00 UTC is 14:00 in Paris
		{true, instant.UnixNano(), "2024-07-01 14:00:00.123456789"},
	} {
		got, err := bind(&settings{zone: paris, tsNanos: tt.nanos}, c, tt.v)
		mustNotErr(t, err)
		if got != tt.want {
			t.Errorf("nanos=%v: %v, want %v", tt.nanos, got, tt.want)
		}
	}
}
