package quorum

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Area is an exclusive floor area in hundredths of a square metre (0.01 m²),
// the precision of a property certificate. Keeping areas as integers makes
// every sum and comparison exact.
type Area int64

// ParseArea reads a non-negative area written with at most two decimals:
// "89.35", "89.3" or "89". Signs, exponents, spaces, a bare "." and more than
// two decimals are refused rather than rounded, because a roll that carries
// more precision than the certificate is a data error worth seeing. Zero is
// accepted here so tallies such as "0.00" round-trip; a unit's area must
// additionally be positive (see Evaluate).
func ParseArea(s string) (Area, error) {
	whole, frac := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			whole, frac = s[:i], s[i+1:]
			if frac == "" {
				return 0, fmt.Errorf("malformed area %q: no digits after the decimal point", s)
			}
			break
		}
	}
	if whole == "" || !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("malformed area %q: want a plain decimal number such as 89.35", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("area %q has more than two decimals", s)
	}
	metres, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || metres > (math.MaxInt64-99)/100 {
		return 0, fmt.Errorf("area %q is too large", s)
	}
	hundredths := int64(0)
	for i := range 2 {
		hundredths *= 10
		if i < len(frac) {
			hundredths += int64(frac[i] - '0')
		}
	}
	return Area(metres*100 + hundredths), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats the area with exactly two decimals, e.g. "209.35" or "0.00",
// the form required by DESIGN.md §4.
func (a Area) String() string {
	v := uint64(a)
	sign := ""
	if a < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalJSON writes the area as a JSON string with two decimals, so no JSON
// reader ever turns it into a binary float.
func (a Area) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, a.String()), nil
}

// UnmarshalJSON accepts the string form written by MarshalJSON and, for
// convenience, a bare JSON number with the same syntax (no exponent).
func (a *Area) UnmarshalJSON(data []byte) error {
	v, err := parseAreaJSON(data)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// parseAreaJSON reads an area given as a JSON string or number from its
// literal text, never passing it through float64.
func parseAreaJSON(data []byte) (Area, error) {
	switch {
	case len(data) == 0 || string(data) == "null":
		return 0, errors.New("missing area")
	case data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return 0, fmt.Errorf("malformed area %s", data)
		}
		return ParseArea(s)
	case data[0] == '-' || (data[0] >= '0' && data[0] <= '9'):
		return ParseArea(string(data))
	}
	return 0, fmt.Errorf("malformed area %s: want a string such as \"89.35\"", data)
}
