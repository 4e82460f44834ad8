package quorum

import (
	"fmt"
	"testing"
)

// tu is a unit of a test scenario with its ballot ("" for none).
type tu struct {
	id, zone, area, owner string
	dev                   bool
	vote                  string
}

func mustArea(s string) Area {
	a, err := ParseArea(s)
	if err != nil {
		panic(err)
	}
	return a
}

func scenario(rule Rule, veto Veto, units ...tu) *Scenario {
	s := &Scenario{Rule: rule, Veto: veto}
	for _, u := range units {
		s.Units = append(s.Units, Unit{ID: u.id, Zone: u.zone, Area: mustArea(u.area), Owner: u.owner, DeveloperHeld: u.dev})
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

// persons returns n units of one zone, each its own person, all of the
// given area and vote; ids are prefix-1 … prefix-n.
func persons(prefix, zone string, n int, area, vote string) []tu {
	us := make([]tu, n)
	for i := range us {
		us[i] = tu{id: fmt.Sprintf("%s-%d", prefix, i+1), zone: zone, area: area, vote: vote}
	}
	return us
}

func mustEvaluate(t *testing.T, s *Scenario) *Result {
	t.Helper()
	res, err := Evaluate(s)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return res
}

func wantTally(t *testing.T, what string, got Tally, head int, area string) {
	t.Helper()
	if got.Headcount != head || got.Area.String() != area {
		t.Errorf("%s = %d heads / %s m², want %d / %s", what, got.Headcount, got.Area, head, area)
	}
}

// figures is the headcount/area of eligible, participating, agree, oppose
// and abstain, in that order.
type figures [5]struct {
	head int
	area string
}

func wantOutcome(t *testing.T, what string, o Outcome, f figures, participation, approval, passed bool) {
	t.Helper()
	for i, got := range []Tally{o.Eligible, o.Participating, o.Agree, o.Oppose, o.Abstain} {
		wantTally(t, fmt.Sprintf("%s %s", what, [...]string{"eligible", "participating", "agree", "oppose", "abstain"}[i]), got, f[i].head, f[i].area)
	}
	if o.ParticipationMet != participation || o.ApprovalMet != approval || o.Passed != passed {
		t.Errorf("%s: participation_met=%v approval_met=%v passed=%v, want %v %v %v",
			what, o.ParticipationMet, o.ApprovalMet, o.Passed, participation, approval, passed)
	}
}

func concat(parts ...[]tu) []tu {
	var all []tu
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}
