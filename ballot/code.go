package ballot

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"gongjue/internal/crockford"
)

// CodeLen is the length of a ballot code, dashes aside.
const CodeLen = 8

// NewCode returns a fresh random ballot code (40 bits), without the dash.
func NewCode() string { return crockford.Random(CodeLen) }

// NewCodes returns n distinct ballot codes, as one consultation needs.
func NewCodes(n int) []string {
	seen := make(map[string]bool, n)
	codes := make([]string, 0, n)
	for len(codes) < n {
		c := NewCode()
		if !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	return codes
}

// FormatCode prints a code as two groups of four: 7K3M-Q9XA.
func FormatCode(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// ErrBadCode is wrapped by ParseCode's errors.
var ErrBadCode = errors.New("not a ballot code")

// ParseCode reads a ballot code as a person types it: case, spaces and
// dashes do not matter, full-width characters are accepted, and I, L and O
// read as 1, 1 and 0.
func ParseCode(s string) (string, error) {
	code, err := crockford.Normalize(s, CodeLen)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadCode, err)
	}
	if len(code) != CodeLen {
		return "", fmt.Errorf("%w: %d characters, not %d", ErrBadCode, len(code), CodeLen)
	}
	return code, nil
}

// TokenLen is the length of a ballot token: 128 bits in unpadded base32.
const TokenLen = 26

// ErrBadToken is wrapped by ParseToken's errors.
var ErrBadToken = errors.New("not a ballot token")

// ParseToken checks the form of a ballot token (26 characters of base32,
// any case) and returns it in lower case, the form that is hashed. It does
// not say whether the token was ever issued.
func ParseToken(s string) (string, error) {
	if len(s) != TokenLen {
		return "", fmt.Errorf("%w: %d characters, not %d", ErrBadToken, len(s), TokenLen)
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= '2' && c <= '7':
		case c >= 'A' && c <= 'Z':
			b[i] = c - 'A' + 'a'
		default:
			return "", fmt.Errorf("%w: character %d is %q", ErrBadToken, i+1, c)
		}
	}
	return string(b), nil
}

// BallotURL is what a ballot's QR code holds: publicURL/v/token.
func BallotURL(publicURL, token string) string {
	return strings.TrimRight(publicURL, "/") + "/v/" + token
}

// Reference is how a volunteer names a returned paper ballot: by the token
// of its QR code or by its ballot code; exactly one is set.
type Reference struct {
	Token string
	Code  string
}

// ParseReference reads what a volunteer typed or a USB scanner typed into
// the ballot field: the QR code's URL (…/v/TOKEN), a bare token, or a ballot
// code.
func ParseReference(s string) (Reference, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Reference{}, errors.New("empty: scan the QR code or type the ballot code")
	}
	if len(s) > 2048 {
		return Reference{}, errors.New("too long to be a ballot code or QR code")
	}
	if strings.Contains(s, "/") {
		u, err := url.Parse(s)
		if err != nil {
			return Reference{}, fmt.Errorf("%w: unreadable URL", ErrBadToken)
		}
		i := strings.LastIndex(u.Path, "/v/")
		if i < 0 {
			return Reference{}, fmt.Errorf("%w: the URL is not a ballot link (…/v/TOKEN)", ErrBadToken)
		}
		t, err := ParseToken(strings.TrimSuffix(u.Path[i+3:], "/"))
		if err != nil {
			return Reference{}, err
		}
		return Reference{Token: t}, nil
	}
	if len(s) == TokenLen {
		if t, err := ParseToken(s); err == nil {
			return Reference{Token: t}, nil
		}
	}
	c, err := ParseCode(s)
	if err != nil {
		return Reference{}, err
	}
	return Reference{Code: c}, nil
}
