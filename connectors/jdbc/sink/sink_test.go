package sink

import (
	"context"
	"database/sql"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/connectors"
	"github.com/sluicehq/sluice/internal/testkit"
	"github.com/sluicehq/sluice/schemas"
)

var (
	personSchema = schemas.NewBuilder(schemas.TypeStruct).
			Field("id", schemas.Int64Schema).
			Field("name", schemas.StringSchema).
			Field("age", schemas.OptionalInt32Schema).MustBuild()
	idKeySchema = schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int64Schema).MustBuild()
)

func person(id int64, name string, age int32) *schemas.Struct {
	return schemas.NewStruct(personSchema).MustPut("id", id).MustPut("name", name).MustPut("age", age)
}

func idKey(id int64) *schemas.Struct { return schemas.NewStruct(idKeySchema).MustPut("id", id) }

func TestConfigRules(t *testing.T) {
	tests := []struct {
		name    string
		kv      []string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"delete without record_key", []string{DeleteEnabledKey, "true", PKModeKey, "record_value"}, "Primary key mode must be 'record_key' when delete support is enabled"},
		{"kafka with two names", []string{PKModeKey, "kafka", PKFieldsKey, "a,b"}, "exactly 3 names"},
		{"enum in mixed case", []string{InsertModeKey, "Upsert"}, "Invalid value Upsert for configuration insert.mode: Invalid enumerator"},
		{"enum in upper case", []string{InsertModeKey, "UPSERT", PKModeKey, "RECORD_VALUE"}, ""},
		{"upsert without key", []string{InsertModeKey, "upsert"}, "insert.mode upsert needs a primary key"},
		{"bad zone", []string{DBTimezoneKey, "Mars/Olympus"}, "db.timezone"},
		{"negative batch", []string{BatchSizeKey, "-1"}, "batch.size"},
		{"other dialect", []string{DialectNameKey, "PostgreSqlDatabaseDialect"}, "dialect.name"},
		{"not mysql", []string{ConnectionURLKey, "jdbc:postgresql://h/db"}, "jdbc:mysql://"},
	}
	d := testkit.Database{MySQLServer: testkit.MySQLServer{JDBCURL: "jdbc:mysql://127.0.0.1:1/db", User: "u", Password: "secret-pw"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(props(d, tt.kv...))
			if tt.wantErr == "" {
				mustNotErr(t, err)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret-pw") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

// TestValidateIsStatic: Validate (run on every create, update and start) never talks to the
// database, so an outage cannot refuse a config or leave the connector FAILED; ValidateLive (the
// REST config/validate endpoint) connects and reports on the key to fix.
func TestValidateIsStatic(t *testing.T) {
	d := testkit.NewDatabase(t)
	static := func(p map[string]string) map[string]string {
		out := map[string]string{}
		for _, r := range New().Validate(p) {
			if len(r.Errors) > 0 {
				out[r.Name] = strings.Join(r.Errors, "; ")
			}
		}
		return out
	}
	live := func(p map[string]string) map[string]string {
		out := map[string]string{}
		for _, r := range New().ValidateLive(context.Background(), p) {
			if len(r.Errors) > 0 {
				out[r.Name] = strings.Join(r.Errors, "; ")
			}
		}
		return out
	}
	d.Exec(t, "CREATE TABLE present (id INT)")
	noDB := strings.Replace(d.JDBCURL, "/"+d.Name, "/", 1)
	tests := []struct {
		name       string
		p          map[string]string
		wantStatic map[string]string // key → part of its error
		wantLive   map[string]string
	}{
		{"good", props(d), nil, nil},
		{"wrong password", props(d, ConnectionPasswordKey, "wrong-password-xyz"), nil, map[string]string{ConnectionPasswordKey: "access denied"}},
		{"unreachable", props(d, ConnectionURLKey, "jdbc:mysql://127.0.0.1:1/x"), nil, map[string]string{ConnectionURLKey: "cannot reach"}},
		{"no such database", props(d, ConnectionURLKey, strings.Replace(d.JDBCURL, "/"+d.Name, "/no_such_db_xyz", 1)), nil,
			map[string]string{ConnectionURLKey: `no database "no_such_db_xyz"`}},
		{"missing table", props(d, "topics", "present, absent"), nil,
			map[string]string{TableNameFormatKey: "table " + d.Name + ".absent (for topic absent) does not exist and auto.create is false"}},
		{"missing table with auto.create", props(d, "topics", "present,absent", AutoCreateKey, "true"), nil, nil},
		{"three-part name", props(d, "topics", "a.b.c"), nil, map[string]string{TableNameFormatKey: "more than two parts"}},
		{"delete.enabled rule", props(d, DeleteEnabledKey, "true"), map[string]string{DeleteEnabledKey: "record_key"}, nil},
		{"no database in the URL, dotted topics", props(d, ConnectionURLKey, noDB, "topics", d.Name+".present"), nil, nil},
		{"no database in the URL, dotted topics, auto.create", props(d, ConnectionURLKey, noDB, "topics", d.Name+".new", AutoCreateKey, "true"), nil, nil},
		{"no database anywhere", props(d, ConnectionURLKey, noDB, "topics", d.Name+".present,plain"), nil,
			map[string]string{TableNameFormatKey: "table plain (for topic plain): no database: name one in connection.url or in table.name.format"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				what string
				got  map[string]string
				want map[string]string
			}{{"Validate", static(tt.p), tt.wantStatic}, {"ValidateLive", live(tt.p), tt.wantLive}} {
				if len(c.got) != len(c.want) {
					t.Fatalf("%s: errors %v, want on %v", c.what, c.got, c.want)
				}
				for k, w := range c.want {
					if !strings.Contains(c.got[k], w) {
						t.Fatalf("%s: errors %v, want %q on %s", c.what, c.got, w, k)
					}
				}
				for _, e := range c.got {
					if strings.Contains(e, "wrong-password-xyz") || strings.Contains(e, d.Password) {
						t.Fatalf("%s shows the password: %v", c.what, c.got)
					}
				}
			}
		})
	}
}

// TestModes writes, then overwrites, records with each insert.mode and pk.mode, and reads the
// table back.
func TestModes(t *testing.T) {
	d := testkit.NewDatabase(t)
	type tc struct {
		insertMode, pkMode, pkFields string
		pre                          []string // DDL for update mode (which needs rows to update)
		query                        string
		want                         []string
	}
	tests := []tc{
		{insertMode: "insert", pkMode: "none", query: "SELECT id,name,age FROM `%s` ORDER BY id,name",
			want: []string{"1|ann|30", "1|ann2|31", "2|bob|NULL"}},
		{insertMode: "insert", pkMode: "kafka", query: "SELECT __connect_topic,__connect_partition,__connect_offset,id,name FROM `%s` ORDER BY __connect_offset",
			want: []string{"%s|0|0|1|ann", "%s|0|1|2|bob", "%s|0|2|1|ann2"}},
		{insertMode: "insert", pkMode: "record_value", pkFields: "id,name", query: "SELECT id,name,age FROM `%s` ORDER BY id,name",
			want: []string{"1|ann|30", "1|ann2|31", "2|bob|NULL"}},
		{insertMode: "upsert", pkMode: "record_key", query: "SELECT id,name,age FROM `%s` ORDER BY id",
			want: []string{"1|ann2|31", "2|bob|NULL"}},
		{insertMode: "upsert", pkMode: "record_value", pkFields: "id", query: "SELECT id,name,age FROM `%s` ORDER BY id",
			want: []string{"1|ann2|31", "2|bob|NULL"}},
		{insertMode: "upsert", pkMode: "kafka", query: "SELECT __connect_offset,id FROM `%s` ORDER BY __connect_offset",
			want: []string{"0|1", "1|2", "2|1"}},
		{insertMode: "update", pkMode: "record_key", pre: []string{"CREATE TABLE `%s` (id BIGINT PRIMARY KEY, name TEXT, age INT)", "INSERT INTO `%s` VALUES (1,'x',1),(3,'z',3)"},
			query: "SELECT id,name,age FROM `%s` ORDER BY id", want: []string{"1|ann2|31", "3|z|3"}},
		{insertMode: "update", pkMode: "record_value", pkFields: "id", pre: []string{"CREATE TABLE `%s` (id BIGINT PRIMARY KEY, name TEXT, age INT)", "INSERT INTO `%s` VALUES (2,'y',2)"},
			query: "SELECT id,name,age FROM `%s` ORDER BY id", want: []string{"2|bob|NULL"}},
		{insertMode: "insert", pkMode: "record_key", query: "SELECT id,name FROM `%s` ORDER BY id",
			want: []string{"1|ann", "2|bob"}}, // the third record is a duplicate key: reported
	}
	for i, tt := range tests {
		name := tt.insertMode + "_" + tt.pkMode
		t.Run(name, func(t *testing.T) {
			topic := "t" + string(rune('a'+i))
			for _, s := range tt.pre {
				d.Exec(t, strings.ReplaceAll(s, "%s", topic))
			}
			tc := &fakeContext{tolerate: true}
			tk, _ := startTask(t, props(d, InsertModeKey, tt.insertMode, PKModeKey, tt.pkMode, PKFieldsKey, tt.pkFields, AutoCreateKey, "true"), tc)
			r2 := person(2, "bob", 0)
			mustNotErr(t, r2.Put("age", nil))
			batch := []connectors.SinkRecord{
				rec(topic, 0, idKeySchema, idKey(1), personSchema, person(1, "ann", 30)),
				rec(topic, 1, idKeySchema, idKey(2), personSchema, r2),
			}
			mustNotErr(t, tk.Put(context.Background(), batch))
			mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{rec(topic, 2, idKeySchema, idKey(1), personSchema, person(1, "ann2", 31))}))
			want := make([]string, len(tt.want))
			for j, w := range tt.want {
				want[j] = strings.ReplaceAll(w, "%s", topic)
			}
			equalRows(t, rows(t, d.DB, strings.ReplaceAll(tt.query, "%s", topic)), want)
			if tt.insertMode == "insert" && tt.pkMode == "record_key" {
				if got := tc.reportedOffsets(); len(got) != 1 || got[0] != 2 {
					t.Fatalf("reported %v, want offset 2 (duplicate key)", got)
				}
			} else if len(tc.reported) != 0 {
				t.Fatalf("reported %v", tc.reported)
			}
		})
	}
}

func TestPrimitiveKeyNeedsOnePKField(t *testing.T) {
	d := testkit.NewDatabase(t)
	tc := &fakeContext{}
	tk, _ := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_key", AutoCreateKey, "true"), tc)
	err := tk.Put(context.Background(), []connectors.SinkRecord{rec("p", 0, schemas.Int64Schema, int64(1), personSchema, person(1, "a", 1))})
	if err == nil || !strings.Contains(err.Error(), "Need exactly one PK column defined since the key schema for records is a primitive type") {
		t.Fatalf("err = %v", err)
	}
	tk2, _ := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_key", PKFieldsKey, "k", AutoCreateKey, "true"), tc)
	mustNotErr(t, tk2.Put(context.Background(), []connectors.SinkRecord{
		rec("p", 0, schemas.StringSchema, "key-1", personSchema, person(1, "a", 1)),
		rec("p", 1, schemas.StringSchema, "key-1", personSchema, person(2, "b", 2)),
	}))
	equalRows(t, rows(t, d.DB, "SELECT k,id,name FROM p"), []string{"key-1|2|b"})
	// A STRING key column is a VARCHAR (Confluent's TEXT cannot be a key).
	equalRows(t, rows(t, d.DB, "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=DATABASE() AND TABLE_NAME='p' AND COLUMN_NAME='k'"),
		[]string{"varchar(255)"})
}

// TestAutoCreateEveryType creates a table from a schema with every Connect type and reads the
// values back exactly.
func TestAutoCreateEveryType(t *testing.T) {
	d := testkit.NewDatabase(t)
	s := schemas.NewBuilder(schemas.TypeStruct).
		Field("k1", schemas.StringSchema).
		Field("k2", schemas.StringSchema).
		Field("i8", schemas.Int8Schema).
		Field("i16", schemas.Int16Schema).
		Field("i32", schemas.Int32Schema).
		Field("i64", schemas.Int64Schema).
		Field("f32", schemas.Float32Schema).
		Field("f64", schemas.Float64Schema).
		Field("b", schemas.BooleanSchema).
		Field("s", schemas.OptionalStringSchema).
		Field("by", schemas.OptionalBytesSchema).
		Field("dec", schemas.DecimalBuilder(2).Optional().MustBuild()).
		Field("dec30", schemas.DecimalSchema(30)).
		Field("d", schemas.DateBuilder().Optional().MustBuild()).
		Field("tm", schemas.TimeSchema).
		Field("ts", schemas.TimestampSchema).
		Field("us", schemas.Int64Schema).
		Field("dflt", schemas.NewBuilder(schemas.TypeInt32).Optional().Default(int32(7)).MustBuild()).
		MustBuild()
	mk := func(k1 string) *schemas.Struct { return schemas.NewStruct(s).MustPut("k1", k1).MustPut("k2", "x") }
	dec30, _ := new(big.Rat).SetString("-12345678901234567890123456789012345.123456789012345678901234567890")
	full := mk("a").MustPut("i8", int8(-128)).MustPut("i16", int16(32767)).MustPut("i32", int32(math.MinInt32)).
		MustPut("i64", int64(math.MaxInt64)).MustPut("f32", float32(1.5)).MustPut("f64", 3.141592653589793).MustPut("b", true).
		MustPut("s", "héllo ' \\ `x` 🙂").MustPut("by", []byte{0, 1, 0xff}).MustPut("dec", big.NewRat(-12345, 100)).
		MustPut("dec30", dec30).MustPut("d", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)).
		MustPut("tm", time.Date(1970, 1, 1, 23, 59, 58, 123e6, time.UTC)).
		MustPut("ts", time.Date(2023, 12, 31, 23, 59, 59, 999e6, time.UTC)).MustPut("us", int64(1700000000123456))
	nulls := mk("b").MustPut("i8", int8(0)).MustPut("i16", int16(0)).MustPut("i32", int32(0)).MustPut("i64", int64(math.MinInt64)).
		MustPut("f32", float32(0)).MustPut("f64", -0.5).MustPut("b", false).MustPut("dec30", new(big.Rat)).
		MustPut("tm", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)).MustPut("ts", time.UnixMilli(-1).UTC()).MustPut("us", int64(0))
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "k1,k2",
		TimestampFieldsKey, "us"), nil)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{rec("every", 0, nil, nil, s, full), rec("every", 1, nil, nil, s, nulls)}))
	equalRows(t, rows(t, d.DB, "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, IFNULL(COLUMN_DEFAULT,'-') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=DATABASE() AND TABLE_NAME='every' ORDER BY ORDINAL_POSITION"),
		[]string{
			"k1|varchar(255)|NO|PRI|-", "k2|varchar(255)|NO|PRI|-", "i8|tinyint(4)|NO||-", "i16|smallint(6)|NO||-", "i32|int(11)|NO||-",
			"i64|bigint(20)|NO||-", "f32|float|NO||-", "f64|double|NO||-", "b|tinyint(4)|NO||-", "s|text|YES||NULL",
			"by|varbinary(1024)|YES||NULL", "dec|decimal(65,2)|YES||NULL", "dec30|decimal(65,30)|NO||-", "d|date|YES||NULL",
			"tm|time(3)|NO||-", "ts|datetime(3)|NO||-", "us|datetime(6)|NO||-", "dflt|int(11)|YES||7",
		})
	equalRows(t, rows(t, d.DB, "SELECT k1,i8,i16,i32,i64,f32,f64,b,s,HEX(`by`),`dec`,dec30,d,tm,ts,us,dflt FROM every ORDER BY k1"), []string{
		"a|-128|32767|-2147483648|9223372036854775807|1.5|3.141592653589793|1|héllo ' \\ `x` 🙂|0001FF|-123.45|-12345678901234567890123456789012345.123456789012345678901234567890|2024-02-29|23:59:58.123|2023-12-31 23:59:59.999|2023-11-14 22:13:20.123456|7",
		"b|0|0|0|-9223372036854775808|0|-0.5|0|NULL|NULL|NULL|0.000000000000000000000000000000|NULL|00:00:00.000|1969-12-31 23:59:59.999|1970-01-01 00:00:00.000000|7",
	})
}

func TestTimezone(t *testing.T) {
	d := testkit.NewDatabase(t)
	s := schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int32Schema).Field("ts", schemas.TimestampSchema).Field("d", schemas.DateSchema).MustBuild()
	v := schemas.NewStruct(s).MustPut("id", int32(1)).MustPut("ts", time.Date(2024, 7, 1, 12, 0, 0, 5e6, time.UTC)).
		MustPut("d", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC))
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", DBTimezoneKey, "America/New_York"), nil)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{rec("tz", 0, nil, nil, s, v)}))
	tk2, _ := startTask(t, props(d, AutoCreateKey, "true", DBTimezoneKey, "America/New_York", DateTimezoneKey, "UTC"), nil)
	mustNotErr(t, tk2.Put(context.Background(), []connectors.SinkRecord{rec("tz", 1, nil, nil, s, v)}))
	// Confluent's default writes the Date in db.timezone too (the day before in New York);
	// date.timezone=UTC keeps it.
	equalRows(t, rows(t, d.DB, "SELECT ts, d FROM tz ORDER BY d"), []string{"2024-07-01 08:00:00.005|2024-06-30", "2024-07-01 08:00:00.005|2024-07-01"})
}

func TestAutoEvolve(t *testing.T) {
	d := testkit.NewDatabase(t)
	v2 := schemas.NewBuilder(schemas.TypeStruct).
		Field("id", schemas.Int64Schema).Field("name", schemas.StringSchema).Field("age", schemas.OptionalInt32Schema).
		Field("email", schemas.OptionalStringSchema).Field("score", schemas.NewBuilder(schemas.TypeInt32).Default(int32(5)).MustBuild()).MustBuild()
	tk, lc := startTask(t, props(d, AutoCreateKey, "true", AutoEvolveKey, "true", InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id"), nil)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{rec("ev", 0, nil, nil, personSchema, person(1, "a", 1))}))
	var batch []connectors.SinkRecord
	for i := range 50 {
		// A new schema object per record, as a converter without a schema cache gives.
		s := *v2
		v := schemas.NewStruct(&s).MustPut("id", int64(i+2)).MustPut("name", "n").MustPut("email", "e@x").MustPut("score", int32(i))
		batch = append(batch, rec("ev", int64(i+1), nil, nil, &s, v))
		batch = append(batch, rec("ev", int64(i+1), nil, nil, personSchema, person(int64(i+100), "old", 1)))
	}
	mustNotErr(t, tk.Put(context.Background(), batch))
	mustNotErr(t, tk.Put(context.Background(), batch))
	if n := lc.count("adding columns"); n != 1 {
		t.Fatalf("ALTER TABLE ran %d times, want 1", n)
	}
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*), SUM(email IS NOT NULL), SUM(score) FROM ev"), []string{"101|50|1480"})
	equalRows(t, rows(t, d.DB, "SELECT id,email,score FROM ev WHERE id IN (1,2)"), []string{"1|NULL|5", "2|e@x|0"})

	// A required field without a default cannot be added.
	v3 := schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int64Schema).Field("must", schemas.StringSchema).MustBuild()
	err := tk.Put(context.Background(), []connectors.SinkRecord{rec("ev", 99, nil, nil, v3, schemas.NewStruct(v3).MustPut("id", int64(1)).MustPut("must", "x"))})
	if err == nil || !strings.Contains(err.Error(), `Cannot ALTER TABLE`) || !strings.Contains(err.Error(), `"must"`) {
		t.Fatalf("err = %v", err)
	}
	// Without auto.evolve the missing column is an error naming it.
	tk2, _ := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id"), nil)
	v4 := schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int64Schema).Field("extra", schemas.OptionalStringSchema).MustBuild()
	err = tk2.Put(context.Background(), []connectors.SinkRecord{rec("ev", 100, nil, nil, v4, schemas.NewStruct(v4).MustPut("id", int64(1)))})
	if err == nil || !strings.Contains(err.Error(), "missing fields (extra) and auto-evolution is disabled") {
		t.Fatalf("err = %v", err)
	}
}

func TestDeletes(t *testing.T) {
	d := testkit.NewDatabase(t)
	p := props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_key", DeleteEnabledKey, "true")
	tk, _ := startTask(t, p, nil)
	put := func(rs ...connectors.SinkRecord) { t.Helper(); mustNotErr(t, tk.Put(context.Background(), rs)) }
	tomb := func(off, id int64) connectors.SinkRecord { return rec("del", off, idKeySchema, idKey(id), nil, nil) }
	// A delete before the table exists deletes nothing.
	put(tomb(0, 9))
	put(rec("del", 1, idKeySchema, idKey(1), personSchema, person(1, "a", 1)),
		rec("del", 2, idKeySchema, idKey(2), personSchema, person(2, "b", 2)),
		rec("del", 3, idKeySchema, idKey(3), personSchema, person(3, "c", 3)),
		tomb(4, 1), tomb(5, 2),
		// Re-inserted after its delete in the same batch: kept.
		rec("del", 6, idKeySchema, idKey(2), personSchema, person(2, "b2", 2)))
	equalRows(t, rows(t, d.DB, "SELECT id,name FROM del ORDER BY id"), []string{"2|b2", "3|c"})

	// A composite key deletes with (k1,k2) IN (…).
	ck := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).Field("b", schemas.StringSchema).MustBuild()
	cv := schemas.NewBuilder(schemas.TypeStruct).Field("v", schemas.OptionalStringSchema).MustBuild()
	key := func(a int32, b string) *schemas.Struct { return schemas.NewStruct(ck).MustPut("a", a).MustPut("b", b) }
	put(rec("del2", 0, ck, key(1, "x"), cv, schemas.NewStruct(cv).MustPut("v", "1x")),
		rec("del2", 1, ck, key(1, "y"), cv, schemas.NewStruct(cv).MustPut("v", "1y")),
		rec("del2", 2, ck, key(2, "x"), cv, schemas.NewStruct(cv).MustPut("v", "2x")))
	put(rec("del2", 3, ck, key(1, "y"), nil, nil), rec("del2", 4, ck, key(2, "x"), nil, nil))
	equalRows(t, rows(t, d.DB, "SELECT a,b,v FROM del2"), []string{"1|x|1x"})

	// With delete.enabled=false a tombstone is skipped, not a failure.
	tk2, lc := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_key"), nil)
	mustNotErr(t, tk2.Put(context.Background(), []connectors.SinkRecord{tomb(7, 3), tomb(8, 2), rec("del", 9, idKeySchema, idKey(4), personSchema, person(4, "d", 4))}))
	equalRows(t, rows(t, d.DB, "SELECT id FROM del ORDER BY id"), []string{"2", "3", "4"})
	if lc.count("skipping records with a null value (tombstones): delete.enabled is false; this is logged once") != 1 {
		t.Fatalf("the skip is not logged once: %v", lc.msgs)
	}
}

func TestHostileNames(t *testing.T) {
	d := testkit.NewDatabase(t)
	other := d.Name + "_x"
	d.Exec(t, "CREATE DATABASE `"+other+"`")
	t.Cleanup(func() { _, _ = d.DB.Exec("DROP DATABASE `" + other + "`") })
	s := schemas.NewBuilder(schemas.TypeStruct).Field("i`d", schemas.Int32Schema).Field("näme; DROP TABLE x", schemas.OptionalStringSchema).MustBuild()
	v := schemas.NewStruct(s).MustPut("i`d", int32(1)).MustPut("näme; DROP TABLE x", "v 🙂")
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "i`d",
		TableNameFormatKey, "${topic}"), nil)
	// A topic with a dot names database.table, as in Confluent.
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{rec(other+".tab", 0, nil, nil, s, v)}))
	equalRows(t, rows(t, d.DB, "SELECT `i``d`, `näme; DROP TABLE x` FROM `"+other+"`.tab"), []string{"1|v 🙂"})

	tk2, _ := startTask(t, props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "i`d",
		TableNameFormatKey, "`t ${topic} ü`"), nil)
	mustNotErr(t, tk2.Put(context.Background(), []connectors.SinkRecord{rec("we-ird", 0, nil, nil, s, v)}))
	equalRows(t, rows(t, d.DB, "SELECT `i``d`, `näme; DROP TABLE x` FROM `t we-ird ü`"), []string{"1|v 🙂"})
}

func TestRecordsTheSinkCannotWrite(t *testing.T) {
	d := testkit.NewDatabase(t)
	nested := schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int32Schema).
		Field("inner", schemas.NewBuilder(schemas.TypeStruct).Field("x", schemas.Int32Schema).Optional().MustBuild()).MustBuild()
	tests := []struct {
		name string
		r    connectors.SinkRecord
		want string
	}{
		{"nested", rec("bad", 0, nil, nil, nested, schemas.NewStruct(nested).MustPut("id", int32(1))), `field "inner" is a STRUCT`},
		{"schemaless", rec("bad", 1, nil, nil, nil, map[string]any{"id": 1}), "requires records with a non-null Struct or String value and non-null Struct or String schema, but found record at (topic='bad',partition=0,offset=1,timestamp=1700000000000) with a Map value and null value schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := &fakeContext{}
			tk, _ := startTask(t, props(d, AutoCreateKey, "true"), tc)
			err := tk.Put(context.Background(), []connectors.SinkRecord{tt.r})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			tc.tolerate = true
			mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{tt.r}))
			if len(tc.reported) != 1 || !strings.Contains(tc.reported[0].err.Error(), tt.want) {
				t.Fatalf("reported %v", tc.reported)
			}
		})
	}
}

// TestDataErrors: rows the database refuses fail the task under errors.tolerance=none, naming
// the table and the SQL error, with nothing committed; under all they are reported and the rest
// of the batch is written.
func TestDataErrors(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE c (id BIGINT PRIMARY KEY, name VARCHAR(5) NOT NULL, age INT CHECK (age >= 0))")
	var batch []connectors.SinkRecord
	bad := map[int64]bool{3: true, 17: true, 18: true, 250: true}
	for i := range int64(300) {
		name, age := "ok", int32(i)
		switch i {
		case 3:
			name = "too long for five" // data too long
		case 17:
			age = -1 // CHECK constraint
		case 250:
			name = "toolong"
		}
		id := i
		if i == 18 {
			id = 5 // a duplicate of id 5 in insert mode
		}
		batch = append(batch, rec("c", i, nil, nil, personSchema, person(id, name, age)))
	}
	p := props(d, PKModeKey, "record_value", PKFieldsKey, "id", BatchSizeKey, "100")
	tc := &fakeContext{}
	tk, _ := startTask(t, p, tc)
	err := tk.Put(context.Background(), batch)
	if err == nil || !strings.Contains(err.Error(), "table "+d.Name+".c") || !strings.Contains(err.Error(), "Data too long for column 'name'") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), d.Password) {
		t.Fatal("the error shows the password")
	}
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*) FROM c"), []string{"0"})

	tc.tolerate = true
	mustNotErr(t, tk.Put(context.Background(), batch))
	got := tc.reportedOffsets()
	if len(got) != len(bad) {
		t.Fatalf("reported %v, want offsets 3, 17, 18, 250", got)
	}
	for _, o := range got {
		if !bad[o] {
			t.Fatalf("reported %v, want offsets 3, 17, 18, 250", got)
		}
	}
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*), SUM(id) FROM c"), []string{"296|44562"})
}

// TestLargeRowsSplitByPacket writes rows whose total passes the server's max_allowed_packet in
// one Put: statements are cut by bytes as well as by batch.size.
func TestLargeRowsSplitByPacket(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE big (id BIGINT PRIMARY KEY, name LONGTEXT NOT NULL, age INT)")
	var packet int
	mustNotErr(t, d.DB.QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	size := 1 << 20
	n := packet/size + 4
	var batch []connectors.SinkRecord
	for i := range n {
		batch = append(batch, rec("big", int64(i), nil, nil, personSchema, person(int64(i), strings.Repeat(string(rune('a'+i%26)), size), 1)))
	}
	tk, _ := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id"), nil)
	mustNotErr(t, tk.Put(context.Background(), batch))
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*), SUM(LENGTH(name)) FROM big"), []string{strconvItoa(n) + "|" + strconvItoa(n*size)})
}

func strconvItoa(n int) string { return itoa(int64(n)) }

// TestRowLargerThanPacket: a row the server would refuse (and drop the connection for) is
// reported; the rest of the batch is written.
func TestRowLargerThanPacket(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE huge (id BIGINT PRIMARY KEY, name LONGTEXT NOT NULL, age INT)")
	var packet int
	mustNotErr(t, d.DB.QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	tc := &fakeContext{tolerate: true}
	tk, _ := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id"), tc)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{
		rec("huge", 0, nil, nil, personSchema, person(1, "small", 1)),
		rec("huge", 1, nil, nil, personSchema, person(2, strings.Repeat("x", packet), 1)),
		rec("huge", 2, nil, nil, personSchema, person(3, "small", 1)),
	}))
	if got := tc.reportedOffsets(); len(got) != 1 || got[0] != 1 || !strings.Contains(tc.reported[0].err.Error(), "max_allowed_packet") {
		t.Fatalf("reported %v", tc.reported)
	}
	equalRows(t, rows(t, d.DB, "SELECT id FROM huge ORDER BY id"), []string{"1", "3"})
}

func TestStringValues(t *testing.T) {
	d := testkit.NewDatabase(t)
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_key", PKFieldsKey, "k"), nil)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{
		rec("sv", 0, schemas.StringSchema, "a", schemas.StringSchema, "first"),
		rec("sv", 1, schemas.StringSchema, "a", schemas.StringSchema, "second"),
	}))
	equalRows(t, rows(t, d.DB, "SELECT k, record_value FROM sv"), []string{"a|second"})
}

func TestStringKeyLength(t *testing.T) {
	str := column{schema: schemas.StringSchema, isKey: true}
	i64 := column{schema: schemas.Int64Schema, isKey: true}
	tests := []struct {
		keys []column
		want int
	}{
		{[]column{str}, 255},
		{[]column{str, str, str}, 255},
		{[]column{str, str, str, str}, 192},
		{[]column{i64, str, str, str, str}, 191},
	}
	for _, tt := range tests {
		got, err := stringKeyLength("t", tt.keys)
		if err != nil || got != tt.want {
			t.Errorf("%d keys: %d, %v; want %d", len(tt.keys), got, err, tt.want)
		}
		bytes := 0
		for _, k := range tt.keys {
			if k.schema.Type == schemas.TypeString {
				bytes += 4 * got
			} else {
				bytes += 8
			}
		}
		if bytes > maxKeyBytes {
			t.Errorf("%d keys of %d characters pass InnoDB's limit", len(tt.keys), got)
		}
	}
	d := testkit.NewDatabase(t)
	s := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.StringSchema).Field("b", schemas.StringSchema).
		Field("c", schemas.StringSchema).Field("e", schemas.StringSchema).Field("v", schemas.OptionalInt32Schema).MustBuild()
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "a,b,c,e"), nil)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{rec("sk", 0, nil, nil, s,
		schemas.NewStruct(s).MustPut("a", "1").MustPut("b", "2").MustPut("c", "3").MustPut("e", strings.Repeat("é", 192)))}))
	equalRows(t, rows(t, d.DB, "SELECT CHAR_LENGTH(e) FROM sk"), []string{"192"})
}

func TestMissingTableWithoutAutoCreate(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE here (id BIGINT PRIMARY KEY, name TEXT, age INT)")
	tc := &fakeContext{tolerate: true}
	tk, _ := startTask(t, props(d), tc)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{
		rec("nowhere", 0, nil, nil, personSchema, person(1, "a", 1)),
		rec("here", 1, nil, nil, personSchema, person(1, "a", 1)),
		rec("nowhere", 2, nil, nil, personSchema, person(2, "b", 2)),
	}))
	if got := tc.reportedOffsets(); len(got) != 2 || got[0] != 0 || got[1] != 2 ||
		!strings.Contains(tc.reported[1].err.Error(), "Table "+d.Name+".nowhere is missing and auto-creation is disabled") {
		t.Fatalf("reported %v", tc.reported)
	}
	equalRows(t, rows(t, d.DB, "SELECT id FROM here"), []string{"1"})
}

// TestTimestampsOutOfRange: a Timestamp or Date outside the years 1 to 9999 is a record the
// database cannot take (reported under errors.tolerance=all, the rest written), not a task
// failure; time.Time{} (0001-01-01T00:00:00Z) is written as that instant, not as a zero date.
func TestTimestampsOutOfRange(t *testing.T) {
	d := testkit.NewDatabase(t)
	s := schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int32Schema).
		Field("ts", schemas.TimestampBuilder().Optional().MustBuild()).Field("d", schemas.DateBuilder().Optional().MustBuild()).MustBuild()
	mk := func(id int32, ts, day time.Time) *schemas.Struct {
		return schemas.NewStruct(s).MustPut("id", id).MustPut("ts", ts).MustPut("d", day)
	}
	ok := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)
	batch := []connectors.SinkRecord{
		rec("tr", 0, nil, nil, s, mk(1, ok, ok)),
		rec("tr", 1, nil, nil, s, mk(2, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), ok)),
		rec("tr", 2, nil, nil, s, mk(3, time.Time{}, time.Time{})),
		rec("tr", 3, nil, nil, s, mk(4, ok, time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC))),
		rec("tr", 4, nil, nil, s, mk(5, time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), ok)),
	}
	tc := &fakeContext{}
	tk, _ := startTask(t, props(d, AutoCreateKey, "true"), tc)
	if err := tk.Put(context.Background(), batch); err == nil || !strings.Contains(err.Error(), `field "ts"`) {
		t.Fatalf("under none: err = %v, want the field named", err)
	}
	tc.tolerate = true
	mustNotErr(t, tk.Put(context.Background(), batch))
	if got := tc.reportedOffsets(); len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 4 {
		t.Fatalf("reported %v, want offsets 1, 3, 4", tc.reported)
	}
	equalRows(t, rows(t, d.DB, "SELECT id, ts, d FROM tr ORDER BY id"), []string{
		"1|2024-07-01 12:00:00.000|2024-07-01",
		"3|0001-01-01 00:00:00.000|0001-01-01",
	})
}

// TestStrictOnLenientServer: on a server whose sql_mode is not strict, the sink's session is
// (Connector/J's jdbcCompliantTruncation=true), so a value too long or out of range is refused
// and reported, never truncated or clamped; jdbcCompliantTruncation=false in connection.url keeps
// the server's mode.
func TestStrictOnLenientServer(t *testing.T) {
	m := testkit.StartMariaDB(t)
	db, err := sql.Open("mysql", m.DSN)
	mustNotErr(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for _, q := range []string{"SET GLOBAL sql_mode = ''", "CREATE TABLE lenient (id BIGINT PRIMARY KEY, name VARCHAR(5), age TINYINT)"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	d := testkit.Database{MySQLServer: m.MySQLServer, Name: "sluice", DB: db}
	batch := []connectors.SinkRecord{
		rec("lenient", 0, nil, nil, personSchema, person(1, "ok", 1)),
		rec("lenient", 1, nil, nil, personSchema, person(2, "much too long", 2)),
		rec("lenient", 2, nil, nil, personSchema, person(3, "ok", 300)),
	}
	tc := &fakeContext{tolerate: true}
	tk, _ := startTask(t, props(d), tc)
	mustNotErr(t, tk.Put(context.Background(), batch))
	if got := tc.reportedOffsets(); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Fatalf("reported %v, want offsets 1 and 2", tc.reported)
	}
	equalRows(t, rows(t, db, "SELECT id, name, age FROM lenient ORDER BY id"), []string{"1|ok|1"})

	mustNotErr(t, tk.Stop(context.Background()))
	_, err = db.Exec("DELETE FROM lenient")
	mustNotErr(t, err)
	tc = &fakeContext{tolerate: true}
	tk, _ = startTask(t, props(d, ConnectionURLKey, m.JDBCURL+"?jdbcCompliantTruncation=false"), tc)
	mustNotErr(t, tk.Put(context.Background(), batch))
	if got := tc.reportedOffsets(); len(got) != 0 {
		t.Fatalf("jdbcCompliantTruncation=false: reported %v", tc.reported)
	}
	equalRows(t, rows(t, db, "SELECT id, name, age FROM lenient ORDER BY id"), []string{"1|ok|1", "2|much |2", "3|ok|127"})
}

// TestTriggerRefusesRows: a row a trigger refuses (SIGNAL SQLSTATE '45000') is reported under
// errors.tolerance=all, the rest of the batch written; under none the task fails naming it.
func TestTriggerRefusesRows(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE guarded (id BIGINT PRIMARY KEY, name TEXT, age INT)",
		"CREATE TRIGGER guard BEFORE INSERT ON guarded FOR EACH ROW IF NEW.age > 150 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'age is not plausible'; END IF")
	var batch []connectors.SinkRecord
	for i := range int64(10) {
		age := int32(i)
		if i == 4 || i == 7 {
			age = 200
		}
		batch = append(batch, rec("guarded", i, nil, nil, personSchema, person(i, "n", age)))
	}
	tc := &fakeContext{}
	tk, _ := startTask(t, props(d), tc)
	if err := tk.Put(context.Background(), batch); err == nil || !strings.Contains(err.Error(), "age is not plausible") {
		t.Fatalf("under none: err = %v", err)
	}
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*) FROM guarded"), []string{"0"})
	tc.tolerate = true
	mustNotErr(t, tk.Put(context.Background(), batch))
	if got := tc.reportedOffsets(); len(got) != 2 || got[0] != 4 || got[1] != 7 {
		t.Fatalf("reported %v, want offsets 4 and 7", tc.reported)
	}
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*), SUM(id) FROM guarded"), []string{"8|34"})
}

// TestSameNamesOtherKeySplit: two shapes with the same column names but a different key/value
// split (key {a} value {b,c}, then key {a,b} value {c}) need different UPDATE statements.
func TestSameNamesOtherKeySplit(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE split (a INT NOT NULL, b INT NOT NULL, c INT NOT NULL)", "INSERT INTO split VALUES (1, 10, 100), (2, 20, 200), (2, 21, 210)")
	keyA := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).MustBuild()
	valBC := schemas.NewBuilder(schemas.TypeStruct).Field("b", schemas.Int32Schema).Field("c", schemas.Int32Schema).MustBuild()
	keyAB := schemas.NewBuilder(schemas.TypeStruct).Field("a", schemas.Int32Schema).Field("b", schemas.Int32Schema).MustBuild()
	valC := schemas.NewBuilder(schemas.TypeStruct).Field("c", schemas.Int32Schema).MustBuild()
	tk, _ := startTask(t, props(d, InsertModeKey, "update", PKModeKey, "record_key"), nil)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{
		rec("split", 0, keyA, schemas.NewStruct(keyA).MustPut("a", int32(1)), valBC, schemas.NewStruct(valBC).MustPut("b", int32(11)).MustPut("c", int32(101))),
		rec("split", 1, keyAB, schemas.NewStruct(keyAB).MustPut("a", int32(2)).MustPut("b", int32(21)), valC, schemas.NewStruct(valC).MustPut("c", int32(211))),
	}))
	equalRows(t, rows(t, d.DB, "SELECT a, b, c FROM split ORDER BY a, b"), []string{"1|11|101", "2|20|200", "2|21|211"})
}

// TestErrantRecordsNotLogged: records reported as errant are not logged one by one (the runtime
// does that under errors.log.enable) and their values, which the server's messages quote, never
// reach the sink's log; one WARN per Put gives the count by table.
func TestErrantRecordsNotLogged(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE quiet (id BIGINT PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE, age INT)",
		"INSERT INTO quiet VALUES (1, 'alice@secret.example', 1)")
	tc := &fakeContext{tolerate: true}
	tk, lc := startTask(t, props(d), tc)
	mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{
		rec("quiet", 0, nil, nil, personSchema, person(2, "alice@secret.example", 2)),
		rec("quiet", 1, nil, nil, personSchema, person(3, "bob", 3)),
		rec("quiet", 2, nil, nil, personSchema, person(4, strings.Repeat("carol-too-long", 5), 4)),
		rec("nowhere", 3, nil, nil, personSchema, person(5, "dave", 5)),
	}))
	if got := tc.reportedOffsets(); len(got) != 3 {
		t.Fatalf("reported %v, want offsets 0, 2, 3", tc.reported)
	}
	if !strings.Contains(tc.reported[0].err.Error()+tc.reported[1].err.Error()+tc.reported[2].err.Error(), "Duplicate entry 'alice@secret.example'") {
		t.Fatalf("the errors reported should carry the server's message: %v", tc.reported)
	}
	logged := lc.text()
	for _, v := range []string{"alice@secret.example", "carol-too-long", "dave"} {
		if strings.Contains(logged, v) {
			t.Fatalf("a record value (%s) reached the log:\n%s", v, logged)
		}
	}
	const warn = "records the database or the sink cannot take were reported as errant (errors.tolerance=all)"
	if n := lc.count(warn); n != 1 || !strings.Contains(logged, "records=3") ||
		!strings.Contains(logged, "tables=nowhere (1), quiet (2)") {
		t.Fatalf("want one WARN with the counts by table, got:\n%s", logged)
	}
}

// TestUpdateWithoutValueColumns: in update mode a record with key columns only has nothing to
// SET; it fails the task under errors.tolerance=none and is reported under all, never dropped.
func TestUpdateWithoutValueColumns(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE keyonly (id BIGINT PRIMARY KEY, name TEXT)", "INSERT INTO keyonly VALUES (1, 'a')")
	s := schemas.NewBuilder(schemas.TypeStruct).Field("id", schemas.Int64Schema).MustBuild()
	batch := []connectors.SinkRecord{
		rec("keyonly", 0, nil, nil, s, schemas.NewStruct(s).MustPut("id", int64(1))),
		rec("keyonly", 1, nil, nil, personSchema, person(1, "b", 2)),
	}
	tc := &fakeContext{}
	tk, _ := startTask(t, props(d, InsertModeKey, "update", PKModeKey, "record_value", PKFieldsKey, "id", AutoEvolveKey, "true"), tc)
	const want = "insert.mode=update needs a column to set besides the primary key (id)"
	if err := tk.Put(context.Background(), batch); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("under none: err = %v, want %q", err, want)
	}
	tc.tolerate = true
	mustNotErr(t, tk.Put(context.Background(), batch))
	if got := tc.reportedOffsets(); len(got) != 1 || got[0] != 0 || !strings.Contains(tc.reported[0].err.Error(), want) {
		t.Fatalf("reported %v, want offset 0", tc.reported)
	}
	equalRows(t, rows(t, d.DB, "SELECT id, name, age FROM keyonly"), []string{"1|b|2"})
}

// TestFewStatementSizes: Puts of every size from 1 to batch.size prepare a statement for
// batch.size rows and for each power of two below it, not one per size, and write every row.
func TestFewStatementSizes(t *testing.T) {
	for _, tt := range []struct{ n, perStmt, want int }{
		{1, 100, 1}, {2, 100, 2}, {3, 100, 2}, {99, 100, 64}, {100, 100, 100}, {250, 100, 100}, {64, 64, 64}, {5, 3, 3},
	} {
		if got := stmtRows(tt.n, tt.perStmt); got != tt.want {
			t.Errorf("stmtRows(%d, %d) = %d, want %d", tt.n, tt.perStmt, got, tt.want)
		}
	}
	d := testkit.NewDatabase(t)
	tk, _ := startTask(t, props(d, AutoCreateKey, "true", InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id", BatchSizeKey, "100"), nil)
	var all []connectors.SinkRecord
	for i := range int64(100) {
		all = append(all, rec("sizes", i, nil, nil, personSchema, person(i, "n", int32(i))))
	}
	mustNotErr(t, tk.Put(context.Background(), all[:1])) // creates the table
	prepared := tk.stmts.prepared
	for n := 1; n <= 100; n++ {
		mustNotErr(t, tk.Put(context.Background(), all[:n]))
	}
	if got := tk.stmts.prepared - prepared; got > 7 { // 100, 64, 32, 16, 8, 4, 2 (1 was prepared before)
		t.Fatalf("%d statements prepared for Puts of 1 to 100 rows, want at most 7", got)
	}
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*), SUM(id), SUM(age) FROM sizes"), []string{"100|4950|4950"})
}

// TestNonTransactionalTableWarned: a table whose engine has no transactions (MyISAM, Aria) gets
// one WARN naming it, whatever the number of Puts; an InnoDB table none.
func TestNonTransactionalTableWarned(t *testing.T) {
	d := testkit.NewDatabase(t)
	d.Exec(t, "CREATE TABLE my (id BIGINT PRIMARY KEY, name TEXT, age INT) ENGINE=MyISAM",
		"CREATE TABLE aria (id BIGINT PRIMARY KEY, name TEXT, age INT) ENGINE=Aria",
		"CREATE TABLE inno (id BIGINT PRIMARY KEY, name TEXT, age INT) ENGINE=InnoDB")
	tk, lc := startTask(t, props(d, InsertModeKey, "upsert", PKModeKey, "record_value", PKFieldsKey, "id"), nil)
	for i := range int64(2) {
		mustNotErr(t, tk.Put(context.Background(), []connectors.SinkRecord{
			rec("my", i, nil, nil, personSchema, person(i, "a", 1)),
			rec("aria", i, nil, nil, personSchema, person(i, "a", 1)),
			rec("inno", i, nil, nil, personSchema, person(i, "a", 1)),
		}))
	}
	const warn = "the table's engine has no transactions: a Put is not one transaction there; when the database refuses a row, the rows before it in the statement stay written and are sent again (duplicate rows, or in insert mode duplicate-key errors reported as errant), and a failed Put is not rolled back"
	logged := lc.text()
	if n := lc.count(warn); n != 2 || !strings.Contains(logged, "table="+d.Name+".my engine=MyISAM") ||
		!strings.Contains(logged, "table="+d.Name+".aria engine=Aria") || strings.Contains(logged, ".inno") {
		t.Fatalf("want one WARN for my and one for aria:\n%s", logged)
	}
	equalRows(t, rows(t, d.DB, "SELECT COUNT(*) FROM my"), []string{"2"})
}
