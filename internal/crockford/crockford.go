// Package crockford reads Crockford's base32 as people copy it from paper:
// ballot codes and receipt codes.
package crockford

import (
	"crypto/rand"
	"crypto/sha256"
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

// Random returns n random characters of the alphabet (5 bits each).
func Random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = Alphabet[b[i]&31]
	}
	return string(b)
}

// Check is the check character of a code: the first five bits of its
// SHA-256, so a mistyped character is caught 31 times in 32.
func Check(code string) byte {
	sum := sha256.Sum256([]byte(code))
	return Alphabet[sum[0]>>3]
}

// Group writes a code in groups of four joined by dashes, the last group
// possibly shorter: XXXX-XXXX-C.
func Group(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(code[i:min(i+4, len(code))])
	}
	return b.String()
}
