package testkit

import "testing"

func TestAgreedLeader(t *testing.T) {
	const (
		joinA = `time=x level=INFO msg="Joined group at generation 1" leader_url=http://127.0.0.1:1` + "\n"
		joinB = `time=x level=INFO msg="Joined group at generation 2" leader_url=http://127.0.0.1:2` + "\n"
	)
	tests := []struct {
		name     string
		logs     map[string]string
		url, why string
	}{
		{"agree", map[string]string{"w1": joinA, "w2": joinA}, "http://127.0.0.1:1", ""},
		{"last join counts", map[string]string{"w1": joinA + joinB, "w2": joinB}, "http://127.0.0.1:2", ""},
		{"disagree", map[string]string{"w1": joinA, "w2": joinB}, "", "workers disagree on the leader: [http://127.0.0.1:1 http://127.0.0.1:2]"},
		{"not joined", map[string]string{"w1": "starting\n"}, "", "w1 has not joined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, why := AgreedLeader(tt.logs)
			if url != tt.url || why != tt.why {
				t.Fatalf("AgreedLeader = %q, %q; want %q, %q", url, why, tt.url, tt.why)
			}
		})
	}
}
