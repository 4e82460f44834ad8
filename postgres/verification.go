package postgres

// Owner verification for online votes (DESIGN §5.2): the frozen rules'
// method, each ballot's attempts (verification.State), and what the unit's
// roll holds to check them against.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/verification"
)

// OwnerContact is what the roll holds to verify a unit's owner: the keyed
// hash of the ID number ("" when none is on file) and the phone.
type OwnerContact struct {
	OwnerKey string `db:"owner_key"`
	Phone    string `db:"owner_phone"`
}

// UnitOwnerContact returns the roll's OwnerContact of a unit.
func UnitOwnerContact(ctx context.Context, q sqlx.QueryerContext, communityID int64, unitID string) (OwnerContact, error) {
	var oc OwnerContact
	err := sqlx.GetContext(ctx, q, &oc, `SELECT owner_key, owner_phone FROM units WHERE community_id = $1 AND id = $2`, communityID, unitID)
	if errors.Is(err, sql.ErrNoRows) {
		return oc, ErrNotFound
	}
	return oc, err
}

// verificationColumns are a ballot_verifications row, zero when absent.
const verificationColumns = `coalesce(failures, 0) AS failures, locked_until, coalesce(passed, '') AS passed, passed_at,
	code_hash, code_expires, coalesce(code_tries, 0) AS code_tries, coalesce(array_to_json(sends), '[]') AS sends, now() AS now`

type verificationRow struct {
	Failures    int          `db:"failures"`
	LockedUntil sql.NullTime `db:"locked_until"`
	Passed      string       `db:"passed"`
	PassedAt    sql.NullTime `db:"passed_at"`
	CodeHash    []byte       `db:"code_hash"`
	CodeExpires sql.NullTime `db:"code_expires"`
	CodeTries   int          `db:"code_tries"`
	Sends       []byte       `db:"sends"`
	Now         time.Time    `db:"now"`
}

func (r *verificationRow) state() (verification.State, error) {
	s := verification.State{Failures: r.Failures, LockedUntil: r.LockedUntil.Time, Passed: verification.Method(r.Passed),
		PassedAt: r.PassedAt.Time, CodeHash: r.CodeHash, CodeExpires: r.CodeExpires.Time, CodeTries: r.CodeTries}
	return s, json.Unmarshal(r.Sends, &s.Sends)
}

// BallotVerification returns a ballot's verification state (zero when it
// has none) and the database's clock, which the attempts go by.
func BallotVerification(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, unitID string) (verification.State, time.Time, error) {
	// One round trip, which reads the clock also when the ballot has no
	// state yet.
	var r verificationRow
	err := getPrepared(ctx, q, &r, `SELECT `+verificationColumns+` FROM (SELECT) one
		LEFT JOIN ballot_verifications ON community_id = $1 AND consultation_id = $2 AND unit_id = $3`,
		communityID, consultationID, unitID)
	if err != nil {
		return verification.State{}, time.Time{}, err
	}
	s, err := r.state()
	return s, r.Now, err
}

// UpdateVerification applies attempt to a ballot's verification state,
// holding its row so that concurrent attempts count one after another,
// and stores what attempt left even when it refuses — a wrong ID number
// counts towards the lock-out. It returns attempt's error.
func UpdateVerification(ctx context.Context, db *DB, communityID, consultationID int64, unitID string,
	attempt func(s *verification.State, now time.Time) error) error {
	var refusal error
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ballot_verifications (community_id, consultation_id, unit_id)
			VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, communityID, consultationID, unitID); err != nil {
			return err
		}
		var r verificationRow
		if err := tx.GetContext(ctx, &r, `SELECT `+verificationColumns+` FROM ballot_verifications
			WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3 FOR UPDATE`, communityID, consultationID, unitID); err != nil {
			return err
		}
		s, err := r.state()
		if err != nil {
			return err
		}
		refusal = attempt(&s, r.Now)
		sends := make([]string, len(s.Sends))
		for i, t := range s.Sends {
			sends[i] = t.Format(time.RFC3339Nano)
		}
		_, err = tx.ExecContext(ctx, `UPDATE ballot_verifications SET failures = $4, locked_until = $5, passed = $6,
			passed_at = $7, code_hash = $8, code_expires = $9, code_tries = $10, sends = $11::timestamptz[]
			WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3`,
			communityID, consultationID, unitID, s.Failures, nullTime(s.LockedUntil), string(s.Passed),
			nullTime(s.PassedAt), s.CodeHash, nullTime(s.CodeExpires), s.CodeTries, pq.Array(sends))
		return err
	})
	if err != nil {
		return err
	}
	return refusal
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }
