package schemas_test

import (
	"bytes"
	"math/big"
	"testing"
	"time"

	"github.com/sluicehq/sluice/schemas"
)

func TestDecimalSchema(t *testing.T) {
	t.Parallel()
	// Kafka Connect DecimalTest.testBuilder.
	s := schemas.DecimalSchema(2)
	if s.Type != schemas.TypeBytes || s.Name != schemas.DecimalName || s.Parameters["scale"] != "2" || *s.Version != 1 || len(s.Parameters) != 1 {
		t.Errorf("DecimalSchema(2) = %+v", s)
	}
	if scale, err := schemas.DecimalScale(s); err != nil || scale != 2 {
		t.Errorf("DecimalScale = %d, %v", scale, err)
	}
	if _, err := schemas.DecimalScale(schemas.BytesSchema); err == nil {
		t.Error("DecimalScale of BYTES succeeded")
	}
}

func TestDecimalBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		value *big.Rat
		scale int
		bytes []byte // Java BigInteger.toByteArray of the unscaled value
	}{
		{"DecimalTest 1.56", big.NewRat(156, 100), 2, []byte{0, 0x9C}},      // {0, -100}
		{"DecimalTest -1.56", big.NewRat(-156, 100), 2, []byte{0xFF, 0x64}}, // {-1, 100}
		{"zero", new(big.Rat), 2, []byte{0}},
		{"one", big.NewRat(1, 1), 0, []byte{1}},
		{"127", big.NewRat(127, 1), 0, []byte{0x7F}},
		{"128", big.NewRat(128, 1), 0, []byte{0, 0x80}},
		{"-1", big.NewRat(-1, 1), 0, []byte{0xFF}},
		{"-128", big.NewRat(-128, 1), 0, []byte{0x80}},
		{"-129", big.NewRat(-129, 1), 0, []byte{0xFF, 0x7F}},
		{"-256", big.NewRat(-256, 1), 0, []byte{0xFF, 0x00}},
		{"65535", big.NewRat(65535, 1), 0, []byte{0, 0xFF, 0xFF}},
		{"negative scale", big.NewRat(1200, 1), -2, []byte{12}},
		{"1.5 at scale 3", big.NewRat(3, 2), 3, []byte{0x05, 0xDC}}, // 1500
	}
	for _, tt := range tests {
		got, err := schemas.DecimalToBytes(tt.scale, tt.value)
		if err != nil || !bytes.Equal(got, tt.bytes) {
			t.Errorf("%s: DecimalToBytes = %x, %v; want %x", tt.name, got, err, tt.bytes)
			continue
		}
		back, err := schemas.DecimalFromBytes(tt.scale, got)
		if err != nil || back.Cmp(tt.value) != 0 {
			t.Errorf("%s: DecimalFromBytes = %v, %v; want %v", tt.name, back, err, tt.value)
		}
	}
	_, err := schemas.DecimalToBytes(2, big.NewRat(1, 3))
	assertDataError(t, err, "not exact at scale 2")
	_, err = schemas.DecimalToBytes(1, big.NewRat(5, 100))
	assertDataError(t, err, "would need rounding")
	_, err = schemas.DecimalFromBytes(2, nil)
	assertDataError(t, err, "zero length")
}

func TestDecimalFromString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]*big.Rat{
		"1.56":                big.NewRat(156, 100),
		"-7":                  big.NewRat(-7, 1),
		"1.2E+3":              big.NewRat(1200, 1),
		"1.23456789123456789": new(big.Rat).SetFrac(big.NewInt(123456789123456789), big.NewInt(100000000000000000)),
	} {
		got, err := schemas.DecimalFromString(in)
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("DecimalFromString(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "1e999999999", "NaN"} {
		if _, err := schemas.DecimalFromString(in); err == nil {
			t.Errorf("DecimalFromString(%q) succeeded", in)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	// Kafka Connect DateTest: epoch is day 0, epoch + 10000 days is 10000.
	ten := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 10000)
	for days, tm := range map[int32]time.Time{0: time.Unix(0, 0), 10000: ten, -1: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)} {
		got, err := schemas.DateToDays(tm)
		if err != nil || got != days {
			t.Errorf("DateToDays(%v) = %d, %v; want %d", tm, got, err, days)
		}
		if back := schemas.DateFromDays(days); !back.Equal(tm) || back.Location() != time.UTC {
			t.Errorf("DateFromDays(%d) = %v", days, back)
		}
	}
	_, err := schemas.DateToDays(time.Date(1970, 1, 1, 0, 0, 1, 0, time.UTC))
	assertDataError(t, err, "should not have any time fields")
	// Midnight in another zone is not midnight UTC.
	_, err = schemas.DateToDays(time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600)))
	assertDataError(t, err, "not midnight UTC")
}

func TestTime(t *testing.T) {
	t.Parallel()
	// Kafka Connect TimeTest: epoch is 0, epoch + 10000 ms is 10000.
	for ms, tm := range map[int32]time.Time{0: time.Unix(0, 0), 10000: time.UnixMilli(10000), 86400000: time.UnixMilli(86400000)} {
		got, err := schemas.TimeToMillis(tm)
		if err != nil || got != ms {
			t.Errorf("TimeToMillis(%v) = %d, %v; want %d", tm, got, err, ms)
		}
		back, err := schemas.TimeFromMillis(ms)
		if err != nil || !back.Equal(tm) {
			t.Errorf("TimeFromMillis(%d) = %v, %v", ms, back, err)
		}
	}
	_, err := schemas.TimeToMillis(time.Unix(0, 0).AddDate(0, 0, 10000))
	assertDataError(t, err, "should not have any date fields")
	_, err = schemas.TimeToMillis(time.Unix(0, 500))
	assertDataError(t, err, "sub-millisecond precision")
	_, err = schemas.TimeFromMillis(-1)
	assertDataError(t, err, "Time values must use number of milliseconds")
}

func TestTimestamp(t *testing.T) {
	t.Parallel()
	tm := time.Date(2019, 8, 23, 14, 34, 54, 346e6, time.UTC)
	ms, err := schemas.TimestampToMillis(tm)
	if err != nil || ms != 1566570894346 {
		t.Errorf("TimestampToMillis = %d, %v", ms, err)
	}
	if back := schemas.TimestampFromMillis(ms); !back.Equal(tm) {
		t.Errorf("TimestampFromMillis = %v", back)
	}
	_, err = schemas.TimestampToMillis(tm.Add(time.Microsecond))
	assertDataError(t, err, "sub-millisecond")
	for _, s := range []*schemas.Schema{schemas.DateSchema, schemas.TimeSchema, schemas.TimestampSchema} {
		if *s.Version != 1 {
			t.Errorf("%v version = %d", s, *s.Version)
		}
	}
}
