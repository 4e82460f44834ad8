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
		st, err := ExtensionStatusOf(ctx, tx, info.CommunityID, consultationID, info.State, info.ClosesAt, now)
		if err != nil {
			return err
		}
		if err := st.refusal(newClose); err != nil {
			return err
		}
		o, original := st.outcome, st.OriginalClosesAt
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
			ClosesAt: newClose, Limit: st.Limit,
			Turnout: o.Participating, Eligible: o.Eligible,
		}
		return nil
	})
	return rec, err
}

// ExtensionStatus is whether a vote may be extended now, and if not why,
// as the console shows it beside the extend button.
type ExtensionStatus struct {
	state            string
	WindowFrom       time.Time // the first moment an extension may be decided
	OriginalClosesAt time.Time
	ClosesAt         time.Time
	Limit            time.Time // the latest closing time any extension may set
	HalfTookPart     bool      // half the area or headcount took part: decide as it stands
	outcome          quorum.Outcome
	now              time.Time
}

// Open reports whether the vote is open: neither a draft nor closed.
func (st ExtensionStatus) Open() bool { return st.state == "open" }

// TooEarly reports whether the extension window has not begun.
func (st ExtensionStatus) TooEarly() bool { return st.now.Before(st.WindowFrom) }

// AtLimit reports whether three months of extension are used up.
func (st ExtensionStatus) AtLimit() bool { return !st.Limit.After(st.ClosesAt) }

// Allowed reports whether some later closing time may be set now.
func (st ExtensionStatus) Allowed() bool { return st.refusal(st.Limit) == nil }

// Participating and Eligible are the vote's turnout so far.
func (st ExtensionStatus) Participating() quorum.Tally { return st.outcome.Participating }
func (st ExtensionStatus) Eligible() quorum.Tally      { return st.outcome.Eligible }

// refusal is why moving the close to newClose is refused, or nil.
func (st ExtensionStatus) refusal(newClose time.Time) error {
	switch {
	case st.state == "draft":
		return ErrNotOpen
	case st.state != "open":
		return ErrAlreadyClosed
	case st.TooEarly():
		return ErrTooEarly
	}
	return quorum.CheckExtension(&st.outcome, st.OriginalClosesAt, st.ClosesAt, newClose)
}

// ExtensionStatusOf is the extension status of consultation id of estate
// communityID, in state with closing time closesAt, at now.
func ExtensionStatusOf(ctx context.Context, q sqlx.QueryerContext, communityID, id int64, state string, closesAt, now time.Time) (ExtensionStatus, error) {
	st := ExtensionStatus{state: state, ClosesAt: closesAt, OriginalClosesAt: closesAt,
		WindowFrom: closesAt.Add(-ExtendWindow), now: now}
	if state == "draft" {
		return st, nil
	}
	exts, err := postgres.VoteExtensions(ctx, q, communityID, id)
	if err != nil {
		return st, err
	}
	if len(exts) > 0 {
		st.OriginalClosesAt = exts[0].OriginalClosesAt
	}
	st.Limit = quorum.ExtensionLimit(st.OriginalClosesAt)
	in, err := LoadTurnout(ctx, q, communityID, id)
	if err != nil {
		return st, err
	}
	turnout, err := quorum.Evaluate(in.TurnoutScenario(quorum.OrdinaryRule, quorum.Veto{}))
	if err != nil {
		return st, err
	}
	st.outcome = turnout.Overall
	st.HalfTookPart = !st.outcome.MayExtend()
	return st, nil
}
