package quorum

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"gongjue/locale"
)

// Fraction is a threshold of a rule (DESIGN.md §3.3): written "N/D" it is
// reached by part/whole ≥ N/D (the law's "以上"), written ">N/D" by
// part/whole > N/D (the law's "过半数"). "0/1" is no requirement.
type Fraction struct {
	Num, Den uint64
	Strict   bool // ">N/D": the boundary itself does not reach the fraction
}

// Words is the fraction as the law words it: 三分之二以上, 过半数.
func (f Fraction) Words() locale.Text { return locale.Fraction(f.Num, f.Den, f.Strict) }

// ParseFraction reads "N/D" or ">N/D" with N and D decimal integers,
// D > 0 and N ≤ D. Anything else (signs, spaces, "≥", decimals, N > D) is
// refused: a rule that cannot be read exactly must not decide a vote.
func ParseFraction(s string) (Fraction, error) {
	rest, strict := strings.CutPrefix(s, ">")
	num, den, ok := strings.Cut(rest, "/")
	if !ok || num == "" || den == "" || !allDigits(num) || !allDigits(den) {
		return Fraction{}, fmt.Errorf("malformed fraction %q: want \"N/D\" or \">N/D\"", s)
	}
	n, errN := strconv.ParseUint(num, 10, 64)
	d, errD := strconv.ParseUint(den, 10, 64)
	if errN != nil || errD != nil {
		return Fraction{}, fmt.Errorf("malformed fraction %q: number too large", s)
	}
	f := Fraction{Num: n, Den: d, Strict: strict}
	if err := f.validate(); err != nil {
		return Fraction{}, err
	}
	return f, nil
}

func (f Fraction) validate() error {
	switch {
	case f.Den == 0:
		return fmt.Errorf("malformed fraction %q: denominator must be positive", f)
	case f.Num > f.Den:
		return fmt.Errorf("malformed fraction %q: numerator exceeds denominator", f)
	}
	return nil
}

// String returns the fraction in the syntax ParseFraction reads.
func (f Fraction) String() string {
	s := strconv.FormatUint(f.Num, 10) + "/" + strconv.FormatUint(f.Den, 10)
	if f.Strict {
		return ">" + s
	}
	return s
}

// MarshalJSON writes the fraction as its string form.
func (f Fraction) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, f.String()), nil
}

// UnmarshalJSON reads a JSON string with ParseFraction.
func (f *Fraction) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("malformed fraction %s: want a string such as \"2/3\"", data)
	}
	v, err := ParseFraction(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Reached reports whether part/whole reaches f, comparing part·D with N·whole
// in 128 bits so that no total of areas or heads can overflow. part and whole
// must be non-negative. With whole = 0 an inclusive fraction is reached only
// when N = 0 and a strict one never is.
func (f Fraction) Reached(part, whole int64) bool {
	c := cmp128(uint64(part), f.Den, f.Num, uint64(whole))
	if f.Strict {
		return c > 0
	}
	return c >= 0
}

// AtLeastAsStrictAs reports whether every part/whole that reaches f also
// reaches g: f's threshold is higher, or equal with f strict or g inclusive.
// So ">1/2" is stricter than "1/2", and "2/4" is exactly as strict as "1/2".
func (f Fraction) AtLeastAsStrictAs(g Fraction) bool {
	switch c := cmp128(f.Num, g.Den, g.Num, f.Den); {
	case c != 0:
		return c > 0
	default:
		return f.Strict || !g.Strict
	}
}

// cmp128 compares a·b with c·d exactly, returning -1, 0 or +1.
func cmp128(a, b, c, d uint64) int {
	hi1, lo1 := bits.Mul64(a, b)
	hi2, lo2 := bits.Mul64(c, d)
	if hi1 != hi2 {
		return cmp.Compare(hi1, hi2)
	}
	return cmp.Compare(lo1, lo2)
}
