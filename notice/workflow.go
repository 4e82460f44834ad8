package notice

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/pdfsign"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/tally"
)

// Errors of the approval workflow.
var (
	// ErrNotClosed: the consultation has no frozen result, so no notice.
	ErrNotClosed = errors.New("notice: the consultation is not closed yet")
	// ErrOtherMustApproveAgain: the body's new key (after a lost
	// passphrase) cannot open the key the other body's approval left, so
	// the other body approves again before this one can.
	ErrOtherMustApproveAgain = errors.New("notice: the other body must approve again (this body's key changed since)")
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
	ObjectionDays  int                 `json:"objection_days"`
	Approvals      []postgres.Approval `json:"approvals"`
	// Added reports whether the request added an approval; false when its
	// body had already approved (a body approving twice is one approval).
	Added     bool       `json:"added"`
	Signed    bool       `json:"signed"`
	SignedAt  *time.Time `json:"signed_at,omitempty"`
	PDFSHA256 string     `json:"pdf_sha256,omitempty"`
}

// Approve records the approval of a consultation's notice by acct, for the
// body its role names, opening the body's signing key with passphrase
// (DESIGN §7). The first approval wraps its key for the other body; the
// approval completing the pair opens that with its own key, renders the
// notice from the frozen result, has it signed by the owners' committee and
// then countersigned by the residents' committee (whatever order the
// approvals came in) with the posters alike, and stores it; the
// consultation becomes 'noticed' — all in one transaction. Without the
// right passphrase nothing is recorded. publicURL is what the QR code
// points at.
func Approve(ctx context.Context, db *postgres.DB, keys *secret.Keys, publicURL string, consultationID int64, acct staff.Account, passphrase string, now time.Time) (*Status, error) {
	body := acct.Role
	if body != staff.BodyCommittee && body != staff.BodyResidents {
		return nil, ErrNotABody
	}
	now = now.Round(time.Microsecond) // as PostgreSQL keeps it
	var st *Status
	var communityID int64
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
		communityID = n.CommunityID
		approvals, err := postgres.NoticeApprovals(ctx, tx, n.CommunityID, consultationID)
		if err != nil {
			return err
		}
		other := otherBody(body)
		repend := false // the body approved, but the other lost the key its approval was wrapped for
		if !n.Signed() && approvedBy(approvals, body) != nil && approvedBy(approvals, other) == nil {
			_, err := postgres.GetPendingKey(ctx, tx, n.CommunityID, consultationID, body)
			if repend = errors.Is(err, postgres.ErrNotFound); err != nil && !repend {
				return err
			}
		}
		if n.Signed() || approvedBy(approvals, body) != nil && !repend {
			st = status(n, approvals)
			return nil
		}
		if err := checkTries(ctx, tx, n.CommunityID, body, now); err != nil {
			return err
		}
		own, err := openKey(ctx, tx, keys, n.CommunityID, body, passphrase)
		if err != nil {
			return err
		}
		if approvedBy(approvals, other) == nil {
			if err := pendKey(ctx, tx, n, body, own); err != nil {
				return err
			}
		}
		added, err := postgres.AddApproval(ctx, tx, n.CommunityID, consultationID, body, acct.ID, now)
		if err != nil {
			return err
		}
		if approvals, err = postgres.NoticeApprovals(ctx, tx, n.CommunityID, consultationID); err != nil {
			return err
		}
		if len(approvals) == 2 {
			p, err := postgres.GetPendingKey(ctx, tx, n.CommunityID, consultationID, other)
			if errors.Is(err, postgres.ErrNotFound) {
				return ErrOtherMustApproveAgain
			}
			if err != nil {
				return err
			}
			first, err := unwrapKey(own, p, pendingLabel(n.CommunityID, consultationID, other, p.Certificate, own.Certificate.Raw))
			if err != nil {
				return fmt.Errorf("notice: the %s's approval was made for another key of the %s: %w", other, body, err)
			}
			ids := map[string]pdfsign.Identity{body: own, other: first}
			if n, err = signNotice(ctx, tx, publicURL, n, ids[staff.BodyCommittee], ids[staff.BodyResidents], approvals, now); err != nil {
				return err
			}
			if err := postgres.DeletePendingKeys(ctx, tx, n.CommunityID, consultationID); err != nil {
				return err
			}
		}
		st = status(n, approvals)
		st.Added = added
		return nil
	})
	return st, countTry(ctx, db, communityID, body, acct.ID, now, err)
}

// pendKey wraps the first approver's key for the other body's certificate.
func pendKey(ctx context.Context, tx *sqlx.Tx, n postgres.Notice, body string, own pdfsign.Identity) error {
	other := otherBody(body)
	cert, state, _, err := bodyCertificate(ctx, tx, n.CommunityID, other)
	if err != nil {
		return err
	}
	if state == KeyNone {
		return ErrOtherNoSigningKey
	}
	wrapped, err := wrapKey(own, cert, pendingLabel(n.CommunityID, n.ConsultationID, body, own.Certificate.Raw, cert.Raw))
	if err != nil {
		return err
	}
	return postgres.PutPendingKey(ctx, tx, n.CommunityID, n.ConsultationID,
		postgres.PendingKey{Body: body, WrappedKey: wrapped, Certificate: own.Certificate.Raw})
}

func otherBody(body string) string {
	if body == staff.BodyCommittee {
		return staff.BodyResidents
	}
	return staff.BodyCommittee
}

func approvedBy(approvals []postgres.Approval, body string) *postgres.Approval {
	for i := range approvals {
		if approvals[i].Body == body {
			return &approvals[i]
		}
	}
	return nil
}

// GetStatus returns where a consultation's notice stands.
func GetStatus(ctx context.Context, q sqlx.QueryerContext, consultationID int64) (*Status, error) {
	n, approvals, err := noticeWithApprovals(ctx, q, consultationID)
	if err != nil {
		return nil, err
	}
	return status(n, approvals), nil
}

// noticeWithApprovals returns a consultation's notice and its approvals
// so far; ErrNotClosed when it has no notice yet.
func noticeWithApprovals(ctx context.Context, q sqlx.QueryerContext, consultationID int64) (postgres.Notice, []postgres.Approval, error) {
	n, err := postgres.GetNotice(ctx, q, consultationID)
	if errors.Is(err, postgres.ErrNotFound) {
		return n, nil, ErrNotClosed
	}
	if err != nil {
		return n, nil, err
	}
	approvals, err := postgres.NoticeApprovals(ctx, q, n.CommunityID, consultationID)
	return n, approvals, err
}

func status(n postgres.Notice, approvals []postgres.Approval) *Status {
	if approvals == nil {
		approvals = []postgres.Approval{}
	}
	st := &Status{ConsultationID: n.ConsultationID, NoticeID: n.ID, PeriodDays: n.PeriodDays, ObjectionDays: n.ObjectionDays,
		Approvals: approvals, Signed: n.Signed()}
	if n.Signed() {
		t := n.SignedAt.Time
		st.SignedAt = &t
		st.PDFSHA256 = hex.EncodeToString(n.PDFSHA256)
	}
	return st
}

// signNotice renders and signs the notice n and its posters inside tx and
// stores them.
func signNotice(ctx context.Context, tx *sqlx.Tx, publicURL string, n postgres.Notice, committee, residents pdfsign.Identity, approvals []postgres.Approval, now time.Time) (postgres.Notice, error) {
	c, stored, err := NewContent(ctx, tx, publicURL, n, approvals, now)
	if err != nil {
		return n, err
	}
	c.Signatures[0].CertSHA256 = Fingerprint(committee.Certificate)
	c.Signatures[1].CertSHA256 = Fingerprint(residents.Certificate)
	location := c.Result.Consultation.Address
	unsigned, signed, err := RenderAndSign(c, committee, residents, location)
	if err != nil {
		return n, err
	}
	for _, layout := range postgres.PosterLayouts {
		c.Layout = layout
		_, poster, err := RenderAndSign(c, committee, residents, location)
		if err != nil {
			return n, err
		}
		if err := postgres.InsertPoster(ctx, tx, n.CommunityID, n.ConsultationID, layout, poster); err != nil {
			return n, err
		}
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

// NewContent gathers what notice n prints if it is signed at `at` after
// approvals: the frozen result, the periods, the rules of procedure, the
// signature blocks (their fingerprints from the bodies' current
// certificates; signing fills in the signers' own).
func NewContent(ctx context.Context, q sqlx.QueryerContext, publicURL string, n postgres.Notice, approvals []postgres.Approval, at time.Time) (*Content, postgres.StoredResult, error) {
	stored, err := postgres.GetResult(ctx, q, n.ConsultationID)
	if err != nil {
		return nil, stored, err
	}
	doc, err := tally.Decode(stored.JSON)
	if err != nil {
		return nil, stored, err
	}
	rules, err := postgres.GetNoticeRules(ctx, q, n.ConsultationID)
	if err != nil {
		return nil, stored, err
	}
	c := &Content{
		NoticeID:      n.ID,
		Result:        doc,
		ResultSHA256:  tally.Hash(stored.JSON),
		PeriodDays:    n.PeriodDays,
		ObjectionDays: n.ObjectionDays,
		From:          at,
		VerifyURL:     VerifyURL(publicURL, n.ID),
		Layout:        postgres.LayoutFull,
	}
	if c.Counting, err = (quorum.Procedure{Nonresponse: rules.Nonresponse, Spoiled: rules.Spoiled}).Normalized(); err != nil {
		return nil, stored, err
	}
	if rules.Version != nil {
		c.Procedure = &Procedure{Version: *rules.Version, SHA256: rules.SHA256}
	}
	for i, body := range []string{staff.BodyCommittee, staff.BodyResidents} {
		b := SignatureBlock{Body: BodyName(doc.Consultation.Community, body)}
		if a := approvedBy(approvals, body); a != nil {
			b.Signer, b.At = a.Username, a.ApprovedAt
		}
		cert, _, _, err := bodyCertificate(ctx, q, n.CommunityID, body)
		if err != nil {
			return nil, stored, err
		}
		if cert != nil {
			b.CertSHA256 = Fingerprint(cert)
		}
		c.Signatures[i] = b
	}
	return c, stored, nil
}

// Preview renders the notice as it would be signed now, unsigned and
// watermarked 草稿 / DRAFT, for the bodies to read before approving.
func Preview(ctx context.Context, q sqlx.QueryerContext, publicURL string, consultationID int64, layout string, now time.Time) ([]byte, error) {
	n, approvals, err := noticeWithApprovals(ctx, q, consultationID)
	if err != nil {
		return nil, err
	}
	c, _, err := NewContent(ctx, q, publicURL, n, approvals, now)
	if err != nil {
		return nil, err
	}
	c.Layout, c.Draft = layout, true
	return Render(c)
}

// VerifyURL is the public verification page of a notice.
func VerifyURL(publicURL, noticeID string) string {
	return publicURL + "/verify/" + noticeID
}

// RenderAndSign renders the notice and signs it: first the owners'
// committee, then the residents' committee's countersignature, each an
// incremental update. It returns the unsigned and the signed PDF.
func RenderAndSign(c *Content, committee, residents pdfsign.Identity, location string) (unsigned, signed []byte, err error) {
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
