package postgres

// Paper ballots (DESIGN §5): a volunteer enters one, a second account
// confirms it — which casts it through castQuery — or rejects it.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/ballot"
	"gongjue/ledger"
)

// PaperEntry is a returned paper ballot as a volunteer entered it.
type PaperEntry struct {
	ID                 int64              `db:"id" json:"id"`
	ConsultationID     int64              `db:"consultation_id" json:"consultation_id"`
	UnitID             string             `db:"unit_id" json:"unit"`
	Code               string             `db:"code" json:"code"`
	Choices            []ballot.Selection `db:"-" json:"-"`
	ProxyName          string             `db:"proxy_name" json:"proxy_name,omitempty"`
	ProxyAuthorisation string             `db:"proxy_authorisation" json:"proxy_authorisation,omitempty"`
	ProxyKey           string             `db:"proxy_key" json:"-"`
	SpoiledReason      SpoiledReason      `db:"spoiled_reason" json:"spoiled_reason,omitempty"`
	SpoiledNote        string             `db:"spoiled_note" json:"spoiled_note,omitempty"`
	Original           *OriginalInfo      `db:"-" json:"original"`
	Authorisation      *OriginalInfo      `db:"-" json:"authorisation_scan,omitempty"`
	EnteredBy          int64              `db:"entered_by" json:"entered_by"`
	EnteredByName      string             `db:"entered_by_name" json:"entered_by_name"`
	EnteredAt          time.Time          `db:"entered_at" json:"entered_at"`
	State              string             `db:"state" json:"state"`
	DecidedBy          *int64             `db:"decided_by" json:"decided_by,omitempty"`
	DecidedByName      *string            `db:"decided_by_name" json:"decided_by_name,omitempty"`
	DecidedAt          *time.Time         `db:"decided_at" json:"decided_at,omitempty"`
	Note               string             `db:"note" json:"note,omitempty"`
	RawChoices         []byte             `db:"choices" json:"-"`
}

// Channel is the channel the entry counts under once confirmed.
func (e *PaperEntry) Channel() ballot.Channel {
	if e.ProxyName != "" {
		return ballot.Proxy
	}
	return ballot.Paper
}

// NewPaperEntry is what a volunteer enters.
type NewPaperEntry struct {
	CommunityID        int64
	ConsultationID     int64
	UnitID             string
	Choices            []ballot.Selection
	ProxyName          string
	ProxyAuthorisation string
	ProxyKey           string // the keyed hash of the proxy's ID number
	SpoiledReason      SpoiledReason
	SpoiledNote        string
	EnteredBy          int64
}

// CreatePaperEntry records a returned paper ballot, pending confirmation by
// a second account. A unit that has a counted ballot is refused at once
// with *AlreadyCastError — a courtesy: what enforces one counted ballot is
// confirmation. It returns the entry id and the ids of other entries
// pending for the same unit, which the volunteer should know about. It
// refuses with *ballot.WindowError once the consultation is closed.
func CreatePaperEntry(ctx context.Context, db *DB, e NewPaperEntry) (int64, []int64, error) {
	choices, err := json.Marshal(e.Choices)
	if err != nil {
		return 0, nil, err
	}
	var id int64
	var others []int64
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		// The consultation's lock shared, as a cast takes it, then its row:
		// a close waits for this entry to commit, so its guard sees it
		// pending, and an entry after a close finds the consultation closed.
		var k struct {
			State    string    `db:"state"`
			OpensAt  time.Time `db:"opens_at"`
			ClosesAt time.Time `db:"closes_at"`
			Now      time.Time `db:"now"`
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared(`+consultationLockKey("$1::bigint")+`)`, e.ConsultationID); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &k, `SELECT state, opens_at, closes_at, now() AS now FROM consultations
			WHERE community_id = $1 AND id = $2 FOR SHARE`, e.CommunityID, e.ConsultationID); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if err := ballot.CheckPaperWindow(ballot.State(k.State), k.OpensAt, k.ClosesAt, k.Now); err != nil {
			return err
		}
		var cast struct {
			Channel string    `db:"channel"`
			At      time.Time `db:"cast_at"`
		}
		err := tx.GetContext(ctx, &cast, `SELECT channel, cast_at FROM casts
			WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3`, e.CommunityID, e.ConsultationID, e.UnitID)
		if err == nil {
			return &AlreadyCastError{UnitID: e.UnitID, At: cast.At, Channel: ballot.Channel(cast.Channel)}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if e.ProxyName != "" {
			if err := checkProxy(ctx, tx, e.CommunityID, e.ConsultationID, e.UnitID, e.ProxyName, e.ProxyKey); err != nil {
				return err
			}
		}
		if others, err = PendingPaperEntryIDs(ctx, tx, e.CommunityID, e.ConsultationID, e.UnitID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &id, `
			INSERT INTO paper_entries (community_id, consultation_id, unit_id, choices, proxy_name, proxy_authorisation, entered_by,
				proxy_key, spoiled_reason, spoiled_note)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			e.CommunityID, e.ConsultationID, e.UnitID, choices, e.ProxyName, e.ProxyAuthorisation, e.EnteredBy,
			e.ProxyKey, e.SpoiledReason, e.SpoiledNote)
	})
	return id, others, err
}

const paperEntryQuery = `
	SELECT e.id, e.consultation_id, e.unit_id, b.code, e.choices, e.proxy_name, e.proxy_authorisation,
	       e.proxy_key, e.spoiled_reason, e.spoiled_note, e.entered_by, ea.username AS entered_by_name, e.entered_at, e.state, e.decided_by,
	       da.username AS decided_by_name, e.decided_at, e.note
	FROM paper_entries e
	JOIN ballots b ON b.community_id = e.community_id AND b.consultation_id = e.consultation_id AND b.unit_id = e.unit_id
	JOIN accounts ea ON ea.id = e.entered_by
	LEFT JOIN accounts da ON da.id = e.decided_by
	`

func (e *PaperEntry) decode() error {
	return json.Unmarshal(e.RawChoices, &e.Choices)
}

// GetPaperEntry returns paper entry id, whatever its estate (callers check
// it), with its estate.
func GetPaperEntry(ctx context.Context, q sqlx.QueryerContext, id int64) (PaperEntry, int64, error) {
	var r struct {
		PaperEntry
		CommunityID int64 `db:"community_id"`
	}
	err := sqlx.GetContext(ctx, q, &r, strings.Replace(paperEntryQuery, "SELECT ", "SELECT e.community_id, ", 1)+`WHERE e.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return PaperEntry{}, 0, ErrNotFound
	}
	if err != nil {
		return PaperEntry{}, 0, err
	}
	if err := r.decode(); err != nil {
		return PaperEntry{}, 0, err
	}
	entries := []PaperEntry{r.PaperEntry}
	if err := attachOriginals(ctx, q, r.CommunityID, entries); err != nil {
		return PaperEntry{}, 0, err
	}
	return entries[0], r.CommunityID, nil
}

// ListPaperEntries returns a consultation's paper entries in one state
// ("pending", "confirmed", "rejected"; "" for all), oldest first.
func ListPaperEntries(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, state string) ([]PaperEntry, error) {
	entries := []PaperEntry{}
	err := sqlx.SelectContext(ctx, q, &entries, paperEntryQuery+`
		WHERE e.community_id = $1 AND e.consultation_id = $2 AND ($3 = '' OR e.state = $3)
		ORDER BY e.id`, communityID, consultationID, state)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if err := entries[i].decode(); err != nil {
			return nil, err
		}
	}
	return entries, attachOriginals(ctx, q, communityID, entries)
}

// Errors of deciding a paper entry.
var (
	// ErrSameAccount: the account that entered a paper ballot may not
	// confirm or reject it; a second person must look at the paper.
	ErrSameAccount = errors.New("a different account must decide this entry")
	// ErrDecided: the entry was already confirmed or rejected.
	ErrDecided = errors.New("the entry was already decided")
)

// Confirmed is a paper entry confirmed and counted.
type Confirmed struct {
	Entry PaperEntry
	Cast  Cast
}

// ConfirmPaperEntry confirms paper entry id of estate communityID by
// account by and counts it, in one transaction: the entry is locked, cast
// by castQuery (a batch of one), and marked confirmed. When the unit
// already has a counted ballot the entry is marked rejected with the note
// duplicateNote gives, which is committed, and *AlreadyCastError
// returned. Other errors: ErrNotFound, ErrSameAccount, ErrDecided,
// *ballot.WindowError.
func ConfirmPaperEntry(ctx context.Context, db *DB, communityID, id, by int64, duplicateNote func(*AlreadyCastError) string) (Confirmed, error) {
	var out Confirmed
	var refusal error
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		refusal = nil
		e, err := lockPaperEntry(ctx, tx, communityID, id, by)
		if err != nil {
			return err
		}
		out.Entry = e
		if e.ProxyName != "" {
			if err := checkProxyConfirm(ctx, tx, communityID, e); err != nil {
				return err
			}
		}
		o := &castOrder{communityID: communityID, consultationID: e.ConsultationID, unitID: e.UnitID,
			salt: ledger.NewSalt(), choices: e.Choices,
			paper: &paperCast{channel: e.Channel(), entryID: e.ID, enteredBy: e.EnteredBy, confirmedBy: by,
				proxyName: e.ProxyName, proxyAuthorisation: e.ProxyAuthorisation}}
		res, err := execCast(ctx, tx, []*castOrder{o})
		if err != nil {
			return err
		}
		if res[0].err != nil {
			return res[0].err
		}
		if !res[0].row.At.Valid {
			refusal = explain(ctx, tx, o, res[0].row)
			var dup *AlreadyCastError
			if !errors.As(refusal, &dup) {
				return refusal
			}
			return decidePaperEntry(ctx, tx, communityID, id, by, "rejected", duplicateNote(dup))
		}
		out.Cast = res[0].cast
		return decidePaperEntry(ctx, tx, communityID, id, by, "confirmed", "")
	})
	if err == nil && refusal != nil {
		return out, refusal
	}
	return out, err
}

// RejectPaperEntry rejects a pending paper entry (a misread sheet, an
// unsigned ballot) with a note; the unit may then be entered again.
// Errors: ErrNotFound, ErrSameAccount, ErrDecided.
func RejectPaperEntry(ctx context.Context, db *DB, communityID, id, by int64, note string) (PaperEntry, error) {
	var out PaperEntry
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		e, err := lockPaperEntry(ctx, tx, communityID, id, by)
		if err != nil {
			return err
		}
		out = e
		return decidePaperEntry(ctx, tx, communityID, id, by, "rejected", note)
	})
	return out, err
}

// lockPaperEntry locks a pending entry for deciding. It leaves the
// consultation alone: casting it takes the consultation's locks in the
// order every cast does (castQuery), so a close waiting for them cannot
// deadlock with a confirmation.
func lockPaperEntry(ctx context.Context, tx *sqlx.Tx, communityID, id, by int64) (PaperEntry, error) {
	var e PaperEntry
	err := tx.GetContext(ctx, &e, `
		SELECT id, consultation_id, unit_id, choices, proxy_name, proxy_authorisation, proxy_key, entered_by,
		       entered_at, state, note
		FROM paper_entries WHERE community_id = $1 AND id = $2
		FOR UPDATE`, communityID, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return e, ErrNotFound
	case err != nil:
		return e, err
	case e.State != "pending":
		return e, ErrDecided
	case e.EnteredBy == by:
		return e, ErrSameAccount
	}
	return e, e.decode()
}

func decidePaperEntry(ctx context.Context, tx *sqlx.Tx, communityID, id, by int64, state, note string) error {
	_, err := tx.ExecContext(ctx, `UPDATE paper_entries SET state = $3, decided_by = $4, decided_at = now(), note = $5
		WHERE community_id = $1 AND id = $2`, communityID, id, state, by, note)
	return err
}
