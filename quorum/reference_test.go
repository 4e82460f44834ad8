package quorum

import (
	"fmt"
	"math/big"
	"math/rand"
	"reflect"
	"slices"
	"testing"
	"testing/quick"
)

// referenceEvaluate is DESIGN.md §3.1–3.2 transcribed as plainly as possible
// (string-keyed maps, math/big), to check the optimised Evaluate against. It
// assumes valid input.
func referenceEvaluate(s *Scenario) (passed bool, overall Outcome, zones map[string]ZoneOutcome, whatIf map[VetoMode]bool) {
	ballots := map[string]Choice{}
	for _, b := range s.Ballots {
		c := b.Choice
		if c == Spoiled {
			c = Abstain
		}
		ballots[b.Unit] = c
	}
	overall = referenceOutcome(s.Rule, s.Units, ballots)
	zones = map[string]ZoneOutcome{}
	byZone := map[string][]Unit{}
	for _, u := range s.Units {
		byZone[u.Zone] = append(byZone[u.Zone], u)
	}
	rejects := map[string]bool{}
	for name, units := range byZone {
		o := referenceOutcome(s.Rule, units, ballots)
		holds := len(s.Veto.Zones) == 0 || slices.Contains(s.Veto.Zones, name)
		zones[name] = ZoneOutcome{Outcome: o, HoldsVeto: holds}
		rejects[name] = o.ParticipationMet && o.Participating.Headcount > 0 &&
			referenceReached(s.Rule.Approval.Area, int64(o.Oppose.Area), int64(o.Participating.Area)) &&
			referenceReached(s.Rule.Approval.Headcount, int64(o.Oppose.Headcount), int64(o.Participating.Headcount))
	}
	vetoed := func(mode VetoMode, name string) bool {
		z := zones[name]
		switch {
		case !z.HoldsVeto || mode == VetoNone:
			return false
		case mode == VetoAllZones:
			return !z.Passed
		}
		return rejects[name]
	}
	whatIf = map[VetoMode]bool{}
	for _, mode := range VetoModes {
		whatIf[mode] = overall.Passed
		for name := range zones {
			if vetoed(mode, name) {
				whatIf[mode] = false
			}
		}
	}
	mode := s.Veto.Mode
	if mode == "" {
		mode = VetoNone
	}
	for name, z := range zones {
		z.Vetoed = vetoed(mode, name)
		zones[name] = z
	}
	return whatIf[mode], overall, zones, whatIf
}

func referenceOutcome(rule Rule, units []Unit, ballots map[string]Choice) Outcome {
	personOf := func(u Unit) string {
		switch {
		case u.DeveloperHeld:
			return "developer"
		case u.Owner != "":
			return "owner:" + u.Owner
		}
		return "unit:" + u.ID
	}
	var o Outcome
	eligible := map[string]bool{}
	votes := map[string]map[Choice]Area{}
	for _, u := range units {
		p := personOf(u)
		eligible[p] = true
		o.Eligible.Area += u.Area
		c, ok := ballots[u.ID]
		if !ok {
			continue
		}
		if votes[p] == nil {
			votes[p] = map[Choice]Area{}
		}
		votes[p][c] += u.Area
		o.Participating.Area += u.Area
		choiceTally(&o, c).Area += u.Area
	}
	o.Eligible.Headcount = len(eligible)
	o.Participating.Headcount = len(votes)
	for _, v := range votes {
		best := Oppose
		for _, c := range []Choice{Abstain, Agree} { // tie order: oppose, abstain, agree
			if v[c] > v[best] {
				best = c
			}
		}
		choiceTally(&o, best).Headcount++
	}
	o.ParticipationMet = referenceReached(rule.Participation.Area, int64(o.Participating.Area), int64(o.Eligible.Area)) &&
		referenceReached(rule.Participation.Headcount, int64(o.Participating.Headcount), int64(o.Eligible.Headcount))
	o.ApprovalMet = o.Participating.Headcount > 0 &&
		referenceReached(rule.Approval.Area, int64(o.Agree.Area), int64(o.Participating.Area)) &&
		referenceReached(rule.Approval.Headcount, int64(o.Agree.Headcount), int64(o.Participating.Headcount))
	o.Passed = o.ParticipationMet && o.ApprovalMet
	return o
}

func choiceTally(o *Outcome, c Choice) *Tally {
	return map[Choice]*Tally{Agree: &o.Agree, Oppose: &o.Oppose, Abstain: &o.Abstain}[c]
}

func referenceReached(f Fraction, part, whole int64) bool {
	lhs := new(big.Int).Mul(big.NewInt(part), new(big.Int).SetUint64(f.Den))
	rhs := new(big.Int).Mul(new(big.Int).SetUint64(f.Num), big.NewInt(whole))
	if f.Strict {
		return lhs.Cmp(rhs) > 0
	}
	return lhs.Cmp(rhs) >= 0
}

// randomScenario is a valid scenario drawn to hit the rules' corners: few
// zones, owners holding several units across zones, owner keys equal to
// other units' ids, developer units, boundary-prone areas, every choice,
// custom rules with small denominators and every veto arrangement.
type randomScenario struct{ *Scenario }

func (randomScenario) Generate(r *rand.Rand, size int) reflect.Value {
	allZones := []string{"多层", "别墅", "高层", "复式", "商铺"}
	zones := allZones[:1+r.Intn(len(allZones))]
	s := &Scenario{Rule: randomRule(r)}
	n := r.Intn(size + 1)
	for i := range n {
		u := Unit{ID: fmt.Sprintf("u%d", i), Zone: zones[r.Intn(len(zones))]}
		switch k := r.Intn(10); {
		case k < 4:
		case k < 6:
			u.Owner = fmt.Sprintf("o%d", r.Intn(4))
		case k < 8:
			u.Owner = fmt.Sprintf("u%d", r.Intn(n)) // an owner key equal to some unit id
		default:
			u.DeveloperHeld = true
		}
		switch r.Intn(3) {
		case 0:
			u.Area = Area(100 * (1 + r.Intn(3)))
		case 1:
			u.Area = Area(1 + r.Intn(5))
		default:
			u.Area = Area(1 + r.Intn(30000))
		}
		s.Units = append(s.Units, u)
		if r.Intn(10) < 7 {
			s.Ballots = append(s.Ballots, Ballot{Unit: u.ID, Choice: Choice(1 + r.Intn(4))})
		}
	}
	s.Veto.Mode = [...]VetoMode{"", VetoNone, VetoAllZones, VetoZoneRejection}[r.Intn(4)]
	if r.Intn(2) == 0 && n > 0 {
		for range r.Intn(3) {
			s.Veto.Zones = append(s.Veto.Zones, s.Units[r.Intn(n)].Zone)
		}
	}
	return reflect.ValueOf(randomScenario{s})
}

func randomRule(r *rand.Rand) Rule {
	switch r.Intn(5) {
	case 0:
		return OrdinaryRule
	case 1:
		return MajorRule
	}
	f := func() Fraction {
		d := uint64(1 + r.Intn(6))
		return Fraction{Num: uint64(r.Intn(int(d) + 1)), Den: d, Strict: r.Intn(2) == 0}
	}
	return Rule{Participation: Threshold{f(), f()}, Approval: Threshold{f(), f()}}
}

var quickConfig = &quick.Config{MaxCount: 2000}

func TestMatchesReference(t *testing.T) {
	check := func(g randomScenario) bool {
		res, err := Evaluate(g.Scenario)
		if err != nil {
			t.Logf("valid scenario refused: %v", err)
			return false
		}
		passed, overall, zones, whatIf := referenceEvaluate(g.Scenario)
		ok := res.Passed == passed && res.Overall == overall && len(res.Zones) == len(zones) &&
			res.WhatIf == (WhatIf{whatIf[VetoNone], whatIf[VetoAllZones], whatIf[VetoZoneRejection]})
		for name, z := range zones {
			got := res.Zones[name]
			ok = ok && got != nil && got.Outcome == z.Outcome && got.Vetoed == z.Vetoed && got.HoldsVeto == z.HoldsVeto
		}
		if !ok {
			t.Logf("scenario %+v\n got %+v\nwant passed=%v overall=%+v zones=%+v what_if=%v", g.Scenario, res, passed, overall, zones, whatIf)
		}
		return ok
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}
