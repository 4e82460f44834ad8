package notice

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"time"

	"gongjue/ledger"
	"gongjue/pdfsign"
	"gongjue/postgres"
	"gongjue/staff"
	"gongjue/tally"
)

// Verification is what the public verification page shows of a notice:
// everything a person holding the paper notice needs to trust it, each
// check made afresh from the stored bytes.
type Verification struct {
	NoticeID       string          `json:"notice_id"`
	ConsultationID int64           `json:"consultation"`
	Signed         bool            `json:"signed"`
	Result         *tally.Document `json:"-"`
	// ResultSHA256 is the hash of the stored result's bytes now;
	// SignedResultSHA256 the hash the signed PDF states. ResultIntact: they
	// agree with each other and with the hash recorded at closing.
	ResultSHA256       string `json:"result_sha256"`
	SignedResultSHA256 string `json:"signed_result_sha256,omitempty"`
	ResultIntact       bool   `json:"result_intact"`
	// PDFSHA256 is the hash of the signed PDF as served; PDFIntact: it is
	// the hash recorded at signing.
	PDFSHA256  string            `json:"pdf_sha256,omitempty"`
	PDFIntact  bool              `json:"pdf_intact"`
	Signatures []SignatureStatus `json:"signatures"`
	// Checkpoint is the ballot log's final checkpoint recorded with the
	// result; CheckpointValid: its note is signed by the estate's log key
	// and states the recorded size and root.
	Checkpoint      tally.Checkpoint `json:"checkpoint"`
	CheckpointValid bool             `json:"checkpoint_valid"`
	PeriodDays      int              `json:"period_days"`
	ObjectionDays   int              `json:"objection_days"`
	SignedAt        *time.Time       `json:"signed_at,omitempty"`
	PeriodEnd       *time.Time       `json:"period_end,omitempty"`
	ObjectionEnd    *time.Time       `json:"objection_end,omitempty"`
	// FinalAt is when the result becomes final (after the objection
	// period); Final: that time has come.
	FinalAt *time.Time `json:"final_at,omitempty"`
	Final   bool       `json:"final"`
	// Figures are every figure the notice prints, matter by matter.
	Figures    []MatterFigures      `json:"figures"`
	Objections []postgres.Objection `json:"objections"`
}

// SignatureStatus is one PDF signature as the verification page shows it.
type SignatureStatus struct {
	Body       string    `json:"body"` // the body expected at this position
	Name       string    `json:"name"` // the signer's certificate common name
	CertSHA256 string    `json:"cert_sha256"`
	SignedAt   time.Time `json:"signed_at"`
	Valid      bool      `json:"valid"`      // intact and verifying with the signer's key
	Expected   bool      `json:"expected"`   // made by the estate's identity for Body
	WholeFile  bool      `json:"whole_file"` // covers the whole file
	Problem    string    `json:"problem,omitempty"`
}

// OK reports whether every check passed: the notice is signed by both
// bodies in order with valid signatures, the last covering the whole file,
// the PDF and the result are as signed, and the checkpoint is genuine.
func (v *Verification) OK() bool {
	if !v.Signed || !v.ResultIntact || !v.PDFIntact || !v.CheckpointValid || len(v.Signatures) != 2 {
		return false
	}
	for _, s := range v.Signatures {
		if !s.Valid || !s.Expected {
			return false
		}
	}
	return v.Signatures[1].WholeFile
}

var signedResultHash = regexp.MustCompile(`result-sha256:([0-9a-f]{64})`)

// Verify checks the notice with a public notice id. An unknown id is
// postgres.ErrNotFound.
func Verify(ctx context.Context, db *postgres.DB, noticeID string, now time.Time) (*Verification, error) {
	n, err := postgres.NoticeByPublicID(ctx, db, noticeID)
	if err != nil {
		return nil, err
	}
	stored, err := postgres.GetResult(ctx, db, n.ConsultationID)
	if err != nil {
		return nil, err
	}
	doc, err := tally.Decode(stored.JSON)
	if err != nil {
		return nil, err
	}
	v := &Verification{
		NoticeID: n.ID, ConsultationID: n.ConsultationID, Signed: n.Signed(), Result: doc,
		ResultSHA256: tally.Hash(stored.JSON), Checkpoint: doc.Checkpoint, PeriodDays: n.PeriodDays,
		ObjectionDays: n.ObjectionDays, Signatures: []SignatureStatus{}, Figures: Figures(doc, false),
	}
	if v.Objections, err = postgres.Objections(ctx, db, n.CommunityID, n.ConsultationID); err != nil {
		return nil, err
	}
	v.CheckpointValid = checkpointValid(ctx, db, stored, doc)
	if !n.Signed() {
		v.ResultIntact = v.ResultSHA256 == hex.EncodeToString(stored.SHA256)
		return v, nil
	}
	signedAt := n.SignedAt.Time
	c := &Content{From: signedAt, PeriodDays: n.PeriodDays, ObjectionDays: n.ObjectionDays}
	end, final := c.PeriodEnd(), c.FinalAt()
	v.SignedAt, v.PeriodEnd, v.FinalAt, v.Final = &signedAt, &end, &final, !now.Before(final)
	if n.ObjectionDays > 0 {
		oe := c.ObjectionEnd()
		v.ObjectionEnd = &oe
	}
	pdf, err := postgres.SignedNoticePDF(ctx, db, n.ConsultationID)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(pdf)
	v.PDFSHA256 = hex.EncodeToString(sum[:])
	v.PDFIntact = bytes.Equal(sum[:], n.PDFSHA256)
	if m := signedResultHash.FindSubmatch(pdf); m != nil {
		v.SignedResultSHA256 = string(m[1])
	}
	v.ResultIntact = v.ResultSHA256 == v.SignedResultSHA256 &&
		v.ResultSHA256 == hex.EncodeToString(stored.SHA256) &&
		v.ResultSHA256 == hex.EncodeToString(n.ResultSHA256)
	sigs, err := pdfsign.Verify(pdf)
	if err != nil {
		v.Signatures = append(v.Signatures, SignatureStatus{Problem: err.Error()})
		return v, nil
	}
	bodies := []string{staff.BodyCommittee, staff.BodyResidents}
	for i, s := range sigs {
		st := SignatureStatus{SignedAt: s.SignedAt, Valid: s.Valid, WholeFile: s.WholeFile, Problem: s.Problem}
		if i < len(bodies) {
			st.Body = bodies[i]
		}
		if s.Signer != nil {
			st.Name = s.Signer.Subject.CommonName
			cs := sha256.Sum256(s.Signer.Raw)
			st.CertSHA256 = hex.EncodeToString(cs[:])
			if st.Body != "" {
				if st.Expected, err = postgres.IsBodyCertificate(ctx, db, n.CommunityID, st.Body, s.Signer.Raw); err != nil {
					return nil, err
				}
			}
		}
		v.Signatures = append(v.Signatures, st)
	}
	return v, nil
}

// checkpointValid checks the recorded final checkpoint: an empty log has
// no note; otherwise the note must be signed by the estate's log key and
// state the recorded size and root hash.
func checkpointValid(ctx context.Context, db *postgres.DB, stored postgres.StoredResult, doc *tally.Document) bool {
	cp := doc.Checkpoint
	if cp.Size != stored.CheckpointSize || !bytes.Equal(cp.Hash[:], stored.CheckpointHash) || cp.Note != stored.CheckpointNote {
		return false
	}
	if cp.Size == 0 {
		return cp.Note == ""
	}
	vkey, err := postgres.LogVerifierKey(ctx, db, stored.CommunityID)
	if err != nil {
		return false
	}
	c := ledger.Checkpoint{ConsultationID: stored.ConsultationID, Size: cp.Size, Hash: cp.Hash, Note: cp.Note}
	return c.Verify(vkey) == nil && (cp.VerifierKey == "" || cp.VerifierKey == vkey)
}
