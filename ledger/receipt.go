package ledger

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"

	"gongjue/internal/crockford"
)

// SaltSize is the size of a ballot's salt in bytes.
const SaltSize = 16

// NewSalt returns a fresh random salt for a counted ballot, to be stored in
// casts.salt and handed to the voter as [Receipt] of it.
func NewSalt() []byte {
	salt := make([]byte, SaltSize)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return salt
}

var receiptEncoding = base32.NewEncoding(crockford.Alphabet).WithPadding(base32.NoPadding)

// receiptLen is the length of a receipt code without dashes: 26 characters
// for the salt and 2 check characters.
const receiptLen = 28

// ErrBadReceipt is the error (wrapped) for text that is not a receipt code.
var ErrBadReceipt = errors.New("not a receipt code")

// Receipt returns the receipt code of a salt, which must be SaltSize
// bytes: the salt in Crockford's base32 followed by two check characters
// (the first ten bits of the salt's SHA-256), in seven groups of four
// joined by dashes, as in 0F3K-9QZ2-…-M7XA.
func Receipt(salt []byte) string {
	if len(salt) != SaltSize {
		panic("ledger: Receipt of a salt that is not SaltSize bytes")
	}
	return crockford.Group(receiptEncoding.EncodeToString(salt) + receiptCheck(salt))
}

func receiptCheck(salt []byte) string {
	sum := sha256.Sum256(salt)
	v := int(sum[0])<<2 | int(sum[1])>>6
	return string([]byte{crockford.Alphabet[v>>5], crockford.Alphabet[v&31]})
}

// ParseReceipt returns the salt in a receipt code. It forgives what people
// do when copying one: it ignores case, spaces and dashes, accepts
// full-width characters, and reads I and L as 1 and O as 0. Text that is
// still not a receipt code gives an error wrapping [ErrBadReceipt].
func ParseReceipt(s string) ([]byte, error) {
	code, err := crockford.Normalize(s, receiptLen)
	if err != nil {
		return nil, badReceipt("%v", err)
	}
	if len(code) != receiptLen {
		return nil, badReceipt("it has %d characters, not %d", len(code), receiptLen)
	}
	body, check := string(code[:receiptLen-2]), string(code[receiptLen-2:])
	salt, err := receiptEncoding.DecodeString(body)
	if err != nil || receiptEncoding.EncodeToString(salt) != body || receiptCheck(salt) != check {
		return nil, badReceipt("a character is mistyped")
	}
	return salt, nil
}

func badReceipt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadReceipt}, args...)...)
}
