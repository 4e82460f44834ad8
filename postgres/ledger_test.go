package postgres_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongjue/ledger"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/secret"
)

// A ledgerEstate is an estate with units and one open consultation of two
// matters, every unit holding a ballot.
type ledgerEstate struct {
	db           *postgres.DB
	keys         *secret.Keys
	community    int64
	consultation int64
	matters      [2]int64 // approve (agree / oppose / abstain), choice (蒂森 / 三菱)
	units        []string
	receipts     map[string]string // by unit
}

func newLedgerEstate(t testing.TB, units int) *ledgerEstate {
	t.Helper()
	db, _ := pgtest.New(t)
	e := &ledgerEstate{db: db, keys: new(secret.Keys), receipts: make(map[string]string)}
	rand.Read(e.keys.Master[:])
	ledgerExec(t, db, `INSERT INTO communities (name) VALUES ('梅园新村')`)
	ledgerGet(t, db, &e.community, `SELECT id FROM communities`)
	ledgerExec(t, db, `INSERT INTO zones (community_id, name) VALUES ($1, '多层')`, e.community)
	// Unit ids like 3-1-1502, with a few awkward ones.
	ledgerExec(t, db, `
		INSERT INTO units (community_id, id, building, entrance, room, zone, floor, area_centi)
		SELECT $1, CASE g % 50 WHEN 7 THEN 'A栋 ' || g ELSE (g / 100 + 1) || '-1-' || (g % 100 + 101) END,
			(g / 100 + 1)::text, '1', (g % 100 + 101)::text, '多层', 1, 8935
		FROM generate_series(0, $2 - 1) AS g`, e.community, units)
	if err := db.Select(&e.units, `SELECT id FROM units ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	e.consultation = e.newConsultation(t)
	return e
}

// newConsultation opens a consultation with a ballot for every unit.
func (e *ledgerEstate) newConsultation(t testing.TB) int64 {
	t.Helper()
	var id int64
	ledgerGet(t, e.db, &id, `
		INSERT INTO consultations (community_id, title, opens_at, closes_at, state)
		VALUES ($1, '加装电梯', now(), now() + interval '14 days', 'open') RETURNING id`, e.community)
	for i, kind := range []string{"approve", "choice"} {
		ledgerGet(t, e.db, &e.matters[i], `
			INSERT INTO matters (community_id, consultation_id, position, title, kind, category, rules, options)
			VALUES ($1, $2, $3, $4, $5, 'major', '"major"', $6) RETURNING id`,
			e.community, id, i+1, "事项 "+kind, kind, `["蒂森", "三菱"]`)
	}
	ledgerExec(t, e.db, `
		INSERT INTO ballots (community_id, consultation_id, unit_id, token_hash, code, zone, building, entrance, floor, room, area_centi, person_key)
		SELECT community_id, $2, id, sha256(convert_to($2::bigint || '/' || id, 'UTF8')), $2::bigint || '/' || id,
			zone, building, entrance, floor, room, area_centi, person_key
		FROM units WHERE community_id = $1`, e.community, id)
	return id
}

// cast counts a ballot for unit, as the casting code does, and returns its
// receipt code.
func (e *ledgerEstate) cast(t testing.TB, unit string, at time.Time, channel string, choices ...ledger.Choice) string {
	t.Helper()
	salt := ledger.NewSalt()
	err := e.db.Transact(context.Background(), sql.LevelDefault, func(tx *sqlx.Tx) error {
		// The cast's choice set is in matter then choice order, as the
		// cast statement writes it.
		slices.SortFunc(choices, func(a, b ledger.Choice) int {
			return cmp.Or(cmp.Compare(a.MatterID, b.MatterID), strings.Compare(a.Choice, b.Choice))
		})
		matters, values := []int64{}, []string{}
		for _, c := range choices {
			matters, values = append(matters, c.MatterID), append(values, c.Choice)
		}
		_, err := tx.Exec(`
			INSERT INTO casts (community_id, consultation_id, unit_id, channel, cast_at, salt, matter_ids, choices,
				zone, area_centi, shared_person)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, zone, area_centi, CASE WHEN person_shared THEN person_key END
			FROM ballots WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3`,
			e.community, e.consultation, unit, channel, at, salt, pq.Array(matters), pq.Array(values))
		for _, c := range choices {
			if err != nil {
				break
			}
			_, err = tx.Exec(`
				INSERT INTO cast_choices (community_id, consultation_id, unit_id, matter_id, choice)
				VALUES ($1, $2, $3, $4, $5)`, e.community, e.consultation, unit, c.MatterID, c.Choice)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.receipts[unit] = ledger.Receipt(salt)
	return e.receipts[unit]
}

// castAll counts a ballot for every unit of the consultation in one
// statement per table.
func (e *ledgerEstate) castAll(t testing.TB, consultation int64) {
	t.Helper()
	ledgerExec(t, e.db, `
		INSERT INTO casts (community_id, consultation_id, unit_id, channel, cast_at, salt, matter_ids, choices,
			zone, area_centi, shared_person)
		SELECT b.community_id, b.consultation_id, b.unit_id, 'online',
			now() - random() * interval '3 days', decode(md5(random()::text || b.unit_id), 'hex'), s.matter_ids, s.choices,
			b.zone, b.area_centi, CASE WHEN b.person_shared THEN b.person_key END
		FROM ballots b, LATERAL (
			SELECT array_agg(m.id ORDER BY m.id) AS matter_ids,
			       array_agg(CASE m.kind WHEN 'approve' THEN 'agree' ELSE '蒂森' END ORDER BY m.id) AS choices
			FROM matters m WHERE m.community_id = b.community_id AND m.consultation_id = b.consultation_id) s
		WHERE b.community_id = $1 AND b.consultation_id = $2`, e.community, consultation)
	ledgerExec(t, e.db, `
		INSERT INTO cast_choices (community_id, consultation_id, unit_id, matter_id, choice)
		SELECT k.community_id, k.consultation_id, k.unit_id, s.matter_id, s.choice
		FROM casts k, unnest(k.matter_ids, k.choices) AS s (matter_id, choice)
		WHERE k.community_id = $1 AND k.consultation_id = $2`, e.community, consultation)
}

func ledgerExec(t testing.TB, db *postgres.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

func ledgerGet(t testing.TB, db *postgres.DB, dest any, query string, args ...any) {
	t.Helper()
	if err := db.Get(dest, query, args...); err != nil {
		t.Fatal(err)
	}
}

func (e *ledgerEstate) sequence(t testing.TB, batch int) (ledger.Checkpoint, int) {
	t.Helper()
	cp, added, err := postgres.Sequence(context.Background(), e.db, e.keys, e.community, e.consultation, batch)
	if err != nil {
		t.Fatal(err)
	}
	return cp, added
}

func (e *ledgerEstate) verifierKey(t testing.TB) string {
	t.Helper()
	vkey, err := postgres.LedgerVerifierKey(context.Background(), e.db, e.keys, e.community)
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

func (e *ledgerEstate) audit(t testing.TB) []ledger.Mismatch {
	t.Helper()
	found, err := postgres.AuditLedger(context.Background(), e.db, e.consultation)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestLedgerSequenceAndProve(t *testing.T) {
	ctx := context.Background()
	e := newLedgerEstate(t, 25)
	start := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	choices := []string{"agree", "oppose", "abstain", "spoiled"}
	channels := []string{"online", "paper", "proxy"}
	// Cast in an order other than unit order; cast times with microseconds.
	for i, unit := range slices.Backward(e.units) {
		at := start.Add(time.Duration(i%7)*time.Minute + time.Duration(i)*1234567*time.Nanosecond)
		e.cast(t, unit, at, channels[i%3],
			ledger.Choice{MatterID: e.matters[1], Choice: []string{"蒂森", "三菱"}[i%2]},
			ledger.Choice{MatterID: e.matters[0], Choice: choices[i%4]})
	}
	if _, err := postgres.LatestCheckpoint(ctx, e.db, e.consultation); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("LatestCheckpoint of an empty log: %v, want ErrNotFound", err)
	}
	if _, err := postgres.InclusionProof(ctx, e.db, e.consultation, e.receipts[e.units[0]]); !errors.Is(err, ledger.ErrPending) {
		t.Fatalf("InclusionProof before sequencing: %v, want ErrPending", err)
	}

	first, added := e.sequence(t, 12)
	if first.Size != 12 || added != 12 {
		t.Fatalf("first batch: size %d, added %d; want 12, 12", first.Size, added)
	}
	second, added := e.sequence(t, 1000)
	if second.Size != 25 || added != 13 {
		t.Fatalf("second batch: size %d, added %d; want 25, 13", second.Size, added)
	}
	again, added := e.sequence(t, 1000)
	if added != 0 || again.Size != 25 || again.Note != second.Note {
		t.Fatalf("sequencing with nothing new: size %d, added %d, same note %v", again.Size, added, again.Note == second.Note)
	}
	var checkpoints int
	ledgerGet(t, e.db, &checkpoints, `SELECT count(*) FROM ledger_checkpoints`)
	if checkpoints != 2 {
		t.Errorf("%d checkpoints stored, want 2", checkpoints)
	}

	// Leaves are in cast order, then unit order.
	var logged []string
	if err := e.db.Select(&logged, `SELECT unit_id FROM ledger_leaves ORDER BY leaf_index`); err != nil {
		t.Fatal(err)
	}
	var cast []string
	if err := e.db.Select(&cast, `SELECT unit_id FROM casts ORDER BY cast_at, unit_id COLLATE "C"`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(logged, cast) {
		t.Errorf("leaves in order %v, want %v", logged, cast)
	}

	vkey := e.verifierKey(t)
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if verifier.Name() != fmt.Sprintf("gongjue.estate-%d", e.community) {
		t.Errorf("key name %q", verifier.Name())
	}
	latest, err := postgres.LatestCheckpoint(ctx, e.db, e.consultation)
	if err != nil {
		t.Fatal(err)
	}
	if latest.Size != 25 || latest.Hash != second.Hash || latest.VerifierKey != vkey {
		t.Fatalf("LatestCheckpoint = %+v, want size 25, hash %v, key %s", latest, second.Hash, vkey)
	}
	// The checkpoint as a verifier sees it: a signed note of the tree.
	n, err := note.Open([]byte(latest.Note), note.VerifierList(verifier))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil || tree != (tlog.Tree{N: 25, Hash: latest.Hash}) {
		t.Fatalf("checkpoint note holds %v, %v", tree, err)
	}

	for i, unit := range e.units {
		p, err := postgres.InclusionProof(ctx, e.db, e.consultation, e.receipts[unit])
		if err != nil {
			t.Fatalf("%s: %v", unit, err)
		}
		// Through JSON, as a voter's browser gets it.
		js, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var q ledger.InclusionProof
		if err := json.Unmarshal(js, &q); err != nil {
			t.Fatal(err)
		}
		if err := q.Verify(vkey); err != nil {
			t.Errorf("%s: %v", unit, err)
		}
		if q.Checkpoint.Note != latest.Note {
			t.Errorf("%s: proof against another checkpoint", unit)
		}
		if tlog.RecordHash([]byte(q.Record)) != q.LeafHash {
			t.Errorf("%s: record does not hash to the leaf", unit)
		}
		if err := tlog.CheckRecord(q.Proof, tree.N, tree.Hash, q.Index, q.LeafHash); err != nil {
			t.Errorf("%s: CheckRecord: %v", unit, err)
		}
		b, err := q.Ballot()
		if err != nil {
			t.Fatal(err)
		}
		salt, _ := ledger.ParseReceipt(e.receipts[unit])
		wantChoice := choices[i%4]
		if b.UnitID != unit || string(b.Salt) != string(salt) || len(b.Choices) != 2 || b.Choices[0].Choice != wantChoice {
			t.Errorf("%s: proof records %+v", unit, b)
		}
	}

	cons, err := postgres.ConsistencyProof(ctx, e.db, e.consultation, 12, 25)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(cons.Proof, 25, second.Hash, 12, first.Hash); err != nil {
		t.Errorf("CheckTree: %v", err)
	}
	if err := cons.Verify(vkey); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
	if _, err := postgres.ConsistencyProof(ctx, e.db, e.consultation, 11, 25); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("consistency proof from an unstored size: %v, want ErrNotFound", err)
	}

	if _, err := postgres.InclusionProof(ctx, e.db, e.consultation, "hello"); !errors.Is(err, ledger.ErrBadReceipt) {
		t.Errorf("malformed receipt: %v, want ErrBadReceipt", err)
	}
	if _, err := postgres.InclusionProof(ctx, e.db, e.consultation, ledger.Receipt(ledger.NewSalt())); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("unknown receipt: %v, want ErrNotFound", err)
	}
	if _, err := postgres.InclusionProof(ctx, e.db, e.consultation+100, e.receipts[e.units[0]]); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("unknown consultation: %v, want ErrNotFound", err)
	}
	if found := e.audit(t); len(found) != 0 {
		t.Errorf("audit of an intact log: %v", found)
	}
}

func TestLedgerConcurrentSequencers(t *testing.T) {
	e := newLedgerEstate(t, 300)
	start := time.Now()
	for i, unit := range e.units[:150] {
		e.cast(t, unit, start.Add(time.Duration(i)*time.Second), "online", ledger.Choice{MatterID: e.matters[0], Choice: "agree"})
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for range 2 {
		wg.Go(func() { postgres.RunSequencer(ctx, e.db, e.keys, 5*time.Millisecond) })
	}
	for range 4 {
		wg.Go(func() {
			for {
				_, added, err := postgres.Sequence(ctx, e.db, e.keys, e.community, e.consultation, 7)
				if err != nil {
					if ctx.Err() == nil {
						t.Error(err)
					}
					return
				}
				if added == 0 {
					return
				}
			}
		})
	}
	// Ballots keep coming while the sequencers run.
	for i, unit := range e.units[150:] {
		e.cast(t, unit, start.Add(time.Duration(i)*time.Second), "paper", ledger.Choice{MatterID: e.matters[0], Choice: "oppose"})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var size int
		ledgerGet(t, e.db, &size, `SELECT count(*) FROM ledger_leaves`)
		if size == len(e.units) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sequencers logged %d of %d ballots", size, len(e.units))
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	var dups, gaps int
	ledgerGet(t, e.db, &dups, `SELECT count(*) - count(DISTINCT unit_id) FROM ledger_leaves`)
	ledgerGet(t, e.db, &gaps, `SELECT max(leaf_index) + 1 - count(*) FROM ledger_leaves`)
	if dups != 0 || gaps != 0 {
		t.Errorf("%d duplicate leaves, %d missing indexes", dups, gaps)
	}
	var sizes []int64
	if err := e.db.Select(&sizes, `SELECT tree_size FROM ledger_checkpoints ORDER BY tree_size`); err != nil {
		t.Fatal(err)
	}
	vkey := e.verifierKey(t)
	for _, size := range sizes[:len(sizes)-1] {
		p, err := postgres.ConsistencyProof(context.Background(), e.db, e.consultation, size, sizes[len(sizes)-1])
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(vkey); err != nil {
			t.Errorf("checkpoint %d → %d: %v", size, sizes[len(sizes)-1], err)
		}
	}
	if found := e.audit(t); len(found) != 0 {
		t.Errorf("audit after concurrent sequencing: %v", found)
	}
}

func TestLedgerAuditFindsTampering(t *testing.T) {
	ctx := context.Background()
	e := newLedgerEstate(t, 10)
	for i, unit := range e.units {
		e.cast(t, unit, time.Now().Add(time.Duration(i)*time.Minute), "online",
			ledger.Choice{MatterID: e.matters[0], Choice: "agree"},
			ledger.Choice{MatterID: e.matters[1], Choice: "蒂森"})
	}
	e.sequence(t, 1000)
	if found := e.audit(t); len(found) != 0 {
		t.Fatalf("audit of an intact log: %v", found)
	}
	victim := e.units[4]
	if _, err := e.db.Exec(`UPDATE cast_choices SET choice = 'oppose' WHERE unit_id = $1`, victim); err == nil {
		t.Fatal("cast_choices accepted an UPDATE")
	}

	// Someone with the database owner's rights changes a counted choice.
	ledgerExec(t, e.db, `ALTER TABLE cast_choices DISABLE TRIGGER cast_choices_append_only`)
	ledgerExec(t, e.db, `UPDATE cast_choices SET choice = 'oppose' WHERE unit_id = $1 AND matter_id = $2`, victim, e.matters[0])
	ledgerExec(t, e.db, `ALTER TABLE cast_choices ENABLE TRIGGER cast_choices_append_only`)

	found := e.audit(t)
	if len(found) != 2 || found[0].UnitID != victim || found[1].UnitID != victim {
		t.Fatalf("audit found %+v, want unit %s's leaf and choice set", found, victim)
	}
	t.Logf("audit: %+v", found[0])
	p, err := postgres.InclusionProof(ctx, e.db, e.consultation, e.receipts[victim])
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(e.verifierKey(t)); err == nil {
		t.Error("the voter's proof verified for a changed ballot")
	}

	// Or changes what the tally counts — a choice set, an area — leaving
	// cast_choices and the ballot, and so the leaves, as they were.
	other := e.units[5]
	ledgerExec(t, e.db, `ALTER TABLE casts DISABLE TRIGGER casts_append_only`)
	ledgerExec(t, e.db, `UPDATE casts SET choices = array_replace(choices, 'agree', 'oppose') WHERE unit_id = $1`, other)
	ledgerExec(t, e.db, `UPDATE casts SET area_centi = area_centi * 100 WHERE unit_id = $1`, e.units[6])
	ledgerExec(t, e.db, `ALTER TABLE casts ENABLE TRIGGER casts_append_only`)
	if found := e.audit(t); len(found) != 4 || found[1].UnitID != other || found[2].UnitID != e.units[6] {
		t.Fatalf("audit after changing what the tally counts found %+v, want units %s and %s too", found, other, e.units[6])
	}

	// And someone rewrites a stored hash of the tree: the sequencer stops.
	ledgerExec(t, e.db, `ALTER TABLE ledger_hashes DISABLE TRIGGER ledger_hashes_append_only`)
	ledgerExec(t, e.db, `UPDATE ledger_hashes SET hash = sha256(hash) WHERE hash_index = 2`)
	ledgerExec(t, e.db, `ALTER TABLE ledger_hashes ENABLE TRIGGER ledger_hashes_append_only`)
	if found := e.audit(t); len(found) != 5 {
		t.Errorf("audit after rewriting a hash found %+v", found)
	}
	e.consultation = e.newConsultation(t) // a log of its own is unaffected
	e.cast(t, e.units[0], time.Now(), "online")
	if _, added := e.sequence(t, 10); added != 1 {
		t.Errorf("other consultation: added %d", added)
	}
}

func TestLedgerSequencerRefusesRewrittenHashes(t *testing.T) {
	e := newLedgerEstate(t, 5)
	for _, unit := range e.units[:4] {
		e.cast(t, unit, time.Now(), "online")
	}
	e.sequence(t, 10)
	e.cast(t, e.units[4], time.Now(), "online")
	ledgerExec(t, e.db, `ALTER TABLE ledger_hashes DISABLE TRIGGER ledger_hashes_append_only`)
	// The hash of the first four leaves, which the fifth builds on.
	ledgerExec(t, e.db, `UPDATE ledger_hashes SET hash = sha256(hash) WHERE hash_index = $1`, tlog.StoredHashIndex(2, 0))
	ledgerExec(t, e.db, `ALTER TABLE ledger_hashes ENABLE TRIGGER ledger_hashes_append_only`)
	if _, _, err := postgres.Sequence(context.Background(), e.db, e.keys, e.community, e.consultation, 10); err == nil {
		t.Fatal("sequenced onto rewritten hashes")
	}
}

func TestLedgerTablesAppendOnly(t *testing.T) {
	e := newLedgerEstate(t, 3)
	for _, unit := range e.units {
		e.cast(t, unit, time.Now(), "online")
	}
	e.sequence(t, 10)
	for _, stmt := range []string{
		`UPDATE ledger_leaves SET unit_id = unit_id`,
		`DELETE FROM ledger_leaves`,
		`TRUNCATE ledger_leaves`,
		`UPDATE ledger_hashes SET hash = hash`,
		`DELETE FROM ledger_hashes`,
		`TRUNCATE ledger_hashes`,
		`DELETE FROM ledger_checkpoints`,
	} {
		if _, err := e.db.Exec(stmt); err == nil {
			t.Errorf("%s: accepted", stmt)
		}
	}
}

func TestLedgerKeySealed(t *testing.T) {
	e := newLedgerEstate(t, 1)
	vkey := e.verifierKey(t)
	if again := e.verifierKey(t); again != vkey {
		t.Fatalf("second LedgerVerifierKey = %s, want %s", again, vkey)
	}
	var sealed []byte
	ledgerGet(t, e.db, &sealed, `SELECT signer_key FROM ledger_keys WHERE community_id = $1`, e.community)
	if bytes.Contains(sealed, []byte("PRIVATE+KEY")) {
		t.Fatal("signer key stored in clear")
	}
	skey, err := e.keys.Open("log-key", sealed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.NewSigner(string(skey)); err != nil {
		t.Fatal(err)
	}
	// Under another master key the estate's key cannot be used.
	other := new(secret.Keys)
	rand.Read(other.Master[:])
	e.cast(t, e.units[0], time.Now(), "online")
	if _, _, err := postgres.Sequence(context.Background(), e.db, other, e.community, e.consultation, 10); err == nil {
		t.Fatal("sequenced with the wrong master key")
	}
}

// BenchmarkSequence measures sequencing 10,000 ballots in batches of 1,000.
func BenchmarkSequence(b *testing.B) {
	const ballots = 10000
	e := newLedgerEstate(b, ballots)
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		b.StopTimer()
		e.consultation = e.newConsultation(b)
		e.castAll(b, e.consultation)
		b.StartTimer()
		t0 := time.Now()
		cp, added, err := postgres.SequenceAll(context.Background(), e.db, e.keys, e.community, e.consultation)
		total += time.Since(t0)
		if err != nil || added != ballots || cp.Size != ballots {
			b.Fatalf("SequenceAll: size %d, added %d, %v", cp.Size, added, err)
		}
	}
	b.ReportMetric(float64(ballots*b.N)/total.Seconds(), "leaves/s")
}
