package javatime

const hour = 3600

// longZoneNames are the long names Java (9 and later, US locale) prints
// for z with a count of 4 or more, by abbreviation and UTC offset in
// seconds.
var longZoneNames = [...]struct {
	abbrev string
	offset int
	long   string
}{
	{"UTC", 0, "Coordinated Universal Time"},
	{"GMT", 0, "Greenwich Mean Time"},
	{"EST", -5 * hour, "Eastern Standard Time"},
	{"EDT", -4 * hour, "Eastern Daylight Time"},
	{"CST", -6 * hour, "Central Standard Time"},
	{"CDT", -5 * hour, "Central Daylight Time"},
	{"MST", -7 * hour, "Mountain Standard Time"},
	{"MDT", -6 * hour, "Mountain Daylight Time"},
	{"PST", -8 * hour, "Pacific Standard Time"},
	{"PDT", -7 * hour, "Pacific Daylight Time"},
	{"AKST", -9 * hour, "Alaska Standard Time"},
	{"AKDT", -8 * hour, "Alaska Daylight Time"},
	{"HST", -10 * hour, "Hawaii-Aleutian Standard Time"},
	{"WET", 0, "Western European Standard Time"},
	{"WEST", 1 * hour, "Western European Summer Time"},
	{"BST", 1 * hour, "British Summer Time"},
	{"IST", 1 * hour, "Irish Standard Time"},
	{"CET", 1 * hour, "Central European Standard Time"},
	{"CEST", 2 * hour, "Central European Summer Time"},
	{"EET", 2 * hour, "Eastern European Standard Time"},
	{"EEST", 3 * hour, "Eastern European Summer Time"},
	{"MSK", 3 * hour, "Moscow Standard Time"},
	{"IST", 5*hour + 1800, "India Standard Time"},
	{"CST", 8 * hour, "China Standard Time"},
	{"HKT", 8 * hour, "Hong Kong Standard Time"},
	{"JST", 9 * hour, "Japan Standard Time"},
	{"KST", 9 * hour, "Korean Standard Time"},
	{"AEST", 10 * hour, "Australian Eastern Standard Time"},
	{"AEDT", 11 * hour, "Australian Eastern Daylight Time"},
	{"NZST", 12 * hour, "New Zealand Standard Time"},
	{"NZDT", 13 * hour, "New Zealand Daylight Time"},
}

// longZoneName returns the long name of the zone abbreviated abbrev at
// offset off.
func longZoneName(abbrev string, off int) (string, bool) {
	for _, z := range longZoneNames {
		if z.abbrev == abbrev && z.offset == off {
			return z.long, true
		}
	}
	return "", false
}

// parseZoneNames are the zone names and abbreviations Parse accepts, with
// their UTC offsets in seconds. Java searches every zone it knows and
// takes the first whose names match, which gives surprising offsets for
// many names (BST is +02:00, WET +01:00, AKST -10:00, Eastern European
// Time +03:00); names that Java does not read as the offset they stand
// for, or that stand for several offsets (IST, CST in China), are left
// out, so such text is an error rather than a wrong instant.
var parseZoneNames = [...]struct {
	name   string
	offset int
}{
	{"UTC", 0},
	{"Coordinated Universal Time", 0},
	{"Greenwich Mean Time", 0},
	{"EST", -5 * hour},
	{"Eastern Standard Time", -5 * hour},
	{"EDT", -4 * hour},
	{"Eastern Daylight Time", -4 * hour},
	{"CST", -6 * hour},
	{"Central Standard Time", -6 * hour},
	{"CDT", -5 * hour},
	{"Central Daylight Time", -5 * hour},
	{"MST", -7 * hour},
	{"Mountain Standard Time", -7 * hour},
	{"MDT", -6 * hour},
	{"Mountain Daylight Time", -6 * hour},
	{"PST", -8 * hour},
	{"Pacific Standard Time", -8 * hour},
	{"PDT", -7 * hour},
	{"Pacific Daylight Time", -7 * hour},
	{"HST", -10 * hour},
	{"Hawaii-Aleutian Standard Time", -10 * hour},
	{"Hawaii Standard Time", -10 * hour},
	{"Irish Standard Time", 1 * hour},
	{"CET", 1 * hour},
	{"Central European Standard Time", 1 * hour},
	{"Central European Time", 1 * hour},
	{"CEST", 2 * hour},
	{"Central European Summer Time", 2 * hour},
	{"EET", 2 * hour},
	{"EEST", 3 * hour},
	{"MSK", 3 * hour},
	{"India Standard Time", 5*hour + 1800},
	{"China Standard Time", 8 * hour},
	{"HKT", 8 * hour},
	{"JST", 9 * hour},
	{"Japan Standard Time", 9 * hour},
	{"KST", 9 * hour},
	{"AEST", 10 * hour},
	{"AEDT", 11 * hour},
	{"NZST", 12 * hour},
	{"NZDT", 13 * hour},
}

// matchZone finds the longest zone name or abbreviation that s begins
// with, in any letter case, and returns its offset and length.
func matchZone(s string) (offset, n int) {
	for _, z := range parseZoneNames {
		if len(z.name) > n && hasPrefixFold(s, z.name) {
			offset, n = z.offset, len(z.name)
		}
	}
	return offset, n
}
