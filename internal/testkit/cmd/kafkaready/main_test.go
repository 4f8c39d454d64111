package main

import (
	"errors"
	"net"
	"testing"

	"github.com/IBM/sarama"
)

// clusterBroker is a mock broker that answers Metadata with the cluster id id (nil: none).
func clusterBroker(t *testing.T, id *string) string {
	t.Helper()
	b := sarama.NewMockBroker(t, 1)
	t.Cleanup(b.Close)
	md := &sarama.MetadataResponse{Version: 7, ClusterID: id, ControllerID: 1}
	md.AddBroker(b.Addr(), 1)
	b.SetHandlerByMap(map[string]sarama.MockResponse{
		"MetadataRequest": sarama.NewMockWrapper(md),
		"ApiVersionsRequest": sarama.NewMockApiVersionsResponse(t).SetApiKeys([]sarama.ApiVersionsResponseKey{
			{ApiKey: 3, MinVersion: 0, MaxVersion: 12}, // Metadata
			{ApiKey: 18, MinVersion: 0, MaxVersion: 3}, // ApiVersions
		}),
	})
	return b.Addr()
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestCheckClusterID(t *testing.T) {
	ours, theirs := "ours-cluster-id", "their-cluster-id"
	tests := []struct {
		name    string
		addr    func(t *testing.T) string
		wantErr bool
		notOurs bool
	}{
		{name: "same id", addr: func(t *testing.T) string { return clusterBroker(t, &ours) }},
		{name: "other id", addr: func(t *testing.T) string { return clusterBroker(t, &theirs) }, wantErr: true, notOurs: true},
		{name: "no id", addr: func(t *testing.T) string { return clusterBroker(t, nil) }, wantErr: true},
		{name: "nothing listens", addr: closedAddr, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkClusterID(tt.addr(t), ours, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("checkClusterID: err %v, want error %v", err, tt.wantErr)
			}
			if errors.Is(err, errNotOurs) != tt.notOurs {
				t.Fatalf("checkClusterID: err %v, errNotOurs %v, want %v", err, errors.Is(err, errNotOurs), tt.notOurs)
			}
		})
	}
}

func TestRound(t *testing.T) {
	refused := errors.New("connection refused")
	ok := func() (string, error) { return "ready", nil }
	tests := []struct {
		name    string
		checkID func() error
		probe   func() (string, error)
		ready   bool
		notOurs bool
	}{
		{name: "no cluster-id check, probe ok", probe: ok, ready: true},
		{name: "cluster id matches, probe ok", checkID: func() error { return nil }, probe: ok, ready: true},
		{name: "cluster id matches, probe fails", checkID: func() error { return nil },
			probe: func() (string, error) { return "", refused }},
		{name: "cluster-id check cannot connect, probe ok", checkID: func() error { return refused }, probe: ok},
		{name: "cluster id differs, probe ok", checkID: func() error { return errNotOurs }, probe: ok, notOurs: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			summary, err := round(tt.checkID, tt.probe)
			if (err == nil) != tt.ready {
				t.Fatalf("round: %q, %v; want ready %v", summary, err, tt.ready)
			}
			if errors.Is(err, errNotOurs) != tt.notOurs {
				t.Fatalf("round: %v; errNotOurs %v, want %v", err, errors.Is(err, errNotOurs), tt.notOurs)
			}
		})
	}
}
