package schemas

import (
	"math"
	"time"
)

// Kafka Connect's temporal logical types. Their Go value is a time.Time;
// conversions reject values that the encoded form cannot hold exactly
// (a time of day on a Date, sub-millisecond precision) instead of
// truncating them.
const (
	// DateName is the Date logical type: INT32 days since 1970-01-01; the
	// time.Time must be midnight UTC.
	DateName = "org.apache.kafka.connect.data.Date"
	// TimeName is the Time logical type: INT32 milliseconds since midnight;
	// the time.Time is on 1970-01-01 UTC.
	TimeName = "org.apache.kafka.connect.data.Time"
	// TimestampName is the Timestamp logical type: INT64 milliseconds since
	// the Unix epoch.
	TimestampName = "org.apache.kafka.connect.data.Timestamp"
)

const (
	millisPerDay = 24 * 60 * 60 * 1000
	// maxUnixSeconds bounds the instants whose Unix milliseconds fit int64.
	maxUnixSeconds = math.MaxInt64 / 1000
)

// Predefined required temporal schemas, like Kafka Connect's Date.SCHEMA,
// Time.SCHEMA and Timestamp.SCHEMA. Never modify them.
var (
	DateSchema      = DateBuilder().MustBuild()
	TimeSchema      = TimeBuilder().MustBuild()
	TimestampSchema = TimestampBuilder().MustBuild()
)

// DateBuilder starts a Date schema.
func DateBuilder() *Builder { return NewBuilder(TypeInt32).Name(DateName).Version(1) }

// TimeBuilder starts a Time schema.
func TimeBuilder() *Builder { return NewBuilder(TypeInt32).Name(TimeName).Version(1) }

// TimestampBuilder starts a Timestamp schema.
func TimestampBuilder() *Builder { return NewBuilder(TypeInt64).Name(TimestampName).Version(1) }

// DateToDays returns the days since the epoch of t, which must be midnight
// UTC.
func DateToDays(t time.Time) (int32, error) {
	u := t.UTC()
	if u.Hour() != 0 || u.Minute() != 0 || u.Second() != 0 || u.Nanosecond() != 0 {
		return 0, DataErrorf("Kafka Connect Date type should not have any time fields set to non-zero values: %s is not midnight UTC", t.Format(time.RFC3339Nano))
	}
	days := floorDiv(u.Unix(), 24*60*60)
	if days < math.MinInt32 || days > math.MaxInt32 {
		return 0, DataErrorf("Date %s is out of range for INT32 days", t.Format(time.RFC3339))
	}
	return int32(days), nil
}

// DateFromDays returns midnight UTC of the day that is days after the epoch.
func DateFromDays(days int32) time.Time {
	return time.Unix(int64(days)*24*60*60, 0).UTC()
}

// TimeToMillis returns the milliseconds since midnight of t, which must lie
// on 1970-01-01 UTC (Kafka Connect also accepts exactly 24:00:00.000) and
// have whole milliseconds.
func TimeToMillis(t time.Time) (int32, error) {
	ms, err := wholeMillis(t)
	if err != nil {
		return 0, err
	}
	if ms < 0 || ms > millisPerDay {
		return 0, DataErrorf("Kafka Connect Time type should not have any date fields set to non-zero values: %s is not on 1970-01-01 UTC", t.UTC().Format(time.RFC3339Nano))
	}
	return int32(ms), nil
}

// TimeFromMillis returns the time of day ms milliseconds after midnight, on
// 1970-01-01 UTC.
func TimeFromMillis(ms int32) (time.Time, error) {
	if ms < 0 || ms > millisPerDay {
		return time.Time{}, DataErrorf("Time values must use number of milliseconds greater than 0 and less than 86400000, got %d", ms)
	}
	return time.UnixMilli(int64(ms)).UTC(), nil
}

// TimestampToMillis returns the milliseconds since the epoch of t, which
// must have whole milliseconds.
func TimestampToMillis(t time.Time) (int64, error) {
	return wholeMillis(t)
}

// TimestampFromMillis returns the instant ms milliseconds after the epoch,
// in UTC.
func TimestampFromMillis(ms int64) time.Time {
	return time.UnixMilli(ms).UTC()
}

func wholeMillis(t time.Time) (int64, error) {
	if t.Nanosecond()%int(time.Millisecond) != 0 {
		return 0, DataErrorf("%s has sub-millisecond precision, which Kafka Connect temporal types cannot hold; truncate it to milliseconds first", t.Format(time.RFC3339Nano))
	}
	sec := t.Unix()
	if sec > maxUnixSeconds || sec < -maxUnixSeconds {
		return 0, DataErrorf("%s is out of range for INT64 milliseconds", t.Format(time.RFC3339))
	}
	return t.UnixMilli(), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
