package herdercore

import (
	"log/slog"
	"net/http"
	"reflect"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
)

func TestPlanRestart(t *testing.T) {
	task := func(id int, s herder.State) herder.TaskState {
		return herder.TaskState{ID: id, State: s, WorkerID: "w:1"}
	}
	id := func(n int) herder.TaskID { return herder.TaskID{Connector: "c", Task: n} }
	status := herder.ConnectorStateInfo{Name: "c", Type: herder.SourceType,
		Connector: herder.ConnectorState{State: herder.Running, WorkerID: "w:1"},
		Tasks:     []herder.TaskState{task(0, herder.Running), task(1, herder.Failed)}}
	failedConn := status
	failedConn.Connector.State = herder.Failed
	for _, tc := range []struct {
		name                     string
		status                   herder.ConnectorStateInfo
		includeTasks, onlyFailed bool
		wantConn                 bool
		wantTasks                []herder.TaskID
		wantStates               []herder.State // connector's, then each task's
	}{
		{"plain", status, false, false, true, nil, []herder.State{herder.Restarting, herder.Running, herder.Failed}},
		{"include tasks", status, true, false, true, []herder.TaskID{id(0), id(1)}, []herder.State{herder.Restarting, herder.Restarting, herder.Restarting}},
		{"only failed tasks", status, true, true, false, []herder.TaskID{id(1)}, []herder.State{herder.Running, herder.Running, herder.Restarting}},
		{"only failed, connector failed", failedConn, false, true, true, nil, []herder.State{herder.Restarting, herder.Running, herder.Failed}},
		{"no status", herder.ConnectorStateInfo{Name: "c"}, true, true, false, nil, []herder.State{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer, conn, tasks := PlanRestart(tc.status, tc.includeTasks, tc.onlyFailed)
			if conn != tc.wantConn || !reflect.DeepEqual(tasks, tc.wantTasks) {
				t.Fatalf("conn %v tasks %v, want %v %v", conn, tasks, tc.wantConn, tc.wantTasks)
			}
			got := []herder.State{answer.Connector.State}
			for _, ts := range answer.Tasks {
				got = append(got, ts.State)
			}
			if !reflect.DeepEqual(got, tc.wantStates) {
				t.Fatalf("answer states %v, want %v", got, tc.wantStates)
			}
		})
	}
	// The status given is left as it was: the answer has its own tasks.
	PlanRestart(status, true, false)
	if status.Tasks[0].State != herder.Running || status.Connector.State != herder.Running {
		t.Fatalf("status changed: %+v", status)
	}
}

func TestRestartPlan(t *testing.T) {
	for _, tc := range []struct {
		conn bool
		want string
	}{
		{true, "plan to restart connector and 1 of 2 tasks for restart request for {connectorName='c', onlyFailed=true, includeTasks=true}"},
		{false, "plan to restart 1 of 2 tasks for restart request for {connectorName='c', onlyFailed=true, includeTasks=true}"},
	} {
		if got := RestartPlan("c", tc.conn, 1, 2, true, true); got != tc.want {
			t.Errorf("RestartPlan(conn=%v) = %q\nwant %q", tc.conn, got, tc.want)
		}
	}
}

func TestPatched(t *testing.T) {
	v := func(s string) *string { return &s }
	cfg := map[string]string{"a": "1", "b": "2"}
	got := Patched(cfg, map[string]*string{"a": nil, "b": v("3"), "c": v("4"), "absent": nil})
	if want := map[string]string{"b": "3", "c": "4"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Patched = %v, want %v", got, want)
	}
	if want := map[string]string{"a": "1", "b": "2"}; !reflect.DeepEqual(cfg, want) {
		t.Fatalf("the configuration patched changed: %v", cfg)
	}
	if got := Patched(nil, map[string]*string{"x": v("y")}); !reflect.DeepEqual(got, map[string]string{"x": "y"}) {
		t.Fatalf("Patched(nil) = %v", got)
	}
}

func TestSameTaskConfigs(t *testing.T) {
	a := []map[string]string{{"k": "v"}, {}}
	for _, tc := range []struct {
		name string
		b    []map[string]string
		want bool
	}{
		{"equal", []map[string]string{{"k": "v"}, {}}, true},
		{"other value", []map[string]string{{"k": "w"}, {}}, false},
		{"fewer tasks", []map[string]string{{"k": "v"}}, false},
		{"none", nil, false},
	} {
		if got := SameTaskConfigs(a, tc.b); got != tc.want {
			t.Errorf("%s: SameTaskConfigs = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !SameTaskConfigs(nil, []map[string]string{}) {
		t.Error("no task configurations differ from an empty list")
	}
}

// wantError fails unless err is nil when want is "", else an error with
// message want and HTTP status.
func wantError(t *testing.T, err error, status int, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if err == nil || err.Error() != want || herder.StatusCode(err) != status {
		t.Fatalf("error %v (status %d), want %d %q", err, herder.StatusCode(err), status, want)
	}
}

func TestOffsetsModifiable(t *testing.T) {
	some := []herder.PartitionOffset{{Partition: map[string]any{"p": 1}}}
	notStopped := "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/c/stop' endpoint"
	for _, tc := range []struct {
		name    string
		stopped bool
		offsets []herder.PartitionOffset
		reset   bool
		want    string // "" when allowed
	}{
		{"stopped alter", true, some, false, ""},
		{"stopped reset", true, nil, true, ""},
		{"running", false, some, false, notStopped},
		{"running reset", false, nil, true, notStopped},
		{"alter without offsets", true, nil, false, "Partitions / offsets need to be provided for an alter offsets request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, OffsetsModifiable("c", tc.stopped, tc.offsets, tc.reset), http.StatusBadRequest, tc.want)
		})
	}
}

func TestTaskExists(t *testing.T) {
	id := func(n int) herder.TaskID { return herder.TaskID{Connector: "c", Task: n} }
	for _, tc := range []struct {
		name   string
		id     herder.TaskID
		exists bool
		tasks  int
		want   string // "" when it exists
	}{
		{"exists", id(1), true, 2, ""},
		{"unknown connector", id(0), false, 0, "Unknown connector: c"},
		{"beyond the tasks", id(2), true, 2, "Unknown task: c-2"},
		{"negative", id(-1), true, 2, "Unknown task: c--1"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantError(t, TaskExists(tc.id, tc.exists, tc.tasks), http.StatusNotFound, tc.want) })
	}
}

func TestErrors(t *testing.T) {
	wantError(t, NotFound("c"), http.StatusNotFound, "Connector c not found")
	wantError(t, Unavailable("The worker is starting its connectors."), http.StatusServiceUnavailable, "The worker is starting its connectors.")
	_, err := ParseLevel("loud")
	wantError(t, err, http.StatusNotFound, "invalid log level 'loud'.")
	l, err := ParseLevel("debug")
	wantError(t, err, 0, "")
	if l != slog.LevelDebug {
		t.Errorf("ParseLevel(debug) = %v", l)
	}
}
