// Package crockford reads Crockford's base32 as people copy it from paper:
// ballot codes and receipt codes.
package crockford

import (
	"fmt"
	"strings"
	"unicode"
)

// Alphabet is Crockford's base32 alphabet: digits and upper-case letters
// without I, L, O and U.
const Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// Normalize returns the base32 digits of s, forgiving what people do when
// copying a code: case, spaces and dashes do not matter, full-width
// characters are accepted, and I and L read as 1 and O as 0. It stops with
// an error at any other character, or once there are more than max digits.
func Normalize(s string, max int) (string, error) {
	code := make([]byte, 0, max)
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		switch r = unicode.ToUpper(r); {
		case unicode.IsSpace(r) || unicode.Is(unicode.Pd, r):
			continue
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'O':
			r = '0'
		case r > unicode.MaxASCII || !strings.ContainsRune(Alphabet, r):
			return "", fmt.Errorf("it contains %q", r)
		}
		if len(code) == max {
			return "", fmt.Errorf("more than %d characters", max)
		}
		code = append(code, byte(r))
	}
	return string(code), nil
}
