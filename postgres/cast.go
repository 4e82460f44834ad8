package postgres

// Casting (DESIGN §5, §5.4): every counted ballot — online through the
// ballot API or the phone page, on paper when a second account confirms
// an entry — is written by one statement, castQuery. The primary key of
// casts is "one unit, one counted ballot"; a shared advisory lock on the
// consultation, which a close takes exclusively, orders every cast before
// or after the close.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/ballot"
	"gongjue/ledger"
	"gongjue/secret"
	"gongjue/verification"
)

// AlreadyCastError refuses a ballot for a unit that has a counted ballot:
// it says when and how that one was cast.
type AlreadyCastError struct {
	UnitID  string
	At      time.Time
	Channel ballot.Channel
}

func (e *AlreadyCastError) Error() string {
	return fmt.Sprintf("unit %s already has a counted ballot (%s, %s)", e.UnitID, e.Channel, e.At.Format(time.RFC3339))
}

// Cast is a counted ballot as just recorded.
type Cast struct {
	At      time.Time
	Salt    []byte
	Receipt string
}

// consultationLockClass is the first key of the advisory lock on a
// consultation (the second is its id): casts hold it shared, closing and
// extending exclusively. Unlike a row lock, whose share lockers overtake a
// waiting updater, advisory lock requests queue, so a close waits only for
// the casts already holding the lock and the casts arriving after it wait
// for the close. Ids beyond 2³¹ wrap; two consultations sharing a key only
// wait for each other.
const consultationLockClass = 0x676a // "gj"

// consultationLockKey is the advisory lock key of consultation id (a SQL
// expression) as pg_advisory_xact_lock's two arguments.
func consultationLockKey(id string) string {
	return fmt.Sprintf("%d, (%s & 2147483647)::int", consultationLockClass, id)
}

// castQuery counts a batch of ballots in one statement. Each order names
// its ballot by token hash in a consultation (the ballot API) or by estate,
// consultation and unit (the phone page, paper), and carries its salt,
// channel and, for paper, the entry and the accounts. The statement finds
// the ballots; takes the consultations' advisory locks shared, in id
// order, then the time; share-locks the consultations that are open at
// that time — online only before the closing time, paper until the close —
// which re-reads a consultation a close has just updated; inserts the
// casts, a unit that already has one or appears twice getting nothing;
// and inserts the choices of exactly the casts inserted, matched by salt —
// as rows of cast_choices and, in matter then choice order, as the cast's
// choice set, kept with the ballot's zone, area and shared person, which
// the tally groups by (migration 0007).
// It returns a row per ballot found: the cast time when it was counted,
// and otherwise what explains the refusal as of the statement's snapshot —
// the unit's earlier cast, the consultation's window.
var castQuery = `
	WITH req AS (
		SELECT * FROM unnest($1::bytea[], $2::bigint[], $3::bigint[], $4::text[], $5::bytea[], $6::text[],
			$7::bigint[], $8::bigint[], $9::bigint[], $10::text[], $11::text[], $15::text[], $16::text[])
			WITH ORDINALITY AS r(hash, want_community, want_consultation, want_unit, salt, channel,
				paper_entry_id, entered_by, confirmed_by, proxy_name, proxy_authorisation, verification, verified_at, n)
	), b AS (
		SELECT r.*, b.community_id, b.consultation_id, b.unit_id, b.zone, b.area_centi,
		       CASE WHEN b.person_shared THEN b.person_key END AS shared_person
		FROM req r JOIN ballots b ON b.token_hash = r.hash AND b.consultation_id = r.want_consultation
		UNION ALL
		SELECT r.*, b.community_id, b.consultation_id, b.unit_id, b.zone, b.area_centi,
		       CASE WHEN b.person_shared THEN b.person_key END
		FROM req r JOIN ballots b ON b.community_id = r.want_community AND b.consultation_id = r.want_consultation
			AND b.unit_id = r.want_unit
	), lk AS (
		SELECT id AS consultation_id, pg_advisory_xact_lock_shared(` + consultationLockKey("id") + `), clock_timestamp() AS at
		FROM (SELECT DISTINCT consultation_id AS id FROM b ORDER BY 1) ids
	), open AS (
		SELECT b.*, lk.at FROM b JOIN lk ON lk.consultation_id = b.consultation_id
		JOIN consultations con ON con.community_id = b.community_id AND con.id = b.consultation_id
		WHERE con.state = 'open' AND con.opens_at <= lk.at AND (b.channel <> 'online' OR lk.at < con.closes_at)
		FOR SHARE OF con
	), sel AS (
		SELECT n, array_agg(matter_id ORDER BY matter_id, choice COLLATE "C") AS matter_ids, array_agg(choice ORDER BY matter_id, choice COLLATE "C") AS choices
		FROM unnest($12::bigint[], $13::bigint[], $14::text[]) AS s(n, matter_id, choice)
		GROUP BY n
	), k AS (
		INSERT INTO casts (community_id, consultation_id, unit_id, channel, cast_at, salt, paper_entry_id,
			entered_by, confirmed_by, proxy_name, proxy_authorisation, matter_ids, choices, zone, area_centi, shared_person,
			verification, verified_at)
		SELECT o.community_id, o.consultation_id, o.unit_id, o.channel, o.at, o.salt, nullif(o.paper_entry_id, 0),
			nullif(o.entered_by, 0), nullif(o.confirmed_by, 0), o.proxy_name, o.proxy_authorisation,
			coalesce(sel.matter_ids, '{}'), coalesce(sel.choices, '{}'), o.zone, o.area_centi, o.shared_person,
			o.verification, nullif(o.verified_at, '')::timestamptz
		FROM open o LEFT JOIN sel ON sel.n = o.n
		ON CONFLICT (community_id, consultation_id, unit_id) DO NOTHING
		RETURNING salt, cast_at
	), x AS (
		INSERT INTO cast_choices (community_id, consultation_id, unit_id, matter_id, choice)
		SELECT b.community_id, b.consultation_id, b.unit_id, s.matter_id, s.choice
		FROM k JOIN b ON b.salt = k.salt
		JOIN unnest($12::bigint[], $13::bigint[], $14::text[]) AS s(n, matter_id, choice) ON s.n = b.n
	)
	SELECT b.n, b.community_id, b.unit_id, k.cast_at, prior.channel AS prior_channel, prior.cast_at AS prior_at,
	       con.state, con.opens_at, con.closes_at, coalesce(lk.at, now()) AS now
	FROM b
	JOIN consultations con ON con.community_id = b.community_id AND con.id = b.consultation_id
	LEFT JOIN lk ON lk.consultation_id = b.consultation_id
	LEFT JOIN k ON k.salt = b.salt
	LEFT JOIN casts prior ON prior.community_id = b.community_id AND prior.consultation_id = b.consultation_id
		AND prior.unit_id = b.unit_id`

// castOrder is one ballot to count.
type castOrder struct {
	hash           []byte // the token's hash, or nil when the unit names the ballot
	communityID    int64
	consultationID int64
	unitID         string
	salt           []byte
	choices        []ballot.Selection
	paper          *paperCast        // nil online
	verified       verification.Pass // the owner verification an online cast passed (§5.2)
}

// paperCast is what a confirmed paper entry adds to its cast.
type paperCast struct {
	channel            ballot.Channel
	entryID            int64
	enteredBy          int64
	confirmedBy        int64
	proxyName          string
	proxyAuthorisation string
}

// castRow is castQuery's answer for one ballot.
type castRow struct {
	N            int64          `db:"n"`
	CommunityID  int64          `db:"community_id"`
	UnitID       string         `db:"unit_id"`
	At           sql.NullTime   `db:"cast_at"`
	PriorChannel sql.NullString `db:"prior_channel"`
	PriorAt      sql.NullTime   `db:"prior_at"`
	State        string         `db:"state"`
	OpensAt      time.Time      `db:"opens_at"`
	ClosesAt     time.Time      `db:"closes_at"`
	Now          time.Time      `db:"now"`
}

// castOutcome is a ballot's cast, or the row that explains why not, or
// ErrNotFound when no ballot matched.
type castOutcome struct {
	cast Cast
	row  castRow
	err  error
}

// execCast runs castQuery for orders on q — the pool, or the transaction
// of a paper confirmation.
func execCast(ctx context.Context, q sqlx.QueryerContext, orders []*castOrder) ([]castOutcome, error) {
	n := len(orders)
	hashes, salts := make([][]byte, n), make([][]byte, n)
	communities, consultations := make([]int64, n), make([]int64, n)
	units, channels, proxyNames, proxyAuths := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	entries, enteredBy, confirmedBy := make([]int64, n), make([]int64, n), make([]int64, n)
	verifications, verifiedAt := make([]string, n), make([]string, n) // verifiedAt: RFC 3339, or empty
	var ns, matters []int64
	var values []string
	for i, o := range orders {
		hashes[i], communities[i], consultations[i], units[i], salts[i] = o.hash, o.communityID, o.consultationID, o.unitID, o.salt
		channels[i], verifications[i] = string(ballot.Online), string(verification.None)
		if o.verified.Method != "" && o.verified.Method != verification.None {
			verifications[i], verifiedAt[i] = string(o.verified.Method), o.verified.At.Format(time.RFC3339Nano)
		}
		if p := o.paper; p != nil {
			channels[i], entries[i], enteredBy[i], confirmedBy[i] = string(p.channel), p.entryID, p.enteredBy, p.confirmedBy
			proxyNames[i], proxyAuths[i] = p.proxyName, p.proxyAuthorisation
		}
		for _, s := range o.choices {
			ns = append(ns, int64(i+1))
			matters = append(matters, s.MatterID)
			values = append(values, s.Choice)
		}
	}
	var rows []castRow
	err := selectPrepared(ctx, q, &rows, castQuery, pq.Array(hashes), pq.Array(communities), pq.Array(consultations),
		pq.Array(units), pq.Array(salts), pq.Array(channels), pq.Array(entries), pq.Array(enteredBy), pq.Array(confirmedBy),
		pq.Array(proxyNames), pq.Array(proxyAuths), pq.Array(ns), pq.Array(matters), pq.Array(values),
		pq.Array(verifications), pq.Array(verifiedAt))
	if err != nil {
		return nil, err
	}
	out := make([]castOutcome, n)
	for i := range out {
		out[i].err = ErrNotFound
	}
	for _, r := range rows {
		i := int(r.N - 1)
		out[i] = castOutcome{row: r}
		if r.At.Valid {
			out[i].cast = Cast{At: r.At.Time, Salt: orders[i].salt, Receipt: ledger.Receipt(orders[i].salt)}
		}
	}
	return out, nil
}

// refusal explains a ballot found but not counted from what castQuery saw:
// the unit's earlier cast, or the voting period. It returns nil when
// neither explains it — another cast of the unit committed while the
// statement ran, or a close did — and the caller must look again.
func (r castRow) refusal(paper bool) error {
	if r.PriorAt.Valid {
		return &AlreadyCastError{UnitID: r.UnitID, At: r.PriorAt.Time, Channel: ballot.Channel(r.PriorChannel.String)}
	}
	check := ballot.CheckWindow
	if paper {
		check = ballot.CheckPaperWindow
	}
	return check(ballot.State(r.State), r.OpensAt, r.ClosesAt, r.Now)
}

// explain returns why ballot o, found but not counted, was refused: from
// the cast statement's own answer, or when that does not tell, from a
// fresh look at the unit's cast and the consultation.
func explain(ctx context.Context, q sqlx.QueryerContext, o *castOrder, r castRow) error {
	if err := r.refusal(o.paper != nil); err != nil {
		return err
	}
	return whyNotCast(ctx, q, r.CommunityID, o.consultationID, r.UnitID, o.paper != nil)
}

// whyNotCast explains a cast that inserted nothing although the statement
// that tried saw neither an earlier cast nor a closed window.
func whyNotCast(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, unitID string, paper bool) error {
	var r castRow
	err := sqlx.GetContext(ctx, q, &r, `
		SELECT c.community_id, $3 AS unit_id, c.state, c.opens_at, c.closes_at, now() AS now,
		       k.channel AS prior_channel, k.cast_at AS prior_at
		FROM consultations c
		LEFT JOIN casts k ON k.community_id = c.community_id AND k.consultation_id = c.id AND k.unit_id = $3
		WHERE c.community_id = $1 AND c.id = $2`, communityID, consultationID, unitID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := r.refusal(paper); err != nil {
		return err
	}
	return errors.New("the ballot was not counted, for no known reason")
}

// CastOnline counts a ballot cast on the phone page, named by its unit.
// The choices must have been checked with ballot.CheckChoices. It refuses
// with *AlreadyCastError when the unit has a counted ballot (whichever
// came first wins) and with *ballot.WindowError outside the voting period.
// pass is the owner verification the caster passed (§5.2), which the
// caller checked against the vote's rules.
func CastOnline(ctx context.Context, db *DB, communityID, consultationID int64, unitID string, choices []ballot.Selection, pass verification.Pass) (Cast, error) {
	cast, _, err := db.castOnline(ctx, &castOrder{communityID: communityID, consultationID: consultationID, unitID: unitID,
		choices: choices, salt: ledger.NewSalt(), verified: pass})
	return cast, err
}

// CastByToken counts an online ballot named by its token, provided the
// token's ballot belongs to consultation consultationID, whose matters the
// choices were checked against (ballot.CheckChoices). It returns the cast
// and the unit. ErrNotFound when the consultation has no ballot with that
// token; otherwise as CastOnline.
func CastByToken(ctx context.Context, db *DB, token string, consultationID int64, choices []ballot.Selection) (Cast, string, error) {
	return db.castOnline(ctx, &castOrder{hash: secret.Hash(token), consultationID: consultationID, choices: choices,
		salt: ledger.NewSalt()})
}

// castOnline counts o in the caster's next batch, then explains a refusal
// here, in the caller's goroutine: the workers go on to the next batch
// however many of this one's ballots were refused. The ballot is counted
// even if ctx ends while it waits for its batch's answer.
func (db *DB) castOnline(ctx context.Context, o *castOrder) (Cast, string, error) {
	res, err := db.caster.cast(ctx, o)
	switch {
	case err != nil:
		return Cast{}, "", err
	case res.err != nil:
		return Cast{}, "", res.err
	case res.row.At.Valid:
		return res.cast, res.row.UnitID, nil
	}
	return Cast{}, res.row.UnitID, db.explain(ctx, db, o, res.row)
}

// A caster gathers the online ballots arriving together and counts each
// gathering in one statement on one of a few connections: a commit and
// the consultation's locks then serve a batch rather than a ballot.
// Nothing waits to fill a batch: a ballot arriving while the connections
// are busy joins the next one, so batches form only when the database is
// what limits, and a lone ballot goes alone. No goroutine outlives the
// queue it drains.
type caster struct {
	db      *DB
	mu      sync.Mutex
	queue   []*castRequest
	running int
}

type castRequest struct {
	order *castOrder
	done  chan castOutcome
}

func newCaster(db *DB) *caster { return &caster{db: db} }

// maxCastBatch is the largest batch.
const maxCastBatch = 64

// casterWorkers is how many batches may be in the database at once: few,
// so that ballots arriving together share a commit — on two cores, two
// workers cast half as fast again as eight — and a few more on a larger
// machine.
func casterWorkers() int { return 2 + runtime.GOMAXPROCS(0)/4 }

func (c *caster) cast(ctx context.Context, o *castOrder) (castOutcome, error) {
	req := &castRequest{order: o, done: make(chan castOutcome, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, req)
	if c.running < casterWorkers() {
		c.running++
		go c.work()
	}
	c.mu.Unlock()
	select {
	case r := <-req.done:
		return r, nil
	case <-ctx.Done():
		return castOutcome{}, ctx.Err()
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
		c.run(batch)
	}
}

// run counts a batch and answers each of its ballots. Should the batch
// fail as a whole (a deadlock between two batches holding the same units
// in opposite orders, say), each ballot is tried again alone.
func (c *caster) run(batch []*castRequest) {
	ctx := context.Background() // a batch is not abandoned for one voter's closed connection
	orders := make([]*castOrder, len(batch))
	for i, r := range batch {
		orders[i] = r.order
	}
	out, err := execCast(ctx, c.db, orders)
	if err != nil && len(batch) > 1 {
		for _, r := range batch {
			c.run([]*castRequest{r})
		}
		return
	}
	for i, r := range batch {
		if err != nil {
			r.done <- castOutcome{err: err}
			continue
		}
		r.done <- out[i]
	}
}
