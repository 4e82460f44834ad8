package pdfsign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
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
