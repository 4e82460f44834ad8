package tally_test

import (
	"context"
	"testing"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/procedure"
	"gongjue/quorum"
	"gongjue/secret"
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
	committee, err := postgres.CreateAccount(ctx, db, "rules-committee", tallytest.Password, postgres.RoleCommittee, &cid)
	if err != nil {
		t.Fatal(err)
	}
	settings, defaulted, err := procedure.Parse([]byte(`{"thresholds": {
		"ordinary": {"participation": {"area": "3/4", "headcount": "2/3"}, "approval": {"area": "4/5", "headcount": ">1/2"}}}}`))
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
		Accounts: tallytest.Accounts{Committee: postgres.Account{ID: committee, CommunityID: &cid, Username: "rules-committee", Role: postgres.RoleCommittee}}})
	e.CastStandard(t)
	_, doc := closeNow(t, e)

	if doc.Matters[0].Rule != settings.Thresholds.Ordinary {
		t.Errorf("the ordinary matter was decided by %+v, want the estate's %+v", doc.Matters[0].Rule, settings.Thresholds.Ordinary)
	}
	if doc.Matters[1].Rule != quorum.MajorRule {
		t.Errorf("the major matter was decided by %+v, want the (defaulted) preset", doc.Matters[1].Rule)
	}
	var ballots []quorum.Ballot
	for unit, cs := range e.Choices(0) {
		c, err := quorum.ParseChoice(cs[0])
		if err != nil {
			t.Fatal(err)
		}
		ballots = append(ballots, quorum.Ballot{Unit: unit, Choice: c})
	}
	want, err := quorum.Evaluate(&quorum.Scenario{Rule: settings.Thresholds.Ordinary, Veto: quorum.Veto{Mode: quorum.VetoAllZones},
		Units: e.QuorumUnits(), Ballots: ballots})
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "approve matter under the estate's thresholds", doc.Matters[0].Approve(), want)
}
