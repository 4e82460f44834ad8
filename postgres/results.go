package postgres

// Frozen results of closed consultations, the closing state machine, and
// extensions of votes that missed participation (DESIGN §3.4, §7).

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// ClosingInfo is what closing and the result need of a consultation and
// its estate.
type ClosingInfo struct {
	CommunityID   int64           `db:"community_id"`
	ID            int64           `db:"id"`
	Community     string          `db:"community"`
	Address       string          `db:"address"`
	Title         string          `db:"title"`
	Description   string          `db:"description"`
	ScopeZone     string          `db:"scope_zone"`
	ScopeBuilding string          `db:"scope_building"`
	ScopeEntrance string          `db:"scope_entrance"`
	Veto          json.RawMessage `db:"veto"`
	Round         int             `db:"round"`
	State         string          `db:"state"`
	OpensAt       time.Time       `db:"opens_at"`
	ClosesAt      time.Time       `db:"closes_at"`
	ClosedAt      sql.NullTime    `db:"closed_at"`
}

// LockForClosing returns a consultation with its estate, holding for the
// rest of tx its advisory lock exclusively — so the casts in flight finish
// first and the casts arriving after wait (cast.go) — and its row FOR
// UPDATE, which serialises closing, extending and approving the notice of
// one consultation.
func LockForClosing(ctx context.Context, tx *sqlx.Tx, consultationID int64) (ClosingInfo, error) {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+consultationLockKey("$1::bigint")+`)`, consultationID); err != nil {
		return ClosingInfo{}, err
	}
	return closingInfo(ctx, tx, consultationID, "FOR UPDATE OF k")
}

// GetClosingInfo returns a consultation with its estate, without locking.
func GetClosingInfo(ctx context.Context, q sqlx.QueryerContext, consultationID int64) (ClosingInfo, error) {
	return closingInfo(ctx, q, consultationID, "")
}

func closingInfo(ctx context.Context, q sqlx.QueryerContext, consultationID int64, lock string) (ClosingInfo, error) {
	var c ClosingInfo
	err := sqlx.GetContext(ctx, q, &c, `
		SELECT k.community_id, k.id, m.name AS community, m.address, k.title, k.description,
		       k.scope_zone, k.scope_building, k.scope_entrance, k.veto, k.round, k.state,
		       k.opens_at, k.closes_at, k.closed_at
		FROM consultations k JOIN communities m ON m.id = k.community_id
		WHERE k.id = $1 `+lock, consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return c, err
}

// MarkClosed moves an open consultation, locked by LockForClosing, to
// closed, which stops casting, and returns its closing time: the
// database's clock now, once the close holds the consultation, so that no
// ballot counted has a later cast time (castQuery stamps each cast under
// the shared lock). It reports false when the consultation was not open.
func MarkClosed(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64) (time.Time, bool, error) {
	var closedAt time.Time
	err := tx.GetContext(ctx, &closedAt, `
		UPDATE consultations SET state = 'closed', closed_at = clock_timestamp()
		WHERE community_id = $1 AND id = $2 AND state = 'open'
		RETURNING closed_at`, communityID, consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return closedAt, err == nil, err
}

// DueForClosing lists the consultations the closer must close: open ones
// past their closing time, and closed ones whose result is not yet frozen
// (a close interrupted half-way).
func DueForClosing(ctx context.Context, q sqlx.QueryerContext, now time.Time) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, `
		SELECT k.id FROM consultations k
		WHERE (k.state = 'open' AND k.closes_at <= $1)
		   OR (k.state = 'closed' AND NOT EXISTS (
		          SELECT 1 FROM results r WHERE r.community_id = k.community_id AND r.consultation_id = k.id))
		ORDER BY k.closes_at, k.id`, now)
	return ids, err
}

// LogCoverage counts a consultation's counted ballots and the leaves of its
// ballot log; closing freezes a result only when they agree.
func LogCoverage(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) (casts, leaves int64, err error) {
	var row struct {
		Casts  int64 `db:"casts"`
		Leaves int64 `db:"leaves"`
	}
	err = sqlx.GetContext(ctx, q, &row, `
		SELECT (SELECT count(*) FROM casts WHERE community_id = $1 AND consultation_id = $2) AS casts,
		       (SELECT count(*) FROM ledger_leaves WHERE community_id = $1 AND consultation_id = $2) AS leaves`,
		communityID, consultationID)
	return row.Casts, row.Leaves, err
}

// StoredResult is a frozen result as stored: JSON holds the exact bytes
// that SHA256 hashes.
type StoredResult struct {
	CommunityID    int64         `db:"community_id"`
	ConsultationID int64         `db:"consultation_id"`
	JSON           []byte        `db:"result_json"`
	SHA256         []byte        `db:"result_sha256"`
	ClosedAt       time.Time     `db:"closed_at"`
	ClosedBy       sql.NullInt64 `db:"closed_by"`
	CheckpointSize int64         `db:"checkpoint_size"`
	CheckpointHash []byte        `db:"checkpoint_hash"`
	CheckpointNote string        `db:"checkpoint_note"`
	State          string        `db:"state"` // the consultation's state; read only
}

// ErrResultExists reports a second result for one consultation.
var ErrResultExists = errors.New("result already frozen")

// InsertResult freezes a result. The database computes nothing: it checks
// that SHA256 is the hash of JSON. A second result for one consultation is
// ErrResultExists.
func InsertResult(ctx context.Context, tx *sqlx.Tx, r StoredResult) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO results (community_id, consultation_id, result_json, result_sha256, closed_at, closed_by,
		                     checkpoint_size, checkpoint_hash, checkpoint_note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.CommunityID, r.ConsultationID, r.JSON, r.SHA256, r.ClosedAt, r.ClosedBy,
		r.CheckpointSize, r.CheckpointHash, r.CheckpointNote)
	if IsUniqueViolation(err, "results_pkey") {
		return ErrResultExists
	}
	return err
}

// GetResult returns the frozen result of a consultation, ErrNotFound
// before it is closed.
func GetResult(ctx context.Context, q sqlx.QueryerContext, consultationID int64) (StoredResult, error) {
	var r StoredResult
	err := sqlx.GetContext(ctx, q, &r, `
		SELECT r.community_id, r.consultation_id, r.result_json, r.result_sha256, r.closed_at, r.closed_by,
		       r.checkpoint_size, r.checkpoint_hash, r.checkpoint_note, k.state
		FROM results r JOIN consultations k ON k.community_id = r.community_id AND k.id = r.consultation_id
		WHERE r.consultation_id = $1`, consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return r, err
}

// Extension kinds.
const (
	ExtensionExtend = "extend"
	ExtensionLapse  = "lapse"
)

// VoteExtension is an extension of a vote, or the lapse of an extended one.
type VoteExtension struct {
	CommunityID      int64           `db:"community_id"`
	ConsultationID   int64           `db:"consultation_id"`
	ID               int64           `db:"id"`
	Kind             string          `db:"kind"`
	OriginalClosesAt time.Time       `db:"original_closes_at"`
	OldClosesAt      time.Time       `db:"old_closes_at"`
	NewClosesAt      sql.NullTime    `db:"new_closes_at"`
	RetableFrom      sql.NullTime    `db:"retable_from"`
	Turnout          json.RawMessage `db:"turnout"`
	DecidedBy        sql.NullInt64   `db:"decided_by"`
	DecidedAt        time.Time       `db:"decided_at"`
}

// InsertExtension records an extension or a lapse.
func InsertExtension(ctx context.Context, tx *sqlx.Tx, e VoteExtension) error {
	if len(e.Turnout) == 0 {
		e.Turnout = json.RawMessage(`{}`)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO vote_extensions (community_id, consultation_id, kind, original_closes_at, old_closes_at,
		                             new_closes_at, retable_from, turnout, decided_by, decided_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.CommunityID, e.ConsultationID, e.Kind, e.OriginalClosesAt, e.OldClosesAt,
		e.NewClosesAt, e.RetableFrom, []byte(e.Turnout), e.DecidedBy, e.DecidedAt)
	return err
}

// VoteExtensions lists a consultation's extensions and lapse, oldest first.
func VoteExtensions(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]VoteExtension, error) {
	var es []VoteExtension
	err := sqlx.SelectContext(ctx, q, &es, `
		SELECT community_id, consultation_id, id, kind, original_closes_at, old_closes_at, new_closes_at,
		       retable_from, turnout, decided_by, decided_at
		FROM vote_extensions WHERE community_id = $1 AND consultation_id = $2 ORDER BY id`,
		communityID, consultationID)
	return es, err
}

// SetClosesAt moves an open consultation's closing time (an extension).
func SetClosesAt(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, closesAt time.Time) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE consultations SET closes_at = $3 WHERE community_id = $1 AND id = $2 AND state = 'open'`,
		communityID, consultationID, closesAt)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("consultation %d is not open", consultationID)
	}
	return nil
}

// LogVerifierKey returns the note verifier key of an estate's ballot logs
// without creating one: ErrNotFound while the estate has logged nothing.
func LogVerifierKey(ctx context.Context, q sqlx.QueryerContext, communityID int64) (string, error) {
	var vkey string
	err := sqlx.GetContext(ctx, q, &vkey, `SELECT verifier_key FROM ledger_keys WHERE community_id = $1`, communityID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	return vkey, err
}
