package javatime

import (
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones for the tables, whatever the host has
)

// formatCase formats the instant at (RFC 3339) in zone, a Java time zone
// ID: an IANA name, UTC, or GMT+hh:mm.
type formatCase struct {
	pattern string
	at      string
	zone    string
	want    string
}

// The instant of the examples in the JDK's SimpleDateFormat documentation:
// 2001-07-04 12:08:56.235 in America/Los_Angeles.
const jdkExample = "2001-07-04T19:08:56.235Z"

// formatCases hold SimpleDateFormat's output, checked against a JDK by
// TestAgainstJDK.
var formatCases = []formatCase{
	// The JDK documentation's examples, in their zone and in UTC.
	{"yyyy.MM.dd G 'at' HH:mm:ss z", jdkExample, "America/Los_Angeles", "2001.07.04 AD at 12:08:56 PDT"},
	{"EEE, MMM d, ''yy", jdkExample, "America/Los_Angeles", "Wed, Jul 4, '01"},
	{"h:mm a", jdkExample, "America/Los_Angeles", "12:08 PM"},
	{"hh 'o''clock' a, zzzz", jdkExample, "America/Los_Angeles", "12 o'clock PM, Pacific Daylight Time"},
	{"K:mm a, z", jdkExample, "America/Los_Angeles", "0:08 PM, PDT"},
	{"yyyyy.MMMMM.dd GGG hh:mm aaa", jdkExample, "America/Los_Angeles", "02001.July.04 AD 12:08 PM"},
	{"EEE, d MMM yyyy HH:mm:ss Z", jdkExample, "America/Los_Angeles", "Wed, 4 Jul 2001 12:08:56 -0700"},
	{"yyMMddHHmmssZ", jdkExample, "America/Los_Angeles", "010704120856-0700"},
	{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", jdkExample, "America/Los_Angeles", "2001-07-04T12:08:56.235-0700"},
	{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", jdkExample, "America/Los_Angeles", "2001-07-04T12:08:56.235-07:00"},
	{"YYYY-'W'ww-u", jdkExample, "America/Los_Angeles", "2001-W27-3"},
	{"yyyy.MM.dd G 'at' HH:mm:ss z", jdkExample, "UTC", "2001.07.04 AD at 19:08:56 UTC"},
	{"EEE, MMM d, ''yy", jdkExample, "UTC", "Wed, Jul 4, '01"},
	{"h:mm a", jdkExample, "UTC", "7:08 PM"},
	{"hh 'o''clock' a, zzzz", jdkExample, "UTC", "07 o'clock PM, Coordinated Universal Time"},
	{"K:mm a, z", jdkExample, "UTC", "7:08 PM, UTC"},
	{"yyyyy.MMMMM.dd GGG hh:mm aaa", jdkExample, "UTC", "02001.July.04 AD 07:08 PM"},
	{"EEE, d MMM yyyy HH:mm:ss Z", jdkExample, "UTC", "Wed, 4 Jul 2001 19:08:56 +0000"},
	{"yyMMddHHmmssZ", jdkExample, "UTC", "010704190856+0000"},
	{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", jdkExample, "UTC", "2001-07-04T19:08:56.235+0000"},
	{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", jdkExample, "UTC", "2001-07-04T19:08:56.235Z"},
	{"YYYY-'W'ww-u", jdkExample, "UTC", "2001-W27-3"},

	// Kafka Connect's tests: TimestampConverter and TimestampRouter.
	{"yyyy MM dd HH mm ss SSS z", "1970-01-02T00:00:01.234Z", "UTC", "1970 01 02 00 00 01 234 UTC"},
	{"yyyyMMdd", "2017-01-03T06:30:01.864Z", "UTC", "20170103"},

	// Every letter at several counts.
	{"G GG GGGG", jdkExample, "UTC", "AD AD AD"},
	{"y yy yyy yyyy yyyyy", jdkExample, "UTC", "2001 01 2001 2001 02001"},
	{"y yy yyy yyyy", "0987-03-04T00:00:00Z", "UTC", "987 87 987 0987"},
	{"yy", "2000-03-04T00:00:00Z", "UTC", "00"},
	{"M MM MMM MMMM MMMMM", jdkExample, "UTC", "7 07 Jul July July"},
	{"L LL LLL LLLL", "2001-12-25T00:00:00Z", "UTC", "12 12 Dec December"},
	{"MMM MMMM", "2001-05-01T00:00:00Z", "UTC", "May May"},
	{"d dd ddd", jdkExample, "UTC", "4 04 004"},
	{"H HH k kk K KK h hh a", "2001-07-04T00:05:00Z", "UTC", "0 00 24 24 0 00 12 12 AM"},
	{"H HH k kk K KK h hh a", "2001-07-04T12:05:00Z", "UTC", "12 12 12 12 0 00 12 12 PM"},
	{"H HH k kk K KK h hh a", "2001-07-04T23:05:00Z", "UTC", "23 23 23 23 11 11 11 11 PM"},
	{"H HH k kk K KK h hh a", "2001-07-04T09:05:00Z", "UTC", "9 09 9 09 9 09 9 09 AM"},
	{"m mm mmm s ss sss", "2001-07-04T00:05:07Z", "UTC", "5 05 005 7 07 007"},
	{"S SS SSS SSSS", "2001-07-04T00:00:00.005Z", "UTC", "5 05 005 0005"},
	{"S SS SSS SSSS", "2001-07-04T00:00:00.050Z", "UTC", "50 50 050 0050"},
	{"S SS SSS SSSS", jdkExample, "UTC", "235 235 235 0235"},
	{"S", "2001-07-04T00:00:00.999999999Z", "UTC", "999"},
	{"E EE EEE EEEE EEEEE", jdkExample, "UTC", "Wed Wed Wed Wednesday Wednesday"},
	{"EEEE u", "2001-07-08T00:00:00Z", "UTC", "Sunday 7"},
	{"EEEE u", "2001-07-09T00:00:00Z", "UTC", "Monday 1"},
	{"D DD DDD DDDD", jdkExample, "UTC", "185 185 185 0185"},
	{"D DD DDD", "2001-01-09T00:00:00Z", "UTC", "9 09 009"},
	{"D", "2000-12-31T00:00:00Z", "UTC", "366"},
	{"F FF", "2001-07-01T00:00:00Z", "UTC", "1 01"},
	{"F", "2001-07-07T00:00:00Z", "UTC", "1"},
	{"F", "2001-07-08T00:00:00Z", "UTC", "2"},
	{"F", "2001-07-31T00:00:00Z", "UTC", "5"},
	{"W WW w ww", jdkExample, "UTC", "1 01 27 27"},
	{"W w", "2001-07-01T00:00:00Z", "UTC", "1 27"},
	{"W w", "2001-07-08T00:00:00Z", "UTC", "2 28"},
	{"W w", "2001-09-30T00:00:00Z", "UTC", "6 40"},
	{"z zz zzz zzzz", jdkExample, "UTC", "UTC UTC UTC Coordinated Universal Time"},
	{"Z ZZ ZZZZ", jdkExample, "UTC", "+0000 +0000 +0000"},
	{"X XX XXX", jdkExample, "UTC", "Z Z Z"},

	// Week years: late December can be week 1 of the next year.
	{"YYYY ww u yyyy", "2017-12-30T00:00:00Z", "UTC", "2017 52 6 2017"},
	{"YYYY ww u yyyy", "2017-12-31T00:00:00Z", "UTC", "2018 01 7 2017"},
	{"YYYY ww u yyyy", "2018-01-06T00:00:00Z", "UTC", "2018 01 6 2018"},
	{"YYYY ww u yyyy", "2018-01-07T00:00:00Z", "UTC", "2018 02 7 2018"},
	{"YY ww", "2019-12-29T00:00:00Z", "UTC", "20 01"},
	{"YYYY ww", "2016-01-01T00:00:00Z", "UTC", "2016 01"},
	{"YYYY ww", "2016-12-24T00:00:00Z", "UTC", "2016 52"},
	{"YYYY ww W", "2016-12-25T00:00:00Z", "UTC", "2016 53 5"},
	{"YYYY ww W", "2016-12-31T00:00:00Z", "UTC", "2016 53 5"},
	{"YYYY ww W", "2017-01-01T00:00:00Z", "UTC", "2017 01 1"},
	{"YYYY ww", "2000-12-31T00:00:00Z", "UTC", "2001 01"},

	// Zones.
	{"z zzzz Z X XX XXX", jdkExample, "Asia/Kolkata", "IST India Standard Time +0530 +05 +0530 +05:30"},
	{"z zzzz Z X XX XXX", jdkExample, "Europe/Berlin", "CEST Central European Summer Time +0200 +02 +0200 +02:00"},
	{"z zzzz Z X XX XXX", "2001-01-04T19:08:56.235Z", "Europe/Berlin", "CET Central European Standard Time +0100 +01 +0100 +01:00"},
	{"z zzzz Z X XX XXX", "2001-01-04T19:08:56.235Z", "America/New_York", "EST Eastern Standard Time -0500 -05 -0500 -05:00"},
	{"z zzzz", "2001-01-04T19:08:56.235Z", "America/Los_Angeles", "PST Pacific Standard Time"},
	{"z zzzz Z XXX", jdkExample, "Asia/Tokyo", "JST Japan Standard Time +0900 +09:00"},
	{"z zzzz Z XXX", jdkExample, "GMT+05:30", "GMT+05:30 GMT+05:30 +0530 +05:30"},
	{"z zzzz Z XXX", jdkExample, "GMT-08:00", "GMT-08:00 GMT-08:00 -0800 -08:00"},
	{"z zzzz Z XXX", jdkExample, "Europe/London", "BST British Summer Time +0100 +01:00"},
	{"z zzzz Z XXX", jdkExample, "GMT", "GMT Greenwich Mean Time +0000 Z"},
	{"Z X XX XXX", jdkExample, "America/St_Johns", "-0230 -02 -0230 -02:30"},
	{"z zzzz", jdkExample, "Pacific/Honolulu", "HST Hawaii-Aleutian Standard Time"},
	{"z zzzz", jdkExample, "America/Anchorage", "AKDT Alaska Daylight Time"},
	{"z zzzz", jdkExample, "America/Chicago", "CDT Central Daylight Time"},
	{"z zzzz", jdkExample, "America/Denver", "MDT Mountain Daylight Time"},
	{"z zzzz", jdkExample, "Europe/Dublin", "IST Irish Standard Time"},
	{"z zzzz", jdkExample, "Europe/Lisbon", "WEST Western European Summer Time"},
	{"z zzzz", "2001-01-04T19:08:56.235Z", "Europe/Lisbon", "WET Western European Standard Time"},
	{"z zzzz", jdkExample, "Europe/Athens", "EEST Eastern European Summer Time"},
	{"z zzzz", "2001-01-04T19:08:56.235Z", "Europe/Athens", "EET Eastern European Standard Time"},
	{"z zzzz", "2001-01-04T19:08:56.235Z", "Europe/Moscow", "MSK Moscow Standard Time"},
	{"z zzzz", jdkExample, "Asia/Shanghai", "CST China Standard Time"},
	{"z zzzz", jdkExample, "Asia/Hong_Kong", "HKT Hong Kong Standard Time"},
	{"z zzzz", jdkExample, "Asia/Seoul", "KST Korean Standard Time"},
	{"z zzzz", jdkExample, "Australia/Sydney", "AEST Australian Eastern Standard Time"},
	{"z zzzz", "2001-01-04T19:08:56.235Z", "Australia/Sydney", "AEDT Australian Eastern Daylight Time"},
	{"z zzzz", jdkExample, "Pacific/Auckland", "NZST New Zealand Standard Time"},
	{"z zzzz", "2001-01-04T19:08:56.235Z", "Pacific/Auckland", "NZDT New Zealand Daylight Time"},

	// Before the epoch and at its edges.
	{"yyyy-MM-dd HH:mm:ss.SSS", "1969-12-31T23:59:59.999Z", "UTC", "1969-12-31 23:59:59.999"},
	{"yyyy-MM-dd HH:mm:ss.SSS", "1970-01-01T00:00:00Z", "UTC", "1970-01-01 00:00:00.000"},
	{"yyyy-MM-dd EEEE", "1900-02-28T00:00:00Z", "UTC", "1900-02-28 Wednesday"},
	{"yyyy-MM-dd D", "2000-02-29T00:00:00Z", "UTC", "2000-02-29 60"},
	{"yyyy-MM-dd", "9999-12-31T00:00:00Z", "UTC", "9999-12-31"},
	{"yyyy-MM-dd", "10000-01-01T00:00:00Z", "UTC", "10000-01-01"},

	// Quoting and literal text.
	{"''", jdkExample, "UTC", "'"},
	{"''''", jdkExample, "UTC", "''"},
	{"'yyyy'", jdkExample, "UTC", "yyyy"},
	{"'it''s' h 'o''clock'", jdkExample, "UTC", "it's 7 o'clock"},
	{"yyyy''MM", jdkExample, "UTC", "2001'07"},
	{"yyyy年MM月dd日", jdkExample, "UTC", "2001年07月04日"},
	{"[yyyy/MM/dd] {HH.mm} #1 ~", jdkExample, "UTC", "[2001/07/04] {19.08} #1 ~"},
	{"", jdkExample, "UTC", ""},
	{"yyyyMMddHHmmssSSS", jdkExample, "UTC", "20010704190856235"},
}

// javaZone returns the location a Java time zone ID stands for.
func javaZone(t testing.TB, id string) *time.Location {
	t.Helper()
	if rest, ok := strings.CutPrefix(id, "GMT"); ok && rest != "" {
		off, err := time.Parse("-07:00", rest)
		if err != nil {
			t.Fatalf("zone %s: %v", id, err)
		}
		_, secs := off.Zone()
		return time.FixedZone("", secs)
	}
	loc, err := time.LoadLocation(id)
	if err != nil {
		t.Fatalf("zone %s: %v", id, err)
	}
	return loc
}

// mustTime parses an RFC 3339 time whose year may also be negative or
// have more than four digits.
func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	year := 0
	if i := strings.IndexByte(s[1:], '-') + 1; i != 4 {
		var err error
		if year, err = strconv.Atoi(s[:i]); err != nil {
			t.Fatal(err)
		}
		s = "2000" + s[i:]
		year -= 2000
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return at.AddDate(year, 0, 0)
}

func TestFormat(t *testing.T) {
	for _, c := range formatCases {
		f, err := Compile(c.pattern)
		if err != nil {
			t.Errorf("Compile(%q): %v", c.pattern, err)
			continue
		}
		at := mustTime(t, c.at).In(javaZone(t, c.zone))
		if got := f.Format(at); got != c.want {
			t.Errorf("%q.Format(%s in %s) = %q, want %q", c.pattern, c.at, c.zone, got, c.want)
		}
		if got := string(f.AppendFormat([]byte("x"), at)); got != "x"+c.want {
			t.Errorf("%q.AppendFormat(x, %s in %s) = %q, want %q", c.pattern, c.at, c.zone, got, "x"+c.want)
		}
	}
}

// A zone Java does not know by name prints as an offset when Go has no
// abbreviation for it either.
func TestFormatZoneWithoutName(t *testing.T) {
	f := MustCompile("z zzzz")
	at := mustTime(t, jdkExample)
	for _, c := range []struct {
		loc  *time.Location
		want string
	}{
		{time.FixedZone("", 0), "GMT+00:00 GMT+00:00"},
		{time.FixedZone("+04", 4*3600), "GMT+04:00 GMT+04:00"},
		{time.FixedZone("XYZ", -3*3600-30*60), "XYZ XYZ"},
	} {
		if got := f.Format(at.In(c.loc)); got != c.want {
			t.Errorf("Format in %v = %q, want %q", c.loc, got, c.want)
		}
	}
}

func TestFormatBC(t *testing.T) {
	// Go's year 0 is 1 BC; Java would use the Julian calendar this early.
	f := MustCompile("G yyyy yy")
	for _, c := range []struct {
		year int
		want string
	}{{1, "AD 0001 01"}, {0, "BC 0001 01"}, {-43, "BC 0044 44"}} {
		if got := f.Format(time.Date(c.year, 3, 15, 0, 0, 0, 0, time.UTC)); got != c.want {
			t.Errorf("year %d: got %q, want %q", c.year, got, c.want)
		}
	}
}

func TestFormatConcurrent(t *testing.T) {
	f := MustCompile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
	at := mustTime(t, jdkExample)
	done := make(chan string)
	for range 8 {
		go func() {
			var s string
			for range 100 {
				s = f.Format(at)
			}
			done <- s
		}()
	}
	for range 8 {
		if got := <-done; got != "2001-07-04T19:08:56.235Z" {
			t.Errorf("got %q", got)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	at := mustTime(b, jdkExample)
	for _, pattern := range []string{"yyyyMMdd", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "EEE, d MMM yyyy HH:mm:ss Z"} {
		f := MustCompile(pattern)
		b.Run(pattern, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = f.Format(at)
			}
		})
		b.Run(pattern+"/append", func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 64)
			for b.Loop() {
				buf = f.AppendFormat(buf[:0], at)
			}
		})
	}
	// The standard library's layout for the same output, for comparison.
	b.Run("time.Format/2006-01-02T15:04:05.000Z07:00", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = at.Format("2006-01-02T15:04:05.000Z07:00")
		}
	})
}
