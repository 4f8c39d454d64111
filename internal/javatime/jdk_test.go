package javatime

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAgainstJDK runs the format and parse tables through a real
// SimpleDateFormat (testdata/Oracle.java) when a JDK is installed, so the
// expected values are Java's and not what we believe Java does. Parse
// cases marked javaDiffers must differ from Java.
func TestAgainstJDK(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a JVM")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("no java on PATH")
	}
	var in bytes.Buffer
	for _, c := range formatCases {
		fmt.Fprintf(&in, "F\t%s\t%d\t%s\n", c.pattern, mustTime(t, c.at).UnixMilli(), c.zone)
	}
	for _, c := range parseCases {
		fmt.Fprintf(&in, "P\t%s\t%s\n", c.pattern, strings.ReplaceAll(c.text, "\t", `\t`))
	}
	cmd := exec.Command(java, "-Duser.language=en", "-Duser.country=US", "-Duser.timezone=UTC", "testdata/Oracle.java")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(formatCases)+len(parseCases) {
		t.Fatalf("java answered %d lines for %d cases", len(lines), len(formatCases)+len(parseCases))
	}
	for i, c := range formatCases {
		got := lines[i][strings.LastIndexByte(lines[i], '\t')+1:]
		if got != c.want {
			t.Errorf("Java formats %q at %s in %s as %q; the table says %q", c.pattern, c.at, c.zone, got, c.want)
		}
	}
	for i, c := range parseCases {
		fields := strings.Split(lines[len(formatCases)+i], "\t")
		javaSays := "error"
		if len(fields) == 5 {
			ms, _ := strconv.ParseInt(fields[3], 10, 64)
			used, _ := strconv.Atoi(fields[4])
			if used == len([]rune(c.text)) {
				javaSays = time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
			} else {
				javaSays = fmt.Sprintf("%s, leaving %q", time.UnixMilli(ms).UTC().Format(time.RFC3339Nano), string([]rune(c.text)[used:]))
			}
		}
		weSay := "error"
		if c.want != "" {
			weSay = mustTime(t, c.want).Format(time.RFC3339Nano)
		}
		switch {
		case c.javaDiffers == "" && javaSays != weSay:
			t.Errorf("Java parses %q with %q as %s; the table says %s", c.text, c.pattern, javaSays, weSay)
		case c.javaDiffers != "" && javaSays == weSay:
			t.Errorf("Java parses %q with %q as %s like the table, which says it differs (%s)", c.text, c.pattern, javaSays, c.javaDiffers)
		}
	}
}
