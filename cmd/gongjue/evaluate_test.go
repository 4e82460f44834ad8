package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// `gongjue evaluate` answers §4's example with §4's figures, and refuses
// every kind of bad input §4 lists with exit status 2, one line on stderr
// and nothing on stdout.
func TestEvaluateCommand(t *testing.T) {
	example, err := os.ReadFile("../../quorum/testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if code := runEvaluate(nil, strings.NewReader(string(example)), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var out struct {
		Overall struct {
			Majority *string `json:"majority"`
			Deemed   struct{ Area string }
			NoChoice struct{ Headcount *int } `json:"no_choice"`
		}
	}
	if err := json.Unmarshal([]byte(stdout.String()), &out); err != nil || out.Overall.Majority == nil || *out.Overall.Majority != "agree" ||
		out.Overall.Deemed.Area != "0.00" || out.Overall.NoChoice.Headcount == nil {
		t.Errorf("output %s (%v) lacks majority, deemed or no_choice", stdout.String(), err)
	}

	const units = `"units":[{"id":"A","zone":"z","area":"1.00"}]`
	for _, input := range []string{
		`{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A","choice":"agree"},{"unit":"A","choice":"agree"}]}`,
		`{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1.001"}]}`,
		`{"rules":"ordinary","veto":{"mode":"all-zones","zones":["x"]},` + units + `}`,
		`{"rules":"lenient",` + units + `}`,
		`{"rules":"ordinary","procedure":{"nonresponse":"assume-agree"},` + units + `}`,
		`{"rules":"ordinary","procedure":{"spoiled":"oppose"},` + units + `}`,
		`{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1.00","delivered":"yes"}]}`,
		`{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1.00","floor":3}]}`,
		`{"rules":"ordinary",` + units + `,"note":"x"}`,
	} {
		stdout.Reset()
		stderr.Reset()
		code := runEvaluate(nil, strings.NewReader(input), &stdout, &stderr)
		if code != 2 || stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2, nothing, one line", input, code, stdout.String(), stderr.String())
		}
	}
}
