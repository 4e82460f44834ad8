package postgres

// Finding a ballot by its token or code, with everything its page shows.

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/ballot"
	"gongjue/ledger"
	"gongjue/quorum"
	"gongjue/secret"
	"gongjue/verification"
)

// BallotView is one ballot as its holder sees it: the consultation with
// its matters, the unit, and the counted ballot if there is one.
type BallotView struct {
	Estate       string
	Consultation ballot.Consultation
	UnitID       string
	Code         string
	Zone         string
	ballot.Place
	Area quorum.Area
	Now  time.Time // the database's clock, which casting goes by
	Cast *CastRecord
	// Verification is the owner verification the vote's frozen rules ask
	// before an online cast (§5.2), from Consultation.Procedure.
	Verification verification.Method
	// Delivered is true once opening the ballot page recorded the unit's
	// electronic delivery (§5.1), which BallotOpened then need not try.
	Delivered bool
}

// CastRecord is a counted ballot.
type CastRecord struct {
	At      time.Time          `json:"at"`
	Channel ballot.Channel     `json:"channel"`
	Choices []ballot.Selection `json:"-"`
	Receipt string             `json:"receipt"`
}

// ballotViewQuery finds a ballot with everything its page shows in one
// round trip: the consultation, whether and how the unit voted, and
// whether its page was opened before. The matters and the frozen rules come
// from the cache of opened consultations; the unit's choices, when it
// voted, take a second query.
const ballotViewQuery = `
	SELECT c.community_id, c.id, b.unit_id, b.code, b.zone, b.building, b.entrance, b.floor, b.room,
	       b.area_centi, cm.name AS estate, now() AS now,
	       c.title, c.description, c.scope_zone, c.scope_building, c.scope_entrance, c.veto,
	       c.opens_at, c.closes_at, c.round, c.state, c.created_at, c.opened_at, c.closed_at,
	       k.channel, k.cast_at, k.salt,
	       EXISTS (SELECT 1 FROM deliveries d WHERE d.community_id = b.community_id AND d.consultation_id = b.consultation_id
	               AND d.unit_id = b.unit_id AND d.recorded_by IS NULL) AS delivered
	FROM ballots b
	JOIN consultations c ON c.community_id = b.community_id AND c.id = b.consultation_id
	JOIN communities cm ON cm.id = b.community_id
	LEFT JOIN casts k ON k.community_id = b.community_id AND k.consultation_id = b.consultation_id AND k.unit_id = b.unit_id
	`

// BallotByToken finds the ballot a token was issued for (by its hash), or
// ErrNotFound.
func BallotByToken(ctx context.Context, q sqlx.QueryerContext, token string) (*BallotView, error) {
	return ballotView(ctx, q, `WHERE b.token_hash = $1`, secret.Hash(token))
}

// BallotByCode finds a consultation's ballot by its ballot code, or
// ErrNotFound.
func BallotByCode(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, code string) (*BallotView, error) {
	return ballotView(ctx, q, `WHERE b.community_id = $1 AND b.consultation_id = $2 AND b.code = $3`, communityID, consultationID, code)
}

func ballotView(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (*BallotView, error) {
	var r struct {
		consultationRow
		UnitID    string         `db:"unit_id"`
		Code      string         `db:"code"`
		Zone      string         `db:"zone"`
		Building  string         `db:"building"`
		Entrance  string         `db:"entrance"`
		Floor     int            `db:"floor"`
		Room      string         `db:"room"`
		Area      int64          `db:"area_centi"`
		Estate    string         `db:"estate"`
		Now       time.Time      `db:"now"`
		Channel   sql.NullString `db:"channel"`
		CastAt    sql.NullTime   `db:"cast_at"`
		Salt      []byte         `db:"salt"`
		Delivered bool           `db:"delivered"`
	}
	err := getPrepared(ctx, q, &r, ballotViewQuery+where, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c, err := r.consultation()
	if err != nil {
		return nil, err
	}
	// A ballot exists only once its consultation was opened.
	if c.Matters, err = openedMatters(ctx, q, c.CommunityID, c.ID); err != nil {
		return nil, err
	}
	if c.Procedure, err = openedProcedure(ctx, q, c.CommunityID, c.ID); err != nil {
		return nil, err
	}
	v := &BallotView{
		Estate: r.Estate, Consultation: c, UnitID: r.UnitID, Code: r.Code, Zone: r.Zone,
		Place: ballot.Place{Building: r.Building, Entrance: r.Entrance, Floor: r.Floor, Room: r.Room},
		Area:  quorum.Area(r.Area), Now: r.Now, Delivered: r.Delivered,
	}
	if v.Verification, err = onlineVerification(c.Procedure); err != nil {
		return nil, err
	}
	if r.CastAt.Valid {
		v.Cast = &CastRecord{At: r.CastAt.Time, Channel: ballot.Channel(r.Channel.String)}
		if len(r.Salt) == ledger.SaltSize {
			v.Cast.Receipt = ledger.Receipt(r.Salt)
		}
		ids := make([]int64, len(c.Matters))
		for i, m := range c.Matters {
			ids[i] = m.ID
		}
		// By matter and unit: the primary key of cast_choices.
		err := sqlx.SelectContext(ctx, q, &v.Cast.Choices, `SELECT matter_id, choice FROM cast_choices
			WHERE community_id = $1 AND consultation_id = $2 AND matter_id = ANY($3) AND unit_id = $4
			ORDER BY matter_id, choice`, c.CommunityID, c.ID, pq.Array(ids), r.UnitID)
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}
