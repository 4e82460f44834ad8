package postgres

// Result notices (公示, DESIGN §7): the notice of a frozen result, its two
// approvals, its signed PDF, and the estates' signing identities.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/internal/crockford"
)

// Notice is a result notice. Until it is signed, SignedAt is NULL and the
// PDF is absent.
type Notice struct {
	CommunityID    int64        `db:"community_id"`
	ConsultationID int64        `db:"consultation_id"`
	ID             string       `db:"id"`             // the public notice id of /verify/{id}
	PeriodDays     int          `db:"period_days"`    // 公示期
	ObjectionDays  int          `db:"objection_days"` // 异议期; 0: none
	CreatedAt      time.Time    `db:"created_at"`
	ResultSHA256   []byte       `db:"result_sha256"`
	UnsignedSHA256 []byte       `db:"unsigned_sha256"`
	PDFSHA256      []byte       `db:"pdf_sha256"`
	SignedAt       sql.NullTime `db:"signed_at"`
}

// Signed reports whether the notice carries both signatures.
func (n *Notice) Signed() bool { return n.SignedAt.Valid }

// DefaultNoticePeriod is the notice period (公示期) in days unless the
// rules of procedure or the committee closing set another (DESIGN §3.6).
const DefaultNoticePeriod = 7

// NoticeNumberLen is the length of a notice number without dashes: 8
// random characters and a check character.
const NoticeNumberLen = 9

// FormatNoticeNumber writes a notice number as people read it,
// XXXX-XXXX-C; older long ids are written as they are.
func FormatNoticeNumber(id string) string {
	if len(id) != NoticeNumberLen {
		return id
	}
	return crockford.Group(id)
}

// noticeKey is the stored id that text a person typed names: a notice
// number, forgiving case, dashes and look-alike letters, when its check
// character holds; otherwise the text itself (an older long id).
func noticeKey(s string) string {
	code, err := crockford.Normalize(s, NoticeNumberLen)
	if err == nil && len(code) == NoticeNumberLen && crockford.Check(code[:8]) == code[8] {
		return code
	}
	return s
}

// CreateNotice adds the notice of a just frozen result with a fresh notice
// number, and returns the number. periodDays 0 takes the 公示期 of the
// consultation's frozen rules; the 异议期 always comes from them.
func CreateNotice(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, periodDays int) (string, error) {
	rules, err := GetNoticeRules(ctx, tx, consultationID)
	if err != nil {
		return "", err
	}
	if periodDays == 0 {
		periodDays = rules.NoticeDays
	}
	code := crockford.Random(8)
	id := code + string(crockford.Check(code))
	_, err = tx.ExecContext(ctx, `
		INSERT INTO notices (community_id, consultation_id, id, period_days, objection_days) VALUES ($1, $2, $3, $4, $5)`,
		communityID, consultationID, id, periodDays, rules.ObjectionDays)
	return id, err
}

const noticeColumns = `community_id, consultation_id, id, period_days, objection_days, created_at, result_sha256,
	unsigned_sha256, pdf_sha256, signed_at`

// GetNotice returns the notice of a consultation, ErrNotFound before it
// is closed.
func GetNotice(ctx context.Context, q sqlx.QueryerContext, consultationID int64) (Notice, error) {
	return oneNotice(ctx, q, `WHERE consultation_id = $1`, consultationID)
}

// LockNotice returns the notice of a consultation, locking its row for the
// rest of tx so approvals of one notice take turns.
func LockNotice(ctx context.Context, tx *sqlx.Tx, consultationID int64) (Notice, error) {
	return oneNotice(ctx, tx, `WHERE consultation_id = $1 FOR UPDATE`, consultationID)
}

// NoticeByPublicID returns the notice with a public notice id as a person
// typed it (see noticeKey).
func NoticeByPublicID(ctx context.Context, q sqlx.QueryerContext, id string) (Notice, error) {
	return oneNotice(ctx, q, `WHERE id = $1`, noticeKey(id))
}

func oneNotice(ctx context.Context, q sqlx.QueryerContext, where string, arg any) (Notice, error) {
	var n Notice
	err := sqlx.GetContext(ctx, q, &n, `SELECT `+noticeColumns+` FROM notices `+where, arg)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return n, err
}

// SignedNoticePDF returns the signed PDF of a consultation's notice,
// ErrNotFound while it is unsigned.
func SignedNoticePDF(ctx context.Context, q sqlx.QueryerContext, consultationID int64) ([]byte, error) {
	var pdf []byte
	err := sqlx.GetContext(ctx, q, &pdf, `
		SELECT signed_pdf FROM notices WHERE consultation_id = $1 AND signed_pdf IS NOT NULL`, consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return pdf, err
}

// StoreSignedNotice records the signed PDF of a notice and moves the
// consultation to 'noticed'; the notice row is frozen from then on.
func StoreSignedNotice(ctx context.Context, tx *sqlx.Tx, n Notice, signedPDF []byte) error {
	sum := sha256.Sum256(signedPDF)
	res, err := tx.ExecContext(ctx, `
		UPDATE notices SET result_sha256 = $3, unsigned_sha256 = $4, signed_pdf = $5, pdf_sha256 = $6, signed_at = $7
		WHERE community_id = $1 AND consultation_id = $2 AND signed_at IS NULL`,
		n.CommunityID, n.ConsultationID, n.ResultSHA256, n.UnsignedSHA256, signedPDF, sum[:], n.SignedAt)
	if err != nil {
		return err
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return errors.New("notice is already signed")
	}
	_, err = tx.ExecContext(ctx, `
		UPDATE consultations SET state = 'noticed' WHERE community_id = $1 AND id = $2 AND state = 'closed'`,
		n.CommunityID, n.ConsultationID)
	return err
}

// Approval is one body's approval of a notice.
type Approval struct {
	Body       string    `db:"body" json:"body"`
	AccountID  int64     `db:"account_id" json:"account_id"`
	Username   string    `db:"username" json:"username"`
	ApprovedAt time.Time `db:"approved_at" json:"approved_at"`
}

// AddApproval records body's approval by an account. A body that already
// approved keeps its first approval; added is then false.
func AddApproval(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, body string, accountID int64, at time.Time) (added bool, err error) {
	res, err := tx.ExecContext(ctx, `
		INSERT INTO notice_approvals (community_id, consultation_id, body, account_id, approved_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id, consultation_id, body) DO NOTHING`,
		communityID, consultationID, body, accountID, at)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// NoticeApprovals lists the approvals of a consultation's notice, the
// committee's first.
func NoticeApprovals(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]Approval, error) {
	var as []Approval
	err := sqlx.SelectContext(ctx, q, &as, `
		SELECT p.body, p.account_id, a.username, p.approved_at
		FROM notice_approvals p JOIN accounts a ON a.id = p.account_id
		WHERE p.community_id = $1 AND p.consultation_id = $2
		ORDER BY p.body = 'committee' DESC, p.approved_at`, communityID, consultationID)
	return as, err
}

// SigningIdentity is a body's stored signing identity: its private key
// sealed with secret.Keys.Seal and its certificate (DER).
type SigningIdentity struct {
	CommunityID int64     `db:"community_id"`
	Body        string    `db:"body"`
	SealedKey   []byte    `db:"sealed_key"`
	Certificate []byte    `db:"certificate"`
	CreatedAt   time.Time `db:"created_at"`
}

// GetSigningIdentity returns a body's signing identity in an estate,
// ErrNotFound before one is made.
func GetSigningIdentity(ctx context.Context, q sqlx.QueryerContext, communityID int64, body string) (SigningIdentity, error) {
	var id SigningIdentity
	err := sqlx.GetContext(ctx, q, &id, `
		SELECT community_id, body, sealed_key, certificate, created_at FROM signing_identities
		WHERE community_id = $1 AND body = $2`, communityID, body)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return id, err
}

// InsertSigningIdentity stores a body's signing identity unless the body
// already has one, in which case the stored one stays (read it back).
func InsertSigningIdentity(ctx context.Context, q sqlx.ExecerContext, id SigningIdentity) error {
	sum := sha256.Sum256(id.Certificate)
	_, err := q.ExecContext(ctx, `
		INSERT INTO signing_identities (community_id, body, sealed_key, certificate, cert_sha256)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id, body) DO NOTHING`,
		id.CommunityID, id.Body, id.SealedKey, id.Certificate, sum[:])
	return err
}
