package postgres

// Who has voted and who has not (DESIGN §5, turnout): the door-to-door
// list and the counts by channel.

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"gongjue/ballot"
	"gongjue/procedure"
	"gongjue/quorum"
	"gongjue/secret"
)

// MissingUnit is a unit in scope that has not voted, for a door-to-door
// round: the owner's name and phone are masked.
type MissingUnit struct {
	UnitID string      `json:"unit"`
	Zone   string      `json:"zone"`
	Floor  int         `json:"floor"`
	Room   string      `json:"room"`
	Area   quorum.Area `json:"area"`
	Owner  string      `json:"owner"`
	Phone  string      `json:"phone"`
	Code   string      `json:"code"`
	// Pending is true when a paper ballot for the unit awaits confirmation.
	Pending bool `json:"pending_paper"`
	// Delivery is the unit's standing in the ledger (as ListDeliveries
	// reckons it), DeliveryMethod and DeliveryRecord the method and
	// standing of the record shown for it: its verified one, else its
	// latest; both empty without records.
	Delivery       DeliveryState            `json:"delivery"`
	DeliveryMethod procedure.DeliveryMethod `json:"delivery_method,omitempty"`
	DeliveryRecord DeliveryState            `json:"delivery_record,omitempty"`
}

// MissingGroup is the units of one entrance of one building that have not
// voted.
type MissingGroup struct {
	Building string        `json:"building"`
	Entrance string        `json:"entrance"`
	Units    []MissingUnit `json:"units"`
}

// MissingUnits lists the units of a consultation without a counted ballot,
// grouped by building and entrance in building → entrance → floor → room
// order, narrowed to a building and entrance when given.
func MissingUnits(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, building, entrance string) ([]MissingGroup, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT b.unit_id, b.zone, b.building, b.entrance, b.floor, b.room, b.area_centi, b.code,
		       coalesce(u.owner_name, ''), coalesce(u.owner_phone, ''),
		       EXISTS (SELECT 1 FROM paper_entries e WHERE e.community_id = b.community_id
		               AND e.consultation_id = b.consultation_id AND e.unit_id = b.unit_id AND e.state = 'pending'),
		       CASE WHEN dl.method IS NULL THEN 'none' WHEN dl.standing = 'verified' THEN 'verified' ELSE 'recorded' END,
		       coalesce(dl.method, ''), coalesce(dl.standing, '')
		FROM ballots b
		LEFT JOIN LATERAL (SELECT d.method, coalesce(x.decision, 'recorded') AS standing FROM deliveries d
			LEFT JOIN LATERAL (SELECT decision FROM delivery_decisions e
				WHERE e.community_id = d.community_id AND e.delivery_id = d.id ORDER BY e.id DESC LIMIT 1) x ON true
			WHERE d.community_id = b.community_id AND d.consultation_id = b.consultation_id AND d.unit_id = b.unit_id
			ORDER BY x.decision = 'verified' IS TRUE DESC, d.id DESC LIMIT 1) dl ON true
		LEFT JOIN casts k ON k.community_id = b.community_id AND k.consultation_id = b.consultation_id AND k.unit_id = b.unit_id
		LEFT JOIN units u ON u.community_id = b.community_id AND u.id = b.unit_id
		WHERE b.community_id = $1 AND b.consultation_id = $2 AND k.unit_id IS NULL
		  AND ($3 = '' OR b.building = $3) AND ($4 = '' OR b.entrance = $4)`,
		communityID, consultationID, building, entrance)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type row struct {
		MissingUnit
		ballot.Place
	}
	var all []row
	for rows.Next() {
		var r row
		var owner, phone string
		if err := rows.Scan(&r.UnitID, &r.Zone, &r.Building, &r.Entrance, &r.Place.Floor, &r.Place.Room, &r.Area, &r.Code,
			&owner, &phone, &r.Pending, &r.Delivery, &r.DeliveryMethod, &r.DeliveryRecord); err != nil {
			return nil, err
		}
		r.MissingUnit.Floor, r.MissingUnit.Room = r.Place.Floor, r.Place.Room
		r.Owner, r.Phone = secret.MaskName(owner), secret.MaskPhone(phone)
		r.Code = ballot.FormatCode(r.Code)
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b row) int { return ballot.ComparePlaces(a.Place, b.Place) })
	groups := []MissingGroup{}
	for _, r := range all {
		if n := len(groups); n == 0 || groups[n-1].Building != r.Building || groups[n-1].Entrance != r.Entrance {
			groups = append(groups, MissingGroup{Building: r.Building, Entrance: r.Entrance})
		}
		g := &groups[len(groups)-1]
		g.Units = append(g.Units, r.MissingUnit)
	}
	return groups, nil
}

// PopulationGroup is the ballots of one zone of a consultation held by
// one person holding several units (Person, their person_key), or by
// persons holding one unit each (Person "").
type PopulationGroup struct {
	Zone   string
	Person string
	Area   quorum.Area
	Units  int
}

// BallotPopulation returns the ballots of a consultation by zone and
// shared person, in that order: from the cache when q is the pool, which
// it fills. A consultation's ballots are all issued when it opens, in one
// transaction, and never change (migration 0006), so once there are any
// they are all there.
func BallotPopulation(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]PopulationGroup, error) {
	db, pooled := q.(*DB)
	if pooled {
		if p, ok := db.matters.populations.Load(consultationID); ok {
			return p.([]PopulationGroup), nil
		}
	}
	var rows []struct {
		Zone   string         `db:"zone"`
		Person sql.NullString `db:"person"`
		Area   int64          `db:"area"`
		Units  int            `db:"units"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT zone, CASE WHEN person_shared THEN person_key END AS person, sum(area_centi)::bigint AS area, count(*) AS units
		FROM ballots WHERE community_id = $1 AND consultation_id = $2
		GROUP BY zone, person`, communityID, consultationID)
	if err != nil {
		return nil, err
	}
	out := make([]PopulationGroup, len(rows))
	for i, r := range rows {
		out[i] = PopulationGroup{Zone: r.Zone, Person: r.Person.String, Area: quorum.Area(r.Area), Units: r.Units}
	}
	slices.SortFunc(out, func(a, b PopulationGroup) int {
		return cmp.Or(strings.Compare(a.Zone, b.Zone), strings.Compare(a.Person, b.Person))
	})
	if pooled && len(out) > 0 {
		db.matters.populations.Store(consultationID, out)
	}
	return out, nil
}

// CastCounts is how a consultation's ballots stand: counted by channel, and
// paper entries awaiting confirmation.
type CastCounts struct {
	Ballots      int `db:"ballots" json:"ballots"`
	Online       int `db:"online" json:"online"`
	Paper        int `db:"paper" json:"paper"`
	Proxy        int `db:"proxy" json:"proxy"`
	PendingPaper int `db:"pending_paper" json:"pending_paper"`
}

// CountCasts returns a consultation's CastCounts.
func CountCasts(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) (CastCounts, error) {
	var c CastCounts
	population, err := BallotPopulation(ctx, q, communityID, consultationID)
	if err != nil {
		return c, err
	}
	err = sqlx.GetContext(ctx, q, &c, `
		SELECT count(*) FILTER (WHERE channel = 'online') AS online,
		       count(*) FILTER (WHERE channel = 'paper') AS paper,
		       count(*) FILTER (WHERE channel = 'proxy') AS proxy,
		       (SELECT count(*) FROM paper_entries WHERE community_id = $1 AND consultation_id = $2 AND state = 'pending') AS pending_paper
		FROM casts WHERE community_id = $1 AND consultation_id = $2`, communityID, consultationID)
	for _, g := range population {
		c.Ballots += g.Units
	}
	return c, err
}
