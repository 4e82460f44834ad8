package tally

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/locale"
	"gongjue/postgres"
)

// EarlyCloseError refuses a committee close before the closing time while
// ballots in scope are still uncounted: the owners were told the period.
type EarlyCloseError struct {
	ClosesAt  time.Time
	Uncounted int
}

func (e *EarlyCloseError) Error() string {
	at := locale.Minute(e.ClosesAt)
	return fmt.Sprintf("投票期至 %s，尚有 %d 户未投票，不能提前截止 / the vote runs until %s and %d ballots are not counted yet: it cannot be closed early",
		at, e.Uncounted, at, e.Uncounted)
}

// PendingPaperError refuses a committee close while paper entries await
// confirmation; Entries are those entries, oldest first.
type PendingPaperError struct {
	Entries []postgres.PaperEntry
}

func (e *PendingPaperError) Error() string {
	n := len(e.Entries)
	return fmt.Sprintf("尚有 %d 张纸质票待确认，请先确认或退回后再截止 / %d paper entries await confirmation: confirm or reject them before closing", n, n)
}

// AutoCloseRejectNote is the note of a paper entry the automatic close
// rejected because it was still unconfirmed.
const AutoCloseRejectNote = "自动截止时仍未确认，未计票 / still unconfirmed at the automatic close: not counted"

// guardClose applies DESIGN §5.4 in the close's transaction tx, which
// holds the open consultation info, about to be closed at now. A committee
// close (automatic false) is refused before the closing time unless every
// ballot is counted, and while paper entries await confirmation. The
// automatic close rejects the entries still pending instead, with
// AutoCloseRejectNote and no deciding account, so the frozen result can
// list them (rejectedAtClose).
func guardClose(ctx context.Context, tx *sqlx.Tx, info postgres.ClosingInfo, automatic bool, now time.Time) error {
	if automatic {
		return postgres.RejectPendingPaperEntries(ctx, tx, info.CommunityID, info.ID, AutoCloseRejectNote)
	}
	if now.Before(info.ClosesAt) {
		n, err := postgres.UncountedBallots(ctx, tx, info.CommunityID, info.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return &EarlyCloseError{ClosesAt: info.ClosesAt, Uncounted: n}
		}
	}
	pending, err := postgres.ListPaperEntries(ctx, tx, info.CommunityID, info.ID, "pending")
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return &PendingPaperError{Entries: pending}
	}
	return nil
}

// RejectedEntry is a paper entry the automatic close rejected, as the
// frozen result lists it: no account name, since the result is public
// once noticed.
type RejectedEntry struct {
	ID        int64     `json:"id"`
	Unit      string    `json:"unit"`
	EnteredAt time.Time `json:"entered_at"`
}

// rejectedAtClose lists the entries guardClose rejected at the automatic
// close of the consultation: the rejected ones no account decided.
func rejectedAtClose(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]RejectedEntry, error) {
	rejected, err := postgres.ListPaperEntries(ctx, q, communityID, consultationID, "rejected")
	if err != nil {
		return nil, err
	}
	var list []RejectedEntry
	for _, e := range rejected {
		if e.DecidedBy == nil {
			list = append(list, RejectedEntry{ID: e.ID, Unit: e.UnitID, EnteredAt: e.EnteredAt})
		}
	}
	return list, nil
}
