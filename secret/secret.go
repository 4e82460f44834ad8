// Package secret holds Gongjue's handling of secrets: random tokens that are
// stored only as hashes, keyed hashes of ID numbers, sealing of private keys
// at rest, and masking of personal data shown to the public.
package secret

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"gongjue/idnumber"
)

// KeySize is the size of the master key in bytes.
const KeySize = 32

// Keys are the server's long-term secrets.
type Keys struct {
	// Master seals private keys at rest and keys the ID-number hashes.
	Master [KeySize]byte
}

// LoadKeys reads the master key from GONGJUE_MASTER_KEY (64 hex digits) or
// else from dir/master.key, creating that file with a fresh random key on
// first start. Losing it makes sealed signing keys unreadable and changes
// every owner key, so it belongs in the estate's backups.
func LoadKeys(dir string) (*Keys, error) {
	var k Keys
	if env := os.Getenv("GONGJUE_MASTER_KEY"); env != "" {
		if err := decodeHexKey(env, k.Master[:]); err != nil {
			return nil, fmt.Errorf("GONGJUE_MASTER_KEY: %w", err)
		}
		return &k, nil
	}
	path := filepath.Join(dir, "master.key")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if _, err := rand.Read(k.Master[:]); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) { // another process won the race
			return LoadKeys(dir)
		}
		if err != nil {
			return nil, err
		}
		_, err = fmt.Fprintf(f, "%x\n", k.Master[:])
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return &k, err
	}
	if err != nil {
		return nil, err
	}
	if err := decodeHexKey(strings.TrimSpace(string(data)), k.Master[:]); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &k, nil
}

func decodeHexKey(s string, dst []byte) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("want %d hex digits, got %d characters", 2*len(dst), len(s))
	}
	_, err := hex.Decode(dst, []byte(s))
	return err
}

// OwnerKey is the keyed hash identifying an owner by ID number. The same
// number always gives the same key under one master key, so one owner's
// several units count as one person, while the number itself cannot be
// recovered from the database.
func (k *Keys) OwnerKey(idNumber string) string {
	normalized := idnumber.Normalize(idNumber)
	if normalized == "" {
		return ""
	}
	mac := hmac.New(sha256.New, k.derive("owner-key"))
	mac.Write([]byte(normalized))
	return fmt.Sprintf("%x", mac.Sum(nil)[:16])
}

// CodeHash is the keyed hash under which a one-time code sent to a person
// (an SMS code) is stored, bound to what it was sent for: a six-digit code
// hashed without a key would fall to a million guesses against a dump.
func (k *Keys) CodeHash(subject, code string) []byte {
	mac := hmac.New(sha256.New, k.derive("one-time-code"))
	mac.Write([]byte(subject))
	mac.Write([]byte{0})
	mac.Write([]byte(code))
	return mac.Sum(nil)
}

// Seal encrypts plaintext under the master key (AES-256-GCM) for storage.
// label binds the ciphertext to its purpose so one sealed value cannot be
// passed off as another.
func (k *Keys) Seal(label string, plaintext []byte) ([]byte, error) {
	aead, err := k.aead(label)
	if err != nil {
		return nil, err
	}
	return sealAEAD(aead, label, plaintext)
}

// Open decrypts what Seal produced under the same label.
func (k *Keys) Open(label string, sealed []byte) ([]byte, error) {
	aead, err := k.aead(label)
	if err != nil {
		return nil, err
	}
	plain, err := openAEAD(aead, label, sealed)
	if err != nil {
		return nil, errors.New("secret: cannot open sealed value (wrong master key?)")
	}
	return plain, nil
}

func (k *Keys) aead(label string) (cipher.AEAD, error) {
	return gcm(k.derive("seal"))
}

// derive gives independent subkeys for independent uses of the master key.
func (k *Keys) derive(purpose string) []byte {
	mac := hmac.New(sha256.New, k.Master[:])
	mac.Write([]byte("gongjue/" + purpose))
	return mac.Sum(nil)
}

// Token is a random secret handed to a person (a ballot token, a login
// token): 128 bits, lower-case base32 without padding.
func Token() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return tokenText(b)
}

// BallotToken is the ballot token of a unit in a consultation whose ballots
// were issued with seed: 128 bits of HMAC-SHA-256 under a key derived from
// the master key, in the form of Token. The database stores only the seed
// and the token's Hash, so a dump reveals no token, while the server can
// print a ballot packet again. seed must be random, never reused, and of one
// fixed length (consultations.token_seed: 32 bytes), which keeps seed and
// unit id apart in the MAC's input.
func (k *Keys) BallotToken(seed []byte, unitID string) string {
	mac := hmac.New(sha256.New, k.derive("ballot-token"))
	mac.Write(seed)
	mac.Write([]byte(unitID))
	return tokenText(mac.Sum(nil)[:16])
}

// tokenText is the written form of a token's 128 bits.
func tokenText(b []byte) string {
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Hash is the SHA-256 of a token: the only form in which tokens are stored.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// MaskName shows the first character of a name and hides the rest: 张三丰 → 张**.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(name)
	return string(r) + strings.Repeat("*", max(utf8.RuneCountInString(name)-1, 1))
}

// MaskPhone keeps the first three and last four digits: 138****0000.
func MaskPhone(phone string) string { return keepEnds(phone) }

// MaskIDNumber keeps the first three and last four characters of an ID
// number, so an owner can tell what they typed: 110***********002X.
func MaskIDNumber(id string) string { return keepEnds(id) }

// keepEnds shows the first three and last four characters of s, the rest
// as stars; all stars when s is too short to hide anything by that rule.
func keepEnds(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}
