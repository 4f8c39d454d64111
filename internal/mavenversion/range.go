package mavenversion

import (
	"errors"
	"fmt"
	"strings"
)

// Range is a version specification as Maven's VersionRange reads it: a
// soft requirement (a bare version, "1.0": any version, that one
// preferred) or one or more restrictions ("[1.0,2.0)", "[1.5]",
// "(,1.0],[1.2,)").
type Range struct {
	spec         string
	recommended  *Version
	restrictions []restriction
}

type restriction struct {
	lower, upper                   *Version
	lowerInclusive, upperInclusive bool
}

// everything is Maven's Restriction.EVERYTHING.
var everything = restriction{}

// ParseRange parses spec as Maven's VersionRange.createFromVersionSpec.
// Its errors are Maven's InvalidVersionSpecificationException messages
// ("Unbounded range: [1.0").
func ParseRange(spec string) (Range, error) {
	r := Range{spec: spec}
	process := spec
	var upperBound *Version
	for strings.HasPrefix(process, "[") || strings.HasPrefix(process, "(") {
		i1, i2 := strings.IndexByte(process, ')'), strings.IndexByte(process, ']')
		i := i2
		if i2 < 0 || (i1 >= 0 && i1 < i2) {
			i = i1
		}
		if i < 0 {
			return Range{}, errors.New("Unbounded range: " + spec)
		}
		res, err := parseRestriction(process[:i+1])
		if err != nil {
			return Range{}, errors.New(err.Error() + spec)
		}
		if upperBound != nil && (res.lower == nil || Compare(*res.lower, *upperBound) < 0) {
			return Range{}, errors.New("Ranges overlap: " + spec)
		}
		r.restrictions = append(r.restrictions, res)
		upperBound = res.upper
		process = strings.TrimSpace(process[i+1:])
		if strings.HasPrefix(process, ",") {
			process = strings.TrimSpace(process[1:])
		}
	}
	if process != "" {
		if len(r.restrictions) > 0 {
			return Range{}, errors.New("Only fully-qualified sets allowed in multiple set scenario: " + spec)
		}
		v := Parse(process)
		r.recommended = &v
		r.restrictions = append(r.restrictions, everything)
	}
	return r, nil
}

// parseRestriction reads one bracketed restriction; an error is a
// message prefix that the caller completes with the whole spec.
func parseRestriction(spec string) (restriction, error) {
	res := restriction{lowerInclusive: strings.HasPrefix(spec, "["), upperInclusive: strings.HasSuffix(spec, "]")}
	process := strings.TrimSpace(spec[1 : len(spec)-1])
	i := strings.IndexByte(process, ',')
	if i < 0 {
		if !res.lowerInclusive || !res.upperInclusive {
			return restriction{}, errors.New("Single version must be surrounded by []: ")
		}
		v := Parse(process)
		res.lower, res.upper = &v, &v
		return res, nil
	}
	if lo := strings.TrimSpace(process[:i]); lo != "" {
		v := Parse(lo)
		res.lower = &v
	}
	if up := strings.TrimSpace(process[i+1:]); up != "" {
		v := Parse(up)
		res.upper = &v
	}
	if res.lower != nil && res.upper != nil {
		c := Compare(*res.upper, *res.lower)
		if c < 0 || (c == 0 && (!res.lowerInclusive || !res.upperInclusive)) {
			return restriction{}, errors.New("Range defies version ordering: ")
		}
	}
	return res, nil
}

func (r restriction) contains(v Version) bool {
	if r.lower != nil {
		c := Compare(*r.lower, v)
		if c > 0 || (c == 0 && !r.lowerInclusive) {
			return false
		}
	}
	if r.upper != nil {
		c := Compare(*r.upper, v)
		if c < 0 || (c == 0 && !r.upperInclusive) {
			return false
		}
	}
	return true
}

func (r restriction) String() string {
	var b strings.Builder
	if r.lowerInclusive {
		b.WriteByte('[')
	} else {
		b.WriteByte('(')
	}
	if r.lower != nil {
		b.WriteString(r.lower.String())
	}
	b.WriteByte(',')
	if r.upper != nil {
		b.WriteString(r.upper.String())
	}
	if r.upperInclusive {
		b.WriteByte(']')
	} else {
		b.WriteByte(')')
	}
	return b.String()
}

// HasRestrictions reports whether the range restricts versions (false for
// a soft requirement such as "1.0").
func (r Range) HasRestrictions() bool {
	return len(r.restrictions) > 0 && r.recommended == nil
}

// Contains reports whether v satisfies one of the range's restrictions.
func (r Range) Contains(v Version) bool {
	for _, res := range r.restrictions {
		if res.contains(v) {
			return true
		}
	}
	return false
}

// String returns the range as Maven prints it: the recommended version of
// a soft requirement, else the restrictions ("[1.0,2.0)", "[4.4.0,4.4.0]").
func (r Range) String() string {
	if r.recommended != nil {
		return r.recommended.String()
	}
	parts := make([]string, len(r.restrictions))
	for i, res := range r.restrictions {
		parts[i] = res.String()
	}
	return strings.Join(parts, ",")
}

// MaxRequirementLength bounds what Requirement reads: a longer value is
// refused rather than parsed (a hostile configuration), far above any real
// version range.
const MaxRequirementLength = 1024

// Requirement reads a plugin version key's value as Kafka Connect's
// PluginUtils.connectorVersionRequirement: no value or "latest" is no
// requirement (nil: the latest installed version), a bare version is an
// exact one ("1.0" means "[1.0]"), a range is itself. The value is
// trimmed first.
func Requirement(spec string, set bool) (*Range, error) {
	if !set || spec == "latest" {
		return nil, nil
	}
	spec = strings.TrimSpace(spec)
	if len(spec) > MaxRequirementLength {
		return nil, fmt.Errorf("a version or version range is at most %d characters; this one has %d", MaxRequirementLength, len(spec))
	}
	r, err := ParseRange(spec)
	if err != nil {
		return nil, err
	}
	if r.HasRestrictions() {
		return &r, nil
	}
	r, err = ParseRange("[" + spec + "]")
	if err != nil {
		return nil, err
	}
	return &r, nil
}
