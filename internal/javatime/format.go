package javatime

import "time"

// English (US) names, as Java's DateFormatSymbols for Locale.US.
var (
	longMonths  = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	longDays    = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	shortDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	amPm        = [...]string{"AM", "PM"}
	eras        = [...]string{"BC", "AD"}
)

// Format returns t formatted by f, with the fields of t in t's location.
func (f *Format) Format(t time.Time) string {
	var buf [64]byte
	b := buf[:0]
	if f.sizeHint > len(buf) {
		b = make([]byte, 0, f.sizeHint)
	}
	return string(f.AppendFormat(b, t))
}

// AppendFormat appends t formatted by f to b and returns the extended
// buffer.
func (f *Format) AppendFormat(b []byte, t time.Time) []byte {
	var (
		year, day, hour, min, sec, yday, wd, zoff int
		month                                     time.Month
		zname                                     string
	)
	if f.need&needDate != 0 {
		year, month, day = t.Date()
	}
	if f.need&needClock != 0 {
		hour, min, sec = t.Clock()
	}
	if f.need&needYearDay != 0 {
		yday = t.YearDay()
	}
	if f.need&needWeekday != 0 {
		wd = int(t.Weekday())
	}
	if f.need&needZone != 0 {
		zname, zoff = t.Zone()
	}
	for i := range f.tokens {
		tk := &f.tokens[i]
		n := tk.count
		switch tk.letter {
		case 0:
			b = append(b, tk.text...)
		case 'G':
			if year > 0 {
				b = append(b, eras[1]...)
			} else {
				b = append(b, eras[0]...)
			}
		case 'y':
			b = appendYear(b, eraYear(year), n)
		case 'Y':
			_, wy := weekOfYear(year, yday, wd)
			b = appendYear(b, eraYear(wy), n)
		case 'M', 'L':
			switch {
			case n >= 4:
				b = append(b, longMonths[month-1]...)
			case n == 3:
				b = append(b, shortMonths[month-1]...)
			default:
				b = appendInt(b, int(month), n)
			}
		case 'd':
			b = appendInt(b, day, n)
		case 'k':
			if hour == 0 {
				b = appendInt(b, 24, n)
			} else {
				b = appendInt(b, hour, n)
			}
		case 'H':
			b = appendInt(b, hour, n)
		case 'm':
			b = appendInt(b, min, n)
		case 's':
			b = appendInt(b, sec, n)
		case 'S':
			b = appendInt(b, t.Nanosecond()/int(time.Millisecond), n)
		case 'E':
			if n >= 4 {
				b = append(b, longDays[wd]...)
			} else {
				b = append(b, shortDays[wd]...)
			}
		case 'D':
			b = appendInt(b, yday, n)
		case 'F':
			b = appendInt(b, (day-1)/7+1, n)
		case 'w':
			w, _ := weekOfYear(year, yday, wd)
			b = appendInt(b, w, n)
		case 'W':
			b = appendInt(b, weekOfMonth(day, wd), n)
		case 'a':
			b = append(b, amPm[hour/12]...)
		case 'h':
			if hour%12 == 0 {
				b = appendInt(b, 12, n)
			} else {
				b = appendInt(b, hour%12, n)
			}
		case 'K':
			b = appendInt(b, hour%12, n)
		case 'u':
			if wd == 0 {
				b = appendInt(b, 7, n)
			} else {
				b = appendInt(b, wd, n)
			}
		case 'z':
			b = appendZoneName(b, zname, zoff, n >= 4)
		case 'Z':
			b = appendRFC822Zone(b, zoff)
		case 'X':
			b = appendISOZone(b, zoff, n)
		}
	}
	return b
}

// appendYear appends a year of an era as the letters y and Y do: two
// digits for a count of 2, else zero-padded to the count.
func appendYear(b []byte, y, count int) []byte {
	if count == 2 {
		return appendInt(b, y%100, 2)
	}
	return appendInt(b, y, count)
}

// eraYear returns the year within its era of an astronomical year: 0 is
// 1 BC.
func eraYear(y int) int {
	if y <= 0 {
		return 1 - y
	}
	return y
}

// appendInt appends v in decimal, zero-padded to width digits.
func appendInt(b []byte, v, width int) []byte {
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = uint64(-v)
		width--
	}
	var tmp [20]byte
	i := len(tmp)
	for u >= 10 {
		i--
		tmp[i] = byte('0' + u%10)
		u /= 10
	}
	i--
	tmp[i] = byte('0' + u)
	for pad := width - (len(tmp) - i); pad > 0; pad-- {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// weekOfYear returns the week of year and the week year of the day yday
// of year, a weekday wd (0 = Sunday), with US week rules: weeks start on
// Sunday and week 1 is the week that holds 1 January, so the last days of
// December may be in week 1 of the next year.
func weekOfYear(year, yday, wd int) (week, weekYear int) {
	if yday+6-wd > daysInYear(year) {
		return 1, year + 1
	}
	jan1 := mod7(wd - (yday - 1))
	return (yday-1+jan1)/7 + 1, year
}

// weekOfMonth returns the week of month of day, a weekday wd (0 = Sunday),
// with US week rules: week 1 is the week that holds the first of the month.
func weekOfMonth(day, wd int) int {
	first := mod7(wd - (day - 1))
	return (day-1+first)/7 + 1
}

func mod7(n int) int {
	n %= 7
	if n < 0 {
		n += 7
	}
	return n
}

func daysInYear(y int) int {
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		return 366
	}
	return 365
}

// appendZoneName appends the name of a zone for the letter z: its
// abbreviation, or its long name when long is set and the name is known;
// GMT+hh:mm when the location has no alphabetic abbreviation.
func appendZoneName(b []byte, name string, off int, long bool) []byte {
	if name == "" || !isASCIILetter(name[0]) {
		return appendGMTOffset(b, off)
	}
	if long {
		if l, ok := longZoneName(name, off); ok {
			return append(b, l...)
		}
	}
	return append(b, name...)
}

// appendGMTOffset appends a zone offset as Java's custom zone IDs:
// GMT+hh:mm.
func appendGMTOffset(b []byte, off int) []byte {
	return appendOffset(append(b, "GMT"...), off, true, ":")
}

// appendRFC822Zone appends a zone offset as -0800.
func appendRFC822Zone(b []byte, off int) []byte {
	return appendOffset(b, off, true, "")
}

// appendISOZone appends a zone offset as ISO 8601 does: Z for UTC, else
// -08, -0800 or -08:00 for a count of 1, 2 or 3.
func appendISOZone(b []byte, off, count int) []byte {
	if off == 0 {
		return append(b, 'Z')
	}
	sep := ""
	if count == 3 {
		sep = ":"
	}
	return appendOffset(b, off, count > 1, sep)
}

// appendOffset appends a zone offset in seconds as a sign and two-digit
// hours, then, with minutes, sep and two-digit minutes.
func appendOffset(b []byte, off int, minutes bool, sep string) []byte {
	m := off / 60
	if m < 0 {
		b = append(b, '-')
		m = -m
	} else {
		b = append(b, '+')
	}
	b = appendInt(b, m/60, 2)
	if !minutes {
		return b
	}
	b = append(b, sep...)
	return appendInt(b, m%60, 2)
}
