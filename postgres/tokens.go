package postgres

import (
	"context"

	"github.com/jmoiron/sqlx"

	"gongjue/secret"
)

// BallotTokenKnown reports whether a ballot has this token: the cheap check
// that lets an owner through while their address is throttled for others'
// failed look-ups.
func BallotTokenKnown(ctx context.Context, q sqlx.QueryerContext, token string) (bool, error) {
	var known bool
	err := sqlx.GetContext(ctx, q, &known, `SELECT EXISTS (SELECT 1 FROM ballots WHERE token_hash = $1)`, secret.Hash(token))
	return known, err
}
