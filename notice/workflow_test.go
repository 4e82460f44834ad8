package notice

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/tally"
)

func init() { postgres.PasswordCost = bcrypt.MinCost }

// closedEstate is an estate with a closed consultation whose result (the
// sample document) is frozen, and an account of each approving role.
type closedEstate struct {
	db             *postgres.DB
	keys           *secret.Keys
	communityID    int64
	consultationID int64
	committee      staff.Account
	committee2     staff.Account
	residents      staff.Account
	resultJSON     []byte
	passphrases    map[string]string // by body
}

func newClosedEstate(t *testing.T) *closedEstate {
	t.Helper()
	return newClosedEstateWith(t, "")
}

// newClosedEstateWith freezes the consultation's rules of procedure as
// settings (§3.6 JSON; empty: none registered) before it closes.
func newClosedEstateWith(t *testing.T, settings string) *closedEstate {
	t.Helper()
	ctx := context.Background()
	db, _ := pgtest.New(t)
	e := &closedEstate{db: db, keys: &secret.Keys{}, passphrases: map[string]string{
		staff.BodyCommittee: "业委会签名口令2025", staff.BodyResidents: "居委会 correct horse"}}
	e.keys.Master[0] = 7
	var err error
	if e.communityID, err = postgres.CreateCommunity(ctx, db, "幸福花园", "上海市浦东新区幸福路1号"); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		acct       *staff.Account
		name, role string
	}{{&e.committee, "wy1", staff.RoleCommittee}, {&e.committee2, "wy2", staff.RoleCommittee}, {&e.residents, "jw", staff.RoleResidentsCommittee}} {
		id, err := postgres.CreateAccount(ctx, db, a.name, "password123", a.role, &e.communityID)
		if err != nil {
			t.Fatal(err)
		}
		*a.acct = staff.Account{ID: id, CommunityID: &e.communityID, Username: a.name, Role: a.role}
	}
	closedAt := time.Date(2025, 3, 15, 9, 0, 0, 0, time.UTC)
	err = db.GetContext(ctx, &e.consultationID, `
		INSERT INTO consultations (community_id, title, opens_at, closes_at, state, closed_at)
		VALUES ($1, '加装电梯及续聘物业', $2, $3, 'closed', $3) RETURNING id`,
		e.communityID, closedAt.AddDate(0, 0, -14), closedAt)
	if err != nil {
		t.Fatal(err)
	}
	if settings != "" {
		if _, err := db.Exec(`INSERT INTO procedures (community_id, version, state, settings, original_sha256, content_type, created_by, activated_by, activated_at)
			VALUES ($1, 3, 'active', $2, sha256('rules'::bytea), 'application/pdf', $3, $3, now())`, e.communityID, settings, e.committee.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE consultations SET procedure_settings = $2, procedure_defaulted = '{}', procedure_version = 3, procedure_sha256 = sha256('rules'::bytea) WHERE id = $1`,
			e.consultationID, settings); err != nil {
			t.Fatal(err)
		}
	}
	doc := sampleDocument(t)
	doc.Consultation.ID, doc.Consultation.CommunityID = e.consultationID, e.communityID
	doc.Checkpoint = tally.Checkpoint{} // an empty log: nothing to verify against
	if e.resultJSON, err = doc.Encode(); err != nil {
		t.Fatal(err)
	}
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		err := postgres.InsertResult(ctx, tx, postgres.StoredResult{
			CommunityID: e.communityID, ConsultationID: e.consultationID, JSON: e.resultJSON,
			SHA256: sha(e.resultJSON), ClosedAt: closedAt, CheckpointHash: make([]byte, 32),
		})
		if err != nil {
			return err
		}
		_, err = postgres.CreateNotice(ctx, tx, e.communityID, e.consultationID, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// setPassphrases has each body seal its signing key under its passphrase.
func (e *closedEstate) setPassphrases(t *testing.T) {
	t.Helper()
	for _, acct := range []staff.Account{e.committee, e.residents} {
		if _, err := SetPassphrase(context.Background(), e.db, e.keys, e.communityID, acct, e.passphrases[acct.Role], "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func sha(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func (e *closedEstate) approve(t *testing.T, acct staff.Account) *Status {
	t.Helper()
	st, err := Approve(context.Background(), e.db, e.keys, "http://gongjue.test", e.consultationID, acct, e.passphrases[acct.Role], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOneApprovalDoesNotSign(t *testing.T) {
	e := newClosedEstate(t)
	e.setPassphrases(t)
	ctx := context.Background()
	st := e.approve(t, e.committee)
	if !st.Added || st.Signed || len(st.Approvals) != 1 {
		t.Fatalf("first approval: %+v", st)
	}
	// The same body again — the same account or another of the body's —
	// is the same approval.
	for _, acct := range []staff.Account{e.committee, e.committee2} {
		st = e.approve(t, acct)
		if st.Added || st.Signed || len(st.Approvals) != 1 || st.Approvals[0].AccountID != e.committee.ID {
			t.Fatalf("second committee approval by %s: %+v", acct.Username, st)
		}
	}
	if _, err := postgres.SignedNoticePDF(ctx, e.db, e.consultationID); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("PDF with one approval: err = %v, want ErrNotFound", err)
	}
	var state string
	e.db.Get(&state, `SELECT state FROM consultations WHERE id = $1`, e.consultationID)
	if state != "closed" {
		t.Errorf("state = %s, want closed", state)
	}
	v, err := Verify(ctx, e.db, st.NoticeID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if v.Signed || v.OK() {
		t.Errorf("unsigned notice verifies: %+v", v)
	}
}

func TestTwoApprovalsSignInOrder(t *testing.T) {
	e := newClosedEstate(t)
	e.setPassphrases(t)
	ctx := context.Background()
	// The residents' committee approves first; the committee still signs first.
	if st := e.approve(t, e.residents); st.Signed {
		t.Fatal("signed after one approval")
	}
	st := e.approve(t, e.committee)
	if !st.Signed || len(st.Approvals) != 2 || st.Approvals[0].Body != staff.BodyCommittee {
		t.Fatalf("after both approvals: %+v", st)
	}
	if again := e.approve(t, e.residents); again.Added || !again.Signed || again.PDFSHA256 != st.PDFSHA256 {
		t.Fatalf("approving a signed notice again: %+v", again)
	}
	pdf, err := postgres.SignedNoticePDF(ctx, e.db, e.consultationID)
	if err != nil {
		t.Fatal(err)
	}
	var state string
	e.db.Get(&state, `SELECT state FROM consultations WHERE id = $1`, e.consultationID)
	if state != "noticed" {
		t.Errorf("state = %s, want noticed", state)
	}

	sigs := pdfsig(t, pdf)
	if len(sigs) != 2 {
		t.Fatalf("pdfsig found %d signatures, want 2:\n%s", len(sigs), strings.Join(sigs, "\n---\n"))
	}
	for i, want := range []string{"幸福花园业主委员会", "幸福花园居民委员会"} {
		if !strings.Contains(sigs[i], "Signature is Valid") || !strings.Contains(sigs[i], want) {
			t.Errorf("signature %d: want a valid signature by %s:\n%s", i+1, want, sigs[i])
		}
	}
	if !strings.Contains(sigs[1], "Total document signed") {
		t.Errorf("the last signature does not cover the whole file:\n%s", sigs[1])
	}
	if !strings.Contains(pdfText(t, pdf), tally.Hash(e.resultJSON)) {
		t.Error("the notice does not state the result's hash")
	}

	v, err := Verify(ctx, e.db, st.NoticeID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Fatalf("verification failed: %+v", v)
	}

	// Flip one byte inside the first revision: both signatures break.
	bad := bytes.Clone(pdf)
	i := bytes.Index(bad, []byte("/Producer"))
	bad[i+3] ^= 0x20
	for n, s := range pdfsig(t, bad) {
		if strings.Contains(s, "Signature is Valid") {
			t.Errorf("signature %d still valid after a flipped byte:\n%s", n+1, s)
		}
	}

	// Tampering with the stored result is seen by the verification page.
	tamper(t, e.db, `ALTER TABLE results DISABLE TRIGGER results_append_only;
		UPDATE results SET result_json = convert_to(replace(convert_from(result_json, 'UTF8'), '"passed":true', '"passed":false'), 'UTF8'),
		                   result_sha256 = sha256(convert_to(replace(convert_from(result_json, 'UTF8'), '"passed":true', '"passed":false'), 'UTF8'));
		ALTER TABLE results ENABLE TRIGGER results_append_only;`)
	if v, err = Verify(ctx, e.db, st.NoticeID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if v.ResultIntact || v.OK() {
		t.Errorf("a changed result still verifies: %+v", v)
	}
}

func TestFrozenRowsRefuseChanges(t *testing.T) {
	e := newClosedEstate(t)
	e.setPassphrases(t)
	e.approve(t, e.committee)
	e.approve(t, e.residents)
	for _, stmt := range []string{
		`UPDATE results SET closed_at = now()`,
		`DELETE FROM results`,
		`UPDATE notices SET signed_pdf = '\x00'::bytea`,
		`UPDATE notices SET period_days = 30`,
		`DELETE FROM notices`,
		`UPDATE notice_approvals SET approved_at = now()`,
		`DELETE FROM notice_approvals`,
		`UPDATE signing_keys SET sealed_key = '\x00'::bytea`,
		`DELETE FROM signing_keys`,
		`UPDATE notice_posters SET signed_pdf = '\x00'::bytea`,
		`DELETE FROM notice_posters`,
	} {
		if _, err := e.db.Exec(stmt); err == nil {
			t.Errorf("%s: succeeded, want refused", stmt)
		}
	}
}

// pdfsig runs poppler's pdfsig and returns its report of each signature.
func pdfsig(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", path).CombinedOutput() // exits non-zero on an invalid signature
	parts := regexp.MustCompile(`(?m)^Signature #\d+:`).Split(string(out), -1)
	if len(parts) < 2 {
		return nil
	}
	return parts[1:]
}

func tamper(t *testing.T, db *postgres.DB, script string) {
	t.Helper()
	if _, err := db.Exec(script); err != nil {
		t.Fatalf("tampering: %v", err)
	}
}
