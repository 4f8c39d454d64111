package javatime

import (
	"errors"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/testkit"
)

// FuzzJavaTime compiles arbitrary patterns and parses arbitrary text with
// them: errors are *PatternError and *ParseError (never a panic) and a
// parse error points into the text; what a pattern without abutting
// numeric fields or repeated fields formats (in the two-digit-year window)
// and parses back formats the same again; and a pattern that holds every field reads back
// the very instant it wrote.
func FuzzJavaTime(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.pattern, c.text, int64(994248536235))
	}
	for _, s := range []struct {
		pattern, text string
		ms            int64
	}{
		{"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "1", -62135596800000},
		{"SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS", "99999999999999999999999999999", 1},
		{"'unterminated", "", 0},
		{"XXXX", "Z", 0},
		{"G yyyy-MM-dd", "BC 0001-01-01", -62198755200000},
		{"Y ww u", "292278994 52 7", 9223372036854775807},
		{"z zzzz Z X XX XXX", "GMT+23:59 GMT-0:00 -2359 Z +01 +01:30", -9223372036854775808},
		{"hh:mm a", "12:00 pm", 43200000},
		{"D", "366", 0},
	} {
		f.Add(s.pattern, s.text, s.ms)
	}
	full := MustCompile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
	f.Fuzz(func(t *testing.T, pattern, text string, ms int64) {
		defer testkit.HangGuard(t, 20*time.Second)()
		at := time.UnixMilli(ms).UTC()
		if s := full.Format(at); at.Year() >= 1 && at.Year() <= 9999 {
			if got, err := full.Parse(s); err != nil || !got.Equal(at) {
				t.Fatalf("Parse(%q) = %v, %v; want %v", s, got, err, at)
			}
		}

		fm, err := Compile(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("Compile(%q): %v, want a *PatternError", pattern, err)
			}
			return
		}
		fm = fm.WithTwoDigitYearStart(twoDigitStart)
		if got, err := fm.Parse(text); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Index < 0 || pe.Index > len(text) || pe.Reason == "" {
				t.Fatalf("Parse(%q) with %q: %v, want a *ParseError pointing into the text", text, pattern, err)
			}
		} else if got.Location() != time.UTC {
			t.Fatalf("Parse(%q) with %q = %v, not in UTC", text, pattern, got)
		}

		// Abutting numeric fields take exactly their count of digits when
		// parsed, so a wider number formatted into one cannot read back;
		// and of two fields for one calendar field the last wins, as in
		// Java ("Y YY" reads "1950 50" as 2050 when the window starts in
		// July 1950). The year and the week year count as one field: an
		// ambiguous two-digit one moves both by a century, as in Java
		// ("YY y" reads "50 1950" as 2050).
		seen := map[byte]bool{}
		for _, tk := range fm.tokens {
			group := map[byte]byte{'L': 'M', 'k': 'H', 'K': 'h', 'u': 'E', 'Y': 'y'}[tk.letter]
			if group == 0 {
				group = tk.letter
			}
			if tk.obeyCount || tk.letter != 0 && seen[group] {
				return
			}
			seen[group] = true
		}
		// A two-digit year reads back into the window, so only a time in
		// the window can read back as itself.
		window := twoDigitStart.AddDate(100, 0, 0).Sub(twoDigitStart).Milliseconds()
		in := twoDigitStart.Add(time.Duration((ms%window+window)%window) * time.Millisecond)
		fm.Format(at)
		s := fm.Format(in)
		if back, err := fm.Parse(s); err == nil {
			if again := fm.Format(back); again != s {
				t.Fatalf("%q formats %v as %q, which parses as %v, which formats as %q", pattern, in, s, back, again)
			}
		}
	})
}
