package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/sluicehq/sluice/api/client"
	"github.com/sluicehq/sluice/runtime/herder"
)

// A stand-in worker: one connector, "orders sink", with a failed task.
func worker() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /connectors/{connector}/status", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("connector") != "orders sink" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error_code":404,"message":"No status found for connector %s"}`, r.PathValue("connector"))
			return
		}
		io.WriteString(w, `{"name":"orders sink","connector":{"state":"RUNNING","worker_id":"10.0.0.1:8083"},
			"tasks":[{"id":0,"state":"FAILED","worker_id":"10.0.0.1:8083","trace":"boom"}],"type":"sink"}`)
	})
	mux.HandleFunc("POST /connectors/{connector}/restart", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"name":"orders sink","connector":{"state":"RUNNING","worker_id":"10.0.0.1:8083"},
			"tasks":[{"id":0,"state":"RESTARTING","worker_id":"10.0.0.1:8083"}],"type":"sink"}`)
	})
	return httptest.NewServer(mux)
}

// Restart the failed instances of a connector, and tell a missing connector
// by its status code.
func Example() {
	srv := worker()
	defer srv.Close()
	ctx := context.Background()

	c, err := client.New(srv.URL, client.WithHeader("Authorization", "Bearer secret"))
	if err != nil {
		panic(err)
	}
	st, err := c.ConnectorStatus(ctx, "orders sink")
	if err != nil {
		panic(err)
	}
	for _, task := range st.Tasks {
		fmt.Println("task", task.ID, task.State)
	}
	restarting, err := c.RestartConnector(ctx, "orders sink", true, true)
	if err != nil {
		panic(err)
	}
	fmt.Println("task 0 is now", restarting.Tasks[0].State)

	_, err = c.ConnectorStatus(ctx, "payments")
	var he *herder.Error
	if errors.As(err, &he) && he.Code == http.StatusNotFound {
		fmt.Println("not found:", he.Message)
	}
	// Output:
	// task 0 FAILED
	// task 0 is now RESTARTING
	// not found: No status found for connector payments
}
