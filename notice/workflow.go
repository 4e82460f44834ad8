package notice

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/pdfsign"
	"gongjue/postgres"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/tally"
)

// Errors of the approval workflow.
var (
	// ErrNotClosed: the consultation has no frozen result, so no notice.
	ErrNotClosed = errors.New("notice: the consultation is not closed yet")
	// ErrNotABody: only committee and residents' committee accounts approve.
	ErrNotABody = errors.New("notice: only the owners' committee and the residents' committee approve notices")
)

// CertificateValidity is how long a body's signing certificate is valid.
const CertificateValidity = 10 * 365 * 24 * time.Hour

// Status is where a notice stands in the approval workflow.
type Status struct {
	ConsultationID int64               `json:"consultation"`
	NoticeID       string              `json:"notice_id"`
	PeriodDays     int                 `json:"period_days"`
	Approvals      []postgres.Approval `json:"approvals"`
	// Added reports whether the request added an approval; false when its
	// body had already approved (a body approving twice is one approval).
	Added     bool       `json:"added"`
	Signed    bool       `json:"signed"`
	SignedAt  *time.Time `json:"signed_at,omitempty"`
	PDFSHA256 string     `json:"pdf_sha256,omitempty"`
}

// Approve records the approval of a consultation's notice by acct, for the
// body its role names. When this completes the two approvals the notice is
// rendered from the frozen result, signed by the owners' committee and then
// countersigned by the residents' committee (whatever order the approvals
// came in), stored, and the consultation becomes 'noticed' — all in one
// transaction. publicURL is what the QR code points at.
func Approve(ctx context.Context, db *postgres.DB, keys *secret.Keys, publicURL string, consultationID int64, acct staff.Account, now time.Time) (*Status, error) {
	body := acct.Role
	if body != staff.BodyCommittee && body != staff.BodyResidents {
		return nil, ErrNotABody
	}
	now = now.Round(time.Microsecond) // as PostgreSQL keeps it
	var st *Status
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		n, err := postgres.LockNotice(ctx, tx, consultationID)
		if errors.Is(err, postgres.ErrNotFound) {
			return ErrNotClosed
		}
		if err != nil {
			return err
		}
		if !acct.InCommunity(n.CommunityID) {
			return postgres.ErrNotFound
		}
		added := false
		if !n.Signed() {
			if added, err = postgres.AddApproval(ctx, tx, n.CommunityID, consultationID, body, acct.ID, now); err != nil {
				return err
			}
		}
		approvals, err := postgres.NoticeApprovals(ctx, tx, n.CommunityID, consultationID)
		if err != nil {
			return err
		}
		if !n.Signed() && len(approvals) == 2 {
			if n, err = signNotice(ctx, tx, keys, publicURL, n, now); err != nil {
				return err
			}
		}
		st = status(n, approvals)
		st.Added = added
		return nil
	})
	return st, err
}

// GetStatus returns where a consultation's notice stands.
func GetStatus(ctx context.Context, q sqlx.QueryerContext, consultationID int64) (*Status, error) {
	n, err := postgres.GetNotice(ctx, q, consultationID)
	if errors.Is(err, postgres.ErrNotFound) {
		return nil, ErrNotClosed
	}
	if err != nil {
		return nil, err
	}
	approvals, err := postgres.NoticeApprovals(ctx, q, n.CommunityID, consultationID)
	if err != nil {
		return nil, err
	}
	return status(n, approvals), nil
}

func status(n postgres.Notice, approvals []postgres.Approval) *Status {
	if approvals == nil {
		approvals = []postgres.Approval{}
	}
	st := &Status{ConsultationID: n.ConsultationID, NoticeID: n.ID, PeriodDays: n.PeriodDays, Approvals: approvals, Signed: n.Signed()}
	if n.Signed() {
		t := n.SignedAt.Time
		st.SignedAt = &t
		st.PDFSHA256 = hex.EncodeToString(n.PDFSHA256)
	}
	return st
}

// signNotice renders and signs the notice n inside tx and stores it.
func signNotice(ctx context.Context, tx *sqlx.Tx, keys *secret.Keys, publicURL string, n postgres.Notice, now time.Time) (postgres.Notice, error) {
	stored, err := postgres.GetResult(ctx, tx, n.ConsultationID)
	if err != nil {
		return n, err
	}
	doc, err := tally.Decode(stored.JSON)
	if err != nil {
		return n, err
	}
	community := doc.Consultation.Community
	committee, err := Identity(ctx, tx, keys, n.CommunityID, staff.BodyCommittee, community)
	if err != nil {
		return n, err
	}
	residents, err := Identity(ctx, tx, keys, n.CommunityID, staff.BodyResidents, community)
	if err != nil {
		return n, err
	}
	c := &Content{
		NoticeID:     n.ID,
		Result:       doc,
		ResultSHA256: tally.Hash(stored.JSON),
		PeriodDays:   n.PeriodDays,
		From:         now,
		VerifyURL:    VerifyURL(publicURL, n.ID),
	}
	unsigned, signed, err := RenderAndSign(c, committee, residents, doc.Consultation.Address)
	if err != nil {
		return n, err
	}
	us := sha256.Sum256(unsigned)
	n.ResultSHA256 = stored.SHA256
	n.UnsignedSHA256 = us[:]
	n.SignedAt.Time, n.SignedAt.Valid = now, true
	if err := postgres.StoreSignedNotice(ctx, tx, n, signed); err != nil {
		return n, err
	}
	ps := sha256.Sum256(signed)
	n.PDFSHA256 = ps[:]
	return n, nil
}

// VerifyURL is the public verification page of a notice.
func VerifyURL(publicURL, noticeID string) string {
	return publicURL + "/verify/" + noticeID
}

// RenderAndSign renders the notice and signs it: first the owners'
// committee, then the residents' committee's countersignature, each an
// incremental update. The signers' names on the notice are taken from
// their certificates. It returns the unsigned and the signed PDF.
func RenderAndSign(c *Content, committee, residents pdfsign.Identity, location string) (unsigned, signed []byte, err error) {
	c.Signers = [2]string{committee.Certificate.Subject.CommonName, residents.Certificate.Subject.CommonName}
	unsigned, err = Render(c)
	if err != nil {
		return nil, nil, fmt.Errorf("notice: rendering: %w", err)
	}
	signed, err = pdfsign.Sign(unsigned, committee, pdfsign.Info{Reason: "业主委员会审核通过 / approved by the owners' committee", Location: location})
	if err != nil {
		return nil, nil, fmt.Errorf("notice: committee signature: %w", err)
	}
	signed, err = pdfsign.Sign(signed, residents, pdfsign.Info{Reason: "居民委员会会签 / countersigned by the residents' committee", Location: location})
	if err != nil {
		return nil, nil, fmt.Errorf("notice: residents' committee signature: %w", err)
	}
	return unsigned, signed, nil
}

// BodyName is the name a body signs with in an estate.
func BodyName(community, body string) string {
	if body == staff.BodyResidents {
		return community + "居民委员会"
	}
	return community + "业主委员会"
}

// Identity returns a body's signing identity in an estate, making it on
// first use: an RSA key and a self-signed certificate named after the body
// (pdfsign.NewIdentity), the private key sealed under the master key.
func Identity(ctx context.Context, q sqlx.ExtContext, keys *secret.Keys, communityID int64, body, community string) (pdfsign.Identity, error) {
	stored, err := postgres.GetSigningIdentity(ctx, q, communityID, body)
	if errors.Is(err, postgres.ErrNotFound) {
		id, err := pdfsign.NewIdentity(BodyName(community, body), community, CertificateValidity)
		if err != nil {
			return pdfsign.Identity{}, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(id.Key)
		if err != nil {
			return pdfsign.Identity{}, err
		}
		sealed, err := keys.Seal(keyLabel(communityID, body, id.Certificate.Raw), der)
		if err != nil {
			return pdfsign.Identity{}, err
		}
		err = postgres.InsertSigningIdentity(ctx, q, postgres.SigningIdentity{
			CommunityID: communityID, Body: body, SealedKey: sealed, Certificate: id.Certificate.Raw})
		if err != nil {
			return pdfsign.Identity{}, err
		}
		stored, err = postgres.GetSigningIdentity(ctx, q, communityID, body) // a concurrent first use may have won
		if err != nil {
			return pdfsign.Identity{}, err
		}
	} else if err != nil {
		return pdfsign.Identity{}, err
	}
	cert, err := x509.ParseCertificate(stored.Certificate)
	if err != nil {
		return pdfsign.Identity{}, fmt.Errorf("notice: certificate of %s in estate %d: %w", body, communityID, err)
	}
	der, err := keys.Open(keyLabel(communityID, body, stored.Certificate), stored.SealedKey)
	if err != nil {
		return pdfsign.Identity{}, fmt.Errorf("notice: signing key of %s in estate %d: %w", body, communityID, err)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return pdfsign.Identity{}, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return pdfsign.Identity{}, fmt.Errorf("notice: signing key of %s in estate %d has type %T", body, communityID, key)
	}
	id := pdfsign.Identity{Certificate: cert, Key: signer}
	return id, nil
}

// keyLabel binds a sealed signing key to its estate, body and certificate.
func keyLabel(communityID int64, body string, certDER []byte) string {
	sum := sha256.Sum256(certDER)
	return fmt.Sprintf("signing-key/%d/%s/%x", communityID, body, sum[:8])
}
