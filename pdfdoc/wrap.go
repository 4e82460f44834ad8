package pdfdoc

import (
	"strings"
	"unicode"

	"github.com/jung-kurt/gofpdf"
)

// gofpdf's MultiCell and SplitText treat every ideograph as a break
// opportunity the way they treat a space, and so drop the ideograph at
// which they break a line ("…委员的表" / "（演示）" for "…委员的表决（演示）").
// Lines and Paragraph are what Gongjue wraps text with instead.

// Lines splits text into the lines that fit a cell w millimetres wide (its
// cell margins aside, as SplitText counts) in the document's current font
// and size. Lines break at newlines, at spaces (which are dropped), and
// between ideographs (which are kept), never before closing punctuation
// such as ，。）or after opening punctuation such as （“; a word wider than
// w is cut where it must be. Empty text is one empty line.
func Lines(f *gofpdf.Fpdf, text string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		lines = append(lines, wrap(f, []rune(para), w-2*f.GetCellMargin())...)
	}
	return lines
}

// Paragraph writes text as lines of height h in a column of width w
// starting at the current position (w 0: up to the right margin), aligned
// "L", "C" or "R", and leaves the position at the left margin below it, as
// MultiCell does.
func Paragraph(f *gofpdf.Fpdf, w, h float64, text, align string) {
	if w == 0 {
		pageW, _ := f.GetPageSize()
		_, _, right, _ := f.GetMargins()
		w = pageW - right - f.GetX()
	}
	for _, l := range Lines(f, text, w) {
		f.CellFormat(w, h, l, "", 2, align, false, 0, "")
	}
	left, _, _, _ := f.GetMargins()
	f.SetX(left)
}

func wrap(f *gofpdf.Fpdf, rs []rune, w float64) []string {
	lines := []string{}
	for {
		n, width := 0, 0.0
		for n < len(rs) {
			width += f.GetStringWidth(string(rs[n]))
			if width > w {
				break
			}
			n++
		}
		if n = max(n, 1); n >= len(rs) {
			return append(lines, string(rs))
		}
		cut, next := breakBefore(rs, n)
		lines = append(lines, strings.TrimRightFunc(string(rs[:cut]), unicode.IsSpace))
		rs = rs[next:]
	}
}

// breakBefore chooses where to end a line when rs[n] does not fit: the line
// is rs[:cut] and the next starts at rs[next].
func breakBefore(rs []rune, n int) (cut, next int) {
	for k := n; k > 0; k-- {
		if unicode.IsSpace(rs[k]) {
			next = k
			for next < len(rs) && unicode.IsSpace(rs[next]) {
				next++
			}
			return k, next
		}
		if (wide(rs[k]) || wide(rs[k-1])) && !strings.ContainsRune(noLineStart, rs[k]) && !strings.ContainsRune(noLineEnd, rs[k-1]) {
			return k, k
		}
	}
	if n > 1 && strings.ContainsRune(noLineStart, rs[n]) { // a cut word keeps its punctuation
		return n - 1, n - 1
	}
	return n, n
}

// wide reports whether r is an ideograph or full-width character, between
// which Chinese text may break anywhere.
func wide(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}

// Punctuation that may not start or end a line (避头尾).
const (
	noLineStart = "，。、；：？！）》」』】〕”’…—·%,.;:?!)]}"
	noLineEnd   = "（《「『【〔“‘([{"
)
