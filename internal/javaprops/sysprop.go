package javaprops

import "strings"

// SystemProperty returns the value that a -Dname=value option in opts (JVM
// options as Kafka's start scripts take them from KAFKA_OPTS, split on
// blanks as their shell splits them) gives the Java system property name,
// or "" if none does. The last such option wins, as in Java; quotes around
// the value are removed.
func SystemProperty(opts, name string) string {
	v := ""
	for _, f := range strings.Fields(opts) {
		if rest, ok := strings.CutPrefix(f, "-D"+name+"="); ok {
			v = strings.Trim(rest, `"'`)
		}
	}
	return v
}
