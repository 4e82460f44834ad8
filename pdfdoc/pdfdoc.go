// Package pdfdoc creates the A4 documents on which Gongjue prints Simplified
// Chinese: the ballot packet and the result notice (公示).
//
// PDF viewers only show Chinese reliably when the font is embedded in the
// file, and a server cannot count on a CJK font being installed, so the font
// travels inside the binary: WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0,
// see FONT-LICENSE), a TrueType face built from Droid Sans Fallback plus the
// Droid Sans Latin glyphs. Droid Sans Fallback alone was the first choice but
// it has no ASCII letters or digits at all, which a notice full of numbers
// cannot do without. gofpdf embeds only the glyphs a document uses, so a
// one-page notice carries a font subset of a few kilobytes.
//
// Coverage: ASCII, Latin-1 (¥ ² × ÷ ·), GB2312 and the CJK Unified
// Ideographs block U+4E00–U+9FA5, CJK punctuation and full-width forms,
// and symbols such as ✓ ✔ ✘ ✕ √ ≥ ≤ ㎡ ℃ № ● ○ □ ■ →. Missing, and so drawn
// as blanks: ✗ (U+2717; use ✘ U+2718 or ×), ☐ ☑ (use □ or draw a rectangle),
// most of CJK Extension A and everything beyond the Basic Multilingual Plane.
// The face has no bold or italic style: SetFont(Family, "B", …) fails, so
// emphasise with size, or with SetTextRenderingMode(2) and a thin line width
// for a faux bold.
//
// Results are hashed, so a document built with the At option is
// byte-for-byte reproducible: the same calls give the same file.
package pdfdoc

import (
	"bytes"
	_ "embed"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Family is the font family registered on every document; it is also the
// current font after New.
const Family = "cjk"

// Page geometry of every document, in millimetres.
const (
	MarginLeft   = 18.0
	MarginTop    = 15.0
	MarginRight  = 18.0
	MarginBottom = 15.0
)

// DefaultFontSize is the font size, in points, set by New.
const DefaultFontSize = 11.0

//go:embed wqy-microhei.ttf
var fontTTF []byte

// Option adjusts a document made by New.
type Option func(*gofpdf.Fpdf)

// At fixes the document's creation and modification dates to t, which makes
// the output deterministic: identical calls produce identical bytes. Without
// it both dates are the time the document is written.
func At(t time.Time) Option {
	return func(f *gofpdf.Fpdf) {
		f.SetCreationDate(t)
		f.SetModificationDate(t)
	}
}

// Title sets the document title shown by PDF viewers.
func Title(title string) Option {
	return func(f *gofpdf.Fpdf) { f.SetTitle(title, true) }
}

// New returns an empty A4 portrait document measured in millimetres, with the
// CJK font registered as Family and selected at DefaultFontSize, the margins
// above, automatic page breaks and compressed page content. It has no page
// yet: call AddPage. Each call copies and parses the embedded font afresh
// (about 50 ms), because gofpdf keeps the parsed font inside the document,
// offers no way to share it and modifies the bytes it parses. A document is
// not safe for concurrent use; separate documents may be built concurrently.
//
// Page content is compressed. For a very long document such as the ballot
// packet, f.SetCompression(false) writes about twice as fast at about 2.5
// times the size (3,762 text pages: 0.5 s and 6.9 MiB against 1.1 s and
// 2.7 MiB), because gofpdf allocates a fresh compressor for every page.
//
// A font problem is recorded in the document's error, reported by f.Error
// and by Bytes.
func New(opts ...Option) *gofpdf.Fpdf {
	f := gofpdf.New("P", "mm", "A4", "")
	f.SetMargins(MarginLeft, MarginTop, MarginRight)
	f.SetAutoPageBreak(true, MarginBottom)
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetProducer("Gongjue", false)
	// gofpdf writes into the font bytes it is given (it pads tables in
	// place while checksumming the subset), so every document gets its own
	// copy; sharing one would be a data race between concurrent documents.
	f.AddUTF8FontFromBytes(Family, "", bytes.Clone(fontTTF))
	if f.Err() {
		return f
	}
	// AddUTF8FontFromBytes does not report a parse failure; SetFont does.
	f.SetFont(Family, "", DefaultFontSize)
	for _, opt := range opts {
		opt(f)
	}
	return f
}

// Bytes closes f and returns the finished PDF, or the first error recorded
// while it was built.
func Bytes(f *gofpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
