package testkit

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// JSONRequest returns a request for url with body as its JSON body
// (Content-Type application/json), or no body when body is empty.
func JSONRequest(t testing.TB, method, url, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// HTTPDo sends req with http.DefaultClient and returns the response and its
// whole body (the response's Body is read and closed). It fails the test
// when the request cannot be sent or the body read.
func HTTPDo(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
