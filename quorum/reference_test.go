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

// referenceEvaluate is DESIGN.md §3.1–3.2 as it stood before §3.5 (every
// spoiled ballot an abstention, no deemed owners), transcribed as plainly as
// possible (string-keyed maps, math/big): the old evaluation, which Evaluate
// must still give without a non-response policy. It assumes valid input and
// ignores the scenario's procedure and delivered flags.
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
	personOf := referencePerson
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
// other units' ids, developer units, boundary-prone areas (equal areas make
// ties in the majority opinion common), every choice, delivered and
// undelivered units, every procedure (defaults included), custom rules with
// small denominators and every veto arrangement.
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
		u.Delivered = r.Intn(2) == 0
		s.Units = append(s.Units, u)
		if r.Intn(10) < 6 {
			s.Ballots = append(s.Ballots, Ballot{Unit: u.ID, Choice: Choice(1 + r.Intn(4))})
		}
	}
	s.Procedure = Procedure{
		Nonresponse: [...]Nonresponse{"", NonresponseNone, NonresponseDeliveredParticipate, NonresponseDeliveredFollowMajority}[r.Intn(4)],
		Spoiled:     [...]SpoiledPolicy{"", SpoiledAbstain, SpoiledParticipating, SpoiledExcluded}[r.Intn(4)],
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

// reference35 is §3.5 (with §3.1–3.2) transcribed as plainly as possible,
// independently of Evaluate: each unit's status spelt out, the majority
// opinion found by comparing every pair of choices, persons as strings.
func reference35(s *Scenario) (passed bool, overall Outcome, zones map[string]ZoneOutcome, whatIf map[VetoMode]bool) {
	picks := map[string]string{}
	for _, b := range s.Ballots {
		picks[b.Unit] = b.Choice.String()
	}
	status, nonresponse := referenceStatus(s, picks)
	evaluate := func(units []Unit) Outcome {
		majority := ""
		if nonresponse == "delivered-follow-majority" {
			majority = referenceMajority(units, status, []string{"agree", "oppose", "abstain"}, referenceHeadChoice)
		}
		return reference35Outcome(s.Rule, units, status, majority, majority)
	}
	return referenceZones(s, evaluate)
}

// referenceStatus is each unit's status given the choice its ballot names
// ("spoiled" included): that choice, "abstain", "no_choice", "deemed" or
// "out"; and the non-response policy, defaults filled in.
func referenceStatus(s *Scenario, picks map[string]string) (status map[string]string, nonresponse string) {
	nonresponse, spoiled := string(s.Procedure.Nonresponse), string(s.Procedure.Spoiled)
	if nonresponse == "" {
		nonresponse = "none"
	}
	if spoiled == "" {
		spoiled = "abstain"
	}
	status = map[string]string{}
	for _, u := range s.Units {
		pick, voted := picks[u.ID]
		switch {
		case voted && pick != "spoiled":
			status[u.ID] = pick
		case voted && spoiled == "abstain":
			status[u.ID] = "abstain"
		case voted && spoiled == "participating":
			status[u.ID] = "no_choice"
		case u.Delivered && nonresponse != "none":
			status[u.ID] = "deemed"
		default:
			status[u.ID] = "out"
		}
	}
	return status, nonresponse
}

// referenceZones evaluates the scenario's units overall and per zone and
// applies the veto (§3.2).
func referenceZones(s *Scenario, evaluate func([]Unit) Outcome) (passed bool, overall Outcome, zones map[string]ZoneOutcome, whatIf map[VetoMode]bool) {
	overall = evaluate(s.Units)
	byZone := map[string][]Unit{}
	for _, u := range s.Units {
		byZone[u.Zone] = append(byZone[u.Zone], u)
	}
	zones = map[string]ZoneOutcome{}
	for name, units := range byZone {
		zones[name] = ZoneOutcome{Outcome: evaluate(units), HoldsVeto: len(s.Veto.Zones) == 0 || slices.Contains(s.Veto.Zones, name)}
	}
	whatIf = map[VetoMode]bool{}
	for _, mode := range VetoModes {
		whatIf[mode] = overall.Passed
		for _, z := range zones {
			if referenceVetoed(s.Rule, mode, z) {
				whatIf[mode] = false
			}
		}
	}
	mode := s.Veto.Mode
	if mode == "" {
		mode = VetoNone
	}
	for name, z := range zones {
		z.Vetoed = referenceVetoed(s.Rule, mode, z)
		zones[name] = z
	}
	return whatIf[mode], overall, zones, whatIf
}

func referenceVetoed(rule Rule, mode VetoMode, z ZoneOutcome) bool {
	switch {
	case !z.HoldsVeto || mode == VetoNone:
		return false
	case mode == VetoAllZones:
		return !z.Passed
	}
	return z.ParticipationMet && z.Participating.Headcount > 0 &&
		referenceReached(rule.Approval.Area, int64(z.Oppose.Area), int64(z.Participating.Area)) &&
		referenceReached(rule.Approval.Headcount, int64(z.Oppose.Headcount), int64(z.Participating.Headcount))
}

// referenceHeadChoice is the §3.1/§3.5 rule for one person: the bucket with
// the most area, ties going to the earliest of order.
func referenceHeadChoice(areas map[string]Area) string {
	best := ""
	for _, b := range []string{"oppose", "abstain", "no_choice", "agree"} {
		if areas[b] > 0 && (best == "" || areas[b] > areas[best]) {
			best = b
		}
	}
	return best
}

func referencePerson(u Unit) string {
	switch {
	case u.DeveloperHeld:
		return "developer"
	case u.Owner != "":
		return "owner:" + u.Owner
	}
	return "unit:" + u.ID
}

// referenceMajority is the choice among choices whose area and headcount
// both beat every other's, counting actual ballots only (status being the
// choice), each person under headChoice of their areas; "" when none.
func referenceMajority(units []Unit, status map[string]string, choices []string, headChoice func(map[string]Area) string) string {
	area := map[string]Area{}
	actual := map[string]map[string]Area{} // person → choice → area
	w := map[string]int{}
	for _, u := range units {
		c := status[u.ID]
		if !slices.Contains(choices, c) {
			continue
		}
		area[c] += u.Area
		p := referencePerson(u)
		if actual[p] == nil {
			actual[p] = map[string]Area{}
		}
		actual[p][c] += u.Area
		w[p] = max(u.Persons, 1)
	}
	heads := map[string]int{}
	for p, a := range actual {
		heads[headChoice(a)] += w[p]
	}
	for _, c := range choices {
		leads := true
		for _, other := range choices {
			if other != c && (area[c] <= area[other] || heads[c] <= heads[other]) {
				leads = false
			}
		}
		if leads {
			return c
		}
	}
	return ""
}

// reference35Outcome counts units by status ("agree", "oppose", "abstain",
// "no_choice", "deemed" or "out"), deemed units in bucket deemedAs ("" for
// no choice), reporting majority.
func reference35Outcome(rule Rule, units []Unit, status map[string]string, deemedAs, majority string) Outcome {
	personOf := referencePerson
	weight := func(u Unit) int { return max(u.Persons, 1) }

	var o Outcome
	o.Majority = Majority(majority)
	tally := map[string]*Tally{"agree": &o.Agree, "oppose": &o.Oppose, "abstain": &o.Abstain, "no_choice": &o.NoChoice}
	eligible := map[string]int{}
	taking := map[string]map[string]Area{} // person → bucket → area
	onlyDeemed := map[string]bool{}
	for _, u := range units {
		p := personOf(u)
		eligible[p] = weight(u)
		o.Eligible.Area += u.Area
		b := status[u.ID]
		if b == "out" {
			continue
		}
		if taking[p] == nil {
			taking[p] = map[string]Area{}
			onlyDeemed[p] = true
		}
		if b == "deemed" {
			o.Deemed.Area += u.Area
			b = "no_choice"
			if deemedAs != "" {
				b = deemedAs
			}
		} else {
			onlyDeemed[p] = false
		}
		taking[p][b] += u.Area
		tally[b].Area += u.Area
		o.Participating.Area += u.Area
	}
	for _, w := range eligible {
		o.Eligible.Headcount += w
	}
	for p, areas := range taking {
		tally[referenceHeadChoice(areas)].Headcount += eligible[p]
		o.Participating.Headcount += eligible[p]
		if onlyDeemed[p] {
			o.Deemed.Headcount += eligible[p]
		}
	}
	o.ParticipationMet = referenceReached(rule.Participation.Area, int64(o.Participating.Area), int64(o.Eligible.Area)) &&
		referenceReached(rule.Participation.Headcount, int64(o.Participating.Headcount), int64(o.Eligible.Headcount))
	o.ApprovalMet = o.Participating.Headcount > 0 &&
		referenceReached(rule.Approval.Area, int64(o.Agree.Area), int64(o.Participating.Area)) &&
		referenceReached(rule.Approval.Headcount, int64(o.Agree.Headcount), int64(o.Participating.Headcount))
	o.Passed = o.ParticipationMet && o.ApprovalMet
	return o
}

// TestMatchesReference compares Evaluate with the plain transcription of
// §3.5 on random scenarios covering every procedure.
func TestMatchesReference(t *testing.T) {
	check := func(g randomScenario) bool {
		return matchesReference(t, g.Scenario, reference35)
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

// TestWithoutNonresponseMatchesOldEvaluation: with nonresponse none and
// spoiled ballots abstaining, whatever the delivered flags say, every figure
// and verdict is the one of the evaluation before §3.5.
func TestWithoutNonresponseMatchesOldEvaluation(t *testing.T) {
	check := func(g randomScenario) bool {
		s := clone(g.Scenario)
		s.Procedure = [...]Procedure{{}, {Nonresponse: NonresponseNone, Spoiled: SpoiledAbstain}}[len(s.Units)%2]
		return matchesReference(t, s, referenceEvaluate)
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

func matchesReference(t *testing.T, s *Scenario, reference func(*Scenario) (bool, Outcome, map[string]ZoneOutcome, map[VetoMode]bool)) bool {
	res, err := Evaluate(s)
	if err != nil {
		t.Logf("valid scenario refused: %v", err)
		return false
	}
	passed, overall, zones, whatIf := reference(s)
	ok := res.Passed == passed && res.Overall == overall && len(res.Zones) == len(zones) &&
		res.WhatIf == (WhatIf{whatIf[VetoNone], whatIf[VetoAllZones], whatIf[VetoZoneRejection]})
	for name, z := range zones {
		got := res.Zones[name]
		ok = ok && got != nil && got.Outcome == z.Outcome && got.Vetoed == z.Vetoed && got.HoldsVeto == z.HoldsVeto
	}
	if !ok {
		t.Logf("scenario %+v\n got %+v\nwant passed=%v overall=%+v zones=%+v what_if=%v", s, res, passed, overall, zones, whatIf)
	}
	return ok
}

// referenceChoice decides a choice matter as §3.2, §3.4 and §3.5 say, plainly:
// the options' picks, the majority opinion of each population among the
// options and abstain, then each option counted like agree. It returns each
// option's verdict and the adopted option ("" for none).
func referenceChoice(s *Scenario, options []string, picks map[string]string) (map[string]Outcome, map[string]map[string]ZoneOutcome, map[string]bool, string) {
	status, nonresponse := referenceStatus(s, picks)
	choices := append(slices.Clone(options), "abstain")
	// A person counts for the choice with most of their area; a tie with
	// abstain is abstain, a tie among options is no one.
	headChoice := func(areas map[string]Area) string {
		var top Area
		for _, a := range areas {
			top = max(top, a)
		}
		var at []string
		for c, a := range areas {
			if a == top {
				at = append(at, c)
			}
		}
		switch {
		case len(at) == 1:
			return at[0]
		case slices.Contains(at, "abstain"):
			return "abstain"
		}
		return ""
	}
	asOption := func(c, option string) string {
		switch {
		case c == option:
			return "agree"
		case slices.Contains(options, c):
			return "oppose"
		}
		return c
	}
	overall := map[string]Outcome{}
	zones := map[string]map[string]ZoneOutcome{}
	passed := map[string]bool{}
	for _, option := range options {
		optionStatus := map[string]string{}
		for id, c := range status {
			optionStatus[id] = asOption(c, option)
		}
		evaluate := func(units []Unit) Outcome {
			majority := ""
			if nonresponse == "delivered-follow-majority" {
				majority = referenceMajority(units, status, choices, headChoice)
			}
			deemedAs := ""
			if majority != "" {
				deemedAs = asOption(majority, option)
			}
			return reference35Outcome(s.Rule, units, optionStatus, deemedAs, majority)
		}
		var p bool
		p, overall[option], zones[option], _ = referenceZones(s, evaluate)
		passed[option] = p
	}
	// The winner passes overall and leads every other passing option on
	// agree headcount, then area; it is adopted when no zone vetoes it.
	winner := ""
	for _, a := range options {
		leads := overall[a].Passed
		for _, b := range options {
			oa, ob := overall[a].Agree, overall[b].Agree
			if b != a && overall[b].Passed && (ob.Headcount > oa.Headcount || ob.Headcount == oa.Headcount && ob.Area >= oa.Area) {
				leads = false
			}
		}
		if leads && passed[a] {
			winner = a
		}
	}
	return overall, zones, passed, winner
}

// TestChoiceMatchesReference compares EvaluateChoice with referenceChoice on
// random scenarios read as a choice among three options.
func TestChoiceMatchesReference(t *testing.T) {
	options := []string{"A", "B", "C"}
	check := func(g randomScenario) bool {
		picks := map[string]string{}
		obs := make([]OptionBallot, len(g.Ballots))
		for i, b := range g.Ballots {
			pick := map[Choice]string{Agree: "A", Oppose: "B", Abstain: []string{"C", "abstain"}[i%2], Spoiled: "spoiled"}[b.Choice]
			picks[b.Unit] = pick
			obs[i] = OptionBallot{Unit: b.Unit, Option: pick}
		}
		res, err := EvaluateChoice(ChoiceMatter{Rule: g.Rule, Mode: ChoiceApproval, Veto: g.Veto, Procedure: g.Procedure, Options: options}, g.Units, obs)
		if err != nil {
			t.Logf("valid choice refused: %v", err)
			return false
		}
		overall, zones, passed, winner := referenceChoice(g.Scenario, options, picks)
		ok := res.Winner == winner && res.Decided == (winner != "")
		for _, o := range res.Options {
			r := o.Result
			ok = ok && r.Overall == overall[o.Option] && r.Passed == passed[o.Option] && len(r.Zones) == len(zones[o.Option])
			for name, z := range zones[o.Option] {
				ok = ok && r.Zones[name] != nil && r.Zones[name].Outcome == z.Outcome && r.Zones[name].Vetoed == z.Vetoed
			}
		}
		if !ok {
			t.Logf("scenario %+v picks %v\n got winner %q %+v\nwant winner %q overall %+v zones %+v", g.Scenario, picks, res.Winner, res.Options, winner, overall, zones)
		}
		return ok
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}
