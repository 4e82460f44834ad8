package tally_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

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
	e, settings, _ := estateUnderRules(t, `{"thresholds": {
		"ordinary": {"participation": {"area": "4/5", "headcount": "2/3"}, "approval": {"area": "4/5", "headcount": ">1/2"}}}}`)
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

// TestCloseAppliesTheFrozenProcedure closes a vote under rules that deem
// delivered non-voters to follow the majority and exclude spoiled ballots:
// the verified deliveries reach the verdict, which is quorum's on the raw
// units with the same deliveries and procedure, and the result records the
// rules applied.
func TestCloseAppliesTheFrozenProcedure(t *testing.T) {
	e, settings, v := estateUnderRules(t, `{"nonresponse": "delivered-follow-majority", "spoiled": "excluded"}`)
	ctx, db, cid := context.Background(), e.DB, e.CommunityID
	e.CastStandard(t)
	// Delivered: every non-voter of 多层 and 高层 but one, and the spoiled
	// ballot's unit; one more record is left unverified.
	delivered := map[string]bool{"3-1-402": true}
	for _, u := range e.Units {
		if _, voted := tallytest.StandardVotes[u.ID]; !voted && u.Zone != "别墅" && u.ID != "3-1-302" {
			delivered[u.ID] = true
		}
	}
	record := func(unit string) int64 {
		id, err := postgres.RecordDelivery(ctx, db, cid, e.ID(), postgres.NewDelivery{Unit: unit, Method: procedure.InPerson,
			DeliveredAt: time.Now().Add(-time.Minute), Recipient: "业主本人"}, e.Accounts.Volunteer1.ID)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for unit := range delivered {
		if err := postgres.VerifyDelivery(ctx, db, cid, record(unit), e.Accounts.Volunteer2.ID); err != nil {
			t.Fatal(err)
		}
	}
	record("3-1-302")
	_, doc := closeNow(t, e)

	if p := doc.Consultation.Procedure; p == nil || p.Version == nil || *p.Version != v || p.Settings.Procedure() != settings.Procedure() {
		t.Errorf("the result records the rules %+v, want version %d with %+v", p, v, settings.Procedure())
	}
	units := e.QuorumUnits()
	for i := range units {
		units[i].Delivered = delivered[units[i].ID]
	}
	var bs []quorum.Ballot
	for unit, cs := range e.Choices(0) {
		c, _ := quorum.ParseChoice(cs[0])
		bs = append(bs, quorum.Ballot{Unit: unit, Choice: c})
	}
	want, err := quorum.Evaluate(&quorum.Scenario{Rule: doc.Matters[0].Rule, Veto: doc.Consultation.Veto, Procedure: settings.Procedure(), Units: units, Ballots: bs})
	if err != nil {
		t.Fatal(err)
	}
	got := doc.Matters[0].Approve()
	if got == nil {
		t.Fatal("matter 1 has no approve result")
	}
	if got.Overall.Deemed.Headcount == 0 || got.Overall.Majority == "" {
		t.Errorf("no deemed owner or majority in %+v", got.Overall)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("the frozen verdict\n%s\nquorum on the raw units\n%s", g, w)
	}
}

// estateUnderRules is the test estate with an open consultation, in an
// estate whose active rules of procedure, version v, are the settings
// given as JSON, frozen into it at opening.
func estateUnderRules(t *testing.T, settingsJSON string) (e *tallytest.Estate, settings procedure.Settings, v int) {
	t.Helper()
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
	settings, defaulted, err := procedure.Parse([]byte(settingsJSON))
	if err != nil {
		t.Fatal(err)
	}
	v, err = postgres.CreateProcedure(ctx, db, cid, settings, defaulted, []byte("%PDF-1.4"), "application/pdf", committee)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.ActivateProcedure(ctx, db, cid, v, committee); err != nil {
		t.Fatal(err)
	}
	keys := &secret.Keys{}
	keys.Master[0] = 9
	e = tallytest.New(t, db, keys, tallytest.Options{CommunityID: cid,
		Accounts: tallytest.Accounts{Committee: staff.Account{ID: committee, CommunityID: &cid, Username: "rules-committee", Role: staff.RoleCommittee}}})
	return e, settings, v
}
