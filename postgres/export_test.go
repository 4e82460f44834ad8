package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// HoldExplanations makes db's explanations of refused casts wait until
// release is closed.
func HoldExplanations(db *DB, release <-chan struct{}) {
	explain := db.explain
	db.explain = func(ctx context.Context, q sqlx.QueryerContext, o *castOrder, r castRow) error {
		<-release
		return explain(ctx, q, o, r)
	}
}
