package tally_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/procedure"
	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/tally"
	"gongjue/verification"
)

// TestInputsMatchRawUnits checks the aggregation against the quorum package
// evaluated on the raw per-unit data: for random estates — owners of
// several units across zones, developer-held units, owner-less units — and
// random ballots (online and paper, abstaining and spoiled), every verdict
// of every matter, overall, per zone and under every veto mode, is the same
// from Load's synthetic units as from the units themselves; and so is the
// turnout.
func TestInputsMatchRawUnits(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { inputsMatchRaw(t, seed) })
	}
}

func inputsMatchRaw(t *testing.T, seed uint64) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 278))
	db, _ := pgtest.New(t)
	keys := &secret.Keys{Master: [secret.KeySize]byte{4, 2}}
	cid, err := postgres.CreateCommunity(ctx, db, "聚合测试小区", "")
	if err != nil {
		t.Fatal(err)
	}
	vol1, _ := postgres.CreateAccount(ctx, db, "in-vol1", "password-long", staff.RoleVolunteer, &cid)
	vol2, _ := postgres.CreateAccount(ctx, db, "in-vol2", "password-long", staff.RoleVolunteer, &cid)

	// The roll: 80 units in three zones. Owners come from a pool smaller
	// than the roll, so many own several units, often in several zones.
	zones := []string{"多层", "高层", "商铺"}
	var units []roll.Unit
	raw := map[string]quorum.Unit{}
	for i := range 80 {
		b := 1 + i%7
		u := roll.Unit{
			Building: fmt.Sprint(b), Entrance: fmt.Sprint(1 + i%2), Room: fmt.Sprint(100 + i), Floor: 1 + i%6,
			Zone: zones[b%3], Area: quorum.Area(3000 + rng.IntN(20000)),
		}
		switch r := rng.IntN(10); {
		case r == 0:
			u.DeveloperHeld = true
		case r <= 6:
			u.IDNumber = fmt.Sprintf("ID%03d", rng.IntN(30))
		}
		u.ID = roll.UnitID(u.Building, u.Entrance, u.Room)
		units = append(units, u)
		raw[u.ID] = quorum.Unit{ID: u.ID, Zone: u.Zone, Area: u.Area, Owner: u.IDNumber, DeveloperHeld: u.DeveloperHeld}
	}
	if _, err := postgres.ImportRoll(ctx, db, keys, cid, units); err != nil {
		t.Fatal(err)
	}

	d := ballot.DraftRequest{
		Title: "聚合", OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour),
		Veto: &quorum.Veto{Mode: quorum.VetoZoneRejection},
		Matters: []ballot.MatterDraft{
			{Title: "批准", Kind: ballot.Approve},
			{Title: "选择", Kind: ballot.Choice, Options: []string{"甲", "乙", "丙"}},
			{Title: "选举", Kind: ballot.Election, Options: []string{"王", "李", "赵"}, Seats: 2},
		},
	}
	cons, ps := d.Check(time.Now())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	id, err := postgres.CreateConsultation(ctx, db, cid, &cons, vol1)
	if err != nil {
		t.Fatal(err)
	}
	issued, err := postgres.OpenConsultation(ctx, db, keys, cid, id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := postgres.GetConsultation(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	for _, b := range issued {
		if rng.IntN(10) < 3 {
			continue // did not vote
		}
		paper := rng.IntN(3) == 0
		extra := []string{"abstain"}
		if paper {
			extra = append(extra, "spoiled")
		}
		sel := []ballot.Selection{
			{MatterID: c.Matters[0].ID, Choice: pick(append([]string{"agree", "agree", "oppose"}, extra...)...)},
			{MatterID: c.Matters[1].ID, Choice: pick(append([]string{"甲", "乙", "丙"}, extra...)...)},
		}
		switch n := rng.IntN(4); n {
		case 0:
			sel = append(sel, ballot.Selection{MatterID: c.Matters[2].ID, Choice: pick(extra...)})
		default:
			cands := rng.Perm(3)[:min(n, 2)]
			for _, k := range cands {
				sel = append(sel, ballot.Selection{MatterID: c.Matters[2].ID, Choice: []string{"王", "李", "赵"}[k]})
			}
		}
		if !paper {
			if _, err := postgres.CastOnline(ctx, db, cid, id, b.UnitID, sel, verification.Pass{}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		e, _, err := postgres.CreatePaperEntry(ctx, db, postgres.NewPaperEntry{CommunityID: cid, ConsultationID: id, UnitID: b.UnitID, Choices: sel, EnteredBy: vol1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := postgres.ConfirmPaperEntry(ctx, db, cid, e, vol2, (*postgres.AlreadyCastError).Error); err != nil {
			t.Fatal(err)
		}
	}

	// Deliveries: about half the units delivered, voters and non-voters
	// alike, recorded by one account and verified by another; a few
	// recorded but left unverified or rejected, which deliver nothing.
	delivered := map[string]bool{}
	for _, b := range issued {
		r := rng.IntN(10)
		if r >= 6 {
			continue
		}
		did, err := postgres.RecordDelivery(ctx, db, cid, id, postgres.NewDelivery{Unit: b.UnitID, Method: procedure.InPerson,
			DeliveredAt: time.Now().Add(-time.Minute), Recipient: "业主本人"}, vol1)
		if err != nil {
			t.Fatal(err)
		}
		switch r {
		case 0:
			continue // recorded, never checked
		case 1:
			err = postgres.RejectDelivery(ctx, db, cid, did, vol2, "签收人不符")
		default:
			err, delivered[b.UnitID] = postgres.VerifyDelivery(ctx, db, cid, did, vol2), true
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(delivered) == 0 {
		t.Fatal("no delivered unit")
	}

	// The raw per-unit data: every unit of the roll and its cast choices.
	var rows []struct {
		Unit     string `db:"unit_id"`
		MatterID int64  `db:"matter_id"`
		Choice   string `db:"choice"`
	}
	if err := db.Select(&rows, `SELECT unit_id, matter_id, choice FROM cast_choices ORDER BY unit_id, matter_id, choice`); err != nil {
		t.Fatal(err)
	}
	rawChoices := map[int64]map[string][]string{}
	for _, r := range rows {
		if rawChoices[r.MatterID] == nil {
			rawChoices[r.MatterID] = map[string][]string{}
		}
		rawChoices[r.MatterID][r.Unit] = append(rawChoices[r.MatterID][r.Unit], r.Choice)
	}
	var rawUnits, undelivered []quorum.Unit
	for _, u := range units {
		r := raw[u.ID]
		undelivered = append(undelivered, r)
		r.Delivered = delivered[u.ID]
		rawUnits = append(rawUnits, r)
	}
	var procedures []quorum.Procedure
	for _, n := range []quorum.Nonresponse{quorum.NonresponseNone, quorum.NonresponseDeliveredParticipate, quorum.NonresponseDeliveredFollowMajority} {
		for _, sp := range []quorum.SpoiledPolicy{quorum.SpoiledAbstain, quorum.SpoiledParticipating, quorum.SpoiledExcluded} {
			procedures = append(procedures, quorum.Procedure{Nonresponse: n, Spoiled: sp})
		}
	}

	inputs, err := tally.Load(ctx, db, cid, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 3 {
		t.Fatalf("%d matters' inputs, want 3", len(inputs))
	}
	for i, in := range inputs {
		m := c.Matters[i]
		if in.MatterID != m.ID {
			t.Fatalf("inputs[%d] is matter %d, want %d", i, in.MatterID, m.ID)
		}
		merged := 0 // groups of several single-unit owners
		for _, g := range in.Groups {
			if g.Person == "" && g.Units > 1 {
				merged++
			}
		}
		if merged == 0 {
			t.Errorf("matter %d: %d groups for %d units, none merging single-unit owners", m.ID, len(in.Units), len(rawUnits))
		}
		rule, _ := m.Rule()
		switch m.Kind {
		case ballot.Approve:
			for _, mode := range quorum.VetoModes {
				for _, p := range procedures {
					veto := quorum.Veto{Mode: mode, Zones: []string{"高层"}}
					var rb []quorum.Ballot
					for u, cs := range rawChoices[m.ID] {
						ch, _ := quorum.ParseChoice(cs[0])
						rb = append(rb, quorum.Ballot{Unit: u, Choice: ch})
					}
					want, err := quorum.Evaluate(&quorum.Scenario{Rule: rule, Veto: veto, Procedure: p, Units: rawUnits, Ballots: rb})
					if err != nil {
						t.Fatal(err)
					}
					s, err := in.Scenario(rule, veto)
					if err != nil {
						t.Fatal(err)
					}
					s.Procedure = p
					got, err := quorum.Evaluate(s)
					if err != nil {
						t.Fatal(err)
					}
					sameVerdict(t, fmt.Sprintf("approve, veto %s, %+v", mode, p), got, want)
				}
			}
		case ballot.Choice:
			var rb []quorum.OptionBallot
			for u, cs := range rawChoices[m.ID] {
				rb = append(rb, quorum.OptionBallot{Unit: u, Option: cs[0]})
			}
			for _, mode := range []quorum.ChoiceMode{quorum.ChoiceApproval, quorum.ChoicePlurality} {
				for _, p := range procedures {
					for _, veto := range quorum.VetoModes {
						cm := quorum.ChoiceMatter{Rule: rule, Mode: mode, Options: m.Options, Procedure: p, Veto: quorum.Veto{Mode: veto, Zones: []string{"高层"}}}
						want, err := quorum.EvaluateChoice(cm, rawUnits, rb)
						if err != nil {
							t.Fatal(err)
						}
						ob, err := in.OptionBallots()
						if err != nil {
							t.Fatal(err)
						}
						got, err := quorum.EvaluateChoice(cm, in.Units, ob)
						if err != nil {
							t.Fatal(err)
						}
						sameVerdict(t, fmt.Sprintf("choice %s, veto %s, %+v", mode, veto, p), got, want)
					}
				}
			}
		case ballot.Election:
			var rb []quorum.ElectionBallot
			for u, cs := range rawChoices[m.ID] {
				cands := []string{}
				for _, x := range cs {
					if x != "abstain" && x != "spoiled" {
						cands = append(cands, x)
					}
				}
				rb = append(rb, quorum.ElectionBallot{Unit: u, Candidates: cands, Spoiled: slices.Contains(cs, "spoiled")})
			}
			e := quorum.Election{Seats: m.Seats, Candidates: m.Options}
			for _, p := range procedures {
				if p.Nonresponse == quorum.NonresponseDeliveredFollowMajority {
					continue // an election has no majority opinion (§3.5)
				}
				want, err := quorum.EvaluateElection(rule, p, e, rawUnits, rb)
				if err != nil {
					t.Fatal(err)
				}
				got, err := quorum.EvaluateElection(rule, p, e, in.Units, in.ElectionBallots())
				if err != nil {
					t.Fatal(err)
				}
				sameVerdict(t, fmt.Sprintf("election, %+v", p), got, want)
			}
		}
	}

	// Turnout: who took part at all.
	turnout, err := tally.LoadTurnout(ctx, db, cid, id)
	if err != nil {
		t.Fatal(err)
	}
	var rb []quorum.Ballot
	for u := range rawChoices[c.Matters[0].ID] {
		rb = append(rb, quorum.Ballot{Unit: u, Choice: quorum.Abstain})
	}
	want, err := quorum.Evaluate(&quorum.Scenario{Rule: quorum.OrdinaryRule, Units: undelivered, Ballots: rb})
	if err != nil {
		t.Fatal(err)
	}
	got, err := quorum.Evaluate(turnout.TurnoutScenario(quorum.OrdinaryRule, quorum.Veto{}))
	if err != nil {
		t.Fatal(err)
	}
	sameVerdict(t, "turnout", got, want)
	if got.Overall.Participating.Headcount == 0 || got.Overall.Eligible.Headcount >= len(rawUnits) {
		t.Errorf("implausible turnout %+v", got.Overall)
	}
}

// sameVerdict compares two verdicts in their JSON form (explanations
// included: they speak of figures, never of unit ids).
func sameVerdict(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s: from the aggregation\n%s\nfrom the units\n%s", what, g, w)
	}
}

func TestLoadWithoutBallots(t *testing.T) {
	ctx := context.Background()
	db, _ := pgtest.New(t)
	cid, _ := postgres.CreateCommunity(ctx, db, "空", "")
	d := ballot.DraftRequest{Title: "草稿", OpensAt: time.Now(), ClosesAt: time.Now().Add(time.Hour),
		Matters: []ballot.MatterDraft{{Title: "一", Kind: ballot.Approve}, {Title: "二", Kind: ballot.Approve}}}
	c, _ := d.Check(time.Now())
	id, err := postgres.CreateConsultation(ctx, db, cid, &c, 0)
	if err != nil {
		t.Fatal(err)
	}
	in, err := tally.Load(ctx, db, cid, id)
	if err != nil || len(in) != 2 || len(in[0].Units) != 0 || len(in[1].Ballots) != 0 {
		t.Fatalf("inputs of a draft: %+v, %v", in, err)
	}
	if _, err := tally.LoadMatter(ctx, db, cid, id, in[1].MatterID+100); err == nil {
		t.Error("LoadMatter of an unknown matter")
	}
}
