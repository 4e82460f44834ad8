package quorum

import (
	"strings"
	"testing"
)

// sixOwners are six owners of 100.00 m² in one zone, u1 … u6.
func sixOwners(areas ...string) []Unit {
	units := make([]Unit, 6)
	for i := range units {
		units[i] = Unit{ID: "u" + string(rune('1'+i)), Zone: "z", Area: 10000}
		if i < len(areas) {
			units[i].Area = mustArea(areas[i])
		}
	}
	return units
}

func optionBallots(options ...string) []OptionBallot {
	b := make([]OptionBallot, len(options))
	for i, o := range options {
		b[i] = OptionBallot{Unit: "u" + string(rune('1'+i)), Option: o}
	}
	return b
}

func TestEvaluateChoice(t *testing.T) {
	brands := []string{"蒂森", "三菱"}
	anySupport := Rule{Participation: OrdinaryRule.Participation,
		Approval: Threshold{Area: Fraction{0, 1, true}, Headcount: Fraction{0, 1, true}}}
	tests := []struct {
		name    string
		rule    Rule
		mode    ChoiceMode
		units   []Unit
		ballots []OptionBallot
		winner  string // "" = undecided
	}{
		// 蒂森 4/6 heads and area > 1/2 (三菱 and abstain count against it).
		{"majority", OrdinaryRule, ChoiceApproval, sixOwners(), optionBallots("蒂森", "蒂森", "蒂森", "蒂森", "三菱", "abstain"), "蒂森"},
		// 蒂森 3/6 is not more than half: a next round.
		{"no majority", OrdinaryRule, ChoiceApproval, sixOwners(), optionBallots("蒂森", "蒂森", "蒂森", "三菱", "三菱", "spoiled"), ""},
		// …but it is the plurality.
		{"plurality", OrdinaryRule, ChoicePlurality, sixOwners(), optionBallots("蒂森", "蒂森", "蒂森", "三菱", "三菱", "spoiled"), "蒂森"},
		// Plurality needs no participation: two of six voting suffices.
		{"plurality low turnout", OrdinaryRule, ChoicePlurality, sixOwners(), optionBallots("三菱", "abstain"), "三菱"},
		{"plurality tie", OrdinaryRule, ChoicePlurality, sixOwners(), optionBallots("蒂森", "三菱"), ""},
		{"plurality nobody", OrdinaryRule, ChoicePlurality, sixOwners(), optionBallots("abstain"), ""},
		// A lax rule lets both pass; 3–3 heads, 三菱 300.01 m² > 300.00 m².
		{"both pass, area decides", anySupport, ChoiceApproval, sixOwners("100", "100", "100", "100", "100", "100.01"),
			optionBallots("蒂森", "蒂森", "蒂森", "三菱", "三菱", "三菱"), "三菱"},
		{"both pass, tied", anySupport, ChoiceApproval, sixOwners(), optionBallots("蒂森", "蒂森", "蒂森", "三菱", "三菱", "三菱"), ""},
		// Four of six vote (4/6 ≥ 2/3); 蒂森 has 3 of the 4. With three voting, participation fails.
		{"participation met", OrdinaryRule, ChoiceApproval, sixOwners(), optionBallots("蒂森", "蒂森", "蒂森", "三菱"), "蒂森"},
		{"participation missed", OrdinaryRule, ChoiceApproval, sixOwners(), optionBallots("蒂森", "蒂森", "蒂森"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := EvaluateChoice(ChoiceMatter{Rule: tt.rule, Mode: tt.mode, Options: brands}, tt.units, tt.ballots)
			if err != nil {
				t.Fatal(err)
			}
			if res.Winner != tt.winner || res.Decided != (tt.winner != "") {
				t.Errorf("winner %q decided %v, want %q", res.Winner, res.Decided, tt.winner)
			}
			for _, o := range res.Options {
				if r := o.Result.Overall; r.Agree.Headcount+r.Oppose.Headcount+r.Abstain.Headcount+r.NoChoice.Headcount != r.Participating.Headcount {
					t.Errorf("%s: headcounts do not add up: %+v", o.Option, r)
				}
			}
		})
	}
}

func TestChoiceSplitOwner(t *testing.T) {
	// One owner picks 蒂森 with one unit and 三菱 with the other, equal areas:
	// for each option it is agree 100 against oppose 100, so oppose.
	units := []Unit{{ID: "a", Zone: "z", Area: 10000, Owner: "o"}, {ID: "b", Zone: "z", Area: 10000, Owner: "o"}}
	res, err := EvaluateChoice(ChoiceMatter{Rule: OrdinaryRule, Mode: ChoiceApproval, Options: []string{"蒂森", "三菱"}}, units,
		[]OptionBallot{{"a", "蒂森"}, {"b", "三菱"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Options {
		if r := o.Result.Overall; r.Oppose.Headcount != 1 || r.Agree.Area != 10000 {
			t.Errorf("%s: %+v", o.Option, r)
		}
	}
	if res.Decided {
		t.Errorf("decided %q", res.Winner)
	}
}

func TestChoiceErrors(t *testing.T) {
	units := sixOwners()
	tests := []struct {
		name    string
		mode    ChoiceMode
		options []string
		ballots []OptionBallot
		want    string
	}{
		{"unknown option", ChoiceApproval, []string{"A", "B"}, optionBallots("C"), `ballots[0] (unit "u1"): unknown option "C"`},
		{"duplicate ballot", ChoiceApproval, []string{"A", "B"}, []OptionBallot{{"u1", "A"}, {"u1", "B"}}, "duplicate ballot"},
		{"unknown unit", ChoiceApproval, []string{"A", "B"}, []OptionBallot{{"x", "A"}}, "unknown unit"},
		{"duplicate option", ChoiceApproval, []string{"A", "A"}, nil, `options[1]: duplicate "A"`},
		{"reserved option", ChoiceApproval, []string{"A", "abstain"}, nil, `options[1]: "abstain" is reserved`},
		{"empty option", ChoiceApproval, []string{""}, nil, `options[0]: empty name`},
		{"unknown mode", "ranked", []string{"A"}, nil, `unknown choice mode "ranked"`},
	}
	for _, tt := range tests {
		res, err := EvaluateChoice(ChoiceMatter{Rule: OrdinaryRule, Mode: tt.mode, Options: tt.options}, units, tt.ballots)
		if err == nil || res != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, %v; want error with %q", tt.name, res, err, tt.want)
		}
	}
}
