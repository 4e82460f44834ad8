package postgres

// The evidence that settles a dispute (DESIGN §5.3): the per-unit record
// of a vote, one unit's history across votes, the roll as imported.

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/quorum"
	"gongjue/secret"
)

// UnitRecord is one issued ballot of a consultation and how it was
// answered: the owner masked, the delivery standing (the first verified
// record's method and time, if any; such a unit is in delivered_units), and for a counted ballot its channel, time, verification,
// who entered and confirmed a paper one, the proxy, and the choices as
// matter ids and choice codes in matter order.
type UnitRecord struct {
	Unit           string         `db:"unit_id"`
	Zone           string         `db:"zone"`
	Area           quorum.Area    `db:"area_centi"`
	Owner          string         `db:"owner_name"`
	DeliveryState  DeliveryState  `db:"delivery_state"`
	DeliveryMethod string         `db:"delivery_method"`
	DeliveredAt    *time.Time     `db:"delivered_at"`
	Channel        string         `db:"channel"` // "" when the unit did not vote
	CastAt         *time.Time     `db:"cast_at"`
	Verification   string         `db:"verification"`
	VerifiedAt     *time.Time     `db:"verified_at"`
	EnteredBy      string         `db:"entered_by"`
	ConfirmedBy    string         `db:"confirmed_by"`
	ProxyName      string         `db:"proxy_name"`
	MatterIDs      pq.Int64Array  `db:"matter_ids"`
	Choices        pq.StringArray `db:"choices"`
}

// UnitRecords returns every ballot of consultation consultationID in the
// order of the roll's places, with owner names masked by secret.MaskName.
func UnitRecords(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]UnitRecord, error) {
	rs := []UnitRecord{}
	err := sqlx.SelectContext(ctx, q, &rs, `
		SELECT b.unit_id, b.zone, b.area_centi, coalesce(u.owner_name, '') AS owner_name,
		       CASE WHEN dv.method IS NOT NULL THEN 'verified'
		            WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.community_id = b.community_id
		                         AND d.consultation_id = b.consultation_id AND d.unit_id = b.unit_id) THEN 'recorded'
		            ELSE 'none' END AS delivery_state,
		       coalesce(dv.method, '') AS delivery_method, dv.delivered_at,
		       coalesce(k.channel, '') AS channel, k.cast_at, coalesce(k.verification, '') AS verification, k.verified_at,
		       coalesce(ae.username, '') AS entered_by, coalesce(ac.username, '') AS confirmed_by,
		       coalesce(k.proxy_name, '') AS proxy_name,
		       coalesce(k.matter_ids, '{}') AS matter_ids, coalesce(k.choices, '{}') AS choices
		FROM ballots b
		LEFT JOIN units u ON u.community_id = b.community_id AND u.id = b.unit_id
		LEFT JOIN LATERAL (
			SELECT d.method, d.delivered_at FROM deliveries d
			JOIN LATERAL (SELECT decision FROM delivery_decisions e WHERE e.community_id = d.community_id
			              AND e.delivery_id = d.id ORDER BY e.id DESC LIMIT 1) x ON x.decision = 'verified'
			WHERE d.community_id = b.community_id AND d.consultation_id = b.consultation_id AND d.unit_id = b.unit_id
			ORDER BY d.delivered_at LIMIT 1) dv ON true
		LEFT JOIN casts k ON k.community_id = b.community_id AND k.consultation_id = b.consultation_id AND k.unit_id = b.unit_id
		LEFT JOIN accounts ae ON ae.id = k.entered_by
		LEFT JOIN accounts ac ON ac.id = k.confirmed_by
		WHERE b.community_id = $1 AND b.consultation_id = $2
		ORDER BY length(b.building), b.building, length(b.entrance), b.entrance, b.floor, length(b.room), b.room, b.unit_id`,
		communityID, consultationID)
	for i := range rs {
		rs[i].Owner = secret.MaskName(rs[i].Owner)
	}
	return rs, err
}

// ImportedUnit is a unit of the roll as imported, the owner's name and
// phone as the file gave them; of the ID number only whether one is on
// file (the roll keeps nothing but its keyed hash).
type ImportedUnit struct {
	RollUnit
	IDNumberOnFile bool `db:"id_on_file"`
}

// ImportedRoll returns estate communityID's roll in the order of places.
func ImportedRoll(ctx context.Context, q sqlx.QueryerContext, communityID int64) ([]ImportedUnit, error) {
	us := []ImportedUnit{}
	err := sqlx.SelectContext(ctx, q, &us, `
		SELECT id, building, entrance, room, zone, floor, area_centi, area_source,
		       owner_name, owner_phone, developer_held, owner_key <> '' AS id_on_file
		FROM units WHERE community_id = $1
		ORDER BY length(building), building, length(entrance), entrance, floor, length(room), room`, communityID)
	return us, err
}

// AccountNames maps the ids of estate communityID's accounts to their
// usernames, for records that name who did what.
func AccountNames(ctx context.Context, q sqlx.QueryerContext, communityID int64) (map[int64]string, error) {
	var rows []struct {
		ID       int64  `db:"id"`
		Username string `db:"username"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, username FROM accounts WHERE community_id = $1`, communityID); err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Username
	}
	return names, nil
}
