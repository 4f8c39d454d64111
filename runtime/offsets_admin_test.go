package runtime

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/sluicehq/sluice/runtime/herder"
	"github.com/sluicehq/sluice/runtime/kafka"
)

// TestRequestError checks that runtime/kafka's refusals of a sink offsets
// request are answered with 400 and their message unchanged, and that
// other errors stay what they were (500).
func TestRequestError(t *testing.T) {
	other := errors.New("describe topics: out of brokers")
	for _, tc := range []struct {
		name       string
		err        error
		wantStatus int
		wantMsg    string
	}{
		{"refused for what it asks", &kafka.RequestError{Message: "Failed to alter consumer group offsets for connector c: topic 'x' does not exist"},
			http.StatusBadRequest, "Failed to alter consumer group offsets for connector c: topic 'x' does not exist"},
		{"message with a percent sign", &kafka.RequestError{Message: "Failed to parse the following Kafka offset value in the provided offsets: '5%'."},
			http.StatusBadRequest, "Failed to parse the following Kafka offset value in the provided offsets: '5%'."},
		{"wrapped", fmt.Errorf("alter: %w", &kafka.RequestError{Message: "bad"}), http.StatusBadRequest, "bad"},
		{"any other error", other, http.StatusInternalServerError, other.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := requestError(tc.err)
			if code := herder.StatusCode(got); code != tc.wantStatus {
				t.Errorf("status %d, want %d", code, tc.wantStatus)
			}
			if got.Error() != tc.wantMsg {
				t.Errorf("message %q, want %q", got.Error(), tc.wantMsg)
			}
		})
	}
	if requestError(nil) != nil {
		t.Error("requestError(nil) is not nil")
	}
	if err := requestError(other); err != other {
		t.Errorf("other error changed: %v", err)
	}
}
