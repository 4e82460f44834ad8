package postgres_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/staff"
)

// closedConsultation makes an estate, a committee and a residents'
// committee account, and a consultation in state closed.
func closedConsultation(t *testing.T) (db *postgres.DB, cid, id int64, committee, residents int64) {
	t.Helper()
	ctx := context.Background()
	db, _ = pgtest.New(t)
	var err error
	if cid, err = postgres.CreateCommunity(ctx, db, "幸福花园", ""); err != nil {
		t.Fatal(err)
	}
	if committee, err = postgres.CreateAccount(ctx, db, "wy", "password123", staff.RoleCommittee, &cid); err != nil {
		t.Fatal(err)
	}
	if residents, err = postgres.CreateAccount(ctx, db, "jw", "password123", staff.RoleResidentsCommittee, &cid); err != nil {
		t.Fatal(err)
	}
	err = db.Get(&id, `INSERT INTO consultations (community_id, title, opens_at, closes_at, state, closed_at)
		VALUES ($1, '表决', now() - interval '2 days', now() - interval '1 day', 'closed', now()) RETURNING id`, cid)
	if err != nil {
		t.Fatal(err)
	}
	return db, cid, id, committee, residents
}

func storedResult(cid, id int64, data []byte) postgres.StoredResult {
	sum := sha256.Sum256(data)
	return postgres.StoredResult{CommunityID: cid, ConsultationID: id, JSON: data, SHA256: sum[:],
		ClosedAt: time.Now(), CheckpointHash: make([]byte, 32)}
}

func TestResultIsWrittenOnceWithItsHash(t *testing.T) {
	db, cid, id, _, _ := closedConsultation(t)
	ctx := context.Background()
	bad := storedResult(cid, id, []byte(`{"a":1}`))
	bad.SHA256 = make([]byte, 32)
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error { return postgres.InsertResult(ctx, tx, bad) })
	if err == nil {
		t.Fatal("a result whose hash is not of its bytes was stored")
	}
	good := storedResult(cid, id, []byte(`{"a":1}`))
	if err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error { return postgres.InsertResult(ctx, tx, good) }); err != nil {
		t.Fatal(err)
	}
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error { return postgres.InsertResult(ctx, tx, good) })
	if !errors.Is(err, postgres.ErrResultExists) {
		t.Errorf("second result: %v, want ErrResultExists", err)
	}
	got, err := postgres.GetResult(ctx, db, id)
	if err != nil || string(got.JSON) != `{"a":1}` || got.State != "closed" {
		t.Fatalf("GetResult: %+v %v", got, err)
	}
	for _, stmt := range []string{`UPDATE results SET result_json = '{"a":2}'::bytea`, `DELETE FROM results`, `TRUNCATE results CASCADE`} {
		if _, err := db.Exec(stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
}

func TestNoticeApprovalsAndSigning(t *testing.T) {
	db, cid, id, committee, residents := closedConsultation(t)
	ctx := context.Background()
	var noticeID string
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		if err := postgres.InsertResult(ctx, tx, storedResult(cid, id, []byte(`{}`))); err != nil {
			return err
		}
		var err error
		noticeID, err = postgres.CreateNotice(ctx, tx, cid, id, postgres.DefaultNoticePeriod)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := postgres.NoticeByPublicID(ctx, db, noticeID)
	if err != nil || n.ConsultationID != id || n.Signed() || n.PeriodDays != 7 {
		t.Fatalf("notice %+v %v", n, err)
	}
	approve := func(body string, acct int64) bool {
		var added bool
		err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
			var err error
			added, err = postgres.AddApproval(ctx, tx, cid, id, body, acct, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return added
	}
	if !approve(staff.BodyCommittee, committee) || approve(staff.BodyCommittee, committee) {
		t.Error("the committee's approval is not recorded exactly once")
	}
	if !approve(staff.BodyResidents, residents) {
		t.Error("the residents' committee's approval was not recorded")
	}
	as, err := postgres.NoticeApprovals(ctx, db, cid, id)
	if err != nil || len(as) != 2 || as[0].Body != staff.BodyCommittee || as[0].Username != "wy" {
		t.Fatalf("approvals %+v %v", as, err)
	}
	if _, err := postgres.SignedNoticePDF(ctx, db, id); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("PDF of an unsigned notice: %v", err)
	}
	pdf := []byte("%PDF-1.4 signed")
	n.ResultSHA256, n.UnsignedSHA256 = make([]byte, 32), make([]byte, 32)
	n.SignedAt = sql.NullTime{Time: time.Now(), Valid: true}
	if err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error { return postgres.StoreSignedNotice(ctx, tx, n, pdf) }); err != nil {
		t.Fatal(err)
	}
	got, err := postgres.SignedNoticePDF(ctx, db, id)
	if err != nil || string(got) != string(pdf) {
		t.Fatalf("signed PDF %q %v", got, err)
	}
	var state string
	db.Get(&state, `SELECT state FROM consultations WHERE id = $1`, id)
	if state != "noticed" {
		t.Errorf("state %s, want noticed", state)
	}
	if err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error { return postgres.StoreSignedNotice(ctx, tx, n, []byte("other")) }); err == nil {
		t.Error("a signed notice was signed again")
	}
	for _, stmt := range []string{
		`UPDATE notices SET signed_pdf = 'x'::bytea, pdf_sha256 = sha256('x'::bytea)`,
		`DELETE FROM notices`,
		`UPDATE notice_approvals SET account_id = account_id`,
	} {
		if _, err := db.Exec(stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
}
