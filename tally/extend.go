package tally

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/staff"
)

// ExtendWindow is how long before its closing time a vote may be extended:
// the rule speaks of the turnout "at the deadline", so an extension is
// decided on the last day or after the closing time while the vote is not
// yet closed (see CloserOptions.Grace).
const ExtendWindow = 24 * time.Hour

// ErrTooEarly: an extension is decided only within ExtendWindow of the
// closing time.
var ErrTooEarly = errors.New("tally: a vote is extended only at its deadline")

// ExtensionRecord is what Extend returns: the new closing time, the
// original one the three-month limit runs from, and the turnout that
// allowed the extension.
type ExtensionRecord struct {
	ConsultationID   int64        `json:"consultation"`
	OriginalClosesAt time.Time    `json:"original_closes_at"`
	OldClosesAt      time.Time    `json:"old_closes_at"`
	ClosesAt         time.Time    `json:"closes_at"`
	Limit            time.Time    `json:"limit"` // the latest closing time any extension may set
	Turnout          quorum.Tally `json:"participating"`
	Eligible         quorum.Tally `json:"eligible"`
}

// Extend moves the closing time of an open consultation to newClose when
// the rule of DESIGN §3.4 allows it (quorum.CheckExtension on the
// consultation's turnout — counted ballots, whatever they say, aggregated by
// LoadTurnout: fewer than half of the area and of the headcount took part, and
// all extensions together stay within three months of the original
// closing time), and records the extension. by must be a committee
// account of the estate. Errors: *quorum.InputError when the rule refuses,
// ErrTooEarly, ErrNotOpen, ErrAlreadyClosed, postgres.ErrNotFound.
func Extend(ctx context.Context, db *postgres.DB, consultationID int64, by staff.Account, newClose, now time.Time) (*ExtensionRecord, error) {
	var rec *ExtensionRecord
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		info, err := postgres.LockForClosing(ctx, tx, consultationID)
		if err != nil {
			return err
		}
		if !by.InCommunity(info.CommunityID) {
			return postgres.ErrNotFound
		}
		switch info.State {
		case "draft":
			return ErrNotOpen
		case "closed", "noticed":
			return ErrAlreadyClosed
		}
		if now.Before(info.ClosesAt.Add(-ExtendWindow)) {
			return ErrTooEarly
		}
		original := info.ClosesAt
		exts, err := postgres.VoteExtensions(ctx, tx, info.CommunityID, consultationID)
		if err != nil {
			return err
		}
		if len(exts) > 0 {
			original = exts[0].OriginalClosesAt
		}
		in, err := LoadTurnout(ctx, tx, info.CommunityID, consultationID)
		if err != nil {
			return err
		}
		turnout, err := quorum.Evaluate(in.TurnoutScenario(quorum.OrdinaryRule, quorum.Veto{}))
		if err != nil {
			return err
		}
		o := turnout.Overall
		if err := quorum.CheckExtension(&o, original, info.ClosesAt, newClose); err != nil {
			return err
		}
		recorded, _ := json.Marshal(map[string]quorum.Tally{"eligible": o.Eligible, "participating": o.Participating})
		err = postgres.InsertExtension(ctx, tx, postgres.VoteExtension{
			CommunityID: info.CommunityID, ConsultationID: consultationID, Kind: postgres.ExtensionExtend,
			OriginalClosesAt: original, OldClosesAt: info.ClosesAt,
			NewClosesAt: sql.NullTime{Time: newClose, Valid: true}, Turnout: recorded,
			DecidedBy: sql.NullInt64{Int64: by.ID, Valid: true}, DecidedAt: now,
		})
		if err != nil {
			return err
		}
		if err := postgres.SetClosesAt(ctx, tx, info.CommunityID, consultationID, newClose); err != nil {
			return err
		}
		rec = &ExtensionRecord{
			ConsultationID: consultationID, OriginalClosesAt: original, OldClosesAt: info.ClosesAt,
			ClosesAt: newClose, Limit: quorum.ExtensionLimit(original),
			Turnout: o.Participating, Eligible: o.Eligible,
		}
		return nil
	})
	return rec, err
}
