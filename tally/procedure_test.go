package tally_test

import (
	"context"
	"testing"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/procedure"
	"gongjue/quorum"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/tally/tallytest"
)

// TestPresetsMeanTheFrozenThresholds closes a consultation whose matters
// say "ordinary" and "major" in an estate whose rules of procedure ask
// more than Article 278: the result is decided by the estate's thresholds
// as frozen at opening.
func TestPresetsMeanTheFrozenThresholds(t *testing.T) {
	db, _ := pgtest.New(t)
	ctx := context.Background()
	cid, err := postgres.CreateCommunity(ctx, db, tallytest.Community, tallytest.Address)
	if err != nil {
		t.Fatal(err)
	}
	committee, err := postgres.CreateAccount(ctx, db, "rules-committee", tallytest.Password, staff.RoleCommittee, &cid)
	if err != nil {
		t.Fatal(err)
	}
	settings, defaulted, err := procedure.Parse([]byte(`{"thresholds": {
		"ordinary": {"participation": {"area": "4/5", "headcount": "2/3"}, "approval": {"area": "4/5", "headcount": ">1/2"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	v, err := postgres.CreateProcedure(ctx, db, cid, settings, defaulted, []byte("%PDF-1.4"), "application/pdf", committee)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.ActivateProcedure(ctx, db, cid, v, committee); err != nil {
		t.Fatal(err)
	}
	keys := &secret.Keys{}
	keys.Master[0] = 9
	e := tallytest.New(t, db, keys, tallytest.Options{CommunityID: cid,
		Accounts: tallytest.Accounts{Committee: staff.Account{ID: committee, CommunityID: &cid, Username: "rules-committee", Role: staff.RoleCommittee}}})
	e.CastStandard(t)
	_, doc := closeNow(t, e)

	if doc.Matters[0].Rule != settings.Thresholds.Ordinary {
		t.Errorf("the ordinary matter was decided by %+v, want the estate's %+v", doc.Matters[0].Rule, settings.Thresholds.Ordinary)
	}
	if doc.Matters[1].Rule != quorum.MajorRule {
		t.Errorf("the major matter was decided by %+v, want the (defaulted) preset", doc.Matters[1].Rule)
	}
	// The verdict applies the estate's participation fractions: 4/5 of
	// the area, which the standard votes (77%) miss though they reach
	// Article 278's 2/3.
	o := doc.Matters[0].Approve()
	if o == nil {
		t.Fatal("matter 1 has no approve result")
	}
	p := settings.Thresholds.Ordinary.Participation
	met := p.Area.Reached(int64(o.Overall.Participating.Area), int64(o.Overall.Eligible.Area)) &&
		p.Headcount.Reached(int64(o.Overall.Participating.Headcount), int64(o.Overall.Eligible.Headcount))
	if met || o.Overall.ParticipationMet || o.Overall.Passed {
		t.Errorf("participating %v of %v: met %v, passed %v; want neither under 4/5", o.Overall.Participating, o.Overall.Eligible, o.Overall.ParticipationMet, o.Overall.Passed)
	}
	if o.Overall.ParticipationMet != met {
		t.Errorf("participation_met = %v, the estate's thresholds say %v", o.Overall.ParticipationMet, met)
	}
}
