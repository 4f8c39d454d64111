package config

import (
	"strconv"
	"strings"
)

// Docs returns a Markdown reference table of the keys, in the order of Java's
// generated docs (ungrouped keys, then groups; required keys first within a
// group, then by importance and name), with the columns Name, Type, Default,
// Valid values, Importance and Description. Required keys show *required* as
// their default; ".ms" and ".bytes" defaults get a readable unit as in Kafka's
// docs, e.g. "60000 (1 minute)".
func (d *Def) Docs() string {
	var b strings.Builder
	b.WriteString("| Name | Type | Default | Valid values | Importance | Description |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, k := range d.sortedKeys() {
		valid := ""
		if k.Validator != nil {
			valid = k.Validator.String()
		}
		cells := []string{
			"`" + k.Name + "`",
			strings.ToLower(k.Type.String()),
			docDefault(k),
			valid,
			strings.ToLower(k.Importance.String()),
			k.Doc,
		}
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + mdCell(c) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// KeysDocs is Docs for keys that are not a Def's (a plugin's keys with the
// framework's added, a converter's hand-made ones): the same table, in the
// same order. Keys are taken as they are, not checked as Define checks
// them; of two keys of one name the first is shown.
func KeysDocs(keys []Key) string {
	d := &Def{index: map[string]int{}}
	for _, k := range keys {
		if d.has(k.Name) {
			continue
		}
		d.index[k.Name] = len(d.keys)
		d.keys = append(d.keys, k.clone())
		if k.Group != "" && !contains(d.groups, k.Group) {
			d.groups = append(d.groups, k.Group)
		}
	}
	return d.Docs()
}

// docDefault renders a key's default for Docs, as Java's getConfigValue(key, "Default").
func docDefault(k Key) string {
	if k.Required() {
		return "*required*"
	}
	s := renderValue(k.Default)
	switch {
	case s == nil:
		return "null"
	case *s == "":
		return `""`
	}
	var n int64
	switch x := k.Default.(type) {
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	default:
		return *s
	}
	switch {
	case strings.HasSuffix(k.Name, ".bytes"):
		return *s + niceUnits(n, []int64{1024, 1024, 1024, 1024}, []string{"kibibyte", "mebibyte", "gibibyte", "tebibyte"})
	case strings.HasSuffix(k.Name, ".ms"):
		return *s + niceUnits(n, []int64{1000, 60, 60, 24}, []string{"second", "minute", "hour", "day"})
	}
	return *s
}

// niceUnits is Java's niceTimeUnits/niceMemoryUnits: n in the largest unit
// that divides it exactly, e.g. " (5 minutes)"; "" when no unit does.
func niceUnits(n int64, divisors []int64, units []string) string {
	v, i := n, 0
	for v != 0 && i < len(divisors) && v%divisors[i] == 0 {
		v /= divisors[i]
		i++
	}
	if i == 0 {
		return ""
	}
	unit := units[i-1]
	if v != 1 {
		unit += "s"
	}
	return " (" + strconv.FormatInt(v, 10) + " " + unit + ")"
}

// mdCell escapes a Markdown table cell: pipes would end it, newlines the
// row, and a "<" would start an HTML tag that GitHub hides
// ("transforms.<alias>.type").
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "<", "&lt;")
	s = strings.ReplaceAll(s, "\r\n", "<br>")
	return strings.ReplaceAll(s, "\n", "<br>")
}
