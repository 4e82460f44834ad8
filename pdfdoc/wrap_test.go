package pdfdoc

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLinesKeepEveryCharacter(t *testing.T) {
	f := New()
	f.SetFontSize(16)
	for _, text := range []string{
		"关于利用公共收益加装电梯及增补业委会委员的表决（演示）",
		"填写说明：请在所选项前的方框内打“✓”。同意/反对/弃权事项及选择事项每项只选一项；选举事项按注明的人数以内选择。",
		"Approval needs at least three quarters of the participating area and headcount, 参与表决面积 76.41% ≥ 2/3 ✓",
		"http://localhost:8080/v/rd6e4vrrlinay6at6znhc26jyirrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr",
		"一\n\n二",
		"",
	} {
		for _, w := range []float64{30, 60, 120} {
			lines := Lines(f, text, w)
			if len(lines) == 0 {
				t.Fatalf("%q at %v mm: no lines", text, w)
			}
			joined := strings.Join(lines, "")
			if want := strings.NewReplacer(" ", "", "\n", "").Replace(text); strings.ReplaceAll(joined, " ", "") != want {
				t.Errorf("%q at %v mm lost characters:\n%q", text, w, lines)
			}
			for i, l := range lines {
				if lw := f.GetStringWidth(l); lw > w-2*f.GetCellMargin() && utf8.RuneCountInString(l) > 1 {
					t.Errorf("%q at %v mm: line %q is %.1f mm wide", text, w, l, lw)
				}
				if r, _ := utf8.DecodeRuneInString(l); i > 0 && strings.ContainsRune(noLineStart, r) {
					t.Errorf("%q at %v mm: line %q starts with %q", text, w, l, r)
				}
			}
		}
	}
	if got := Lines(f, "一\n\n二", 100); len(got) != 3 || got[1] != "" {
		t.Errorf("blank line lost: %q", got)
	}
}
