package api

import (
	"testing"

	"gongjue/quorum"
)

// TestMinimumReaching checks the thresholds the console shows against a
// brute-force search: the smallest count that reaches the fraction, for
// every small total and many fractions.
func TestMinimumReaching(t *testing.T) {
	fractions := []string{"0/1", "1/2", ">1/2", "2/3", ">2/3", "3/4", ">3/4", "1/1", "4/5", "5/7", ">0/1", "2/4"}
	for _, fs := range fractions {
		f, err := quorum.ParseFraction(fs)
		if err != nil {
			t.Fatal(err)
		}
		for whole := int64(1); whole <= 500; whole++ {
			want := int64(-1)
			for x := int64(0); x <= whole+1; x++ {
				if f.Reached(x, whole) {
					want = x
					break
				}
			}
			if want < 0 {
				want = whole + 1 // unreachable: ">1/1" never happens here
			}
			if got := minimumReaching(f, whole); got != want {
				t.Errorf("minimumReaching(%s, %d) = %d, want %d", fs, whole, got, want)
			}
		}
	}
	// Large totals: the demo estate's area in hundredths, and beyond int32.
	two3, _ := quorum.ParseFraction("2/3")
	for _, whole := range []int64{43465606, 6654018, 1 << 40, 1<<62 - 1} {
		x := minimumReaching(two3, whole)
		if !two3.Reached(x, whole) || two3.Reached(x-1, whole) {
			t.Errorf("minimumReaching(2/3, %d) = %d is not the minimum", whole, x)
		}
	}
}

func TestThresholdSentence(t *testing.T) {
	zh := page{Lang: "zh"}
	// The issue's own example: 66,540.18 m² and 3,732 owners.
	th := conParticipationThreshold(zh, quorum.OrdinaryRule.Participation, 6654018, 3732)
	if want := "需面积三分之二以上（≥ 44,360.12 m²），且人数三分之二以上（≥ 2,488 人）"; th.Text != want {
		t.Errorf("got %q, want %q", th.Text, want)
	}
	// Rounding up to the hundredth and the whole person that meets 2/3.
	th = conParticipationThreshold(zh, quorum.OrdinaryRule.Participation, 220000, 18)
	if th.MinArea != "1466.67" || th.MinHeadcount != 12 {
		t.Errorf("2/3 of 2,200.00 m² and 18: %s %d", th.MinArea, th.MinHeadcount)
	}
	ap := conApprovalThreshold(zh, quorum.OrdinaryRule.Approval, 146667, 12)
	if ap.MinArea != "733.34" || ap.MinHeadcount != 7 {
		t.Errorf("> 1/2 of 1,466.67 m² and 12: %s %d", ap.MinArea, ap.MinHeadcount)
	}
	en := conParticipationThreshold(page{Lang: "en"}, quorum.MajorRule.Participation, 100, 1)
	if en.Text != "needs at least 2/3 of the area (≥ 0.67 m²) and at least 2/3 of the owners (≥ 1 persons)" {
		t.Errorf("english: %q", en.Text)
	}
}

func TestFigures(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{conGroupDigits(0), "0"},
		{conGroupDigits(999), "999"},
		{conGroupDigits(1000), "1,000"},
		{conGroupDigits(int64(-1234567)), "-1,234,567"},
		{conFormatArea(4436012), "44,360.12"},
		{conFormatArea(5), "0.05"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if w := conBarWidth(2, 3, 1000); w != 666 {
		t.Errorf("bar of 2/3: %d", w)
	}
}

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/console/consultations/3": "/console/consultations/3",
		"//evil.example/console":   "/console",
		"https://evil.example/":    "/console",
		"/v/token":                 "/console",
		`/console\..\x`:            "/console",
		"":                         "/console",
	} {
		if got := conSafeNext(next); got != want {
			t.Errorf("conSafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
