package secret

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
)

func TestPassphraseSeal(t *testing.T) {
	ScryptN = 1 << 14 // the floor the schema accepts, to keep the test quick
	defer func() { ScryptN = 1 << 15 }()
	secretKey := []byte("a signing key")
	s, err := SealWithPassphrase("两把钥匙一个口令", "label", secretKey)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s.Box, secretKey) {
		t.Error("sealed in clear")
	}
	if got, err := s.Open("两把钥匙一个口令", "label"); err != nil || !bytes.Equal(got, secretKey) {
		t.Errorf("Open with the passphrase: %q, %v", got, err)
	}
	for _, tc := range []struct{ passphrase, label string }{{"两把钥匙一个口令!", "label"}, {"两把钥匙一个口令", "other label"}, {"", "label"}} {
		if _, err := s.Open(tc.passphrase, tc.label); !errors.Is(err, ErrWrongPassphrase) {
			t.Errorf("Open(%q, %q): %v, want ErrWrongPassphrase", tc.passphrase, tc.label, err)
		}
	}
	var k Keys
	if _, err := k.Open("label", s.Box); err == nil {
		t.Error("the master key opens a passphrase seal")
	}
	if _, err := SealWithPassphrase("1234567", "label", secretKey); !errors.Is(err, ErrPassphraseTooShort) {
		t.Errorf("a 7-character passphrase: %v", err)
	}
}

func TestWrapFor(t *testing.T) {
	a, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := WrapFor(&a.PublicKey, "pending", []byte("committee key"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := UnwrapWith(a, "pending", wrapped); err != nil || string(got) != "committee key" {
		t.Errorf("UnwrapWith the right key: %q, %v", got, err)
	}
	if _, err := UnwrapWith(b, "pending", wrapped); err == nil {
		t.Error("unwrapped with another key")
	}
	if _, err := UnwrapWith(a, "other", wrapped); err == nil {
		t.Error("unwrapped under another label")
	}
}
