package distributed

import (
	"testing"
	"time"

	"github.com/sluicehq/sluice/runtime/herder"
)

// TestAssignmentString checks the assignment as the "Joined group" line
// shows it: Kafka Connect's ExtendedAssignment.toString.
func TestAssignmentString(t *testing.T) {
	tests := []struct {
		name string
		a    Assignment
		want string
	}{
		{"empty", Assignment{Version: 2, Leader: "w1", LeaderURL: "http://w1:8083/", ConfigOffset: -1},
			"Assignment{error=0, leader='w1', leaderUrl='http://w1:8083/', offset=-1, connectorIds=[], taskIds=[], revokedConnectorIds=[], revokedTaskIds=[], delay=0}"},
		{"work and revocations", Assignment{Error: 1, Leader: "w2", LeaderURL: "http://w2:8083/", ConfigOffset: 12,
			Connectors: []string{"a", "b"}, Tasks: []herder.TaskID{{Connector: "a", Task: 0}, {Connector: "b", Task: 1}},
			RevokedConnectors: []string{"c"}, RevokedTasks: []herder.TaskID{{Connector: "c", Task: 0}}, Delay: 1500 * time.Millisecond},
			"Assignment{error=1, leader='w2', leaderUrl='http://w2:8083/', offset=12, connectorIds=[a, b], taskIds=[a-0, b-1], revokedConnectorIds=[c], revokedTaskIds=[c-0], delay=1500}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
