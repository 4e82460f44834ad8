package postgres

// Read-only queries for the committee console's pages: the estate's
// buildings and entrances for the scope picker, the population of a scope
// before any ballot is issued, and an estate's accounts.

import (
	"context"

	"github.com/jmoiron/sqlx"

	"gongjue/ballot"
	"gongjue/staff"
)

// Entrance is one entrance (stairwell) of a building and the zone its
// units belong to; a building whose entrances lie in two zones is listed
// once per zone.
type Entrance struct {
	Zone     string `db:"zone" json:"zone"`
	Building string `db:"building" json:"building"`
	Entrance string `db:"entrance" json:"entrance"`
	Units    int    `db:"units" json:"units"`
}

// ListEntrances returns estate communityID's entrances in building and
// entrance order (numbers in numeric order).
func ListEntrances(ctx context.Context, q sqlx.QueryerContext, communityID int64) ([]Entrance, error) {
	out := []Entrance{}
	err := sqlx.SelectContext(ctx, q, &out, `
		SELECT zone, building, entrance, count(*) AS units FROM units WHERE community_id = $1
		GROUP BY zone, building, entrance
		ORDER BY length(building), building, length(entrance), entrance, zone`, communityID)
	return out, err
}

// ScopeStats sums up the units of a scope of estate communityID as
// ListZones does for the whole estate: per zone, and in Total the scope's
// Article 278 headcount (a person with units in two zones counted once).
func ScopeStats(ctx context.Context, q sqlx.QueryerContext, communityID int64, s ballot.Scope) (EstateStats, error) {
	return selectEstateStats(ctx, q, `
		SELECT coalesce(zone, '') AS name, GROUPING(zone) = 1 AS total,
		       count(*) AS units, count(DISTINCT person_key) AS headcount,
		       coalesce(sum(area_centi), 0) AS area_centi
		FROM units
		WHERE community_id = $1 AND ($2 = '' OR zone = $2) AND ($3 = '' OR building = $3) AND ($4 = '' OR entrance = $4)
		GROUP BY GROUPING SETS ((zone), ())
		ORDER BY GROUPING(zone), zone COLLATE "C"`, communityID, s.Zone, s.Building, s.Entrance)
}

// ListAccounts returns estate communityID's accounts: the owners'
// committee's first, then the residents' committee's, then volunteers, each
// by username.
func ListAccounts(ctx context.Context, q sqlx.QueryerContext, communityID int64) ([]staff.Account, error) {
	out := []staff.Account{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, community_id, username, role, deactivated_at IS NOT NULL AS deactivated
		FROM accounts WHERE community_id = $1
		ORDER BY CASE role WHEN 'committee' THEN 1 WHEN 'residents_committee' THEN 2 ELSE 3 END, username`, communityID)
	return out, err
}
