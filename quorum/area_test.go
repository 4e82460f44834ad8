package quorum

import (
	"encoding/json"
	"math"
	"testing"
)

func TestParseArea(t *testing.T) {
	good := map[string]Area{
		"89.35": 8935, "89.3": 8930, "89": 8900, "0.01": 1, "0": 0, "0.00": 0, "007.5": 750,
		"92233720368547757.99": 9223372036854775799, // the largest accepted
	}
	for in, want := range good {
		if got, err := ParseArea(in); err != nil || got != want {
			t.Errorf("ParseArea(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "5.", ".5", "-1", "+1", "1e2", "1E2", "0x10", "1.234", "1.000", " 1", "1 ", "1,5", "1_000", "∞", "NaN", "１", "92233720368547758.00"} {
		if got, err := ParseArea(in); err == nil {
			t.Errorf("ParseArea(%q) = %d, want an error", in, got)
		}
	}
}

func TestAreaString(t *testing.T) {
	for a, want := range map[Area]string{0: "0.00", 1: "0.01", 10: "0.10", 8935: "89.35", 20935: "209.35", -5: "-0.05", math.MaxInt64: "92233720368547758.07", math.MinInt64: "-92233720368547758.08"} {
		if got := a.String(); got != want {
			t.Errorf("Area(%d) = %q, want %q", int64(a), got, want)
		}
	}
}

func TestAreaJSON(t *testing.T) {
	var v struct{ A, B Area }
	if err := json.Unmarshal([]byte(`{"A":"89.3","B":12.05}`), &v); err != nil || v.A != 8930 || v.B != 1205 {
		t.Fatalf("Unmarshal = %+v, %v", v, err)
	}
	out, err := json.Marshal(v)
	if err != nil || string(out) != `{"A":"89.30","B":"12.05"}` {
		t.Errorf("Marshal = %s, %v", out, err)
	}
	for _, in := range []string{`{"A":1e2}`, `{"A":-1}`, `{"A":"1.001"}`, `{"A":true}`, `{"A":[1]}`} {
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("Unmarshal(%s) accepted", in)
		}
	}
}
