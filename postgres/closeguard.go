package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// What the guards of closing (DESIGN §5.4, tally.guardClose) read and do.

// RejectPendingPaperEntries rejects, with note and no deciding account,
// every paper entry of the consultation still awaiting confirmation: what
// the automatic close does (DESIGN §5.4).
func RejectPendingPaperEntries(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, note string) error {
	_, err := tx.ExecContext(ctx, `UPDATE paper_entries SET state = 'rejected', decided_at = now(), note = $3
		WHERE community_id = $1 AND consultation_id = $2 AND state = 'pending'`, communityID, consultationID, note)
	return err
}

// UncountedBallots counts the consultation's ballots without a counted
// ballot (cast).
func UncountedBallots(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM ballots b
		WHERE b.community_id = $1 AND b.consultation_id = $2
		  AND NOT EXISTS (SELECT 1 FROM casts c WHERE c.community_id = b.community_id
		                  AND c.consultation_id = b.consultation_id AND c.unit_id = b.unit_id)`, communityID, consultationID)
	return n, err
}
