package quorum

import (
	"fmt"
	"testing"
)

// du is a unit of a §3.5 test: its ballot ("" for none) and whether its
// ballot was delivered.
type du struct {
	id, zone, area, owner string
	vote                  string
	delivered, dev        bool
}

func procScenario(rule Rule, veto Veto, p Procedure, units ...du) *Scenario {
	s := &Scenario{Rule: rule, Veto: veto, Procedure: p}
	for _, u := range units {
		s.Units = append(s.Units, Unit{ID: u.id, Zone: u.zone, Area: mustArea(u.area), Owner: u.owner, DeveloperHeld: u.dev, Delivered: u.delivered})
		if u.vote != "" {
			c, err := ParseChoice(u.vote)
			if err != nil {
				panic(err)
			}
			s.Ballots = append(s.Ballots, Ballot{Unit: u.id, Choice: c})
		}
	}
	return s
}

// summary writes every figure of an outcome compactly, heads/area in whole
// m²: e eligible, p participating, a agree, o oppose, b abstain, n no
// choice, d deemed, m majority ("-" for none), then the three verdicts.
func summary(o Outcome) string {
	t := func(x Tally) string { return fmt.Sprintf("%d/%d", x.Headcount, x.Area/100) }
	m := string(o.Majority)
	if m == "" {
		m = "-"
	}
	return fmt.Sprintf("e %s p %s a %s o %s b %s n %s d %s m %s %v %v %v", t(o.Eligible), t(o.Participating), t(o.Agree), t(o.Oppose),
		t(o.Abstain), t(o.NoChoice), t(o.Deemed), m, o.ParticipationMet, o.ApprovalMet, o.Passed)
}

var (
	participate = Procedure{Nonresponse: NonresponseDeliveredParticipate}
	following   = Procedure{Nonresponse: NonresponseDeliveredFollowMajority}
)

// The Shanghai case: three of six owners vote agree, two more were
// delivered their ballot and did not return it. Without a clause only 3/6
// take part (< 2/3); deemed to take part, 5/6 do and 3/5 agree; following
// the voters' majority, all five agree.
func TestNonresponse(t *testing.T) {
	units := []du{
		{id: "A", zone: "z", area: "100", vote: "agree", delivered: true},
		{id: "B", zone: "z", area: "100", vote: "agree"},
		{id: "C", zone: "z", area: "100", vote: "agree"},
		{id: "D", zone: "z", area: "100", delivered: true},
		{id: "E", zone: "z", area: "100", delivered: true},
		{id: "F", zone: "z", area: "100"},
	}
	for _, tt := range []struct {
		p    Procedure
		want string
	}{
		{Procedure{}, "e 6/600 p 3/300 a 3/300 o 0/0 b 0/0 n 0/0 d 0/0 m - false true false"},
		{participate, "e 6/600 p 5/500 a 3/300 o 0/0 b 0/0 n 2/200 d 2/200 m - true true true"},
		{following, "e 6/600 p 5/500 a 5/500 o 0/0 b 0/0 n 0/0 d 2/200 m agree true true true"},
	} {
		res := mustEvaluate(t, procScenario(OrdinaryRule, noVeto, tt.p, units...))
		if got := summary(res.Overall); got != tt.want {
			t.Errorf("%+v:\n got %s\nwant %s", tt.p, got, tt.want)
		}
	}
}

// The majority opinion must lead every other actual choice strictly on both
// area and headcount; otherwise deemed owners take part in no choice.
func TestMajorityOpinionTies(t *testing.T) {
	deemed := du{id: "D", zone: "z", area: "100", delivered: true}
	tests := []struct {
		name  string
		units []du
		want  string
	}{{
		// agree 200 m² (one owner) against oppose 200 m² (two): area tied.
		name: "area tied",
		units: []du{{id: "A", zone: "z", area: "200", vote: "agree"}, {id: "B", zone: "z", area: "100", vote: "oppose"},
			{id: "C", zone: "z", area: "100", vote: "oppose"}, deemed},
		want: "e 4/500 p 4/500 a 1/200 o 2/200 b 0/0 n 1/100 d 1/100 m - true false false",
	}, {
		// agree leads on area 300 to 100 but heads are 1 to 1.
		name:  "headcount tied",
		units: []du{{id: "A", zone: "z", area: "300", vote: "agree"}, {id: "B", zone: "z", area: "100", vote: "oppose"}, deemed},
		want:  "e 3/500 p 3/500 a 1/300 o 1/100 b 0/0 n 1/100 d 1/100 m - true false false",
	}, {
		// one more agreeing owner: agree leads 400/2 to 100/1, D follows.
		name: "strict lead",
		units: []du{{id: "A", zone: "z", area: "300", vote: "agree"}, {id: "B", zone: "z", area: "100", vote: "oppose"},
			{id: "C", zone: "z", area: "100", vote: "agree"}, deemed},
		want: "e 4/600 p 4/600 a 3/500 o 1/100 b 0/0 n 0/0 d 1/100 m agree true true true",
	}, {
		// agree leads oppose but not abstain on headcount: 2 agree, 2 abstain, 1 oppose.
		name: "tied with abstain",
		units: []du{{id: "A", zone: "z", area: "300", vote: "agree"}, {id: "B", zone: "z", area: "100", vote: "agree"},
			{id: "C", zone: "z", area: "10", vote: "abstain"}, {id: "E", zone: "z", area: "10", vote: "abstain"},
			{id: "F", zone: "z", area: "10", vote: "oppose"}, deemed},
		want: "e 6/530 p 6/530 a 2/400 o 1/10 b 2/20 n 1/100 d 1/100 m - true false false",
	}, {
		// a split owner counts in the majority's headcount under the tie rule:
		// X votes agree and oppose with equal areas, so counts for oppose,
		// tying the heads 1–1 although agree leads on area.
		name: "split owner",
		units: []du{{id: "X1", zone: "z", area: "100", owner: "x", vote: "agree"}, {id: "X2", zone: "z", area: "100", owner: "x", vote: "oppose"},
			{id: "A", zone: "z", area: "100", vote: "agree"}, deemed},
		want: "e 3/400 p 3/400 a 1/200 o 1/100 b 0/0 n 1/100 d 1/100 m - true false false",
	}, {
		// nobody voted: no majority, the deemed owner takes part in no choice.
		name:  "no ballot",
		units: []du{deemed, {id: "B", zone: "z", area: "100"}},
		want:  "e 2/200 p 1/100 a 0/0 o 0/0 b 0/0 n 1/100 d 1/100 m - false false false",
	}}
	for _, tt := range tests {
		res := mustEvaluate(t, procScenario(OrdinaryRule, noVeto, following, tt.units...))
		if got := summary(res.Overall); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// zoneMajorities: 多层's three voters agree, 高层's two split; one
// delivered non-voter in each; all-zones veto.
func zoneMajorities(p Procedure) *Scenario {
	return procScenario(OrdinaryRule, Veto{Mode: VetoAllZones}, p,
		du{id: "m1", zone: "多层", area: "100", vote: "agree"},
		du{id: "m2", zone: "多层", area: "100", vote: "agree"},
		du{id: "m3", zone: "多层", area: "100", vote: "agree"},
		du{id: "m4", zone: "多层", area: "100", delivered: true},
		du{id: "h1", zone: "高层", area: "100", vote: "agree"},
		du{id: "h2", zone: "高层", area: "100", vote: "oppose"},
		du{id: "h3", zone: "高层", area: "100", delivered: true},
	)
}

// Each population has its own majority: overall agree leads, but in 高层
// agree and oppose tie, so 高层's deemed owner takes part in no choice there
// while following agree in the overall count. Under all-zones 高层 then
// fails (1 of 3 agree) and blocks.
func TestMajorityPerZone(t *testing.T) {
	res := mustEvaluate(t, zoneMajorities(following))
	for what, want := range map[string]string{
		"overall": "e 7/700 p 7/700 a 6/600 o 1/100 b 0/0 n 0/0 d 2/200 m agree true true true",
		"多层":      "e 4/400 p 4/400 a 4/400 o 0/0 b 0/0 n 0/0 d 1/100 m agree true true true",
		"高层":      "e 3/300 p 3/300 a 1/100 o 1/100 b 0/0 n 1/100 d 1/100 m - true false false",
	} {
		o := res.Overall
		if what != "overall" {
			o = res.Zones[what].Outcome
		}
		if got := summary(o); got != want {
			t.Errorf("%s:\n got %s\nwant %s", what, got, want)
		}
	}
	if res.Passed || !res.Zones["高层"].Vetoed || !res.WhatIf.None || res.WhatIf.AllZones {
		t.Errorf("passed %v, 高层 vetoed %v, what_if %+v; want 高层 to block all-zones only", res.Passed, res.Zones["高层"].Vetoed, res.WhatIf)
	}
}

// A spoiled ballot abstains, takes part in no choice, or is as if none was
// returned (and then deemed when delivered). Only actual choices make the
// majority: a spoiled ballot under participating does not.
func TestSpoiledPolicies(t *testing.T) {
	units := []du{
		{id: "A", zone: "z", area: "100", vote: "agree"},
		{id: "B", zone: "z", area: "150", vote: "spoiled", delivered: true},
		{id: "C", zone: "z", area: "100", delivered: true},
		{id: "D", zone: "z", area: "100"},
	}
	for _, tt := range []struct {
		p    Procedure
		want string
	}{
		{Procedure{}, "e 4/450 p 2/250 a 1/100 o 0/0 b 1/150 n 0/0 d 0/0 m - false false false"},
		{Procedure{Spoiled: SpoiledParticipating}, "e 4/450 p 2/250 a 1/100 o 0/0 b 0/0 n 1/150 d 0/0 m - false false false"},
		{Procedure{Spoiled: SpoiledExcluded}, "e 4/450 p 1/100 a 1/100 o 0/0 b 0/0 n 0/0 d 0/0 m - false true false"},
		{Procedure{Nonresponse: NonresponseDeliveredParticipate, Spoiled: SpoiledExcluded}, "e 4/450 p 3/350 a 1/100 o 0/0 b 0/0 n 2/250 d 2/250 m - true false false"},
		{Procedure{Nonresponse: NonresponseDeliveredFollowMajority, Spoiled: SpoiledExcluded}, "e 4/450 p 3/350 a 3/350 o 0/0 b 0/0 n 0/0 d 2/250 m agree true true true"},
		// the spoiled 150 m² abstains and outweighs agree's 100 m²: no majority
		{Procedure{Nonresponse: NonresponseDeliveredFollowMajority}, "e 4/450 p 3/350 a 1/100 o 0/0 b 1/150 n 1/100 d 1/100 m - true false false"},
		// taking part in no choice it is no actual choice: agree is the majority
		{Procedure{Nonresponse: NonresponseDeliveredFollowMajority, Spoiled: SpoiledParticipating}, "e 4/450 p 3/350 a 2/200 o 0/0 b 0/0 n 1/150 d 1/100 m agree true true true"},
	} {
		res := mustEvaluate(t, procScenario(OrdinaryRule, noVeto, tt.p, units...))
		if got := summary(res.Overall); got != tt.want {
			t.Errorf("%+v:\n got %s\nwant %s", tt.p, got, tt.want)
		}
	}
}

// A person counts once, under the bucket with most of their area among all
// their units taking part, deemed ones included; ties go oppose, abstain,
// no choice, agree. Deemed headcount is only those taking part through
// deemed units alone; the developer's units are one person.
func TestDeemedHeadcount(t *testing.T) {
	units := []du{
		{id: "X1", zone: "z", area: "50", owner: "x", vote: "agree"},
		{id: "X2", zone: "z", area: "100", owner: "x", delivered: true},
		{id: "P", zone: "z", area: "100", vote: "oppose"},
		{id: "Q", zone: "z", area: "100", vote: "oppose"},
		{id: "D1", zone: "z", area: "30", dev: true, delivered: true},
		{id: "D2", zone: "z", area: "30", dev: true, delivered: true},
	}
	for _, tt := range []struct {
		p    Procedure
		want string
	}{
		// x: agree 50, no choice 100 → no choice; the developer (60 m², deemed only) → no choice
		{participate, "e 4/410 p 4/410 a 0/50 o 2/200 b 0/0 n 2/160 d 1/160 m - true false false"},
		// oppose leads (200 m², 2 heads): x's deemed 100 follows it, so x counts oppose
		{following, "e 4/410 p 4/410 a 0/50 o 4/360 b 0/0 n 0/0 d 1/160 m oppose true false false"},
	} {
		res := mustEvaluate(t, procScenario(OrdinaryRule, noVeto, tt.p, units...))
		if got := summary(res.Overall); got != tt.want {
			t.Errorf("%+v:\n got %s\nwant %s", tt.p, got, tt.want)
		}
	}

	// No choice against agree on equal areas counts no choice; against
	// abstain, abstain.
	tie := func(other string) Outcome {
		return mustEvaluate(t, procScenario(OrdinaryRule, noVeto, Procedure{Spoiled: SpoiledParticipating},
			du{id: "Y1", zone: "z", area: "100", owner: "y", vote: other},
			du{id: "Y2", zone: "z", area: "100", owner: "y", vote: "spoiled"})).Overall
	}
	if o := tie("agree"); o.NoChoice.Headcount != 1 || o.Agree.Headcount != 0 {
		t.Errorf("agree/no choice tie: %s", summary(o))
	}
	if o := tie("abstain"); o.Abstain.Headcount != 1 || o.NoChoice.Headcount != 0 {
		t.Errorf("abstain/no choice tie: %s", summary(o))
	}
}

// majority is reported only under delivered-follow-majority, whether or not
// anyone is deemed.
func TestMajorityReportedOnlyWhenFollowed(t *testing.T) {
	units := []du{{id: "A", zone: "z", area: "100", vote: "agree"}, {id: "B", zone: "z", area: "100"}}
	for p, want := range map[Procedure]Majority{{}: "", participate: "", following: "agree"} {
		if got := mustEvaluate(t, procScenario(OrdinaryRule, noVeto, p, units...)).Overall.Majority; got != want {
			t.Errorf("%+v: majority %q, want %q", p, got, want)
		}
	}
}

// Deemed owners count in a zone's rejection too: the villas' two opposing
// and one agreeing voters miss participation (3 of 5) and cannot reject;
// with the two delivered non-voters following the villas' majority, 4 of 5
// oppose and the villas veto what the high-rise carried.
func TestDeemedOwnersInZoneRejection(t *testing.T) {
	units := []du{{id: "v1", zone: "别墅", area: "300", vote: "oppose"}, {id: "v2", zone: "别墅", area: "300", vote: "oppose"},
		{id: "v3", zone: "别墅", area: "300", vote: "agree"}, {id: "v4", zone: "别墅", area: "300", delivered: true},
		{id: "v5", zone: "别墅", area: "300", delivered: true}}
	for i := range 20 {
		units = append(units, du{id: fmt.Sprintf("h%d", i), zone: "高层", area: "90", vote: "agree"})
	}
	for _, tt := range []struct {
		p      Procedure
		villas string
		passed bool
	}{
		{Procedure{}, "e 5/1500 p 3/900 a 1/300 o 2/600 b 0/0 n 0/0 d 0/0 m - false false false", true},
		{following, "e 5/1500 p 5/1500 a 1/300 o 4/1200 b 0/0 n 0/0 d 2/600 m oppose true false false", false},
	} {
		res := mustEvaluate(t, procScenario(OrdinaryRule, Veto{Mode: VetoZoneRejection, Zones: []string{"别墅"}}, tt.p, units...))
		if got := summary(res.Zones["别墅"].Outcome); got != tt.villas {
			t.Errorf("%+v villas:\n got %s\nwant %s", tt.p, got, tt.villas)
		}
		if !res.Overall.Passed || res.Passed != tt.passed || res.Zones["别墅"].Vetoed == tt.passed {
			t.Errorf("%+v: overall %v, passed %v, villas vetoed %v; want passed %v", tt.p, res.Overall.Passed, res.Passed, res.Zones["别墅"].Vetoed, tt.passed)
		}
	}
}
