package quorum

import (
	"strings"
	"testing"
	"time"

	"gongjue/locale"
)

func TestMayExtend(t *testing.T) {
	eligible := Tally{100, 1000000}
	tests := []struct {
		participating Tally
		want          bool
	}{
		{Tally{49, 499999}, true},
		{Tally{0, 0}, true},
		{Tally{50, 499999}, false}, // half the heads took part
		{Tally{49, 500000}, false}, // half the area took part
		{Tally{70, 700000}, false},
	}
	for _, tt := range tests {
		o := Outcome{Eligible: eligible, Participating: tt.participating}
		if got := o.MayExtend(); got != tt.want {
			t.Errorf("MayExtend with %+v = %v, want %v", tt.participating, got, tt.want)
		}
	}
}

func TestExtensionLimit(t *testing.T) {
	cst := locale.China
	tests := []struct{ close, want time.Time }{
		{time.Date(2025, 11, 30, 18, 0, 0, 0, cst), time.Date(2026, 2, 28, 18, 0, 0, 0, cst)},
		{time.Date(2027, 11, 30, 18, 0, 0, 0, cst), time.Date(2028, 2, 29, 18, 0, 0, 0, cst)},
		{time.Date(2026, 1, 31, 9, 30, 0, 0, cst), time.Date(2026, 4, 30, 9, 30, 0, 0, cst)},
		{time.Date(2026, 3, 15, 0, 0, 0, 0, cst), time.Date(2026, 6, 15, 0, 0, 0, 0, cst)},
		{time.Date(2026, 10, 31, 23, 59, 59, 0, cst), time.Date(2027, 1, 31, 23, 59, 59, 0, cst)},
	}
	for _, tt := range tests {
		if got := ExtensionLimit(tt.close); !got.Equal(tt.want) {
			t.Errorf("ExtensionLimit(%v) = %v, want %v", tt.close, got, tt.want)
		}
	}
}

func TestCheckExtension(t *testing.T) {
	cst := locale.China
	original := time.Date(2025, 11, 30, 18, 0, 0, 0, cst)
	low := &Outcome{Eligible: Tally{100, 1000000}, Participating: Tally{40, 400000}}
	high := &Outcome{Eligible: Tally{100, 1000000}, Participating: Tally{60, 400000}}
	month := original.AddDate(0, 1, 0)
	tests := []struct {
		name             string
		o                *Outcome
		current, newTime time.Time
		want             string // "" = allowed
	}{
		{"first extension", low, original, month, ""},
		{"second extension up to the limit", low, month, time.Date(2026, 2, 28, 18, 0, 0, 0, cst), ""},
		{"past three months", low, month, time.Date(2026, 2, 28, 18, 0, 1, 0, cst), "at most 3 months"},
		{"not later", low, month, month, "not after the current one"},
		{"turnout too high", high, original, month, "cannot be extended"},
	}
	for _, tt := range tests {
		err := CheckExtension(tt.o, original, tt.current, tt.newTime)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestRetableLock(t *testing.T) {
	o := Outcome{ParticipationMet: false}
	if !o.Lapses(true) || o.Lapses(false) {
		t.Error("Lapses: only an extended vote missing participation lapses")
	}
	if o.ParticipationMet = true; o.Lapses(true) {
		t.Error("an extended vote that met participation lapsed")
	}

	ended := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	if got, want := RetableFrom(ended), time.Date(2025, 2, 28, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("RetableFrom = %v, want %v", got, want)
	}
	soon := ended.AddDate(0, 6, 0)
	tests := []struct {
		now              time.Time
		agreeing, of     int
		want             bool
		wantErrSubstring string
	}{
		{soon, 2, 3, true, ""},  // 3·2 ≥ 2·3
		{soon, 3, 5, false, ""}, // 3·3 < 2·5
		{soon, 4, 6, true, ""},
		{RetableFrom(ended), 0, 5, true, ""}, // the year is over
		{soon, 6, 5, false, "not a committee decision"},
		{soon, 0, 0, false, "not a committee decision"},
	}
	for _, tt := range tests {
		got, err := MayRetable(ended, tt.now, tt.agreeing, tt.of)
		if got != tt.want || (err == nil) != (tt.wantErrSubstring == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErrSubstring)) {
			t.Errorf("MayRetable(%v, %d of %d) = %v, %v", tt.now, tt.agreeing, tt.of, got, err)
		}
	}
}
