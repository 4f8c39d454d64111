package javatime

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// ParseError reports text that does not match a pattern.
type ParseError struct {
	Text    string
	Pattern string
	// Index is the byte offset in Text where the problem was found.
	Index int
	// Reason says what is wrong, e.g. "month 13 is out of range 1-12".
	Reason string
}

// Error returns Java's "Unparseable date" with the reason and where.
func (e *ParseError) Error() string {
	return fmt.Sprintf("Unparseable date: %q: %s (at index %d)", e.Text, e.Reason, e.Index)
}

// The calendar fields Parse collects.
const (
	fEra = iota
	fYear
	fWeekYear
	fMonth
	fDay
	fYearDay
	fWeekday // 0 = Sunday
	fWeekdayInMonth
	fWeekOfYear
	fWeekOfMonth
	fHourOfDay
	fHourOfAmPm // 0-11
	fAmPm
	fMinute
	fSecond
	fMilli
	numFields
)

var fieldNames = [numFields]string{
	"era", "year", "week year", "month", "day of month", "day of year", "day of week",
	"day of week in month", "week of year", "week of month", "hour of day", "hour of AM/PM",
	"AM/PM", "minute", "second", "millisecond",
}

// parser holds the state of one Parse.
type parser struct {
	f *Format
	s string
	// order[i] is 0 when field i was not parsed, else one more than the
	// number of fields parsed before it: the last one set wins, as in Java.
	order  [numFields]int
	val    [numFields]int
	next   int
	zoned  bool
	offset int // seconds east of UTC
	// ambiguous says the last two-digit year parsed may name either of
	// two centuries (Java's ambiguousYear): when the date falls before the
	// window, every year field moves by 100, one written in full too, as
	// Java's CalendarBuilder.addYear moves YEAR and WEEK_YEAR.
	ambiguous bool
}

func (p *parser) set(field, v int) {
	p.next++
	p.order[field] = p.next
	p.val[field] = v
}

func (p *parser) has(field int) bool { return p.order[field] != 0 }

func (p *parser) fail(index int, format string, args ...any) error {
	return &ParseError{Text: p.s, Pattern: p.f.pattern, Index: index, Reason: fmt.Sprintf(format, args...)}
}

// Parse reads s as f describes it and returns the instant in UTC. Without
// a zone in s, the fields are read as UTC. See the package documentation
// for how strict it is.
func (f *Format) Parse(s string) (time.Time, error) {
	p := parser{f: f, s: s}
	pos := 0
	for i := range f.tokens {
		tk := &f.tokens[i]
		if tk.letter == 0 {
			if !strings.HasPrefix(s[pos:], tk.text) {
				return time.Time{}, p.fail(pos+commonPrefix(s[pos:], tk.text), "expected %q", tk.text)
			}
			pos += len(tk.text)
			continue
		}
		var err error
		if pos, err = p.field(tk, pos); err != nil {
			return time.Time{}, err
		}
	}
	if pos < len(s) {
		return time.Time{}, p.fail(pos, "unexpected text %q after the date", s[pos:])
	}
	if pos == 0 {
		return time.Time{}, p.fail(0, "nothing to parse")
	}
	t, err := p.resolve(0)
	if err != nil {
		return time.Time{}, p.fail(pos, "%s", err.Error())
	}
	if p.ambiguous && t.Before(f.twoDigitStart) {
		if t, err = p.resolve(100); err != nil {
			return time.Time{}, p.fail(pos, "%s", err.Error())
		}
	}
	if sec := t.Unix(); sec > math.MaxInt64/1000 || sec < math.MinInt64/1000 {
		return time.Time{}, p.fail(pos, "%s is out of the range of a Java Date (int64 milliseconds)", t.Format("2006-01-02"))
	}
	return t, nil
}

// field parses the field tk at start and returns the index after it.
func (p *parser) field(tk *token, start int) (int, error) {
	s := p.s
	pos := start
	for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
		pos++
	}
	if pos >= len(s) {
		return 0, p.fail(start, "text ends where the %s (%s) should be", describe(tk), strings.Repeat(string(tk.letter), tk.count))
	}
	// Names are matched where the field starts, without skipping blanks,
	// as Java does.
	switch tk.letter {
	case 'G':
		return p.name(tk, start, fEra, eras[:])
	case 'M', 'L':
		if tk.count >= 3 {
			if end, err := p.name(tk, start, fMonth, longMonths[:]); err == nil {
				p.val[fMonth]++
				return end, nil
			}
			end, err := p.name(tk, start, fMonth, shortMonths[:])
			p.val[fMonth]++
			return end, err
		}
	case 'E':
		if end, err := p.name(tk, start, fWeekday, longDays[:]); err == nil {
			return end, nil
		}
		return p.name(tk, start, fWeekday, shortDays[:])
	case 'a':
		return p.name(tk, start, fAmPm, amPm[:])
	case 'z', 'Z':
		return p.zoneText(pos)
	case 'X':
		return p.isoZone(tk, pos)
	}

	v, end, err := p.number(tk, start, pos)
	if err != nil {
		return 0, err
	}
	switch tk.letter {
	case 'y', 'Y':
		if tk.count <= 2 && end-pos == 2 {
			// Place a two-digit year in the 100 years from twoDigitStart.
			startYear := p.f.twoDigitStart.Year()
			amb := startYear % 100
			p.ambiguous = v == amb
			v += startYear / 100 * 100
			if v%100 < amb {
				v += 100
			}
		}
		if v < 1 {
			return 0, p.fail(pos, "%s %d is out of range (years start at 1; use G for BC)", describe(tk), v)
		}
		if tk.letter == 'y' {
			p.set(fYear, v)
		} else {
			p.set(fWeekYear, v)
		}
		return end, nil
	case 'M', 'L':
		return end, p.setRange(tk, fMonth, v, 1, 12, pos)
	case 'd':
		return end, p.setRange(tk, fDay, v, 1, 31, pos)
	case 'k':
		if err := p.setRange(tk, fHourOfDay, v, 1, 24, pos); err != nil {
			return 0, err
		}
		p.val[fHourOfDay] %= 24
		return end, nil
	case 'H':
		return end, p.setRange(tk, fHourOfDay, v, 0, 23, pos)
	case 'h':
		if err := p.setRange(tk, fHourOfAmPm, v, 1, 12, pos); err != nil {
			return 0, err
		}
		p.val[fHourOfAmPm] %= 12
		return end, nil
	case 'K':
		return end, p.setRange(tk, fHourOfAmPm, v, 0, 11, pos)
	case 'm':
		return end, p.setRange(tk, fMinute, v, 0, 59, pos)
	case 's':
		return end, p.setRange(tk, fSecond, v, 0, 59, pos)
	case 'S':
		return end, p.setRange(tk, fMilli, v, 0, 999, pos)
	case 'D':
		return end, p.setRange(tk, fYearDay, v, 1, 366, pos)
	case 'F':
		return end, p.setRange(tk, fWeekdayInMonth, v, 1, 5, pos)
	case 'w':
		return end, p.setRange(tk, fWeekOfYear, v, 1, 53, pos)
	case 'W':
		return end, p.setRange(tk, fWeekOfMonth, v, 1, 6, pos)
	case 'u':
		if err := p.setRange(tk, fWeekday, v, 1, 7, pos); err != nil {
			return 0, err
		}
		p.val[fWeekday] %= 7
		return end, nil
	}
	return 0, p.fail(pos, "unsupported pattern letter %q", tk.letter)
}

func (p *parser) setRange(tk *token, field, v, lo, hi, pos int) error {
	if v < lo || v > hi {
		return p.fail(pos, "%s %d is out of range %d-%d", describe(tk), v, lo, hi)
	}
	p.set(field, v)
	return nil
}

// number reads the digits of a numeric field at pos. start is where the
// field began, before blanks: when the next field abuts this one, Java
// reads at most up to start+count, and so does number.
func (p *parser) number(tk *token, start, pos int) (v, end int, err error) {
	s := p.s
	limit := len(s)
	if tk.obeyCount {
		if start+tk.count > len(s) {
			return 0, 0, p.fail(pos, "text ends inside the %s (%s), which needs %d digits", describe(tk), strings.Repeat(string(tk.letter), tk.count), tk.count)
		}
		limit = start + tk.count
	}
	end = pos
	for end < limit && isDigit(s[end]) {
		if v > 99999999 {
			return 0, 0, p.fail(pos, "%s has too many digits", describe(tk))
		}
		v = v*10 + int(s[end]-'0')
		end++
	}
	if end == pos {
		return 0, 0, p.fail(pos, "expected a number for the %s (%s)", describe(tk), strings.Repeat(string(tk.letter), tk.count))
	}
	return v, end, nil
}

// name matches the longest of names at start, in any letter case, and
// sets field to its index.
func (p *parser) name(tk *token, start, field int, names []string) (int, error) {
	best, n := -1, 0
	for i, name := range names {
		if len(name) > n && hasPrefixFold(p.s[start:], name) {
			best, n = i, len(name)
		}
	}
	if best < 0 {
		return 0, p.fail(start, "expected the %s (%s), such as %q", describe(tk), strings.Repeat(string(tk.letter), tk.count), names[len(names)-1])
	}
	p.set(field, best)
	return start + n, nil
}

// zoneText reads a zone for z or Z: +hhmm, GMT, GMT+h:mm or a zone name.
func (p *parser) zoneText(pos int) (int, error) {
	s := p.s
	switch {
	case s[pos] == '+' || s[pos] == '-':
		return p.numericZone(pos, 0, false)
	case hasPrefixFold(s[pos:], "GMT"):
		if end := pos + 3; end == len(s) || s[end] != '+' && s[end] != '-' {
			p.zoned, p.offset = true, 0
			return end, nil
		}
		return p.numericZone(pos+3, 0, true)
	}
	off, n := matchZone(s[pos:])
	if n == 0 {
		return 0, p.fail(pos, "expected a time zone such as UTC, PST, GMT-08:00 or -0800")
	}
	p.zoned, p.offset = true, off
	return pos + n, nil
}

// isoZone reads a zone for X: Z, or +hh, +hhmm or +hh:mm by the count.
func (p *parser) isoZone(tk *token, pos int) (int, error) {
	switch p.s[pos] {
	case 'Z':
		p.zoned, p.offset = true, 0
		return pos + 1, nil
	case '+', '-':
		return p.numericZone(pos, tk.count, tk.count == 3)
	}
	return 0, p.fail(pos, "expected Z or a zone offset like %s", [...]string{"", "-08", "-0800", "-08:00"}[tk.count])
}

// numericZone reads a sign and hh[[:]mm] at pos as Java's
// subParseNumericZone: count 1 reads hours only; without colon the hours
// need two digits; with colon one digit will do and a colon must follow.
func (p *parser) numericZone(pos, count int, colon bool) (int, error) {
	s := p.s
	sign := 1
	if s[pos] == '-' {
		sign = -1
	}
	i := pos + 1
	bad := func() (int, error) {
		return 0, p.fail(pos, "invalid zone offset %q", s[pos:min(i+1, len(s))])
	}
	digit := func(j int) (int, bool) {
		if j < len(s) && isDigit(s[j]) {
			return int(s[j] - '0'), true
		}
		return 0, false
	}
	h, ok := digit(i)
	if !ok {
		return bad()
	}
	i++
	if d, ok := digit(i); ok {
		h = h*10 + d
		i++
	} else if count > 0 || !colon {
		return bad()
	}
	if h > 23 {
		return bad()
	}
	m := 0
	if count != 1 {
		if colon {
			if i >= len(s) || s[i] != ':' {
				return bad()
			}
			i++
		}
		d1, ok1 := digit(i)
		d2, ok2 := digit(i + 1)
		if !ok1 || !ok2 || d1*10+d2 > 59 {
			return bad()
		}
		m = d1*10 + d2
		i += 2
	}
	p.zoned, p.offset = true, sign*(h*60+m)*60
	return i, nil
}

// resolve turns the parsed fields into an instant, with addYears added to
// the year (for the second try at an ambiguous two-digit year). It fails
// when the fields do not make a date or disagree with each other.
func (p *parser) resolve(addYears int) (time.Time, error) {
	v := &p.val
	year := 1970
	if p.has(fYear) {
		year = v[fYear] + addYears
	}
	if p.has(fEra) && v[fEra] == 0 {
		year = 1 - year
	}
	weekday := 0 // Sunday, Java's first day of the week in the US
	if p.has(fWeekday) {
		weekday = v[fWeekday]
	}
	month := 1
	if p.has(fMonth) {
		month = v[fMonth]
	}

	var date time.Time
	switch {
	case p.has(fWeekYear) && p.order[fWeekYear] > p.order[fYear]:
		// A week date: week year, week (default 1) and day of week.
		week := 1
		if p.has(fWeekOfYear) {
			week = v[fWeekOfYear]
		}
		date = weekDate(v[fWeekYear]+addYears, week, weekday)
	case p.has(fDay) || !p.has(fYearDay) && !p.has(fWeekOfYear) && !p.has(fWeekOfMonth) && !p.has(fWeekdayInMonth):
		day := 1
		if p.has(fDay) {
			day = v[fDay]
		}
		date = time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if date.Day() != day {
			return time.Time{}, fmt.Errorf("day %d does not exist in %s", day, date.AddDate(0, 0, -date.Day()).Format("2006-01"))
		}
	case p.has(fYearDay):
		date = time.Date(year, 1, v[fYearDay], 0, 0, 0, 0, time.UTC)
	case p.has(fWeekOfYear):
		date = weekDate(year, v[fWeekOfYear], weekday)
	case p.has(fWeekOfMonth):
		first := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		date = first.AddDate(0, 0, (v[fWeekOfMonth]-1)*7+weekday-int(first.Weekday()))
	default: // day of week in month
		first := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)
		date = first.AddDate(0, 0, (v[fWeekdayInMonth]-1)*7+mod7(weekday-int(first.Weekday())))
	}

	// Every field given must agree with the date, as in a non-lenient
	// GregorianCalendar.
	y, m, d := date.Date()
	yd, wd := date.YearDay(), int(date.Weekday())
	w, wy := weekOfYear(y, yd, wd)
	actual := [numFields]int{
		fEra:            era(y),
		fYear:           eraYear(y),
		fWeekYear:       eraYear(wy),
		fMonth:          int(m),
		fDay:            d,
		fYearDay:        yd,
		fWeekday:        wd,
		fWeekdayInMonth: (d-1)/7 + 1,
		fWeekOfYear:     w,
		fWeekOfMonth:    weekOfMonth(d, wd),
	}
	want := *v
	want[fYear] += addYears
	want[fWeekYear] += addYears
	for f := fEra; f <= fWeekOfMonth; f++ {
		if p.has(f) && want[f] != actual[f] {
			return time.Time{}, fmt.Errorf("%s %s does not match the date %s (%s %s)",
				fieldNames[f], fieldText(f, want[f]), date.Format("2006-01-02"), fieldNames[f], fieldText(f, actual[f]))
		}
	}

	hour := 0
	switch {
	case p.has(fHourOfDay):
		hour = v[fHourOfDay]
		if p.has(fHourOfAmPm) && hour%12 != v[fHourOfAmPm] {
			return time.Time{}, fmt.Errorf("hour of AM/PM %d does not match hour of day %d", v[fHourOfAmPm], hour)
		}
		if p.has(fAmPm) && hour/12 != v[fAmPm] {
			return time.Time{}, fmt.Errorf("%s does not match hour of day %d", amPm[v[fAmPm]], hour)
		}
	case p.has(fHourOfAmPm):
		hour = v[fHourOfAmPm] + 12*v[fAmPm]
	case p.has(fAmPm):
		hour = 12 * v[fAmPm]
	}
	t := time.Date(y, m, d, hour, v[fMinute], v[fSecond], v[fMilli]*int(time.Millisecond), time.UTC)
	if p.zoned {
		t = t.Add(-time.Duration(p.offset) * time.Second)
	}
	return t, nil
}

// era returns the era of an astronomical year: 0 for BC, 1 for AD.
func era(y int) int {
	if y > 0 {
		return 1
	}
	return 0
}

// fieldText shows a field's value in error messages: names for eras and
// days of week.
func fieldText(field, v int) string {
	switch field {
	case fEra:
		return eras[v]
	case fWeekday:
		return longDays[v]
	}
	return fmt.Sprint(v)
}

// weekDate returns the day of week weekday (0 = Sunday) in week week of
// the week year weekYear, with US week rules.
func weekDate(weekYear, week, weekday int) time.Time {
	jan1 := time.Date(weekYear, 1, 1, 0, 0, 0, 0, time.UTC)
	return jan1.AddDate(0, 0, (week-1)*7+weekday-int(jan1.Weekday()))
}

// describe names the field of a token for error messages.
func describe(tk *token) string {
	switch tk.letter {
	case 'G':
		return "era"
	case 'y':
		return "year"
	case 'Y':
		return "week year"
	case 'M', 'L':
		return "month"
	case 'd':
		return "day of month"
	case 'k', 'H':
		return "hour of day"
	case 'h', 'K':
		return "hour of AM/PM"
	case 'm':
		return "minute"
	case 's':
		return "second"
	case 'S':
		return "millisecond"
	case 'E', 'u':
		return "day of week"
	case 'D':
		return "day of year"
	case 'F':
		return "day of week in month"
	case 'w':
		return "week of year"
	case 'W':
		return "week of month"
	case 'a':
		return "AM/PM marker"
	}
	return "time zone"
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// hasPrefixFold reports whether s begins with prefix, ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// commonPrefix returns the length of the common prefix of a and b.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
