package notice

// The bodies' signing keys (DESIGN §7, "two keys and a password"): each
// sealed under a key derived from the body's passphrase, so the server
// cannot sign for a body without it, even holding the database and the
// master key. Keys made before passphrases stay under the master key until
// the body sets one.

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/pdfsign"
	"gongjue/postgres"
	"gongjue/secret"
	"gongjue/staff"
)

// Errors of the signing passphrase.
var (
	// ErrPassphraseRequired: the body's key is sealed under a passphrase
	// and none was given.
	ErrPassphraseRequired = errors.New("notice: the body's signing passphrase is required")
	// ErrWrongPassphrase: the passphrase does not open the body's key.
	ErrWrongPassphrase = errors.New("notice: wrong signing passphrase")
	// ErrTooManyTries: too many wrong passphrases lately (postgres.SigningTries).
	ErrTooManyTries = errors.New("notice: too many wrong signing passphrases; wait before trying again")
	// ErrNoSigningKey: the body has no signing key yet; it sets a passphrase first.
	ErrNoSigningKey = errors.New("notice: the body has no signing key yet; set its signing passphrase first")
	// ErrOtherNoSigningKey: the other body has no signing key yet.
	ErrOtherNoSigningKey = errors.New("notice: the other body has no signing key yet; it must set its signing passphrase first")
)

// KeyState is how a body's signing key is kept.
type KeyState string

// The states of a body's signing key.
const (
	KeyNone       KeyState = "none"       // no key yet
	KeyMasterOnly KeyState = "master_key" // made before passphrases: not yet protected
	KeyProtected  KeyState = "passphrase" // sealed under the body's passphrase
)

// BodyKey is what the console shows of a body's signing key.
type BodyKey struct {
	Body       string    `json:"body"`
	State      KeyState  `json:"state"`
	CertSHA256 string    `json:"cert_sha256,omitempty"`
	Since      time.Time `json:"since,omitzero"`
}

// KeyStatus tells how a body's signing key is kept.
func KeyStatus(ctx context.Context, q sqlx.QueryerContext, communityID int64, body string) (BodyKey, error) {
	bk := BodyKey{Body: body, State: KeyNone}
	cert, state, since, err := bodyCertificate(ctx, q, communityID, body)
	if err != nil || state == KeyNone {
		return bk, err
	}
	bk.State, bk.Since, bk.CertSHA256 = state, since, Fingerprint(cert)
	return bk, nil
}

// Fingerprint is a certificate's SHA-256 in hex, as the notice prints it.
func Fingerprint(cert *x509.Certificate) string {
	return fmt.Sprintf("%x", sha256.Sum256(cert.Raw))
}

// bodyCertificate returns the body's current certificate and how its key is kept.
func bodyCertificate(ctx context.Context, q sqlx.QueryerContext, communityID int64, body string) (*x509.Certificate, KeyState, time.Time, error) {
	der, state, since := []byte(nil), KeyNone, time.Time{}
	k, err := postgres.LatestSigningKey(ctx, q, communityID, body)
	switch {
	case err == nil:
		der, state, since = k.Certificate, KeyProtected, k.CreatedAt
	case !errors.Is(err, postgres.ErrNotFound):
		return nil, KeyNone, since, err
	default:
		legacy, err := postgres.GetSigningIdentity(ctx, q, communityID, body)
		if errors.Is(err, postgres.ErrNotFound) || err == nil && legacy.SealedKey == nil {
			return nil, KeyNone, since, nil
		}
		if err != nil {
			return nil, KeyNone, since, err
		}
		der, state, since = legacy.Certificate, KeyMasterOnly, legacy.CreatedAt
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, KeyNone, since, fmt.Errorf("notice: certificate of %s in estate %d: %w", body, communityID, err)
	}
	return cert, state, since, nil
}

// openKey opens a body's signing key: with its passphrase once it has one,
// with the master key while it is still kept the old way.
func openKey(ctx context.Context, q sqlx.QueryerContext, keys *secret.Keys, communityID int64, body, passphrase string) (pdfsign.Identity, error) {
	var der []byte
	k, err := postgres.LatestSigningKey(ctx, q, communityID, body)
	switch {
	case err == nil:
		if passphrase == "" {
			return pdfsign.Identity{}, ErrPassphraseRequired
		}
		sealed := secret.PassphraseSealed{Salt: k.Salt, N: k.N, R: k.R, P: k.P, Box: k.SealedKey}
		plain, err := sealed.Open(passphrase, keyLabel(communityID, body, k.Certificate))
		if errors.Is(err, secret.ErrWrongPassphrase) {
			return pdfsign.Identity{}, ErrWrongPassphrase
		}
		if err != nil {
			return pdfsign.Identity{}, err
		}
		return parseIdentity(k.Certificate, plain)
	case !errors.Is(err, postgres.ErrNotFound):
		return pdfsign.Identity{}, err
	}
	legacy, err := postgres.GetSigningIdentity(ctx, q, communityID, body)
	if errors.Is(err, postgres.ErrNotFound) || err == nil && legacy.SealedKey == nil {
		return pdfsign.Identity{}, ErrNoSigningKey
	}
	if err != nil {
		return pdfsign.Identity{}, err
	}
	if der, err = keys.Open(keyLabel(communityID, body, legacy.Certificate), legacy.SealedKey); err != nil {
		return pdfsign.Identity{}, fmt.Errorf("notice: signing key of %s in estate %d: %w", body, communityID, err)
	}
	return parseIdentity(legacy.Certificate, der)
}

func parseIdentity(certDER, keyDER []byte) (pdfsign.Identity, error) {
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return pdfsign.Identity{}, err
	}
	key, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return pdfsign.Identity{}, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return pdfsign.Identity{}, fmt.Errorf("notice: signing key has type %T", key)
	}
	return pdfsign.Identity{Certificate: cert, Key: signer}, nil
}

// NewBodyIdentity makes a fresh signing identity for a body: an RSA key
// and a self-signed certificate named after the body.
func NewBodyIdentity(community, body string) (pdfsign.Identity, error) {
	return pdfsign.NewIdentity(BodyName(community, body), community, CertificateValidity)
}

// SetPassphrase seals a body's signing key under a new passphrase. With
// oldPassphrase the body's current key is re-sealed (the old one must be
// right); a body whose key is still under the master key has it re-sealed
// and the master-sealed copy erased; a body with no key, or one that lost
// its passphrase (oldPassphrase empty), gets a new key and certificate
// (rekeyed). Wrong old passphrases count as tries.
func SetPassphrase(ctx context.Context, db *postgres.DB, keys *secret.Keys, communityID int64, acct staff.Account, passphrase, oldPassphrase string, now time.Time) (rekeyed bool, err error) {
	body := acct.Role
	if body != staff.BodyCommittee && body != staff.BodyResidents {
		return false, ErrNotABody
	}
	if err := checkTries(ctx, db, communityID, body, now); err != nil {
		return false, err
	}
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		comm, err := postgres.GetCommunity(ctx, tx, communityID)
		if err != nil {
			return err
		}
		_, state, _, err := bodyCertificate(ctx, tx, communityID, body)
		if err != nil {
			return err
		}
		var id pdfsign.Identity
		if state == KeyMasterOnly || state == KeyProtected && oldPassphrase != "" {
			if id, err = openKey(ctx, tx, keys, communityID, body, oldPassphrase); err != nil {
				return err
			}
		} else {
			rekeyed = true
			if id, err = NewBodyIdentity(comm.Name, body); err != nil {
				return err
			}
		}
		der, err := x509.MarshalPKCS8PrivateKey(id.Key)
		if err != nil {
			return err
		}
		sealed, err := secret.SealWithPassphrase(passphrase, keyLabel(communityID, body, id.Certificate.Raw), der)
		if err != nil {
			return err
		}
		if rekeyed { // keys the other body's approvals wrapped for the lost key are of no use now
			if err := postgres.DeletePendingKeysFor(ctx, tx, communityID, body); err != nil {
				return err
			}
		}
		return postgres.InsertSigningKey(ctx, tx, postgres.SigningKey{
			CommunityID: communityID, Body: body, Certificate: id.Certificate.Raw,
			Salt: sealed.Salt, N: sealed.N, R: sealed.R, P: sealed.P, SealedKey: sealed.Box, SetBy: acct.ID})
	})
	return rekeyed, countTry(ctx, db, communityID, body, acct.ID, now, err)
}

// checkTries refuses a body that gave too many wrong passphrases lately.
func checkTries(ctx context.Context, q sqlx.QueryerContext, communityID int64, body string, now time.Time) error {
	failed, err := postgres.RecentFailedTries(ctx, q, communityID, body, now)
	if err != nil {
		return err
	}
	if failed >= postgres.SigningTries {
		return ErrTooManyTries
	}
	return nil
}

// countTry records a wrong passphrase (outside the transaction it rolled
// back) and returns err unchanged.
func countTry(ctx context.Context, db *postgres.DB, communityID int64, body string, accountID int64, now time.Time, err error) error {
	if errors.Is(err, ErrWrongPassphrase) {
		if rerr := postgres.RecordFailedTry(ctx, db, communityID, body, accountID, now); rerr != nil {
			return rerr
		}
	}
	return err
}

// wrapKey wraps a body's opened key for the other body's certificate.
func wrapKey(id pdfsign.Identity, for_ *x509.Certificate, label string) ([]byte, error) {
	pub, ok := for_.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("notice: cannot wrap a key for a %T certificate", for_.PublicKey)
	}
	der, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return nil, err
	}
	return secret.WrapFor(pub, label, der)
}

// unwrapKey opens the key a first approval wrapped for own.
func unwrapKey(own pdfsign.Identity, p postgres.PendingKey, label string) (pdfsign.Identity, error) {
	priv, ok := own.Key.(*rsa.PrivateKey)
	if !ok {
		return pdfsign.Identity{}, fmt.Errorf("notice: cannot unwrap with a %T key", own.Key)
	}
	der, err := secret.UnwrapWith(priv, label, p.WrappedKey)
	if err != nil {
		return pdfsign.Identity{}, err
	}
	return parseIdentity(p.Certificate, der)
}

// keyLabel binds a sealed signing key to its estate, body and certificate.
func keyLabel(communityID int64, body string, certDER []byte) string {
	sum := sha256.Sum256(certDER)
	return fmt.Sprintf("signing-key/%d/%s/%x", communityID, body, sum[:8])
}

// pendingLabel binds a wrapped key to its notice and the two certificates.
func pendingLabel(communityID, consultationID int64, body string, certDER, forDER []byte) string {
	a, b := sha256.Sum256(certDER), sha256.Sum256(forDER)
	return fmt.Sprintf("pending-key/%d/%d/%s/%x/%x", communityID, consultationID, body, a[:8], b[:8])
}
