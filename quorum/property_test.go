package quorum

import (
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"testing/quick"
)

// clone copies a scenario deeply enough to modify its units and ballots.
func clone(s *Scenario) *Scenario {
	c := *s
	c.Units = slices.Clone(s.Units)
	c.Ballots = slices.Clone(s.Ballots)
	return &c
}

// verdicts lists every pass/fail of a result: overall, each zone, the
// top-level verdict and the three what-ifs.
func verdicts(res *Result) map[string]bool {
	v := map[string]bool{"passed": res.Passed, "overall": res.Overall.Passed,
		"none": res.WhatIf.None, "all-zones": res.WhatIf.AllZones, "zone-rejection": res.WhatIf.ZoneRejection}
	for name, z := range res.Zones {
		v["zone "+name] = z.Passed
		v["not vetoed "+name] = !z.Vetoed
	}
	return v
}

func TestPropertyOpposeToAgreeNeverHurts(t *testing.T) {
	check := func(g randomScenario, pick uint) bool {
		var opposed []int
		for i, b := range g.Ballots {
			if b.Choice == Oppose {
				opposed = append(opposed, i)
			}
		}
		if len(opposed) == 0 {
			return true
		}
		before := verdicts(mustEvaluate(t, g.Scenario))
		s := clone(g.Scenario)
		s.Ballots[opposed[pick%uint(len(opposed))]].Choice = Agree
		after := verdicts(mustEvaluate(t, s))
		for k, was := range before {
			if was && !after[k] {
				t.Logf("%s turned from pass to fail in %+v", k, s)
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

func TestPropertyBallotNeverLowersParticipation(t *testing.T) {
	check := func(g randomScenario, pick uint, choice uint8) bool {
		voted := map[string]bool{}
		for _, b := range g.Ballots {
			voted[b.Unit] = true
		}
		var unvoted []string
		for _, u := range g.Units {
			if !voted[u.ID] {
				unvoted = append(unvoted, u.ID)
			}
		}
		if len(unvoted) == 0 {
			return true
		}
		before := mustEvaluate(t, g.Scenario)
		s := clone(g.Scenario)
		s.Ballots = append(s.Ballots, Ballot{Unit: unvoted[pick%uint(len(unvoted))], Choice: Choice(1 + choice%4)})
		after := mustEvaluate(t, s)
		notLower := func(b, a Outcome) bool {
			return a.Participating.Area >= b.Participating.Area &&
				a.Participating.Headcount >= b.Participating.Headcount &&
				(a.ParticipationMet || !b.ParticipationMet)
		}
		ok := notLower(before.Overall, after.Overall)
		for name, z := range before.Zones {
			ok = ok && notLower(z.Outcome, after.Zones[name].Outcome)
		}
		return ok
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

func TestPropertyOrderDoesNotMatter(t *testing.T) {
	check := func(g randomScenario, seed int64) bool {
		want := mustEvaluate(t, g.Scenario)
		s := clone(g.Scenario)
		r := rand.New(rand.NewSource(seed))
		r.Shuffle(len(s.Units), func(i, j int) { s.Units[i], s.Units[j] = s.Units[j], s.Units[i] })
		r.Shuffle(len(s.Ballots), func(i, j int) { s.Ballots[i], s.Ballots[j] = s.Ballots[j], s.Ballots[i] })
		return reflect.DeepEqual(mustEvaluate(t, s), want)
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

func TestPropertyZonesAddUp(t *testing.T) {
	check := func(g randomScenario) bool {
		res := mustEvaluate(t, g.Scenario)
		var area, participating Area
		heads := 0
		ok := true
		for _, z := range append([]Outcome{res.Overall}, zoneOutcomes(res)...) {
			// every participant is counted under exactly one bucket, and
			// deemed figures are part of the participating ones
			ok = ok && z.Agree.Headcount+z.Oppose.Headcount+z.Abstain.Headcount+z.NoChoice.Headcount == z.Participating.Headcount &&
				z.Agree.Area+z.Oppose.Area+z.Abstain.Area+z.NoChoice.Area == z.Participating.Area &&
				z.Deemed.Headcount <= z.Participating.Headcount && z.Deemed.Area <= z.Participating.Area
		}
		for _, z := range res.Zones {
			area += z.Eligible.Area
			participating += z.Participating.Area
			heads += z.Eligible.Headcount
		}
		// areas partition exactly; a person may own in several zones, so
		// zone headcounts sum to at least the overall headcount.
		return ok && area == res.Overall.Eligible.Area && participating == res.Overall.Participating.Area &&
			heads >= res.Overall.Eligible.Headcount
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

func zoneOutcomes(res *Result) []Outcome {
	var out []Outcome
	for _, z := range res.Zones {
		out = append(out, z.Outcome)
	}
	return out
}

// Owner-less units of one zone, one choice (or none) and one delivery state
// are interchangeable persons, so merging them into one unit standing for as
// many persons (Unit.Persons, as package tally does for large estates)
// changes nothing, under every procedure.
func TestPropertyAggregatedPersonsCountAlike(t *testing.T) {
	check := func(g randomScenario) bool {
		want := mustEvaluate(t, g.Scenario)
		choice := map[string]Choice{}
		for _, b := range g.Ballots {
			choice[b.Unit] = b.Choice
		}
		type key struct {
			zone      string
			choice    Choice
			delivered bool
		}
		merged := map[key]int{} // index into s.Units
		s := &Scenario{Rule: g.Rule, Veto: g.Veto, Procedure: g.Procedure}
		for _, u := range g.Units {
			if u.Owner != "" || u.DeveloperHeld {
				s.Units = append(s.Units, u)
				if c, ok := choice[u.ID]; ok {
					s.Ballots = append(s.Ballots, Ballot{Unit: u.ID, Choice: c})
				}
				continue
			}
			k := key{u.Zone, choice[u.ID], u.Delivered}
			i, ok := merged[k]
			if !ok {
				i = len(s.Units)
				merged[k] = i
				s.Units = append(s.Units, Unit{ID: "agg-" + u.ID, Zone: u.Zone, Delivered: u.Delivered})
				if k.choice != 0 {
					s.Ballots = append(s.Ballots, Ballot{Unit: "agg-" + u.ID, Choice: k.choice})
				}
			}
			s.Units[i].Area += u.Area
			s.Units[i].Persons++
		}
		return reflect.DeepEqual(mustEvaluate(t, s), want)
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

// Deeming delivered owners to take part never lowers participation: a
// non-response policy against none, and one more delivered unit under the
// same policy, overall and in every zone, under the same spoiled policy.
func TestPropertyDeemedNeverLowersParticipation(t *testing.T) {
	notLower := func(b, a Outcome) bool {
		return a.Participating.Area >= b.Participating.Area &&
			a.Participating.Headcount >= b.Participating.Headcount &&
			(a.ParticipationMet || !b.ParticipationMet)
	}
	compare := func(before, after *Result) bool {
		ok := notLower(before.Overall, after.Overall)
		for name, z := range before.Zones {
			ok = ok && notLower(z.Outcome, after.Zones[name].Outcome)
		}
		return ok
	}
	check := func(g randomScenario, pick uint, follow bool) bool {
		none := clone(g.Scenario)
		none.Procedure.Nonresponse = NonresponseNone
		deeming := clone(g.Scenario)
		deeming.Procedure.Nonresponse = NonresponseDeliveredParticipate
		if follow {
			deeming.Procedure.Nonresponse = NonresponseDeliveredFollowMajority
		}
		ok := compare(mustEvaluate(t, none), mustEvaluate(t, deeming))
		if len(deeming.Units) > 0 {
			more := clone(deeming)
			more.Units[pick%uint(len(more.Units))].Delivered = true
			ok = ok && compare(mustEvaluate(t, deeming), mustEvaluate(t, more))
		}
		if !ok {
			t.Logf("participation fell in %+v", g.Scenario)
		}
		return ok
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

// A choice between two options is an approve matter seen from each option:
// under every procedure but follow-majority (whose majority is found among
// the options), option A's count, zones and veto are those of Evaluate with
// A as agree and B as oppose, and B's those with the roles swapped.
func TestPropertyChoiceIsApproveOfEachOption(t *testing.T) {
	check := func(g randomScenario) bool {
		s := clone(g.Scenario)
		if s.Procedure.Nonresponse == NonresponseDeliveredFollowMajority {
			s.Procedure.Nonresponse = NonresponseDeliveredParticipate
		}
		obs := make([]OptionBallot, len(s.Ballots))
		swapped := clone(s)
		for i, b := range s.Ballots {
			obs[i] = OptionBallot{Unit: b.Unit, Option: map[Choice]string{Agree: "A", Oppose: "B", Abstain: "abstain", Spoiled: "spoiled"}[b.Choice]}
			swapped.Ballots[i].Choice = map[Choice]Choice{Agree: Oppose, Oppose: Agree}[b.Choice]
			if swapped.Ballots[i].Choice == 0 {
				swapped.Ballots[i].Choice = b.Choice
			}
		}
		res, err := EvaluateChoice(ChoiceMatter{Rule: s.Rule, Mode: ChoiceApproval, Veto: s.Veto, Procedure: s.Procedure, Options: []string{"A", "B"}}, s.Units, obs)
		if err != nil {
			t.Logf("valid choice refused: %v", err)
			return false
		}
		ok := true
		for k, approve := range []*Scenario{s, swapped} {
			want, got := mustEvaluate(t, approve), res.Options[k].Result
			ok = ok && got.Passed == want.Passed && got.Overall == want.Overall && got.WhatIf == want.WhatIf && len(got.Zones) == len(want.Zones)
			for name, z := range want.Zones {
				ok = ok && got.Zones[name] != nil && *got.Zones[name] == *z
			}
		}
		if !ok {
			t.Logf("choice differs from approve in %+v", s)
		}
		return ok
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}
