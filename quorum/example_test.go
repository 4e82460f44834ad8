package quorum

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDesignExample runs the example of DESIGN.md §4 and compares every field
// of the output with §4's, the zones' "...same fields..." written out:
// 多层 (89.35 m², the one agreeing owner) passes on its own; 高层 (the
// developer's 120.00 m²) did not vote; overall 89.35/209.35 < 2/3, so
// participation fails and nothing passes under any veto mode.
func TestDesignExample(t *testing.T) {
	input, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := EvaluateJSON(input)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var gotMap, wantMap map[string]any
	if err := json.Unmarshal(got, &gotMap); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/example.result.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &wantMap); err != nil {
		t.Fatal(err)
	}
	explanation, ok := gotMap["explanation"].(map[string]any)
	if !ok || explanation["zh"] == "" || explanation["en"] == "" {
		t.Errorf("explanation missing: %v", gotMap["explanation"])
	}
	delete(gotMap, "explanation")
	if !reflect.DeepEqual(gotMap, wantMap) {
		t.Errorf("output differs from DESIGN.md §4:\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(string(got), `"area":"209.35"`) {
		t.Errorf("areas are not two-decimal strings: %s", got)
	}
}
