package postgres

// What a result notice needs beyond its row: the frozen rules' notice and
// objection periods, the bodies' passphrase-sealed signing keys and their
// tries, keys pending between the two approvals, the lobby posters and the
// objections (DESIGN §3.6, §7).

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/quorum"
)

// NoticeRules are the parts of a consultation's frozen rules of procedure
// that its notice prints. Version and SHA256 are nil without a registered
// version.
type NoticeRules struct {
	NoticeDays    int                  `db:"notice_days"`
	ObjectionDays int                  `db:"objection_days"`
	Nonresponse   quorum.Nonresponse   `db:"nonresponse"`
	Spoiled       quorum.SpoiledPolicy `db:"spoiled"`
	Version       *int                 `db:"procedure_version"`
	SHA256        []byte               `db:"procedure_sha256"`
}

// GetNoticeRules reads a consultation's notice_days, objection_days,
// nonresponse and spoiled from its frozen procedure_settings (DESIGN §3.6
// defaults: 7, 0, none, abstain), and the version and hash of the rules
// they came from.
func GetNoticeRules(ctx context.Context, q sqlx.QueryerContext, consultationID int64) (NoticeRules, error) {
	var r NoticeRules
	err := sqlx.GetContext(ctx, q, &r, `
		SELECT COALESCE((procedure_settings->>'notice_days')::int, $2) AS notice_days,
		       COALESCE((procedure_settings->>'objection_days')::int, 0) AS objection_days,
		       COALESCE(procedure_settings->>'nonresponse', 'none') AS nonresponse,
		       COALESCE(procedure_settings->>'spoiled', 'abstain') AS spoiled,
		       procedure_version, procedure_sha256
		FROM consultations WHERE id = $1`, consultationID, DefaultNoticePeriod)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return r, err
}

// SigningKey is a body's signing key sealed under its passphrase (scrypt
// parameters and AES-GCM box, secret.PassphraseSealed) with its
// certificate (DER).
type SigningKey struct {
	CommunityID int64     `db:"community_id"`
	Body        string    `db:"body"`
	ID          int64     `db:"id"`
	Certificate []byte    `db:"certificate"`
	Salt        []byte    `db:"scrypt_salt"`
	N           int       `db:"scrypt_n"`
	R           int       `db:"scrypt_r"`
	P           int       `db:"scrypt_p"`
	SealedKey   []byte    `db:"sealed_key"`
	SetBy       int64     `db:"set_by"`
	CreatedAt   time.Time `db:"created_at"`
}

// LatestSigningKey returns a body's newest passphrase-sealed key,
// ErrNotFound before the body has set a passphrase.
func LatestSigningKey(ctx context.Context, q sqlx.QueryerContext, communityID int64, body string) (SigningKey, error) {
	var k SigningKey
	err := sqlx.GetContext(ctx, q, &k, `
		SELECT community_id, body, id, certificate, scrypt_salt, scrypt_n, scrypt_r, scrypt_p, sealed_key, set_by, created_at
		FROM signing_keys WHERE community_id = $1 AND body = $2 ORDER BY id DESC LIMIT 1`, communityID, body)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return k, err
}

// InsertSigningKey adds a body's newest passphrase-sealed key and erases
// the master-sealed copy of its older key, if any, so the master key opens
// it no more.
func InsertSigningKey(ctx context.Context, tx *sqlx.Tx, k SigningKey) error {
	sum := sha256.Sum256(k.Certificate)
	_, err := tx.ExecContext(ctx, `
		INSERT INTO signing_keys (community_id, body, certificate, cert_sha256, scrypt_salt, scrypt_n, scrypt_r, scrypt_p, sealed_key, set_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		k.CommunityID, k.Body, k.Certificate, sum[:], k.Salt, k.N, k.R, k.P, k.SealedKey, k.SetBy)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE signing_identities SET sealed_key = NULL
		WHERE community_id = $1 AND body = $2 AND sealed_key IS NOT NULL`, k.CommunityID, k.Body)
	return err
}

// IsBodyCertificate reports whether der is a certificate the body has
// signed with in the estate, under the master key or a passphrase.
func IsBodyCertificate(ctx context.Context, q sqlx.QueryerContext, communityID int64, body string, der []byte) (bool, error) {
	var ok bool
	sum := sha256.Sum256(der)
	err := sqlx.GetContext(ctx, q, &ok, `
		SELECT EXISTS (SELECT FROM signing_identities WHERE community_id = $1 AND body = $2 AND cert_sha256 = $3)
		    OR EXISTS (SELECT FROM signing_keys WHERE community_id = $1 AND body = $2 AND cert_sha256 = $3)`,
		communityID, body, sum[:])
	return ok, err
}

// SigningTries is how many wrong passphrases a body may give within
// SigningTriesWindow before it is refused until the window has passed.
const (
	SigningTries       = 5
	SigningTriesWindow = 15 * time.Minute
)

// RecentFailedTries counts a body's wrong passphrases in the window
// before now.
func RecentFailedTries(ctx context.Context, q sqlx.QueryerContext, communityID int64, body string, now time.Time) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `
		SELECT count(*) FROM signing_failures WHERE community_id = $1 AND body = $2 AND at > $3`,
		communityID, body, now.Add(-SigningTriesWindow))
	return n, err
}

// RecordFailedTry records a wrong passphrase; call it outside the
// transaction the failure rolls back, so that it is counted.
func RecordFailedTry(ctx context.Context, q sqlx.ExecerContext, communityID int64, body string, accountID int64, now time.Time) error {
	_, err := q.ExecContext(ctx, `
		INSERT INTO signing_failures (community_id, body, account_id, at) VALUES ($1, $2, $3, $4)`,
		communityID, body, accountID, now)
	return err
}

// PendingKey is a first approver's signing key wrapped for the other body.
type PendingKey struct {
	Body        string `db:"body"`
	WrappedKey  []byte `db:"wrapped_key"`
	Certificate []byte `db:"certificate"` // the approving body's certificate
}

// PutPendingKey stores the key a body's approval wraps for the other body.
func PutPendingKey(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, k PendingKey) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO notice_pending_keys (community_id, consultation_id, body, wrapped_key, certificate)
		VALUES ($1, $2, $3, $4, $5)`, communityID, consultationID, k.Body, k.WrappedKey, k.Certificate)
	return err
}

// GetPendingKey returns the key body's approval left, ErrNotFound if none.
func GetPendingKey(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, body string) (PendingKey, error) {
	var k PendingKey
	err := sqlx.GetContext(ctx, q, &k, `
		SELECT body, wrapped_key, certificate FROM notice_pending_keys
		WHERE community_id = $1 AND consultation_id = $2 AND body = $3`, communityID, consultationID, body)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return k, err
}

// DeletePendingKeys removes a notice's pending keys once it is signed.
func DeletePendingKeys(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64) error {
	_, err := tx.ExecContext(ctx, `
		DELETE FROM notice_pending_keys WHERE community_id = $1 AND consultation_id = $2`, communityID, consultationID)
	return err
}

// DeletePendingKeysFor removes the keys other bodies' approvals wrapped
// for body, when body gets a new key and cannot open them.
func DeletePendingKeysFor(ctx context.Context, tx *sqlx.Tx, communityID int64, body string) error {
	_, err := tx.ExecContext(ctx, `
		DELETE FROM notice_pending_keys WHERE community_id = $1 AND body <> $2`, communityID, body)
	return err
}

// The layouts of a notice: the full notice and the one-page posters.
const (
	LayoutFull     = "full"
	LayoutA4Poster = "a4-poster"
	LayoutA3Poster = "a3-poster"
)

// PosterLayouts are the poster layouts stored with every signed notice.
var PosterLayouts = []string{LayoutA4Poster, LayoutA3Poster}

// InsertPoster stores a signed poster of a notice.
func InsertPoster(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, layout string, signedPDF []byte) error {
	sum := sha256.Sum256(signedPDF)
	_, err := tx.ExecContext(ctx, `
		INSERT INTO notice_posters (community_id, consultation_id, layout, signed_pdf, pdf_sha256)
		VALUES ($1, $2, $3, $4, $5)`, communityID, consultationID, layout, signedPDF, sum[:])
	return err
}

// SignedPosterPDF returns a signed poster, ErrNotFound while the notice is
// unsigned.
func SignedPosterPDF(ctx context.Context, q sqlx.QueryerContext, consultationID int64, layout string) ([]byte, error) {
	var pdf []byte
	err := sqlx.GetContext(ctx, q, &pdf, `
		SELECT signed_pdf FROM notice_posters WHERE consultation_id = $1 AND layout = $2`, consultationID, layout)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return pdf, err
}

// Objection is an objection to a notice (异议) as the committee recorded it.
type Objection struct {
	ID         int64     `db:"id" json:"id"`
	RaisedBy   string    `db:"raised_by" json:"raised_by"`
	RaisedAt   time.Time `db:"raised_at" json:"raised_at"`
	Content    string    `db:"content" json:"content"`
	RecordedBy string    `db:"recorded_by" json:"recorded_by"` // the account's username
	RecordedAt time.Time `db:"recorded_at" json:"recorded_at"`
}

// InsertObjection records an objection and returns its id.
func InsertObjection(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, raisedBy string, raisedAt time.Time, content string, accountID int64) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `
		INSERT INTO notice_objections (community_id, consultation_id, raised_by, raised_at, content, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, communityID, consultationID, raisedBy, raisedAt, content, accountID)
	return id, err
}

// Objections lists a notice's objections in the order recorded.
func Objections(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]Objection, error) {
	os := []Objection{}
	err := sqlx.SelectContext(ctx, q, &os, `
		SELECT o.id, o.raised_by, o.raised_at, o.content, a.username AS recorded_by, o.recorded_at
		FROM notice_objections o JOIN accounts a ON a.id = o.recorded_by
		WHERE o.community_id = $1 AND o.consultation_id = $2 ORDER BY o.id`, communityID, consultationID)
	return os, err
}
