package api_test

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"testing"
)

// POST /api/v1/evaluate takes the same JSON as `gongjue evaluate` (DESIGN
// §4), procedure and delivered flags included, and answers bad input with
// 422 naming the offending item.
func TestEvaluateEndpoint(t *testing.T) {
	ts := newTestServer(t)
	token := ts.login(t, "volunteer")
	example, err := os.ReadFile("../quorum/testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../quorum/testdata/example.result.json")
	if err != nil {
		t.Fatal(err)
	}
	var got, wantMap map[string]any
	if resp := ts.do(t, token, http.MethodPost, "/api/v1/evaluate", json.RawMessage(example), &got); resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := json.Unmarshal(want, &wantMap); err != nil {
		t.Fatal(err)
	}
	delete(got, "explanation")
	if !reflect.DeepEqual(got, wantMap) {
		t.Errorf("got %v\nwant %v", got, wantMap)
	}

	const units = `"units":[{"id":"A","zone":"z","area":"1.00"}]`
	for input, item := range map[string]string{
		`{"rules":"ordinary","procedure":{"nonresponse":"assume-agree"},` + units + `}`:                  "procedure.nonresponse",
		`{"rules":"ordinary","procedure":{"spoiled":"oppose"},` + units + `}`:                            "procedure.spoiled",
		`{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1.00","delivered":"yes"}]}`:           `units[0] (id "A").delivered`,
		`{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1.00","floor":3}]}`:                   `units[0] (id "A")`,
		`{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A","choice":"agree","channel":"paper"}]}`: `ballots[0] (unit "A")`,
	} {
		var e struct {
			Error struct {
				Code    string
				Details []struct{ Field, Message string }
			}
		}
		resp := ts.do(t, token, http.MethodPost, "/api/v1/evaluate", json.RawMessage(input), &e)
		if resp.StatusCode != http.StatusUnprocessableEntity || e.Error.Code != "invalid" || len(e.Error.Details) != 1 || e.Error.Details[0].Field != item {
			t.Errorf("%s: status %d, error %+v; want 422 naming %s", input, resp.StatusCode, e.Error, item)
		}
	}
}
