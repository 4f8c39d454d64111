// Package javatime formats and parses times with the date and time patterns
// of Java's java.text.SimpleDateFormat, so that a pattern written for Kafka
// Connect (TimestampConverter's format, TimestampRouter's timestamp.format)
// means the same in sluice.
//
// A pattern is compiled once with [Compile]; the resulting [Format] is
// immutable and safe for concurrent use (unlike a SimpleDateFormat).
//
// # Patterns
//
// Unquoted ASCII letters are pattern letters; the number of times a letter
// repeats (its count) selects the presentation. Text between single quotes
// is copied as is, and two single quotes stand for one, inside or outside
// quotes. Every other character is literal text. For 2001-07-04 12:08:56
// in UTC:
//
//	yyyy.MM.dd G 'at' HH:mm:ss z   2001.07.04 AD at 12:08:56 UTC
//	hh 'o''clock' a                12 o'clock PM
//
//
//	G  era                      AD, BC
//	y  year                     2001; "yy" is 01
//	Y  week year                2001; "YY" is 01
//	M  month                    7, 07; "MMM" Jul, "MMMM" July
//	L  month (stand-alone)      as M
//	w  week of year             27
//	W  week of month            1
//	D  day of year              185
//	d  day of month             4
//	F  day of week in month     1 (the first Wednesday of the month)
//	E  day name                 Wed; "EEEE" Wednesday
//	u  day number of week       3 (1 = Monday ... 7 = Sunday)
//	a  AM/PM marker             PM
//	H  hour of day (0-23)       12
//	k  hour of day (1-24)       24
//	K  hour of AM/PM (0-11)     0
//	h  hour of AM/PM (1-12)     12
//	m  minute                   08
//	s  second                   56
//	S  millisecond              235 (a count of milliseconds, not a fraction)
//	z  zone name                PDT; "zzzz" Pacific Daylight Time
//	Z  RFC 822 zone             -0700
//	X  ISO 8601 zone            -07, -0700, -07:00 (count 1, 2, 3); Z for UTC
//
// Numbers are zero-padded to the count; "yy" and "YY" keep the last two
// digits of the year. Names are text from the count of 4 on (long form) and
// short below it (E) or at 3 (M, L). Any other ASCII letter is an error, as
// in Java ("Illegal pattern character 'x'"), and so is an unterminated quote
// or an X repeated more than three times.
//
// # Formatting
//
// [Format.Format] prints the fields of t in t's location; pass t.UTC() for
// the UTC output Kafka Connect's transforms produce.
//
// # Parsing
//
// [Format.Parse] reads text as SimpleDateFormat does with setLenient(false),
// and returns the instant in UTC:
//
//   - Spaces and tabs before a numeric or zone field are skipped. A number
//     takes as many digits as it finds, except when the next pattern field is
//     numeric too (as in "yyyyMMdd"): then it takes exactly its count.
//   - "y" or "yy" followed by exactly two digits picks the century so that
//     the year falls from 80 years before to 20 years after the time the
//     Format was compiled; see [Format.WithTwoDigitYearStart].
//   - Names match in any letter case, long or short form.
//   - Missing fields default to 1970-01-01T00:00:00.000; without a zone in
//     the text the time is UTC. z and Z accept a zone name, GMT, GMT+h:mm or
//     +hhmm; X accepts Z or +hh, +hhmm, +hh:mm by its count.
//   - The date comes from year, month and day; otherwise from day of year,
//     week fields or day of week in month, when those are given instead.
//
// # Differences from SimpleDateFormat
//
// Parsing is strict, where Kafka Connect leaves SimpleDateFormat lenient
// (its default). Lenient parsing quietly produces a different instant than
// the text says, which sluice treats as data corruption:
//
//   - The whole text must match; Java ignores whatever follows the pattern
//     (so "yyyy-MM-dd" would read only the date of "2001-07-04T12:08:56").
//   - Every field must be in range and the date must exist: Java rolls
//     "2001-02-30" over to 2001-03-02 and reads "SSS" of ".123456" as 123456
//     milliseconds, over two minutes.
//   - Fields that are not used to find the date must agree with it: a day
//     name that is not the date's weekday, an AM/PM marker that contradicts
//     H, a week number of another week.
//
// Further differences:
//
//   - Names and week rules are those of Java's US English locale, which is
//     what most JVMs run with: weeks start on Sunday and week 1 is the week
//     that holds 1 January (or, for W, the first of the month). Java takes
//     both from the JVM's default locale.
//   - All dates use the proleptic Gregorian calendar; Java switches to the
//     Julian calendar before 1582-10-15.
//   - Zone names are parsed from a fixed table of common English names and
//     abbreviations (UTC, GMT, the US zones, CET, EET, MSK, JST, KST, AEST,
//     NZST and a few more), not Java's full list. Names Java reads as a
//     surprising offset (BST as +02:00, AKST as -10:00) or that stand for
//     several zones (IST) are errors rather than guesses.
//   - When formatting, z prints the abbreviation of t's location from Go's
//     time zone database, or GMT+hh:mm when it has none (Go has none for
//     many zones Java names, such as Asia/Dubai); zzzz prints the long name
//     Java 9 and later print for common zones and the abbreviation
//     otherwise.
//   - Only ASCII digits are numbers.
package javatime
