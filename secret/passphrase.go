package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"unicode/utf8"

	"golang.org/x/crypto/scrypt"
)

// PassphraseSealed is a value encrypted under a key derived from a
// passphrase (scrypt, then AES-256-GCM), with what deriving the key again
// needs. The master key plays no part: without the passphrase the value
// cannot be opened, whoever holds the database and the master key.
type PassphraseSealed struct {
	Salt    []byte
	N, R, P int
	Box     []byte // nonce ‖ ciphertext
}

// The scrypt cost of new seals: about 100 ms and 32 MiB on a small server,
// so guessing is slow; stored with each seal so it can be raised later.
var (
	ScryptN = 1 << 15
	ScryptR = 8
	ScryptP = 1
)

// MinPassphraseRunes is the shortest passphrase accepted.
const MinPassphraseRunes = 8

// ErrPassphraseTooShort is returned for a passphrase shorter than MinPassphraseRunes.
var ErrPassphraseTooShort = errors.New("secret: passphrase too short")

// ErrWrongPassphrase is returned when a seal does not open with a passphrase.
var ErrWrongPassphrase = errors.New("secret: wrong passphrase")

// SealWithPassphrase encrypts plaintext under a key derived from
// passphrase; label binds it to its purpose as in Keys.Seal.
func SealWithPassphrase(passphrase, label string, plaintext []byte) (PassphraseSealed, error) {
	if utf8.RuneCountInString(passphrase) < MinPassphraseRunes {
		return PassphraseSealed{}, ErrPassphraseTooShort
	}
	s := PassphraseSealed{Salt: make([]byte, 16), N: ScryptN, R: ScryptR, P: ScryptP}
	if _, err := rand.Read(s.Salt); err != nil {
		return s, err
	}
	aead, err := s.aead(passphrase)
	if err != nil {
		return s, err
	}
	s.Box, err = sealAEAD(aead, label, plaintext)
	return s, err
}

// Open decrypts the value with passphrase, ErrWrongPassphrase if it is not
// the one it was sealed with.
func (s PassphraseSealed) Open(passphrase, label string) ([]byte, error) {
	aead, err := s.aead(passphrase)
	if err != nil {
		return nil, err
	}
	plain, err := openAEAD(aead, label, s.Box)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}

func (s PassphraseSealed) aead(passphrase string) (cipher.AEAD, error) {
	key, err := scrypt.Key([]byte(passphrase), s.Salt, s.N, s.R, s.P, 32)
	if err != nil {
		return nil, err
	}
	return gcm(key)
}

// WrapFor encrypts plaintext so that only the holder of the RSA private key
// of pub can read it: a fresh AES-256 key under RSA-OAEP, then AES-GCM.
func WrapFor(pub *rsa.PublicKey, label string, plaintext []byte) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, key, []byte(label))
	if err != nil {
		return nil, err
	}
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	box, err := sealAEAD(aead, label, plaintext)
	if err != nil {
		return nil, err
	}
	return append(wrapped, box...), nil
}

// UnwrapWith opens what WrapFor sealed for priv's public key.
func UnwrapWith(priv *rsa.PrivateKey, label string, wrapped []byte) ([]byte, error) {
	n := priv.Size()
	if len(wrapped) < n {
		return nil, errors.New("secret: wrapped value too short")
	}
	key, err := rsa.DecryptOAEP(sha256.New(), nil, priv, wrapped[:n], []byte(label))
	if err != nil {
		return nil, errors.New("secret: cannot unwrap (not the key it was wrapped for)")
	}
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	return openAEAD(aead, label, wrapped[n:])
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealAEAD(aead cipher.AEAD, label string, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plaintext, []byte(label)), nil
}

func openAEAD(aead cipher.AEAD, label string, sealed []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("secret: sealed value too short")
	}
	nonce, box := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	return aead.Open(nil, nonce, box, []byte(label))
}
