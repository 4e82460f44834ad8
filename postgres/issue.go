package postgres

// Issuing ballots (DESIGN §5): one per unit in scope when a consultation
// opens, and the packet that prints them again.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/ballot"
	"gongjue/secret"
)

// ErrEmptyScope is returned when opening a consultation whose scope holds
// no unit.
var ErrEmptyScope = errors.New("no unit is in the consultation's scope")

// ErrDeadlinePassed is returned when opening a consultation whose closing
// time has passed.
var ErrDeadlinePassed = errors.New("the closing time has passed")

// IssuedBallot is a ballot as issued. Its token is stored only as a hash;
// secret.Keys.BallotToken derives it again for a reprint.
type IssuedBallot struct {
	UnitID string `json:"unit"`
	Code   string `json:"code"`
	Token  string `json:"-"`
	ballot.Place
}

// OpenConsultation opens a draft consultation of estate communityID: in one
// transaction it issues one ballot per unit in scope — a token derived from
// a fresh random seed of the consultation (secret.Keys.BallotToken) and
// stored as its SHA-256, a ballot code unique in the consultation, and a copy of
// the unit's zone, place, area and person — and moves the consultation to
// open. It returns the ballots ordered building → entrance → floor → room.
// Errors: ErrNotFound, ErrNotDraft, ErrEmptyScope, ErrDeadlinePassed.
func OpenConsultation(ctx context.Context, db *DB, keys *secret.Keys, communityID, id int64) ([]IssuedBallot, error) {
	var issued []IssuedBallot
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var c struct {
			State    string    `db:"state"`
			Zone     string    `db:"scope_zone"`
			Building string    `db:"scope_building"`
			Entrance string    `db:"scope_entrance"`
			ClosesAt time.Time `db:"closes_at"`
			Now      time.Time `db:"now"`
		}
		err := tx.GetContext(ctx, &c, `SELECT state, scope_zone, scope_building, scope_entrance, closes_at, now() AS now
			FROM consultations WHERE community_id = $1 AND id = $2 FOR UPDATE`, communityID, id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case c.State != string(ballot.Draft):
			return ErrNotDraft
		case !c.ClosesAt.After(c.Now):
			return ErrDeadlinePassed
		}
		var units []struct {
			ID       string `db:"id"`
			Zone     string `db:"zone"`
			Building string `db:"building"`
			Entrance string `db:"entrance"`
			Floor    int64  `db:"floor"`
			Room     string `db:"room"`
			Area     int64  `db:"area_centi"`
			Person   string `db:"person_key"`
		}
		err = tx.SelectContext(ctx, &units, `
			SELECT id, zone, building, entrance, floor, room, area_centi, person_key FROM units
			WHERE community_id = $1 AND ($2 = '' OR zone = $2) AND ($3 = '' OR building = $3) AND ($4 = '' OR entrance = $4)`,
			communityID, c.Zone, c.Building, c.Entrance)
		if err != nil {
			return err
		}
		if len(units) == 0 {
			return ErrEmptyScope
		}
		n := len(units)
		// All of a consultation's codes are drawn together and distinct, so
		// the UNIQUE (consultation, code) constraint cannot fire within
		// this one INSERT, and no other INSERT of the consultation's
		// ballots ever happens.
		codes := ballot.NewCodes(n)
		ids, zones, buildings, entrances, rooms, persons := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		floors, areas := make([]int64, n), make([]int64, n)
		hashes, shared := make([][]byte, n), make([]bool, n)
		holdings := make(map[string]int, n)
		for _, u := range units {
			holdings[u.Person]++
		}
		seed := make([]byte, 32)
		if _, err := rand.Read(seed); err != nil {
			return err
		}
		issued = make([]IssuedBallot, n)
		for i, u := range units {
			token := keys.BallotToken(seed, u.ID)
			ids[i], zones[i], buildings[i], entrances[i], rooms[i], persons[i] = u.ID, u.Zone, u.Building, u.Entrance, u.Room, u.Person
			floors[i], areas[i] = u.Floor, u.Area
			hashes[i], shared[i] = secret.Hash(token), holdings[u.Person] > 1
			issued[i] = IssuedBallot{UnitID: u.ID, Code: codes[i], Token: token,
				Place: ballot.Place{Building: u.Building, Entrance: u.Entrance, Floor: int(u.Floor), Room: u.Room}}
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO ballots (community_id, consultation_id, unit_id, token_hash, code, zone, building, entrance,
				floor, room, area_centi, person_key, person_shared)
			SELECT $1, $2, u.* FROM unnest($3::text[], $4::bytea[], $5::text[], $6::text[], $7::text[], $8::text[],
				$9::int[], $10::text[], $11::bigint[], $12::text[], $13::boolean[]) AS u`,
			communityID, id, pq.Array(ids), pq.Array(hashes), pq.Array(codes), pq.Array(zones), pq.Array(buildings),
			pq.Array(entrances), pq.Array(floors), pq.Array(rooms), pq.Array(areas), pq.Array(persons), pq.Array(shared))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE consultations SET state = 'open', opened_at = now(), token_seed = $3
			WHERE community_id = $1 AND id = $2`, communityID, id, seed)
		if err != nil {
			return err
		}
		// The estate's rules of procedure are frozen into it (procedures.go).
		return freezeProcedure(ctx, tx, communityID, id)
	})
	if err != nil {
		return nil, err
	}
	// Casting is about to start, often all at once when the links go out.
	// Without statistics on the thousands of ballots just added, the
	// planner may check each cast's foreign key with a scan of them until
	// autovacuum analyzes the table a minute later; analyzing now spares
	// that minute. A failure only costs the minute, so it is not an error.
	if _, err := db.ExecContext(ctx, `ANALYZE ballots`); err != nil {
		slog.WarnContext(ctx, "analyzing ballots after opening", "err", err)
	}
	slices.SortStableFunc(issued, func(a, b IssuedBallot) int { return ballot.ComparePlaces(a.Place, b.Place) })
	return issued, nil
}

// PacketBallots returns the ballots of a consultation for its packet, with
// their tokens derived again and the owners' names from the roll, narrowed
// to a building and entrance when given. Units with a counted ballot are
// left out — a reprinted QR code must not reach whoever could then see how
// the unit voted (§5) — and counted in voted.
func PacketBallots(ctx context.Context, q sqlx.QueryerContext, keys *secret.Keys, communityID, consultationID int64, building, entrance string) (_ []ballot.PacketBallot, voted int, _ error) {
	var seed []byte
	err := sqlx.GetContext(ctx, q, &seed, `SELECT token_seed FROM consultations WHERE community_id = $1 AND id = $2`, communityID, consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, err
	}
	if seed == nil {
		return nil, 0, fmt.Errorf("consultation %d: its ballots were issued before migration 0005 and cannot be printed again", consultationID)
	}
	rows, err := q.QueryContext(ctx, `
		SELECT b.unit_id, b.building, b.entrance, b.floor, b.room, b.zone, b.area_centi, b.code,
		       coalesce(u.owner_name, ''), k.unit_id IS NOT NULL AS voted
		FROM ballots b
		LEFT JOIN units u ON u.community_id = b.community_id AND u.id = b.unit_id
		LEFT JOIN casts k ON k.community_id = b.community_id AND k.consultation_id = b.consultation_id AND k.unit_id = b.unit_id
		WHERE b.community_id = $1 AND b.consultation_id = $2 AND ($3 = '' OR b.building = $3) AND ($4 = '' OR b.entrance = $4)`,
		communityID, consultationID, building, entrance)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []ballot.PacketBallot
	for rows.Next() {
		var b ballot.PacketBallot
		var cast bool
		if err := rows.Scan(&b.UnitID, &b.Building, &b.Entrance, &b.Floor, &b.Room, &b.Zone, &b.Area, &b.Code, &b.OwnerName, &cast); err != nil {
			return nil, 0, err
		}
		if cast {
			voted++
			continue
		}
		b.Token = keys.BallotToken(seed, b.UnitID)
		out = append(out, b)
	}
	return out, voted, rows.Err()
}
