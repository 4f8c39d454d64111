package javatime

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// twoDigitStart is where the tests (and testdata/Oracle.java) start the
// window of two-digit years.
var twoDigitStart = time.Date(1950, 7, 1, 0, 0, 0, 0, time.UTC)

// parseCase parses text; want is the instant (RFC 3339) or "" for an
// error whose message contains errContains. javaDiffers, when set, says
// why Java's non-lenient SimpleDateFormat gives another answer.
type parseCase struct {
	pattern     string
	text        string
	want        string
	errContains string
	javaDiffers string
}

// parseCases are checked against a JDK by TestAgainstJDK.
var parseCases = []parseCase{
	// The JDK documentation's examples.
	{pattern: "yyyy.MM.dd G 'at' HH:mm:ss z", text: "2001.07.04 AD at 12:08:56 PDT", want: "2001-07-04T19:08:56Z"},
	{pattern: "EEE, MMM d, ''yy", text: "Wed, Jul 4, '01", want: "2001-07-04T00:00:00Z"},
	{pattern: "h:mm a", text: "12:08 PM", want: "1970-01-01T12:08:00Z"},
	{pattern: "hh 'o''clock' a, zzzz", text: "12 o'clock PM, Pacific Daylight Time", want: "1970-01-01T19:00:00Z"},
	{pattern: "K:mm a, z", text: "0:08 PM, PDT", want: "1970-01-01T19:08:00Z"},
	{pattern: "yyyyy.MMMMM.dd GGG hh:mm aaa", text: "02001.July.04 AD 12:08 PM", want: "2001-07-04T12:08:00Z"},
	{pattern: "EEE, d MMM yyyy HH:mm:ss Z", text: "Wed, 4 Jul 2001 12:08:56 -0700", want: "2001-07-04T19:08:56Z"},
	{pattern: "yyMMddHHmmssZ", text: "010704120856-0700", want: "2001-07-04T19:08:56Z"},
	{pattern: "yyyy-MM-dd'T'HH:mm:ss.SSSZ", text: "2001-07-04T12:08:56.235-0700", want: "2001-07-04T19:08:56.235Z"},
	{pattern: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", text: "2001-07-04T12:08:56.235-07:00", want: "2001-07-04T19:08:56.235Z"},
	{pattern: "YYYY-'W'ww-u", text: "2001-W27-3", want: "2001-07-04T00:00:00Z"},

	// Kafka Connect's tests.
	{pattern: "yyyy MM dd HH mm ss SSS z", text: "1970 01 02 00 00 01 234 UTC", want: "1970-01-02T00:00:01.234Z"},
	{pattern: "yyyyMMdd", text: "20170103", want: "2017-01-03T00:00:00Z"},

	// Numbers take any number of digits unless a numeric field follows.
	{pattern: "yyyy-MM-dd", text: "2001-7-4", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-MM-dd", text: "2001-007-0004", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyyMMddHHmmss", text: "20010704120856", want: "2001-07-04T12:08:56Z"},
	{pattern: "HHmmssSSS", text: "120856235", want: "1970-01-01T12:08:56.235Z"},
	{pattern: "HHmmssSSS", text: "1208565", want: "1970-01-01T12:08:56.005Z"},
	{pattern: "yyyyMMdd", text: "2001074", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyyMMdd", text: "200107", errContains: "text ends where the day of month (dd) should be (at index 6)"},
	{pattern: "yyyyMMdd", text: "20017", errContains: "text ends inside the month (MM), which needs 2 digits (at index 4)"},
	{pattern: "yyyyMMMdd", text: "2001Jul04", want: "2001-07-04T00:00:00Z"},
	{pattern: "ddMMMyyyy", text: "4jul2001", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-MM-dd HH:mm", text: "2001-07-04  \t12:08", want: "2001-07-04T12:08:00Z"},
	{pattern: "yyyy-MM-dd", text: "2001-07-x4", errContains: `expected a number for the day of month (dd) (at index 8)`},

	// Names in any case, long or short.
	{pattern: "EEE, MMM d, ''yy", text: "wednesday, JULY 4, '01", want: "2001-07-04T00:00:00Z"},
	{pattern: "EEEE MMMM d yyyy G", text: "WED jul 4 2001 ad", want: "2001-07-04T00:00:00Z"},
	{pattern: "MMM", text: "7", errContains: `expected the month (MMM), such as "Dec"`},
	{pattern: "MM", text: "Jul", errContains: "expected a number for the month (MM)"},
	{pattern: "EEE", text: " Wed", errContains: "expected the day of week (EEE)"},
	{pattern: "EEE d", text: "Sun 4", want: "1970-01-04T00:00:00Z"},
	{pattern: "EEE d", text: "Wed 4", errContains: "day of week Wednesday does not match the date 1970-01-04"},

	// Two-digit years fall into 1950-07-01 .. 2050-06-30 here.
	{pattern: "yy-MM-dd", text: "49-01-01", want: "2049-01-01T00:00:00Z"},
	{pattern: "yy-MM-dd", text: "51-01-01", want: "1951-01-01T00:00:00Z"},
	{pattern: "yy-MM-dd", text: "99-12-31", want: "1999-12-31T00:00:00Z"},
	{pattern: "yy-MM-dd", text: "00-01-01", want: "2000-01-01T00:00:00Z"},
	{pattern: "yy-MM-dd", text: "50-06-30", want: "2050-06-30T00:00:00Z"},
	{pattern: "yy-MM-dd", text: "50-07-01", want: "1950-07-01T00:00:00Z"},
	{pattern: "y-MM-dd", text: "01-07-04", want: "2001-07-04T00:00:00Z"},
	{pattern: "y-MM-dd", text: "2001-07-04", want: "2001-07-04T00:00:00Z"},
	{pattern: "yy-MM-dd", text: "2001-07-04", want: "2001-07-04T00:00:00Z"},
	{pattern: "yy", text: "50", want: "2050-01-01T00:00:00Z"},
	{pattern: "yy yyyy", text: "50 1950", want: "2050-01-01T00:00:00Z"}, // the ambiguous two-digit year moves the one written in full too, as in Java
	{pattern: "YY Y", text: "50 1950", want: "2049-12-26T00:00:00Z"},    // week 1 of week year 2050 starts on Sunday 2049-12-26
	{pattern: "yyyy yy", text: "1950 50", want: "2050-01-01T00:00:00Z"},
	{pattern: "YY y", text: "50 1950", want: "2050-01-01T00:00:00Z"},
	{pattern: "yy-MM-dd", text: "1-07-04", want: "0001-07-04T00:00:00Z", javaDiffers: "Julian calendar before 1582"},
	{pattern: "yyy-MM-dd", text: "01-07-04", want: "0001-07-04T00:00:00Z", javaDiffers: "Julian calendar before 1582"},
	{pattern: "yyyy-MM-dd", text: "0000-07-04", errContains: "year 0 is out of range"},
	{pattern: "yyyy-MM-dd", text: "292278994-08-17", want: "292278994-08-17T00:00:00Z"},
	{pattern: "yyyy-MM-dd", text: "292278995-01-01", errContains: "is out of the range of a Java Date (int64 milliseconds)"},
	{pattern: "y", text: "999999999", errContains: "is out of the range of a Java Date"},
	{pattern: "y", text: "1000000000", errContains: "year has too many digits"},
	{pattern: "yyyy-MM-dd G", text: "0044-03-15 BC", want: "-0043-03-15T00:00:00Z", javaDiffers: "Julian calendar before 1582"},

	// Strict: fields in range, dates that exist, fields that agree.
	{pattern: "yyyy-MM-dd", text: "2001-02-29", errContains: "day 29 does not exist in 2001-02"},
	{pattern: "yyyy-MM-dd", text: "2000-02-29", want: "2000-02-29T00:00:00Z"},
	{pattern: "yyyy-MM-dd", text: "2001-13-01", errContains: "month 13 is out of range 1-12 (at index 5)"},
	{pattern: "yyyy-MM-dd", text: "2001-00-01", errContains: "month 0 is out of range 1-12"},
	{pattern: "yyyy-MM-dd", text: "2001-01-32", errContains: "day of month 32 is out of range 1-31"},
	{pattern: "HH:mm:ss", text: "24:00:00", errContains: "hour of day 24 is out of range 0-23"},
	{pattern: "HH:mm:ss", text: "23:60:00", errContains: "minute 60 is out of range 0-59"},
	{pattern: "HH:mm:ss", text: "23:59:60", errContains: "second 60 is out of range 0-59"},
	{pattern: "HH:mm:ss.SSSSSS", text: "12:08:56.235000", errContains: "millisecond 235000 is out of range 0-999"},
	{pattern: "HH:mm:ss.SSS", text: "12:08:56.2", want: "1970-01-01T12:08:56.002Z"},
	{pattern: "EEE, d MMM yyyy", text: "Tue, 4 Jul 2001", errContains: "day of week Tuesday does not match the date 2001-07-04 (day of week Wednesday)"},
	{pattern: "d MMM yyyy EEE", text: "4 Jul 2001 Tue", errContains: "day of week Tuesday does not match"},
	{pattern: "yyyy-MM-dd u", text: "2001-07-04 3", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-MM-dd u", text: "2001-07-04 4", errContains: "day of week Thursday does not match"},
	{pattern: "HH:mm a", text: "13:00 PM", want: "1970-01-01T13:00:00Z"},
	{pattern: "HH:mm a", text: "13:00 AM", errContains: "AM does not match hour of day 13"},
	{pattern: "yyyy-MM-dd", text: "2001-07-04T12:08:56", errContains: `unexpected text "T12:08:56" after the date (at index 10)`, javaDiffers: "Java ignores text after the pattern"},
	{pattern: "HH:mm", text: "12:08 ", errContains: `unexpected text " " after the date`, javaDiffers: "Java ignores text after the pattern"},
	{pattern: "yyyy-MM-dd", text: "2001-07", errContains: `expected "-" (at index 7)`},
	{pattern: "yyyy-MM-dd", text: "2001/07/04", errContains: `expected "-" (at index 4)`},
	{pattern: "yyyy-MM-dd", text: "", errContains: "text ends where the year (yyyy) should be"},
	{pattern: "", text: "", errContains: "nothing to parse"},
	{pattern: "", text: "x", errContains: `unexpected text "x" after the date (at index 0)`},
	{pattern: "'x'", text: "x", want: "1970-01-01T00:00:00Z"},

	// Hours.
	{pattern: "kk:mm", text: "24:30", want: "1970-01-01T00:30:00Z"},
	{pattern: "kk:mm", text: "00:30", errContains: "hour of day 0 is out of range 1-24"},
	{pattern: "hh:mm a", text: "12:30 AM", want: "1970-01-01T00:30:00Z"},
	{pattern: "hh:mm a", text: "12:30 PM", want: "1970-01-01T12:30:00Z"},
	{pattern: "hh:mm a", text: "11:30 PM", want: "1970-01-01T23:30:00Z"},
	{pattern: "hh:mm", text: "11:30", want: "1970-01-01T11:30:00Z"},
	{pattern: "hh:mm a", text: "13:30 PM", errContains: "hour of AM/PM 13 is out of range 1-12"},
	{pattern: "KK:mm a", text: "00:30 PM", want: "1970-01-01T12:30:00Z"},
	{pattern: "KK:mm a", text: "12:30 PM", errContains: "hour of AM/PM 12 is out of range 0-11"},
	{pattern: "a", text: "pm", want: "1970-01-01T12:00:00Z"},

	// Day of year, weeks, day of week in month.
	{pattern: "yyyy-DDD", text: "2001-185", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-DDD", text: "2000-366", want: "2000-12-31T00:00:00Z"},
	{pattern: "yyyy-DDD", text: "2001-366", errContains: "does not match the date 2002-01-01"},
	{pattern: "yyyy-MM-dd DDD", text: "2001-07-04 185", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-MM-dd DDD", text: "2001-07-04 186", errContains: "day of year 186 does not match"},
	{pattern: "yyyy-ww-u", text: "2001-27-3", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy ww", text: "2001 27", want: "2001-07-01T00:00:00Z"},
	{pattern: "YYYY ww u", text: "2018 01 7", want: "2017-12-31T00:00:00Z"},
	{pattern: "YYYY ww EEE", text: "2018 01 Sat", want: "2018-01-06T00:00:00Z"},
	{pattern: "YYYY", text: "2001", want: "2000-12-31T00:00:00Z"},
	{pattern: "YYYY-MM-dd", text: "2001-07-04", errContains: "month 7 does not match the date 2000-12-31",
		javaDiffers: "Java replaces month and day by the week date (the mistake of YYYY for yyyy)"},
	{pattern: "yyyy-MM-dd ww", text: "2001-07-04 27", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-MM-dd ww", text: "2001-07-04 28", errContains: "week of year 28 does not match"},
	{pattern: "yyyy-MM W EEE", text: "2001-07 1 Wed", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-MM W EEE", text: "2001-07 3 Sun", want: "2001-07-15T00:00:00Z"},
	{pattern: "yyyy-MM F EEE", text: "2001-07 1 Wed", want: "2001-07-04T00:00:00Z"},
	{pattern: "yyyy-MM F EEE", text: "2001-07 2 Sun", want: "2001-07-08T00:00:00Z"},
	{pattern: "yyyy-MM F EEE", text: "2001-07 5 Sun", want: "2001-07-29T00:00:00Z"},
	{pattern: "yyyy-MM F EEE", text: "2001-07 5 Sat", errContains: "does not match the date 2001-08-04"},

	// Zones.
	{pattern: "HH:mm z", text: "12:00 UTC", want: "1970-01-01T12:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 utc", want: "1970-01-01T12:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 Coordinated Universal Time", want: "1970-01-01T12:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 GMT", want: "1970-01-01T12:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 GMT+5:30", want: "1970-01-01T06:30:00Z"},
	{pattern: "HH:mm z", text: "12:00 GMT+05:30", want: "1970-01-01T06:30:00Z"},
	{pattern: "HH:mm z", text: "12:00 gmt-08:00", want: "1970-01-01T20:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 GMT-8", errContains: `invalid zone offset "-8"`},
	{pattern: "HH:mm z", text: "12:00 GMT+0800", errContains: `invalid zone offset`},
	{pattern: "HH:mm z", text: "12:00 -0800", want: "1970-01-01T20:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 EST", want: "1970-01-01T17:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 Eastern Daylight Time", want: "1970-01-01T16:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 CET", want: "1970-01-01T11:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 CEST", want: "1970-01-01T10:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 JST", want: "1970-01-01T03:00:00Z"},
	{pattern: "HH:mm z", text: "12:00 Z", errContains: "expected a time zone"},
	{pattern: "HH:mm z", text: "12:00 XYZ", errContains: "expected a time zone such as UTC, PST, GMT-08:00 or -0800 (at index 6)"},
	{pattern: "HH:mm Z", text: "12:00 +0530", want: "1970-01-01T06:30:00Z"},
	{pattern: "HH:mm Z", text: "12:00 PST", want: "1970-01-01T20:00:00Z"},
	{pattern: "HH:mm Z", text: "12:00 -07:00", errContains: `invalid zone offset "-07:"`},
	{pattern: "HH:mm Z", text: "12:00 -2400", errContains: `invalid zone offset`},
	{pattern: "HH:mm Z", text: "12:00 -0760", errContains: `invalid zone offset`},
	{pattern: "HH:mm X", text: "12:00 Z", want: "1970-01-01T12:00:00Z"},
	{pattern: "HH:mm X", text: "12:00 +05", want: "1970-01-01T07:00:00Z"},
	{pattern: "HH:mm X", text: "12:00 +0530", errContains: `unexpected text "30" after the date`, javaDiffers: "Java ignores text after the pattern"},
	{pattern: "HH:mm XX", text: "12:00 -0230", want: "1970-01-01T14:30:00Z"},
	{pattern: "HH:mm XX", text: "12:00 -02:30", errContains: "invalid zone offset"},
	{pattern: "HH:mm XXX", text: "12:00 -02:30", want: "1970-01-01T14:30:00Z"},
	{pattern: "HH:mm XXX", text: "12:00 Z", want: "1970-01-01T12:00:00Z"},
	{pattern: "HH:mm XXX", text: "12:00 z", errContains: "expected Z or a zone offset like -08:00"},
	{pattern: "HH:mm XXX", text: "12:00 UTC", errContains: "expected Z or a zone offset"},
	{pattern: "yyyy-MM-dd'T'HH:mm:ssXXX", text: "2001-07-04T00:30:00+01:00", want: "2001-07-03T23:30:00Z"},
}

func init() {
	// Every zone name Parse knows, which TestAgainstJDK checks.
	noon := time.Date(1970, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, z := range parseZoneNames {
		parseCases = append(parseCases, parseCase{pattern: "HH:mm z", text: "12:00 " + z.name,
			want: noon.Add(-time.Duration(z.offset) * time.Second).Format(time.RFC3339)})
	}
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		f, err := Compile(c.pattern)
		if err != nil {
			t.Errorf("Compile(%q): %v", c.pattern, err)
			continue
		}
		got, err := f.WithTwoDigitYearStart(twoDigitStart).Parse(c.text)
		if c.want == "" {
			var pe *ParseError
			switch {
			case err == nil:
				t.Errorf("%q.Parse(%q) = %s, want an error", c.pattern, c.text, got)
			case !errors.As(err, &pe) || pe.Text != c.text || pe.Pattern != c.pattern:
				t.Errorf("%q.Parse(%q): error %#v is not a *ParseError for the text and pattern", c.pattern, c.text, err)
			case !strings.Contains(err.Error(), c.errContains):
				t.Errorf("%q.Parse(%q): error %q does not contain %q", c.pattern, c.text, err, c.errContains)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q.Parse(%q): %v", c.pattern, c.text, err)
			continue
		}
		if want := mustTime(t, c.want); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%q.Parse(%q) = %s, want %s", c.pattern, c.text, got, want)
		}
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := MustCompile("yyyy-MM-dd").Parse("2001-13-01")
	want := `Unparseable date: "2001-13-01": month 13 is out of range 1-12 (at index 5)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// The default window of two-digit years starts 80 years before Compile.
func TestParseTwoDigitYearDefault(t *testing.T) {
	f := MustCompile("yy")
	now := time.Now().UTC()
	for _, yy := range []int{0, 25, 50, 75, 99} {
		got, err := f.Parse(time.Date(2000+yy, 1, 1, 0, 0, 0, 0, time.UTC).Format("06"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Before(now.AddDate(-81, 0, 0)) || got.After(now.AddDate(21, 0, 0)) || got.Year()%100 != yy {
			t.Errorf("yy %02d parsed as %s, outside 80 years before to 20 after %s", yy, got, now)
		}
	}
}

// Every formatted case parses back to the same instant, truncated to what
// the pattern holds, when the pattern identifies one.
func TestRoundTrip(t *testing.T) {
	patterns := []struct {
		pattern string
		zoned   bool // the text holds the zone, so any location will do
	}{
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", true},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", true},
		{"yyyy.MM.dd G 'at' HH:mm:ss.SSS z", true},
		{"EEE, d MMM yyyy HH:mm:ss.SSS Z", true},
		{"EEEE, MMMM d, yyyy hh:mm:ss.SSS a zzzz", true},
		{"yyyyDDDHHmmssSSSXX", true},
		{"yyyy MM dd HH mm ss SSS z", true},
		{"yyyyMMddHHmmssSSS", false},
		{"YYYY-'W'ww-u HH:mm:ss.SSS", false},
		{"yyyy-MM W EEE kk:mm:ss.SSS", false},
		{"yyyy-MM F E KK:mm:ss.SSS a", false},
		{"yy-M-d H:m:s.S", false},
	}
	zones := []*time.Location{time.UTC, javaZone(t, "America/Los_Angeles"), javaZone(t, "Europe/Berlin"), javaZone(t, "America/New_York"), javaZone(t, "GMT+05:30")}
	start := time.Date(1999, 12, 25, 0, 0, 0, 0, time.UTC)
	for _, p := range patterns {
		pattern := p.pattern
		f := MustCompile(pattern).WithTwoDigitYearStart(twoDigitStart)
		for i := range 400 {
			// Walk about three years in steps that vary every field.
			at := start.Add(time.Duration(i) * (67*time.Hour + 13*time.Minute + 7*time.Second + 123*time.Millisecond + 456))
			loc := time.UTC
			if p.zoned {
				loc = zones[i%len(zones)]
			}
			text := f.Format(at.In(loc))
			got, err := f.Parse(text)
			if err != nil {
				t.Errorf("%q: Parse(Format(%s)) = Parse(%q): %v", pattern, at, text, err)
				continue
			}
			if want := at.Truncate(time.Millisecond); !got.Equal(want) {
				t.Errorf("%q: Parse(%q) = %s, want %s", pattern, text, got, want)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct{ pattern, want string }{
		{"bad-format", `Illegal pattern character 'b' in date pattern "bad-format"`},
		{"yyyy-MM-ddTHH:mm", `Illegal pattern character 'T' in date pattern "yyyy-MM-ddTHH:mm"`},
		{"yyyy-MM-dd'T", `Unterminated quote in date pattern "yyyy-MM-dd'T"`},
		{"'", `Unterminated quote in date pattern "'"`},
		{"HH:mm XXXX", `invalid ISO 8601 format: length=4 in date pattern "HH:mm XXXX"`},
		{"q", `Illegal pattern character 'q'`},
		{"yyyy-MM-dd'T'HH:mm:ss.nnn", `Illegal pattern character 'n'`},
		{"A", `Illegal pattern character 'A'`},
	} {
		_, err := Compile(c.pattern)
		var pe *PatternError
		if err == nil || !errors.As(err, &pe) || pe.Pattern != c.pattern || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Compile(%q) = %v, want a *PatternError containing %q", c.pattern, err, c.want)
		}
	}
	for _, pattern := range []string{"", "''", "'quoted ''text'''", "GyMdkHmsSEDFwWahKzZYuXL", "XXX", "日本"} {
		if _, err := Compile(pattern); err != nil {
			t.Errorf("Compile(%q): %v", pattern, err)
		}
	}
}

func TestPattern(t *testing.T) {
	const p = "yyyy-MM-dd'T'HH:mm"
	f := MustCompile(p)
	if f.Pattern() != p || f.String() != p {
		t.Errorf("Pattern() = %q, String() = %q", f.Pattern(), f.String())
	}
	if g := f.WithTwoDigitYearStart(twoDigitStart); g == f || g.Pattern() != p {
		t.Error("WithTwoDigitYearStart must return a copy")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustCompile of a bad pattern did not panic")
		}
	}()
	MustCompile("x")
}
