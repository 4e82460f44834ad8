package postgres

// What the paper desk shows beside an entry before it is decided: other
// entries pending for the same unit, and a counted ballot the unit has
// gained since (an online vote while the paper was on its way).

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/ballot"
)

// PendingPaperEntryIDs returns the ids of the entries pending for one unit
// of a consultation, oldest first.
func PendingPaperEntryIDs(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, unitID string) ([]int64, error) {
	ids := []int64{}
	err := sqlx.SelectContext(ctx, q, &ids, `SELECT id FROM paper_entries
		WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3 AND state = 'pending' ORDER BY id`,
		communityID, consultationID, unitID)
	return ids, err
}

// PendingPaperUnitsCast returns, by unit, the counted ballot of each unit
// that has a paper entry still pending: such an entry can no longer count.
func PendingPaperUnitsCast(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) (map[string]*AlreadyCastError, error) {
	var rows []struct {
		UnitID  string    `db:"unit_id"`
		Channel string    `db:"channel"`
		At      time.Time `db:"cast_at"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT unit_id, channel, cast_at FROM casts
		WHERE community_id = $1 AND consultation_id = $2 AND unit_id IN (SELECT unit_id FROM paper_entries
			WHERE community_id = $1 AND consultation_id = $2 AND state = 'pending')`, communityID, consultationID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*AlreadyCastError, len(rows))
	for _, r := range rows {
		out[r.UnitID] = &AlreadyCastError{UnitID: r.UnitID, At: r.At, Channel: ballot.Channel(r.Channel)}
	}
	return out, nil
}
