package quorum

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestParseFraction(t *testing.T) {
	good := map[string]Fraction{
		"2/3": {2, 3, false}, ">1/2": {1, 2, true}, "0/1": {0, 1, false}, "1/1": {1, 1, false},
		">0/1": {0, 1, true}, "03/04": {3, 4, false}, "18446744073709551615/18446744073709551615": {math.MaxUint64, math.MaxUint64, false},
	}
	for in, want := range good {
		if got, err := ParseFraction(in); err != nil || got != want {
			t.Errorf("ParseFraction(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "/", "1/", "/2", "3/2", "1/0", "0/0", ">", ">>1/2", "≥1/2", ">=1/2", "<1/2", "-1/2", "+1/2", "1/-2", "1.5/2", "0.5", "1/2/3", " 1/2", "1/2 ", "1 /2", "a/b", "18446744073709551616/18446744073709551617"} {
		if got, err := ParseFraction(in); err == nil {
			t.Errorf("ParseFraction(%q) = %v, want an error", in, got)
		}
	}
}

func TestFractionReached(t *testing.T) {
	const max = math.MaxInt64
	tests := []struct {
		f           string
		part, whole int64
		want        bool
	}{
		{"2/3", 2, 3, true}, {"2/3", 200, 300, true}, {"2/3", 19999, 30000, false},
		{">1/2", 1, 2, false}, {">1/2", 50001, 100000, true}, {"1/2", 1, 2, true},
		{"3/4", 3, 4, true}, {">3/4", 3, 4, false},
		{"0/1", 0, 0, true}, {">0/1", 0, 0, false}, {"0/1", 0, 10, true}, {">0/1", 1, 10, true},
		{"1/1", 10, 10, true}, {">1/1", 10, 10, false},
		{"2/3", 0, 0, true}, // 0·3 ≥ 2·0: an inclusive fraction of nothing is reached
		// 128-bit products: these overflow 64 bits
		{"2/3", max / 3 * 2, max / 3 * 3, true},
		{"2/3", max/3*2 - 1, max / 3 * 3, false},
		{"9223372036854775806/9223372036854775807", max - 1, max, true},
		{">9223372036854775806/9223372036854775807", max - 1, max, false},
	}
	for _, tt := range tests {
		f, err := ParseFraction(tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Reached(tt.part, tt.whole); got != tt.want {
			t.Errorf("%s reached by %d/%d = %v, want %v", tt.f, tt.part, tt.whole, got, tt.want)
		}
	}
}

func TestFractionStrictness(t *testing.T) {
	tests := []struct {
		f, g string
		want bool
	}{
		{">1/2", "1/2", true}, {"1/2", ">1/2", false}, {"1/2", "1/2", true}, {">1/2", ">1/2", true},
		{"2/4", "1/2", true}, {"1/2", "2/4", true}, {"2/4", ">1/2", false},
		{"3/4", ">1/2", true}, {"1/2", "3/4", false}, {"2/3", "2/3", true}, {"3/5", "2/3", false},
		{"0/1", "0/1", true}, {">0/1", "0/1", true}, {"0/1", ">0/1", false}, {"1/1", ">1/1", false},
		{"6667/10000", "2/3", true}, {"6666/10000", "2/3", false},
	}
	for _, tt := range tests {
		f, _ := ParseFraction(tt.f)
		g, _ := ParseFraction(tt.g)
		if got := f.AtLeastAsStrictAs(g); got != tt.want {
			t.Errorf("%s at least as strict as %s = %v, want %v", tt.f, tt.g, got, tt.want)
		}
	}
}

func TestParseRule(t *testing.T) {
	for in, want := range map[string]Rule{`"ordinary"`: OrdinaryRule, ` "major" `: MajorRule} {
		if got, err := ParseRule([]byte(in)); err != nil || got != want {
			t.Errorf("ParseRule(%s) = %v, %v", in, got, err)
		}
	}
	custom := `{"participation":{"area":"3/4","headcount":"2/3"},"approval":{"area":">2/3","headcount":">1/2"}}`
	got, err := ParseRule([]byte(custom))
	want := Rule{Threshold{Fraction{3, 4, false}, Fraction{2, 3, false}}, Threshold{Fraction{2, 3, true}, Fraction{1, 2, true}}}
	if err != nil || got != want {
		t.Fatalf("ParseRule(custom) = %v, %v", got, err)
	}
	// A rule round-trips through JSON as an object of fraction strings.
	var out strings.Builder
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	err = enc.Encode(got)
	if err != nil || out.String() != `{"participation":{"area":"3/4","headcount":"2/3"},"approval":{"area":">2/3","headcount":">1/2"}}`+"\n" {
		t.Errorf("Marshal = %s, %v", out.String(), err)
	}
	var back Rule
	if err := json.Unmarshal([]byte(out.String()), &back); err != nil || back != got {
		t.Errorf("round trip = %v, %v", back, err)
	}
	if err := (Rule{}).Validate(); err == nil {
		t.Error("the zero Rule validated")
	}
	// A key the rule does not know would be silently ignored otherwise.
	for in, want := range map[string]string{
		`{"participation":{"area":"3/4","headcount":"2/3"},"approval":{"area":">2/3","headcount":">1/2"},"note":"x"}`:   `rules: unknown field "note"`,
		`{"participation":{"area":"3/4","headcount":"2/3","Area":"1/1"},"approval":{"area":">2/3","headcount":">1/2"}}`: `rules.participation: unknown field "Area"`,
		`{"participation":{"area":"3/4","headcount":"2/3"},"approval":{"area":">2/3","headcount":">1/2","area":"1/1"}}`: `rules.approval: field "area" given twice`,
		`{"participation":"2/3","approval":{"area":">2/3","headcount":">1/2"}}`:                                         `rules.participation: want a JSON object, not string`,
	} {
		if _, err := ParseRule([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseRule(%s) = %v, want %q", in, err, want)
		}
	}
}

func TestLooserThan(t *testing.T) {
	tests := []struct {
		rule     string
		category Category
		want     []string
	}{
		{`"ordinary"`, Ordinary, nil},
		{`"major"`, Ordinary, nil},
		{`"major"`, Major, nil},
		{`"ordinary"`, Major, []string{"approval.area", "approval.headcount"}},
		{`{"participation":{"area":"2/3","headcount":"2/3"},"approval":{"area":"1/2","headcount":">1/2"}}`, Ordinary, []string{"approval.area"}},
		{`{"participation":{"area":"4/6","headcount":"3/5"},"approval":{"area":">1/2","headcount":"2/3"}}`, Ordinary, []string{"participation.headcount"}},
		{`{"participation":{"area":">2/3","headcount":"1/1"},"approval":{"area":"3/4","headcount":">3/4"}}`, Major, nil},
		{`{"participation":{"area":"0/1","headcount":"0/1"},"approval":{"area":"0/1","headcount":"0/1"}}`, Major,
			[]string{"participation.area", "participation.headcount", "approval.area", "approval.headcount"}},
	}
	for _, tt := range tests {
		r, err := ParseRule([]byte(tt.rule))
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.LooserThan(tt.category)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s looser than %s: %v, %v; want %v", tt.rule, tt.category, got, err, tt.want)
		}
	}
	if _, err := OrdinaryRule.LooserThan("important"); err == nil {
		t.Error("unknown category accepted")
	}
}
