package testkit

import (
	"fmt"
	"regexp"
	"slices"
)

// joinedLeader matches the line a distributed worker logs on joining its
// group, with the leader's URL.
var joinedLeader = regexp.MustCompile(`msg="Joined group at generation.* leader_url=(\S+)`)

// AgreedLeader returns the leader URL that the last group join in each of
// logs (worker logs by worker name) names, when they all name the same
// one; otherwise "" and why not (a worker has not joined, or they
// disagree).
func AgreedLeader(logs map[string]string) (url, why string) {
	var urls []string
	for name, log := range logs {
		m := joinedLeader.FindAllStringSubmatch(log, -1)
		if len(m) == 0 {
			return "", name + " has not joined"
		}
		urls = append(urls, m[len(m)-1][1])
	}
	slices.Sort(urls)
	if urls = slices.Compact(urls); len(urls) != 1 {
		return "", fmt.Sprintf("workers disagree on the leader: %v", urls)
	}
	return urls[0], ""
}
