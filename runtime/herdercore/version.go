package herdercore

import "runtime/debug"

// Version is reported by GET / and by sluice version.
var Version = "0.1.0-dev"

// commit, when set at link time (go build -ldflags "-X
// github.com/sluicehq/sluice/runtime/herdercore.commit=REV"), is the
// commit GET / reports, ahead of what the build info says.
var commit string

// Commit is the revision sluice was built from, as GET / reports it: the
// -X stamp when set, else the VCS revision go build records in a git
// checkout (with "-dirty" when the tree had changes), else the main
// module's version (go install …@version records no VCS revision), else "".
func Commit() string {
	bi, _ := debug.ReadBuildInfo()
	return commitOf(commit, bi)
}

// commitOf picks the commit from a link-time stamp and the build info (nil
// when unavailable).
func commitOf(stamp string, bi *debug.BuildInfo) string {
	if stamp != "" {
		return stamp
	}
	if bi == nil {
		return ""
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev != "" && dirty:
		return rev + "-dirty"
	case rev != "":
		return rev
	case bi.Main.Version != "" && bi.Main.Version != "(devel)":
		return bi.Main.Version
	}
	return ""
}
