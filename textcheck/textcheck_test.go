package textcheck

import (
	"strings"
	"testing"
)

func TestProblem(t *testing.T) {
	for _, tc := range []struct {
		s         string
		multiline bool
		want      string // part of the problem; "" for none
	}{
		{"3号楼加装电梯", false, ""},
		{"Ünïcödé ✓ 王小明", false, ""},
		{"a\x00b", false, "U+0000"},
		{"a\x00b", true, "U+0000"},
		{"line\nbreak", false, "U+000A"},
		{"line\nbreak\r\n\tindented", true, ""},
		{"bell\a", true, "U+0007"},
		{"del\x7f", false, "U+007F"},
		{"c1\u0085", false, "U+0085"},
		{"evil\u202Egnp.exe", false, "U+202E"},
		{"\u202Aembed", true, "U+202A"},
		{"iso\u2066late\u2069", false, "U+2066"},
		{"pop\u2069", false, "U+2069"},
		{"zwj\u200dok", false, ""},
		{"bad\xffbyte", false, "UTF-8"},
		{"replacement \uFFFD is a character", false, ""},
	} {
		got := Problem(tc.s, tc.multiline)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("Problem(%q, %v) = %q, want %q", tc.s, tc.multiline, got, tc.want)
		}
	}
}
