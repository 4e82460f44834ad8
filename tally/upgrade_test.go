package tally_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io/fs"
	"sort"
	"testing"

	"gongjue/migrations"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/tally"
	"gongjue/tally/tallytest"
)

// TestUpgradeKeepsStoredResults stores closed results in a database made
// by an earlier release — its schema cut after each migration from 0005
// on — then applies the rest of the migrations: every stored result_json
// and result_sha256 reads back byte for byte, and a result frozen without
// the rules of procedure (before they were recorded) still decodes and
// encodes to the same bytes, so it is served and hashed as frozen.
func TestUpgradeKeepsStoredResults(t *testing.T) {
	ctx := context.Background()
	// Results as closing writes them: one frozen now under §3.5's defaults,
	// and the same without the procedure member, as earlier code froze it.
	e := newEstate(t, tallytest.Options{})
	e.CastStandard(t)
	res, doc := closeNow(t, e)
	doc.Consultation.Procedure = nil
	older, err := doc.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(older, res.JSON) || !bytes.Contains(res.JSON, []byte(`"procedure"`)) {
		t.Fatal("the two results should differ by the procedure member")
	}
	again, err := tally.Decode(older)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := again.Encode(); err != nil || !bytes.Equal(b, older) {
		t.Errorf("a result without the rules of procedure re-encodes differently: %v\n%s\n%s", err, b, older)
	}
	stored := [][]byte{res.JSON, older}

	names, err := fs.Glob(migrations.Files, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	for _, last := range names[4 : len(names)-1] {
		t.Run(last, func(t *testing.T) {
			db, _ := pgtest.Empty(t)
			if _, err := postgres.MigrateUpTo(ctx, db, last); err != nil {
				t.Fatal(err)
			}
			// Raw SQL only the schema of that release has: an estate, and a
			// closed consultation with its result for each document.
			var cid int64
			if err := db.GetContext(ctx, &cid, `INSERT INTO communities (name) VALUES ('升级测试小区') RETURNING id`); err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, data := range stored {
				var id int64
				err := db.GetContext(ctx, &id, `INSERT INTO consultations (community_id, title, opens_at, closes_at, state, opened_at, closed_at)
					VALUES ($1, '升级', now() - interval '2 days', now() - interval '1 day', 'closed', now() - interval '2 days', now() - interval '1 day')
					RETURNING id`, cid)
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(data)
				if _, err := db.ExecContext(ctx, `INSERT INTO results (community_id, consultation_id, result_json, result_sha256, closed_at, checkpoint_size, checkpoint_hash)
					VALUES ($1, $2, $3, $4, now() - interval '1 day', 0, $5)`, cid, id, data, sum[:], make([]byte, 32)); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			applied, err := postgres.Migrate(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) == 0 {
				t.Fatal("no migration left to apply")
			}
			for i, id := range ids {
				var raw struct {
					JSON   []byte `db:"result_json"`
					SHA256 []byte `db:"result_sha256"`
				}
				if err := db.GetContext(ctx, &raw, `SELECT result_json, result_sha256 FROM results WHERE consultation_id = $1`, id); err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(stored[i])
				if !bytes.Equal(raw.JSON, stored[i]) || !bytes.Equal(raw.SHA256, sum[:]) {
					t.Errorf("result %d changed in the upgrade (%v):\n%s\nwas\n%s", i, applied, raw.JSON, stored[i])
				}
				got, err := postgres.GetResult(ctx, db, id)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.JSON, stored[i]) || !bytes.Equal(got.SHA256[:], sum[:]) {
					t.Errorf("result %d reads back changed after the upgrade", i)
				}
			}
		})
	}
}
