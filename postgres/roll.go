package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/secret"
)

// RollSummary is what a roll import did. Units, Persons and Zones describe
// the estate after the import; Persons is the Article 278 headcount (all
// developer-held units one person, one owner's units one person). Added,
// Changed and Removed count units; Changed only those whose stored fields
// differ from before.
type RollSummary struct {
	Units   int `json:"units"`
	Persons int `json:"persons"`
	Zones   int `json:"zones"`
	Added   int `json:"added"`
	Changed int `json:"changed"`
	Removed int `json:"removed"`
}

// ImportRoll replaces estate communityID's roll with units in one
// transaction: units are added or updated by id, units absent from units are
// removed, and so are zones left without units that no consultation or
// ballot names. Each ID number is stored only as keys.OwnerKey of it.
//
// A unit that has ballots cannot be removed: ImportRoll then changes nothing
// and returns a *roll.Error naming every such unit. It returns ErrNotFound
// for an unknown estate. Imports of one estate run one at a time.
func ImportRoll(ctx context.Context, db *DB, keys *secret.Keys, communityID int64, units []roll.Unit) (RollSummary, error) {
	if len(units) == 0 {
		return RollSummary{}, &roll.Error{Problems: []roll.Problem{{Message: "名册没有房屋 / the roll has no units"}}}
	}
	n := len(units)
	var (
		ids, buildings, entrances, rooms, zones = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		sources, ownerKeys, names, phones       = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		floors, areas                           = make([]int64, n), make([]int64, n)
		held                                    = make([]bool, n)
	)
	for i, u := range units {
		ids[i], buildings[i], entrances[i], rooms[i], zones[i] = u.ID, u.Building, u.Entrance, u.Room, u.Zone
		sources[i], ownerKeys[i], names[i], phones[i] = u.AreaSource, keys.OwnerKey(u.IDNumber), u.OwnerName, u.Phone
		floors[i], areas[i], held[i] = int64(u.Floor), int64(u.Area), u.DeveloperHeld
	}

	var s RollSummary
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM communities WHERE id = $1 FOR NO KEY UPDATE`, communityID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE roll_import (
			id text PRIMARY KEY, building text, entrance text, room text, zone text,
			floor integer, area_centi bigint, area_source text,
			owner_key text, owner_name text, owner_phone text, developer_held boolean
		) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO roll_import SELECT * FROM unnest(
			$1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::bigint[],
			$8::text[], $9::text[], $10::text[], $11::text[], $12::boolean[])`,
			pq.Array(ids), pq.Array(buildings), pq.Array(entrances), pq.Array(rooms), pq.Array(zones),
			pq.Array(floors), pq.Array(areas), pq.Array(sources), pq.Array(ownerKeys), pq.Array(names),
			pq.Array(phones), pq.Array(held)); err != nil {
			if IsUniqueViolation(err, "") {
				return errors.New("roll lists a unit twice")
			}
			return err
		}

		var balloted []string
		if err := tx.SelectContext(ctx, &balloted, `
			SELECT u.id FROM units u
			WHERE u.community_id = $1
			  AND NOT EXISTS (SELECT 1 FROM roll_import r WHERE r.id = u.id)
			  AND EXISTS (SELECT 1 FROM ballots b WHERE b.community_id = u.community_id AND b.unit_id = u.id)
			ORDER BY u.id`, communityID); err != nil {
			return err
		}
		if len(balloted) > 0 {
			return ballotedError(balloted)
		}

		if err := tx.QueryRowxContext(ctx, `
			SELECT count(*) FILTER (WHERE u.id IS NULL),
			       count(*) FILTER (WHERE u.id IS NOT NULL AND
			           (u.building, u.entrance, u.room, u.zone, u.floor, u.area_centi, u.area_source,
			            u.owner_key, u.owner_name, u.owner_phone, u.developer_held)
			           IS DISTINCT FROM
			           (r.building, r.entrance, r.room, r.zone, r.floor, r.area_centi, r.area_source,
			            r.owner_key, r.owner_name, r.owner_phone, r.developer_held))
			FROM roll_import r LEFT JOIN units u ON u.community_id = $1 AND u.id = r.id`,
			communityID).Scan(&s.Added, &s.Changed); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO zones (community_id, name) SELECT DISTINCT $1::bigint, zone FROM roll_import
			ON CONFLICT DO NOTHING`, communityID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO units AS u (community_id, id, building, entrance, room, zone, floor, area_centi,
			                        area_source, owner_key, owner_name, owner_phone, developer_held)
			SELECT $1, id, building, entrance, room, zone, floor, area_centi,
			       area_source, owner_key, owner_name, owner_phone, developer_held
			FROM roll_import
			ON CONFLICT (community_id, id) DO UPDATE SET
				building = EXCLUDED.building, entrance = EXCLUDED.entrance, room = EXCLUDED.room,
				zone = EXCLUDED.zone, floor = EXCLUDED.floor, area_centi = EXCLUDED.area_centi,
				area_source = EXCLUDED.area_source, owner_key = EXCLUDED.owner_key,
				owner_name = EXCLUDED.owner_name, owner_phone = EXCLUDED.owner_phone,
				developer_held = EXCLUDED.developer_held
			WHERE (u.building, u.entrance, u.room, u.zone, u.floor, u.area_centi, u.area_source,
			       u.owner_key, u.owner_name, u.owner_phone, u.developer_held)
			      IS DISTINCT FROM
			      (EXCLUDED.building, EXCLUDED.entrance, EXCLUDED.room, EXCLUDED.zone, EXCLUDED.floor,
			       EXCLUDED.area_centi, EXCLUDED.area_source, EXCLUDED.owner_key, EXCLUDED.owner_name,
			       EXCLUDED.owner_phone, EXCLUDED.developer_held)`, communityID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			DELETE FROM units u WHERE u.community_id = $1
			  AND NOT EXISTS (SELECT 1 FROM roll_import r WHERE r.id = u.id)`, communityID)
		if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23503" {
			// A ballot was issued since the check above.
			return &roll.Error{Problems: []roll.Problem{{Message: "名册中删除的房屋已发出选票 / a removed unit has ballots: " + pqErr.Detail}}}
		}
		if err != nil {
			return err
		}
		removed, err := res.RowsAffected()
		if err != nil {
			return err
		}
		s.Removed = int(removed)
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM zones z WHERE z.community_id = $1
			  AND NOT EXISTS (SELECT 1 FROM units u WHERE u.community_id = z.community_id AND u.zone = z.name)
			  AND NOT EXISTS (SELECT 1 FROM consultations c WHERE c.community_id = z.community_id AND c.scope_zone = z.name)
			  AND NOT EXISTS (SELECT 1 FROM ballots b WHERE b.community_id = z.community_id AND b.zone = z.name)`,
			communityID); err != nil {
			return err
		}
		return tx.QueryRowxContext(ctx, `
			SELECT (SELECT count(*) FROM units WHERE community_id = $1),
			       (SELECT count(DISTINCT person_key) FROM units WHERE community_id = $1),
			       (SELECT count(*) FROM zones WHERE community_id = $1)`,
			communityID).Scan(&s.Units, &s.Persons, &s.Zones)
	})
	if err != nil {
		return RollSummary{}, err
	}
	return s, nil
}

// ballotedError is the refusal to remove units that have ballots.
func ballotedError(ids []string) *roll.Error {
	e := new(roll.Error)
	for _, id := range ids {
		e.Problems = append(e.Problems, roll.Problem{Message: fmt.Sprintf(
			"房屋 %s 已发出选票，不能从名册中删除 / unit %s has ballots and cannot be removed from the roll", id, id)})
	}
	return e
}

// ZoneStats sums up the units of a zone, or of the whole estate: how many,
// their Article 278 headcount (distinct persons) and their total area.
type ZoneStats struct {
	Name      string      `db:"name" json:"name,omitempty"` // "" for the whole estate
	Units     int         `db:"units" json:"units"`
	Headcount int         `db:"headcount" json:"headcount"`
	Area      quorum.Area `db:"area_centi" json:"area"` // String gives the two-decimal m²
}

// EstateStats is an estate's zones in name order and its totals. A person
// with units in two zones counts in each zone's headcount but once in Total's.
type EstateStats struct {
	Zones []ZoneStats `json:"zones"`
	Total ZoneStats   `json:"total"`
}

// selectEstateStats runs a query grouping units by GROUPING SETS ((zone),
// ()) into ZoneStats columns and a boolean "total".
func selectEstateStats(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (EstateStats, error) {
	var rows []struct {
		ZoneStats
		Total bool `db:"total"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return EstateStats{}, err
	}
	stats := EstateStats{Zones: []ZoneStats{}}
	for _, r := range rows {
		if r.Total {
			stats.Total = r.ZoneStats
		} else {
			stats.Zones = append(stats.Zones, r.ZoneStats)
		}
	}
	return stats, nil
}

// ListZones returns estate communityID's zones, each with its unit count,
// headcount and area, and the estate's totals.
func ListZones(ctx context.Context, q sqlx.QueryerContext, communityID int64) (EstateStats, error) {
	return selectEstateStats(ctx, q, `
		SELECT coalesce(z.name, '') AS name, GROUPING(z.name) = 1 AS total,
		       count(u.id) AS units, count(DISTINCT u.person_key) AS headcount,
		       coalesce(sum(u.area_centi), 0) AS area_centi
		FROM zones z LEFT JOIN units u ON u.community_id = z.community_id AND u.zone = z.name
		WHERE z.community_id = $1
		GROUP BY GROUPING SETS ((z.name), ())
		ORDER BY GROUPING(z.name), z.name COLLATE "C"`, communityID)
}

// UnitFilter narrows ListUnits; an empty field matches every unit.
type UnitFilter struct {
	Building string
	Entrance string
	Zone     string
}

// RollUnit is a unit as shown to staff: the owner's name and phone number
// masked (张**, 138****0000), the owner key left out.
type RollUnit struct {
	ID            string      `db:"id" json:"id"`
	Building      string      `db:"building" json:"building"`
	Entrance      string      `db:"entrance" json:"entrance"`
	Room          string      `db:"room" json:"room"`
	Zone          string      `db:"zone" json:"zone"`
	Floor         int         `db:"floor" json:"floor"`
	Area          quorum.Area `db:"area_centi" json:"area"`
	AreaSource    string      `db:"area_source" json:"area_source"`
	OwnerName     string      `db:"owner_name" json:"owner_name"`
	Phone         string      `db:"owner_phone" json:"phone"`
	DeveloperHeld bool        `db:"developer_held" json:"developer_held"`
}

// ListUnits returns estate communityID's units that match filter, by
// building, entrance, floor and room (numbers in numeric order), with owner
// names and phone numbers masked by secret.MaskName and secret.MaskPhone.
func ListUnits(ctx context.Context, q sqlx.QueryerContext, communityID int64, filter UnitFilter) ([]RollUnit, error) {
	units := []RollUnit{}
	err := sqlx.SelectContext(ctx, q, &units, `
		SELECT id, building, entrance, room, zone, floor, area_centi, area_source,
		       owner_name, owner_phone, developer_held
		FROM units
		WHERE community_id = $1
		  AND ($2 = '' OR building = $2) AND ($3 = '' OR entrance = $3) AND ($4 = '' OR zone = $4)
		ORDER BY length(building), building, length(entrance), entrance, floor, length(room), room`,
		communityID, filter.Building, filter.Entrance, filter.Zone)
	if err != nil {
		return nil, err
	}
	for i := range units {
		units[i].OwnerName = secret.MaskName(units[i].OwnerName)
		units[i].Phone = secret.MaskPhone(units[i].Phone)
	}
	return units, nil
}

// RollRemovals returns the units of estate communityID that a roll listing
// only ids would remove, in id order, and those of them that have ballots
// (which no import may remove).
func RollRemovals(ctx context.Context, q sqlx.QueryerContext, communityID int64, ids []string) (removed, balloted []string, err error) {
	var rows []struct {
		ID       string `db:"id"`
		Balloted bool   `db:"balloted"`
	}
	err = sqlx.SelectContext(ctx, q, &rows, `
		SELECT u.id, EXISTS (SELECT 1 FROM ballots b WHERE b.community_id = u.community_id AND b.unit_id = u.id) AS balloted
		FROM units u WHERE u.community_id = $1 AND u.id <> ALL ($2::text[])
		ORDER BY u.id`, communityID, pq.Array(ids))
	removed, balloted = []string{}, []string{}
	for _, r := range rows {
		removed = append(removed, r.ID)
		if r.Balloted {
			balloted = append(balloted, r.ID)
		}
	}
	return removed, balloted, err
}

// UnitFix is a committee's correction of one unit; nil fields stay. An ID
// number is re-entered, never shown: OwnerKey replaces the stored key.
type UnitFix struct {
	Area          *quorum.Area
	AreaSource    *string
	OwnerName     *string
	Phone         *string
	DeveloperHeld *bool
	OwnerKey      *string
}

// ErrUnitInOpenVote refuses a change of what a running vote counts.
var ErrUnitInOpenVote = errors.New("the unit has a ballot in an open consultation")

// CountedFields tells whether fix changes what a vote counts of a unit:
// its area or its person (owner, developer-held).
func (f UnitFix) CountedFields() bool {
	return f.Area != nil || f.DeveloperHeld != nil || f.OwnerKey != nil
}

// CorrectUnit applies fix to unit of estate communityID and returns the
// unit as it now is (masked, as ListUnits shows it). Ballots keep the copy
// made at opening, so a correction counts from the next vote on; a fix of
// the area or the person is nonetheless refused with ErrUnitInOpenVote
// while an open consultation has the unit's ballot, so that the roll and
// the running vote's figures agree. ErrNotFound for an unknown unit.
// The same transaction audits the correction by account by, naming fields
// and the new area and holding — never an ID number, a name or a phone.
func CorrectUnit(ctx context.Context, db *DB, communityID int64, unit string, fix UnitFix, by int64, fields []string) (RollUnit, error) {
	var u RollUnit
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var inOpenVote bool
		err := tx.GetContext(ctx, &inOpenVote, `
			SELECT EXISTS (SELECT 1 FROM ballots b JOIN consultations k ON k.community_id = b.community_id AND k.id = b.consultation_id
			               WHERE b.community_id = u.community_id AND b.unit_id = u.id AND k.state = 'open')
			FROM units u WHERE u.community_id = $1 AND u.id = $2 FOR UPDATE OF u`, communityID, unit)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if inOpenVote && fix.CountedFields() {
			return ErrUnitInOpenVote
		}
		if err := tx.GetContext(ctx, &u, `
			UPDATE units SET area_centi = coalesce($3, area_centi), area_source = coalesce($4, area_source),
			       owner_name = coalesce($5, owner_name), owner_phone = coalesce($6, owner_phone),
			       developer_held = coalesce($7, developer_held), owner_key = coalesce($8, owner_key)
			WHERE community_id = $1 AND id = $2
			RETURNING id, building, entrance, room, zone, floor, area_centi, area_source, owner_name, owner_phone, developer_held`,
			communityID, unit, (*int64)(fix.Area), fix.AreaSource, fix.OwnerName, fix.Phone, fix.DeveloperHeld, fix.OwnerKey); err != nil {
			return err
		}
		return Audit(ctx, tx, &communityID, &by, "unit.correct", unit, map[string]any{
			"fields": fields, "area": u.Area, "area_source": u.AreaSource, "developer_held": u.DeveloperHeld})
	})
	u.OwnerName, u.Phone = secret.MaskName(u.OwnerName), secret.MaskPhone(u.Phone)
	return u, err
}

// GetUnit returns one unit of estate communityID as ListUnits shows it.
func GetUnit(ctx context.Context, q sqlx.QueryerContext, communityID int64, unit string) (RollUnit, error) {
	var u RollUnit
	err := sqlx.GetContext(ctx, q, &u, `
		SELECT id, building, entrance, room, zone, floor, area_centi, area_source, owner_name, owner_phone, developer_held
		FROM units WHERE community_id = $1 AND id = $2`, communityID, unit)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	u.OwnerName, u.Phone = secret.MaskName(u.OwnerName), secret.MaskPhone(u.Phone)
	return u, err
}
