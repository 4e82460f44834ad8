package postgres_test

import (
	"context"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
)

// TestBallotPopulationOnceOpened: a draft has no ballots, and asking for
// its population then does not keep that answer — once opened, the
// population is every ballot issued, by zone, and CountCasts counts them.
func TestBallotPopulationOnceOpened(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c := e.draft(t, ballot.Scope{}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if p, err := postgres.BallotPopulation(ctx, e.DB, e.CID, c.ID); err != nil || len(p) != 0 {
		t.Fatalf("draft: %v %v", p, err)
	}
	issued, err := postgres.OpenConsultation(ctx, e.DB, e.Keys, e.CID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer comes from the cache
		p, err := postgres.BallotPopulation(ctx, e.DB, e.CID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		units := 0
		for i, g := range p {
			units += g.Units
			if i > 0 && (p[i-1].Zone > g.Zone || p[i-1].Zone == g.Zone && p[i-1].Person >= g.Person) {
				t.Errorf("groups out of zone and person order: %+v before %+v", p[i-1], g)
			}
		}
		if units != len(issued) {
			t.Errorf("population of %d units, %d ballots issued", units, len(issued))
		}
	}
	counts, err := postgres.CountCasts(ctx, e.DB, e.CID, c.ID)
	if err != nil || counts.Ballots != len(issued) {
		t.Errorf("counts %+v %v, want %d ballots", counts, err, len(issued))
	}
}
