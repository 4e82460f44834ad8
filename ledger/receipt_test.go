package ledger

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"gongjue/internal/crockford"
)

func TestReceiptRoundTrip(t *testing.T) {
	form := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){6}$`)
	for range 1000 {
		salt := NewSalt()
		code := Receipt(salt)
		if !form.MatchString(code) {
			t.Fatalf("Receipt = %q, not seven dashed groups of four", code)
		}
		got, err := ParseReceipt(code)
		if err != nil || !bytes.Equal(got, salt) {
			t.Fatalf("ParseReceipt(%q) = %x, %v; want %x", code, got, err, salt)
		}
	}
}

func TestParseReceiptForgiving(t *testing.T) {
	salt := testSalt
	code := Receipt(salt)
	// Pick a salt whose code has 0s and 1s to mistype.
	if !strings.ContainsAny(code, "01") {
		t.Fatalf("test salt's code %q has no 0 or 1", code)
	}
	fullWidth := strings.Map(func(r rune) rune {
		if r > ' ' && r <= '~' {
			return r + 0xFEE0
		}
		return r
	}, code)
	forms := []string{
		code,
		strings.ToLower(code),
		strings.ReplaceAll(code, "-", ""),
		strings.ReplaceAll(code, "-", " "),
		"  " + strings.ReplaceAll(code, "-", " - ") + "\n",
		strings.ReplaceAll(strings.ReplaceAll(code, "0", "O"), "1", "I"),
		strings.ReplaceAll(strings.ReplaceAll(code, "0", "o"), "1", "l"),
		strings.ReplaceAll(code, "1", "L"),
		strings.ReplaceAll(code, "-", "—"),
		strings.ReplaceAll(code, "-", "\u3000"), // ideographic space
		fullWidth,
	}
	for _, s := range forms {
		got, err := ParseReceipt(s)
		if err != nil || !bytes.Equal(got, salt) {
			t.Errorf("ParseReceipt(%q) = %x, %v; want %x", s, got, err, salt)
		}
	}
}

var testSalt = []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10}

func TestParseReceiptRejects(t *testing.T) {
	code := Receipt(testSalt)
	plain := strings.ReplaceAll(code, "-", "")
	typo := []byte(plain)
	typo[5] = crockford.Alphabet[(strings.IndexByte(crockford.Alphabet, typo[5])+1)%32]
	swapped := []byte(plain)
	swapped[3], swapped[4] = swapped[4], swapped[3]
	// The 26th character carries three bits of the salt and two zero bits.
	nonzero := []byte(plain)
	nonzero[25] = crockford.Alphabet[strings.IndexByte(crockford.Alphabet, nonzero[25])|1]
	bad := []string{
		"",
		"hello",
		plain[:27],
		plain + "0",
		plain[:10] + "U" + plain[11:],
		plain[:10] + "*" + plain[11:],
		plain[:10] + "é" + plain[11:],
		string(typo),
		string(nonzero),
		"0000-0000-0000-0000-0000-0000-0000",
	}
	if swapped[3] != swapped[4] {
		bad = append(bad, string(swapped))
	} else {
		t.Errorf("test salt's code %q swaps two equal characters", code)
	}
	for _, s := range bad {
		got, err := ParseReceipt(s)
		if err == nil {
			t.Errorf("ParseReceipt(%q) = %x, want error", s, got)
		} else if !errors.Is(err, ErrBadReceipt) {
			t.Errorf("ParseReceipt(%q) error %v does not wrap ErrBadReceipt", s, err)
		}
	}
}

func TestReceiptPanicsOnBadSalt(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Receipt of a short salt did not panic")
		}
	}()
	Receipt(make([]byte, 8))
}
