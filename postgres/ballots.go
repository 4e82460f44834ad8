package postgres

// Ballots (DESIGN §5): issuing them when a consultation opens, finding one
// by its token or code, casting it online or on paper — one unit, one
// counted ballot, enforced by the casts primary key — and who has not voted.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/ballot"
	"gongjue/ledger"
	"gongjue/locale"
	"gongjue/quorum"
	"gongjue/secret"
	"gongjue/verification"
)

// ErrEmptyScope is returned when opening a consultation whose scope holds
// no unit.
var ErrEmptyScope = errors.New("no unit is in the consultation's scope")

// ErrDeadlinePassed is returned when opening a consultation whose closing
// time has passed.
var ErrDeadlinePassed = errors.New("the closing time has passed")

// AlreadyCastError refuses a ballot for a unit that has a counted ballot:
// it says when and how that one was cast.
type AlreadyCastError struct {
	UnitID  string
	At      time.Time
	Channel ballot.Channel
}

func (e *AlreadyCastError) Error() string {
	ch := locale.Channel(string(e.Channel))
	return fmt.Sprintf("房屋 %s 已于 %s 投票（%s），不能再次投票 / unit %s already voted at %s (%s)",
		e.UnitID, locale.Minute(e.At), ch.ZH, e.UnitID, locale.Minute(e.At), ch.EN)
}

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
func OpenConsultation(ctx context.Context, db *sqlx.DB, keys *secret.Keys, communityID, id int64) ([]IssuedBallot, error) {
	var issued []IssuedBallot
	err := InTx(ctx, db, func(tx *sqlx.Tx) error {
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
}

// CastRecord is a counted ballot.
type CastRecord struct {
	At      time.Time          `json:"at"`
	Channel ballot.Channel     `json:"channel"`
	Choices []ballot.Selection `json:"-"`
	Receipt string             `json:"receipt"`
}

// ballotViewQuery finds a ballot with everything its page shows in one
// round trip: the consultation, its matters as JSON, and whether and how
// the unit voted (its choices, when it did, take a second query).
const ballotViewQuery = `
	SELECT c.community_id, c.id, b.unit_id, b.code, b.zone, b.building, b.entrance, b.floor, b.room,
	       b.area_centi, cm.name AS estate, now() AS now,
	       c.title, c.description, c.scope_zone, c.scope_building, c.scope_entrance, c.veto,
	       c.opens_at, c.closes_at, c.round, c.state, c.created_at,
	       (SELECT json_agg(json_build_object('id', m.id, 'position', m.position, 'title', m.title,
	                'description', m.description, 'kind', m.kind, 'category', m.category, 'flags', m.flags,
	                'rules', m.rules, 'options', m.options, 'seats', m.seats, 'choice_mode', m.choice_mode)
	                ORDER BY m.position)
	          FROM matters m WHERE m.community_id = b.community_id AND m.consultation_id = b.consultation_id) AS matters,
	       k.channel, k.cast_at, k.salt
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
		UnitID   string         `db:"unit_id"`
		Code     string         `db:"code"`
		Zone     string         `db:"zone"`
		Building string         `db:"building"`
		Entrance string         `db:"entrance"`
		Floor    int            `db:"floor"`
		Room     string         `db:"room"`
		Area     int64          `db:"area_centi"`
		Estate   string         `db:"estate"`
		Now      time.Time      `db:"now"`
		Matters  []byte         `db:"matters"`
		Channel  sql.NullString `db:"channel"`
		CastAt   sql.NullTime   `db:"cast_at"`
		Salt     []byte         `db:"salt"`
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
	var ms []matterRow
	if len(r.Matters) > 0 {
		var wire []struct {
			ID          int64           `json:"id"`
			Position    int             `json:"position"`
			Title       string          `json:"title"`
			Description string          `json:"description"`
			Kind        string          `json:"kind"`
			Category    string          `json:"category"`
			Flags       json.RawMessage `json:"flags"`
			Rules       json.RawMessage `json:"rules"`
			Options     json.RawMessage `json:"options"`
			Seats       int             `json:"seats"`
			ChoiceMode  string          `json:"choice_mode"`
		}
		if err := json.Unmarshal(r.Matters, &wire); err != nil {
			return nil, err
		}
		for _, w := range wire {
			ms = append(ms, matterRow{ID: w.ID, Position: w.Position, Title: w.Title, Description: w.Description,
				Kind: w.Kind, Category: w.Category, Flags: w.Flags, Rules: w.Rules, Options: w.Options,
				Seats: w.Seats, ChoiceMode: w.ChoiceMode})
		}
	}
	for i := range ms {
		m, err := ms[i].matter()
		if err != nil {
			return nil, err
		}
		c.Matters = append(c.Matters, m)
	}
	v := &BallotView{
		Estate: r.Estate, Consultation: c, UnitID: r.UnitID, Code: r.Code, Zone: r.Zone,
		Place: ballot.Place{Building: r.Building, Entrance: r.Entrance, Floor: r.Floor, Room: r.Room},
		Area:  quorum.Area(r.Area), Now: r.Now,
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

// castOnlineQuery counts an online ballot in one statement, and so in one
// short transaction: it takes a share lock on the consultation row if and
// only if the consultation is open now — a close (UPDATE of that row) thus
// waits for casts in flight, and no cast commits after it — then inserts
// the cast, doing nothing when the unit already has one (the primary key
// is "one unit, one counted ballot"), and the choices of the cast it did
// insert. It returns the cast time, or no row.
const castOnlineQuery = `
	WITH c AS (
		SELECT community_id, id FROM consultations
		WHERE community_id = $1 AND id = $2 AND state = 'open' AND opens_at <= now() AND now() < closes_at
		FOR SHARE
	), k AS (
		-- verification, verified_at: the owner verification passed (§5.2)
		INSERT INTO casts (community_id, consultation_id, unit_id, channel, salt, verification, verified_at)
		SELECT c.community_id, c.id, $3, 'online', $4, $7, $8 FROM c
		ON CONFLICT (community_id, consultation_id, unit_id) DO NOTHING
		RETURNING community_id, consultation_id, unit_id, cast_at
	), x AS (
		INSERT INTO cast_choices (community_id, consultation_id, unit_id, matter_id, choice)
		SELECT k.community_id, k.consultation_id, k.unit_id, s.matter_id, s.choice
		FROM k, unnest($5::bigint[], $6::text[]) AS s(matter_id, choice)
	)
	SELECT cast_at FROM k`

// Cast is a counted ballot as just recorded.
type Cast struct {
	At      time.Time
	Salt    []byte
	Receipt string
}

// CastOnline counts a ballot cast on the phone page or the ballot API. The
// choices must have been checked with ballot.CheckChoices. It refuses with
// *AlreadyCastError when the unit has a counted ballot (whichever came
// first wins) and with *ballot.WindowError outside the voting period.
func CastOnline(ctx context.Context, db sqlx.QueryerContext, communityID, consultationID int64, unitID string, choices []ballot.Selection) (Cast, error) {
	return CastOnlineVerified(ctx, db, communityID, consultationID, unitID, choices, verification.Pass{Method: verification.None})
}

// CastOnlineVerified is CastOnline recording the owner verification the
// caster passed (§5.2), which the caller checked against the vote's rules.
func CastOnlineVerified(ctx context.Context, db sqlx.QueryerContext, communityID, consultationID int64, unitID string, choices []ballot.Selection, pass verification.Pass) (Cast, error) {
	salt := ledger.NewSalt()
	matters, values := selectionArrays(choices)
	var at time.Time
	err := getPrepared(ctx, db, &at, castOnlineQuery, communityID, consultationID, unitID, salt, pq.Array(matters), pq.Array(values),
		string(pass.Method), nullTime(pass.At))
	if errors.Is(err, sql.ErrNoRows) {
		return Cast{}, whyNotCast(ctx, db, communityID, consultationID, unitID, false)
	}
	if err != nil {
		return Cast{}, err
	}
	return Cast{At: at, Salt: salt, Receipt: ledger.Receipt(salt)}, nil
}

// castBatchQuery counts a batch of online ballots, each named by its
// token's hash and the consultation its choices were checked against, in
// one statement: every ballot is found, the consultations that are open
// now are share-locked (so a close waits for the batch, and no cast
// commits after one), the casts inserted — a unit that already has one, or
// appears twice in the batch, gets nothing (the primary key is "one unit,
// one counted ballot") — and the choices of exactly the casts inserted,
// matched by their salts. It returns a row per ballot found, with the cast
// time when it was counted.
const castBatchQuery = `
	WITH req AS (
		SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bytea[]) WITH ORDINALITY AS r(hash, consultation_id, salt, n)
	), b AS (
		SELECT r.n, r.salt, b.community_id, b.consultation_id, b.unit_id
		FROM req r JOIN ballots b ON b.token_hash = r.hash AND b.consultation_id = r.consultation_id
	), open AS (
		SELECT b.* FROM b JOIN consultations con ON con.community_id = b.community_id AND con.id = b.consultation_id
		WHERE con.state = 'open' AND con.opens_at <= now() AND now() < con.closes_at
		FOR SHARE OF con
	), k AS (
		INSERT INTO casts (community_id, consultation_id, unit_id, channel, salt)
		SELECT community_id, consultation_id, unit_id, 'online', salt FROM open
		ON CONFLICT (community_id, consultation_id, unit_id) DO NOTHING
		RETURNING community_id, consultation_id, unit_id, salt, cast_at
	), x AS (
		INSERT INTO cast_choices (community_id, consultation_id, unit_id, matter_id, choice)
		SELECT k.community_id, k.consultation_id, k.unit_id, s.matter_id, s.choice
		FROM k JOIN b ON b.salt = k.salt
		JOIN unnest($4::bigint[], $5::bigint[], $6::text[]) AS s(n, matter_id, choice) ON s.n = b.n
	)
	SELECT b.n, b.community_id, b.unit_id, k.cast_at FROM b LEFT JOIN k ON k.salt = b.salt`

// castRequest is one ballot waiting in a batch.
type castRequest struct {
	hash           []byte
	consultationID int64
	choices        []ballot.Selection
	salt           []byte
	done           chan castResult
}

type castResult struct {
	cast Cast
	unit string
	err  error
}

// A caster gathers the online ballots arriving together and counts each
// gathering in one statement (castBatchQuery) on one of a few connections:
// a commit, a share lock on the consultation and a lock on each matter row
// then serve a batch rather than a ballot. Nothing waits to fill a batch:
// a ballot arriving while the connections are busy joins the next one, so
// batches form only when the database is what limits, and a lone ballot
// goes alone. No goroutine outlives the queue it drains.
type caster struct {
	db      *sqlx.DB
	mu      sync.Mutex
	queue   []*castRequest
	running int
}

// maxCastBatch is the largest batch.
const maxCastBatch = 64

// casterWorkers is how many batches may be in the database at once: few,
// so that ballots arriving together share a commit — on two cores, two
// workers cast half as fast again as eight — and a few more on a larger
// machine.
func casterWorkers() int { return 2 + runtime.GOMAXPROCS(0)/4 }

var casters sync.Map // *sqlx.DB → *caster

// CastByToken counts an online ballot named by its token, provided the
// token's ballot belongs to consultation consultationID, whose matters the
// choices were checked against (ballot.CheckChoices): the fast path of the
// ballot API, batched with the ballots arriving at the same time. It
// returns the cast and the unit. ErrNotFound when the consultation has no
// ballot with that token; otherwise as CastOnline: *AlreadyCastError,
// *ballot.WindowError. The ballot is counted even if ctx ends while it
// waits for its batch's answer.
func CastByToken(ctx context.Context, db *sqlx.DB, token string, consultationID int64, choices []ballot.Selection) (Cast, string, error) {
	v, _ := casters.LoadOrStore(db, &caster{db: db})
	c := v.(*caster)
	req := &castRequest{hash: secret.Hash(token), consultationID: consultationID, choices: choices,
		salt: ledger.NewSalt(), done: make(chan castResult, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, req)
	if c.running < casterWorkers() {
		c.running++
		go c.work()
	}
	c.mu.Unlock()
	select {
	case r := <-req.done:
		return r.cast, r.unit, r.err
	case <-ctx.Done():
		return Cast{}, "", ctx.Err()
	}
}

func (c *caster) work() {
	for {
		c.mu.Lock()
		n := min(len(c.queue), maxCastBatch)
		if n == 0 {
			c.running--
			c.mu.Unlock()
			return
		}
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		c.mu.Unlock()
		c.cast(batch)
	}
}

// cast counts a batch and answers each of its ballots. Should the batch
// fail as a whole (a deadlock between two batches holding the same units
// in opposite orders, say), each ballot is tried again alone.
func (c *caster) cast(batch []*castRequest) {
	ctx := context.Background() // a batch is not abandoned for one voter's closed connection
	results, err := c.exec(ctx, batch)
	if err != nil && len(batch) > 1 {
		for _, r := range batch {
			c.cast([]*castRequest{r})
		}
		return
	}
	for i, r := range batch {
		if err != nil {
			r.done <- castResult{err: err}
			continue
		}
		res := results[i]
		if res.err == nil && res.unit != "" && res.cast.At.IsZero() {
			res.err = whyNotCast(ctx, c.db, res.community, r.consultationID, res.unit, false)
		}
		r.done <- res.castResult
	}
}

type batchResult struct {
	castResult
	community int64
}

func (c *caster) exec(ctx context.Context, batch []*castRequest) ([]batchResult, error) {
	hashes, consultations, salts := make([][]byte, len(batch)), make([]int64, len(batch)), make([][]byte, len(batch))
	var ns, matters []int64
	var values []string
	for i, r := range batch {
		hashes[i], consultations[i], salts[i] = r.hash, r.consultationID, r.salt
		for _, s := range r.choices {
			ns = append(ns, int64(i+1))
			matters = append(matters, s.MatterID)
			values = append(values, s.Choice)
		}
	}
	var rows []struct {
		N         int64        `db:"n"`
		Community int64        `db:"community_id"`
		Unit      string       `db:"unit_id"`
		At        sql.NullTime `db:"cast_at"`
	}
	if err := selectPrepared(ctx, c.db, &rows, castBatchQuery, pq.Array(hashes), pq.Array(consultations), pq.Array(salts),
		pq.Array(ns), pq.Array(matters), pq.Array(values)); err != nil {
		return nil, err
	}
	out := make([]batchResult, len(batch))
	for i := range out {
		out[i].err = ErrNotFound
	}
	for _, r := range rows {
		i := int(r.N - 1)
		out[i] = batchResult{castResult: castResult{unit: r.Unit}, community: r.Community}
		if r.At.Valid {
			out[i].cast = Cast{At: r.At.Time, Salt: batch[i].salt, Receipt: ledger.Receipt(batch[i].salt)}
		}
	}
	return out, nil
}

// MatterOwners returns, for matter ids, the consultation each belongs to
// and that consultation's state; unknown ids are left out.
func MatterOwners(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64]MatterOwner, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.community_id, m.consultation_id, c.state
		FROM matters m JOIN consultations c ON c.community_id = m.community_id AND c.id = m.consultation_id
		WHERE m.id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]MatterOwner{}
	for rows.Next() {
		var id int64
		var o MatterOwner
		if err := rows.Scan(&id, &o.CommunityID, &o.ConsultationID, &o.State); err != nil {
			return nil, err
		}
		out[id] = o
	}
	return out, rows.Err()
}

// MatterOwner is the consultation a matter belongs to.
type MatterOwner struct {
	CommunityID    int64
	ConsultationID int64
	State          ballot.State
}

// ListMatters returns a consultation's matters in order.
func ListMatters(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]ballot.Matter, error) {
	return listMatters(ctx, q, communityID, consultationID)
}

func selectionArrays(choices []ballot.Selection) ([]int64, []string) {
	matters, values := make([]int64, len(choices)), make([]string, len(choices))
	for i, s := range choices {
		matters[i], values[i] = s.MatterID, s.Choice
	}
	return matters, values
}

// whyNotCast explains a cast that inserted nothing: the unit's counted
// ballot, or the voting period.
func whyNotCast(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, unitID string, paper bool) error {
	var r struct {
		State    string         `db:"state"`
		OpensAt  time.Time      `db:"opens_at"`
		ClosesAt time.Time      `db:"closes_at"`
		Now      time.Time      `db:"now"`
		Channel  sql.NullString `db:"channel"`
		CastAt   sql.NullTime   `db:"cast_at"`
	}
	err := sqlx.GetContext(ctx, q, &r, `
		SELECT c.state, c.opens_at, c.closes_at, now() AS now, k.channel, k.cast_at
		FROM consultations c
		LEFT JOIN casts k ON k.community_id = c.community_id AND k.consultation_id = c.id AND k.unit_id = $3
		WHERE c.community_id = $1 AND c.id = $2`, communityID, consultationID, unitID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if r.CastAt.Valid {
		return &AlreadyCastError{UnitID: unitID, At: r.CastAt.Time, Channel: ballot.Channel(r.Channel.String)}
	}
	check := ballot.CheckWindow
	if paper {
		check = ballot.CheckPaperWindow
	}
	if err := check(ballot.State(r.State), r.OpensAt, r.ClosesAt, r.Now); err != nil {
		return err
	}
	return errors.New("the ballot was not counted, for no known reason")
}

// PaperEntry is a returned paper ballot as a volunteer entered it.
type PaperEntry struct {
	ID                 int64              `db:"id" json:"id"`
	ConsultationID     int64              `db:"consultation_id" json:"consultation_id"`
	UnitID             string             `db:"unit_id" json:"unit"`
	Code               string             `db:"code" json:"code"`
	Choices            []ballot.Selection `db:"-" json:"-"`
	ProxyName          string             `db:"proxy_name" json:"proxy_name,omitempty"`
	ProxyAuthorisation string             `db:"proxy_authorisation" json:"proxy_authorisation,omitempty"`
	EnteredBy          int64              `db:"entered_by" json:"entered_by"`
	EnteredByName      string             `db:"entered_by_name" json:"entered_by_name"`
	EnteredAt          time.Time          `db:"entered_at" json:"entered_at"`
	State              string             `db:"state" json:"state"`
	DecidedBy          *int64             `db:"decided_by" json:"decided_by,omitempty"`
	DecidedByName      *string            `db:"decided_by_name" json:"decided_by_name,omitempty"`
	DecidedAt          *time.Time         `db:"decided_at" json:"decided_at,omitempty"`
	Note               string             `db:"note" json:"note,omitempty"`
	RawChoices         []byte             `db:"choices" json:"-"`
}

// Channel is the channel the entry counts under once confirmed.
func (e *PaperEntry) Channel() ballot.Channel {
	if e.ProxyName != "" {
		return ballot.Proxy
	}
	return ballot.Paper
}

// NewPaperEntry is what a volunteer enters.
type NewPaperEntry struct {
	CommunityID        int64
	ConsultationID     int64
	UnitID             string
	Choices            []ballot.Selection
	ProxyName          string
	ProxyAuthorisation string
	EnteredBy          int64
}

// CreatePaperEntry records a returned paper ballot, pending confirmation by
// a second account. A unit that has a counted ballot is refused at once
// with *AlreadyCastError — a courtesy: what enforces one counted ballot is
// confirmation. It returns the entry id and the ids of other entries
// pending for the same unit, which the volunteer should know about. It
// refuses with *ballot.WindowError once the consultation is closed.
func CreatePaperEntry(ctx context.Context, db *sqlx.DB, e NewPaperEntry) (int64, []int64, error) {
	choices, err := json.Marshal(e.Choices)
	if err != nil {
		return 0, nil, err
	}
	var id int64
	var others []int64
	err = InTx(ctx, db, func(tx *sqlx.Tx) error {
		// The consultation in share mode, as a cast takes it: a close waits
		// for this entry to commit, so its guard sees it pending, and an
		// entry after a close finds the consultation closed.
		var k struct {
			State    string    `db:"state"`
			OpensAt  time.Time `db:"opens_at"`
			ClosesAt time.Time `db:"closes_at"`
			Now      time.Time `db:"now"`
		}
		if err := tx.GetContext(ctx, &k, `SELECT state, opens_at, closes_at, now() AS now FROM consultations
			WHERE community_id = $1 AND id = $2 FOR SHARE`, e.CommunityID, e.ConsultationID); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if err := ballot.CheckPaperWindow(ballot.State(k.State), k.OpensAt, k.ClosesAt, k.Now); err != nil {
			return err
		}
		var cast struct {
			Channel string    `db:"channel"`
			At      time.Time `db:"cast_at"`
		}
		err := tx.GetContext(ctx, &cast, `SELECT channel, cast_at FROM casts
			WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3`, e.CommunityID, e.ConsultationID, e.UnitID)
		if err == nil {
			return &AlreadyCastError{UnitID: e.UnitID, At: cast.At, Channel: ballot.Channel(cast.Channel)}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.SelectContext(ctx, &others, `SELECT id FROM paper_entries
			WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3 AND state = 'pending' ORDER BY id`,
			e.CommunityID, e.ConsultationID, e.UnitID); err != nil {
			return err
		}
		return tx.GetContext(ctx, &id, `
			INSERT INTO paper_entries (community_id, consultation_id, unit_id, choices, proxy_name, proxy_authorisation, entered_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			e.CommunityID, e.ConsultationID, e.UnitID, choices, e.ProxyName, e.ProxyAuthorisation, e.EnteredBy)
	})
	return id, others, err
}

const paperEntryQuery = `
	SELECT e.id, e.consultation_id, e.unit_id, b.code, e.choices, e.proxy_name, e.proxy_authorisation,
	       e.entered_by, ea.username AS entered_by_name, e.entered_at, e.state, e.decided_by,
	       da.username AS decided_by_name, e.decided_at, e.note
	FROM paper_entries e
	JOIN ballots b ON b.community_id = e.community_id AND b.consultation_id = e.consultation_id AND b.unit_id = e.unit_id
	JOIN accounts ea ON ea.id = e.entered_by
	LEFT JOIN accounts da ON da.id = e.decided_by
	`

func (e *PaperEntry) decode() error {
	return json.Unmarshal(e.RawChoices, &e.Choices)
}

// GetPaperEntry returns paper entry id, whatever its estate (callers check
// it), with its estate.
func GetPaperEntry(ctx context.Context, q sqlx.QueryerContext, id int64) (PaperEntry, int64, error) {
	var r struct {
		PaperEntry
		CommunityID int64 `db:"community_id"`
	}
	err := sqlx.GetContext(ctx, q, &r, strings.Replace(paperEntryQuery, "SELECT ", "SELECT e.community_id, ", 1)+`WHERE e.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return PaperEntry{}, 0, ErrNotFound
	}
	if err != nil {
		return PaperEntry{}, 0, err
	}
	return r.PaperEntry, r.CommunityID, r.decode()
}

// ListPaperEntries returns a consultation's paper entries in one state
// ("pending", "confirmed", "rejected"; "" for all), oldest first.
func ListPaperEntries(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, state string) ([]PaperEntry, error) {
	entries := []PaperEntry{}
	err := sqlx.SelectContext(ctx, q, &entries, paperEntryQuery+`
		WHERE e.community_id = $1 AND e.consultation_id = $2 AND ($3 = '' OR e.state = $3)
		ORDER BY e.id`, communityID, consultationID, state)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		if err := entries[i].decode(); err != nil {
			return nil, err
		}
	}
	return entries, nil
}

// Errors of deciding a paper entry.
var (
	// ErrSameAccount: the account that entered a paper ballot may not
	// confirm or reject it; a second person must look at the paper.
	ErrSameAccount = errors.New("a different account must decide this entry")
	// ErrDecided: the entry was already confirmed or rejected.
	ErrDecided = errors.New("the entry was already decided")
)

// Confirmed is a paper entry confirmed and counted.
type Confirmed struct {
	Entry PaperEntry
	Cast  Cast
}

// ConfirmPaperEntry confirms paper entry id of estate communityID by
// account by and counts it, in one transaction: the entry is locked, the
// cast inserted (doing nothing when the unit already has one) with its
// choices, and the entry marked confirmed. When the unit already has a
// counted ballot the entry is marked rejected as a duplicate, which is
// committed, and *AlreadyCastError returned. Other errors: ErrNotFound,
// ErrSameAccount, ErrDecided, *ballot.WindowError.
func ConfirmPaperEntry(ctx context.Context, db *sqlx.DB, communityID, id, by int64) (Confirmed, error) {
	var out Confirmed
	var refusal error
	err := InTx(ctx, db, func(tx *sqlx.Tx) error {
		e, err := lockPaperEntry(ctx, tx, communityID, id, by)
		if err != nil {
			return err
		}
		out.Entry = e.PaperEntry
		if err := ballot.CheckPaperWindow(ballot.State(e.CState), e.OpensAt, e.ClosesAt, e.Now); err != nil {
			return err
		}
		salt := ledger.NewSalt()
		var at time.Time
		err = tx.GetContext(ctx, &at, `
			INSERT INTO casts (community_id, consultation_id, unit_id, channel, salt, paper_entry_id, entered_by,
				confirmed_by, proxy_name, proxy_authorisation)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (community_id, consultation_id, unit_id) DO NOTHING
			RETURNING cast_at`,
			communityID, e.ConsultationID, e.UnitID, string(e.Channel()), salt, e.ID, e.EnteredBy, by,
			e.ProxyName, e.ProxyAuthorisation)
		if errors.Is(err, sql.ErrNoRows) {
			refusal = whyNotCast(ctx, tx, communityID, e.ConsultationID, e.UnitID, true)
			var dup *AlreadyCastError
			if !errors.As(refusal, &dup) {
				return refusal
			}
			ch := locale.Channel(string(dup.Channel))
			note := fmt.Sprintf("重复：该房屋已于 %s 投票（%s）/ duplicate: the unit voted at %s (%s)",
				locale.Minute(dup.At), ch.ZH, locale.Minute(dup.At), ch.EN)
			return decidePaperEntry(ctx, tx, communityID, id, by, "rejected", note)
		}
		if err != nil {
			return err
		}
		matters, values := selectionArrays(e.Choices)
		_, err = tx.ExecContext(ctx, `
			INSERT INTO cast_choices (community_id, consultation_id, unit_id, matter_id, choice)
			SELECT $1, $2, $3, s.matter_id, s.choice FROM unnest($4::bigint[], $5::text[]) AS s(matter_id, choice)`,
			communityID, e.ConsultationID, e.UnitID, pq.Array(matters), pq.Array(values))
		if err != nil {
			return err
		}
		out.Cast = Cast{At: at, Salt: salt, Receipt: ledger.Receipt(salt)}
		return decidePaperEntry(ctx, tx, communityID, id, by, "confirmed", "")
	})
	if err == nil && refusal != nil {
		return out, refusal
	}
	return out, err
}

// RejectPaperEntry rejects a pending paper entry (a misread sheet, an
// unsigned ballot) with a note; the unit may then be entered again.
// Errors: ErrNotFound, ErrSameAccount, ErrDecided.
func RejectPaperEntry(ctx context.Context, db *sqlx.DB, communityID, id, by int64, note string) (PaperEntry, error) {
	var out PaperEntry
	err := InTx(ctx, db, func(tx *sqlx.Tx) error {
		e, err := lockPaperEntry(ctx, tx, communityID, id, by)
		if err != nil {
			return err
		}
		out = e.PaperEntry
		return decidePaperEntry(ctx, tx, communityID, id, by, "rejected", note)
	})
	return out, err
}

type lockedEntry struct {
	PaperEntry
	CState   string    `db:"c_state"`
	OpensAt  time.Time `db:"opens_at"`
	ClosesAt time.Time `db:"closes_at"`
	Now      time.Time `db:"now"`
}

// lockPaperEntry locks a pending entry for deciding, and its consultation
// row in share mode as a cast does.
func lockPaperEntry(ctx context.Context, tx *sqlx.Tx, communityID, id, by int64) (lockedEntry, error) {
	var e lockedEntry
	err := tx.GetContext(ctx, &e, `
		SELECT e.id, e.consultation_id, e.unit_id, e.choices, e.proxy_name, e.proxy_authorisation, e.entered_by,
		       e.entered_at, e.state, e.note, c.state AS c_state, c.opens_at, c.closes_at, now() AS now
		FROM paper_entries e JOIN consultations c ON c.community_id = e.community_id AND c.id = e.consultation_id
		WHERE e.community_id = $1 AND e.id = $2
		FOR UPDATE OF e FOR SHARE OF c`, communityID, id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return e, ErrNotFound
	case err != nil:
		return e, err
	case e.State != "pending":
		return e, ErrDecided
	case e.EnteredBy == by:
		return e, ErrSameAccount
	}
	return e, e.decode()
}

func decidePaperEntry(ctx context.Context, tx *sqlx.Tx, communityID, id, by int64, state, note string) error {
	_, err := tx.ExecContext(ctx, `UPDATE paper_entries SET state = $3, decided_by = $4, decided_at = now(), note = $5
		WHERE community_id = $1 AND id = $2`, communityID, id, state, by, note)
	return err
}

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
		               AND e.consultation_id = b.consultation_id AND e.unit_id = b.unit_id AND e.state = 'pending')
		FROM ballots b
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
			&owner, &phone, &r.Pending); err != nil {
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
	err := sqlx.GetContext(ctx, q, &c, `
		SELECT (SELECT count(*) FROM ballots WHERE community_id = $1 AND consultation_id = $2) AS ballots,
		       count(*) FILTER (WHERE channel = 'online') AS online,
		       count(*) FILTER (WHERE channel = 'paper') AS paper,
		       count(*) FILTER (WHERE channel = 'proxy') AS proxy,
		       (SELECT count(*) FROM paper_entries WHERE community_id = $1 AND consultation_id = $2 AND state = 'pending') AS pending_paper
		FROM casts WHERE community_id = $1 AND consultation_id = $2`, communityID, consultationID)
	return c, err
}

// preparedStmts caches the prepared statements of the voting hot paths —
// finding a ballot by its token, casting it — per database handle, so that
// each pooled connection plans them once rather than once per request
// (planning the ballot query costs several times executing it).
var preparedStmts sync.Map // stmtKey → *sqlx.Stmt

type stmtKey struct {
	db    *sqlx.DB
	query string
}

// getPrepared is sqlx.GetContext through a cached prepared statement when
// q is a *sqlx.DB, and a plain query otherwise (in a transaction).
func getPrepared(ctx context.Context, q sqlx.QueryerContext, dest any, query string, args ...any) error {
	db, ok := q.(*sqlx.DB)
	if !ok {
		return sqlx.GetContext(ctx, q, dest, query, args...)
	}
	stmt, err := prepared(ctx, db, query)
	if err != nil {
		return err
	}
	return stmt.GetContext(ctx, dest, args...)
}

// selectPrepared is sqlx.SelectContext through a cached prepared statement.
func selectPrepared(ctx context.Context, db *sqlx.DB, dest any, query string, args ...any) error {
	stmt, err := prepared(ctx, db, query)
	if err != nil {
		return err
	}
	return stmt.SelectContext(ctx, dest, args...)
}

func prepared(ctx context.Context, db *sqlx.DB, query string) (*sqlx.Stmt, error) {
	key := stmtKey{db, query}
	if v, ok := preparedStmts.Load(key); ok {
		return v.(*sqlx.Stmt), nil
	}
	stmt, err := db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := preparedStmts.LoadOrStore(key, stmt); loaded {
		stmt.Close()
		return v.(*sqlx.Stmt), nil
	}
	return stmt, nil
}
