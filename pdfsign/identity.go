package pdfsign

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// An Identity is what one signing body signs with: its private key and its
// X.509 certificate, which is embedded in every signature it makes.
type Identity struct {
	Certificate *x509.Certificate
	Key         crypto.Signer // *rsa.PrivateKey or *ecdsa.PrivateKey
}

// oidDocumentSigning is id-kp-documentSigning (RFC 9336).
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// NewIdentity creates an RSA-2048 key and a self-signed certificate for
// signing documents, valid from an hour ago (to tolerate clock skew) for
// validity. The subject is commonName, e.g. "阳光花园业主委员会", and
// organization, which may be empty. The certificate allows digital
// signatures and non-repudiation (content commitment) and carries the
// extended key usages emailProtection, which NSS and so pdfsig expect of a
// document signer, and documentSigning.
func NewIdentity(commonName, organization string, validity time.Duration) (Identity, error) {
	if commonName == "" || validity <= 0 {
		return Identity{}, errors.New("pdfsign: NewIdentity needs a common name and a positive validity")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Identity{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return Identity{}, err
	}
	subject := pkix.Name{CommonName: commonName}
	if organization != "" {
		subject.Organization = []string{organization}
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidDocumentSigning},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return Identity{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Certificate: cert, Key: key}, nil
}

// check reports whether id is complete and its key belongs to its
// certificate.
func (id Identity) check() error {
	if id.Certificate == nil || id.Key == nil {
		return errors.New("pdfsign: identity lacks a certificate or a key")
	}
	switch id.Key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
	default:
		return fmt.Errorf("pdfsign: unsupported key type %T", id.Key)
	}
	pub, ok := id.Key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(id.Certificate.PublicKey) {
		return errors.New("pdfsign: the private key does not match the certificate")
	}
	return nil
}

// PEM block types of a sealed identity.
const (
	pemCertificate = "CERTIFICATE"
	pemSealedKey   = "GONGJUE SEALED PRIVATE KEY"
)

// sealLabel starts the additional data of the key's encryption, which also
// binds the key to its certificate.
const sealLabel = "gongjue/pdfsign sealed identity v1\n"

// Seal encodes id for storage with its private key encrypted under the
// 32-byte masterKey (AES-256-GCM). The result is PEM text: the certificate
// in clear, readable with SealedCertificate or openssl, then a
// "GONGJUE SEALED PRIVATE KEY" block holding a random 12-byte nonce followed
// by the encrypted PKCS #8 key. The certificate is authenticated as
// additional data, so a sealed key cannot be paired with another
// certificate.
func Seal(id Identity, masterKey []byte) ([]byte, error) {
	if err := id.check(); err != nil {
		return nil, err
	}
	aead, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	key, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	sealed := aead.Seal(nonce, nonce, key, sealAAD(id.Certificate.Raw))
	out := pem.EncodeToMemory(&pem.Block{Type: pemCertificate, Bytes: id.Certificate.Raw})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: pemSealedKey, Bytes: sealed})...), nil
}

// Open decodes an identity made by Seal, decrypting its private key with
// masterKey. A wrong master key or altered data is an error.
func Open(sealed, masterKey []byte) (Identity, error) {
	cert, rest, err := sealedCertificate(sealed)
	if err != nil {
		return Identity{}, err
	}
	block, _ := pem.Decode(rest)
	if block == nil || block.Type != pemSealedKey {
		return Identity{}, errors.New("pdfsign: sealed identity lacks its sealed private key")
	}
	aead, err := newAEAD(masterKey)
	if err != nil {
		return Identity{}, err
	}
	n := aead.NonceSize()
	if len(block.Bytes) < n {
		return Identity{}, errors.New("pdfsign: sealed private key is truncated")
	}
	der, err := aead.Open(nil, block.Bytes[:n], block.Bytes[n:], sealAAD(cert.Raw))
	if err != nil {
		return Identity{}, errors.New("pdfsign: cannot open sealed identity: wrong master key or altered data")
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return Identity{}, fmt.Errorf("pdfsign: sealed private key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return Identity{}, fmt.Errorf("pdfsign: unsupported key type %T", key)
	}
	id := Identity{Certificate: cert, Key: signer}
	if err := id.check(); err != nil {
		return Identity{}, err
	}
	return id, nil
}

// SealedCertificate returns the certificate of a sealed identity; it needs
// no master key.
func SealedCertificate(sealed []byte) (*x509.Certificate, error) {
	cert, _, err := sealedCertificate(sealed)
	return cert, err
}

func sealedCertificate(sealed []byte) (*x509.Certificate, []byte, error) {
	block, rest := pem.Decode(sealed)
	if block == nil || block.Type != pemCertificate {
		return nil, nil, errors.New("pdfsign: sealed identity does not start with a certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("pdfsign: sealed identity: %w", err)
	}
	return cert, rest, nil
}

func newAEAD(masterKey []byte) (cipher.AEAD, error) {
	if len(masterKey) != 32 {
		return nil, fmt.Errorf("pdfsign: master key must be 32 bytes, not %d", len(masterKey))
	}
	block, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealAAD(certDER []byte) []byte {
	return append([]byte(sealLabel), certDER...)
}
