package quorum

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzEvaluateJSON feeds arbitrary bytes to EvaluateJSON: it must never
// panic, must return exactly one of a result and an error, and every result
// must marshal and keep its choice headcounts summing to participation.
func FuzzEvaluateJSON(f *testing.F) {
	seeds, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"rules":{"participation":{"area":"0/1","headcount":">0/1"},"approval":{"area":">1/2","headcount":"1/1"}},` +
		`"veto":{"mode":"all-zones","zones":[]},"units":[{"id":"a","zone":"z","area":"0.01","owner":"b"},{"id":"b","zone":"y","area":"1","developer_held":true}],` +
		`"ballots":[{"unit":"a","choice":"spoiled"},{"unit":"b","choice":"oppose"}]}`))
	f.Add([]byte(`{"rules":"major","units":[{"id":"a","zone":"z","area":"92233720368547758.07"}]}`))
	f.Add([]byte(`{"rules":"ordinary","procedure":{"nonresponse":"delivered-follow-majority","spoiled":"participating"},` +
		`"units":[{"id":"a","zone":"z","area":"1","owner":"o","delivered":true},{"id":"b","zone":"z","area":"2","owner":"o"},{"id":"c","zone":"y","area":"1","delivered":true}],` +
		`"ballots":[{"unit":"b","choice":"spoiled"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := EvaluateJSON(data)
		if (res == nil) == (err == nil) {
			t.Fatalf("result %v with error %v", res, err)
		}
		if err != nil {
			return
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("result does not marshal: %v", err)
		}
		for _, o := range append([]Outcome{res.Overall}, zoneOutcomes(res)...) {
			if o.Agree.Headcount+o.Oppose.Headcount+o.Abstain.Headcount+o.NoChoice.Headcount != o.Participating.Headcount {
				t.Fatalf("choice headcounts do not add up: %+v", o)
			}
		}
	})
}
