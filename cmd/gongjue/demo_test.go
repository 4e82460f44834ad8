package main

import (
	"context"
	"io"
	"testing"
	"time"

	"gongjue/postgres/pgtest"
)

// TestDemoCastShare: the demo's open vote starts with about half its
// ballots cast, online and on paper (entered and confirmed by two
// volunteers), some zones above two thirds and some below; running the
// demo again casts nothing more.
func TestDemoCastShare(t *testing.T) {
	db, dbURL := pgtest.New(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("GONGJUE_DATA_DIR", t.TempDir())
	ctx := context.Background()

	start := time.Now()
	if err := runDemo(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Logf("gongjue demo took %v", time.Since(start))

	type zone struct {
		Zone   string `db:"zone"`
		Units  int    `db:"units"`
		Online int    `db:"online"`
		Paper  int    `db:"paper"`
	}
	count := func() []zone {
		var zs []zone
		if err := db.SelectContext(ctx, &zs, `
			SELECT b.zone, count(*) AS units,
			       count(c.unit_id) FILTER (WHERE c.channel = 'online') AS online,
			       count(c.unit_id) FILTER (WHERE c.channel = 'paper' AND c.confirmed_by <> c.entered_by) AS paper
			FROM ballots b LEFT JOIN casts c
			  ON c.community_id = b.community_id AND c.consultation_id = b.consultation_id AND c.unit_id = b.unit_id
			GROUP BY b.zone ORDER BY b.zone`); err != nil {
			t.Fatal(err)
		}
		return zs
	}
	zones := count()
	var units, online, paper, below, above int
	for _, z := range zones {
		units, online, paper = units+z.Units, online+z.Online, paper+z.Paper
		if 3*(z.Online+z.Paper) < 2*z.Units {
			below++
		} else {
			above++
		}
	}
	voted := online + paper
	if units != 3762 || 100*voted < 40*units || 100*voted > 60*units {
		t.Errorf("%d of %d units voted, want 40–60 %%", voted, units)
	}
	if online == 0 || paper == 0 || 100*paper < 10*voted {
		t.Errorf("online %d, paper %d: want both, paper at least a tenth", online, paper)
	}
	if below == 0 || above == 0 {
		t.Errorf("zones below two thirds: %d, at or above: %d; want some of each: %+v", below, above, zones)
	}
	var pending int
	if err := db.GetContext(ctx, &pending, `SELECT count(*) FROM paper_entries WHERE state <> 'confirmed'`); err != nil || pending != 0 {
		t.Errorf("paper entries not confirmed: %d (%v)", pending, err)
	}

	if err := runDemo(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	if again := count(); len(again) != len(zones) || again[0] != zones[0] || again[len(again)-1] != zones[len(zones)-1] {
		t.Errorf("a second run changed the votes: %+v → %+v", zones, again)
	}
}
