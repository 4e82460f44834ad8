package testtool

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// Send sends req — with a bearer token when one is given — and decodes a
// JSON answer into out when out is not nil. The response's body is read
// and can be read again.
func Send(t testing.TB, req *http.Request, token string, out any) *http.Response {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", req.Method, req.URL.Path, data, err)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp
}
