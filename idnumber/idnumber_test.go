package idnumber_test

import (
	"strings"
	"testing"

	"gongjue/idnumber"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		typed, want, problem string
	}{
		{"11010519491231002X", "11010519491231002X", ""},
		{"11010519491231002x", "11010519491231002X", ""},
		{" 110105 19491231 002x ", "11010519491231002X", ""},
		{"110101199003074514", "110101199003074514", ""},
		{"110101199003074515", "", "校验位"},
		{"11010519491231002", "", "18 位"},
		{"1101051949123100211", "", "18 位"},
		{"1101051949123100A2X", "", "18 位"},
		{"11010519491231A02X", "", "第 15 位"},
		{"11010519491231002Y", "", "最后一位"},
	} {
		got, err := idnumber.Parse(tc.typed)
		switch {
		case tc.problem == "" && (err != nil || got != tc.want):
			t.Errorf("Parse(%q) = %q, %v; want %q", tc.typed, got, err, tc.want)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("Parse(%q) = %q, %v; want an error naming %q", tc.typed, got, err, tc.problem)
		}
	}
}
