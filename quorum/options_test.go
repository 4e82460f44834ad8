package quorum

import (
	"fmt"
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

// estateChoice is a choice between 蒂森 and 三菱 in ten 高层 flats (eight
// pick 蒂森, two 三菱) and three villas voting as given; every unit 100 m².
func estateChoice(villas ...string) ([]Unit, []OptionBallot) {
	var units []Unit
	var ballots []OptionBallot
	for i := range 10 {
		id := fmt.Sprintf("h%d", i)
		units = append(units, Unit{ID: id, Zone: "高层", Area: 10000})
		ballots = append(ballots, OptionBallot{Unit: id, Option: map[bool]string{true: "蒂森", false: "三菱"}[i < 8]})
	}
	for i, v := range villas {
		id := fmt.Sprintf("v%d", i)
		units = append(units, Unit{ID: id, Zone: "别墅", Area: 10000})
		if v != "" {
			ballots = append(ballots, OptionBallot{Unit: id, Option: v})
		}
	}
	return units, ballots
}

// The zone veto on a choice matter (§3.2): 蒂森 wins overall (8 of 13), but
// in the villas nobody picks it. Under all-zones it is not adopted; under
// zone-rejection the villas veto only when their ballots for other options
// reach the approval fractions (3 of 3 三菱 do, 1 三菱 and 2 abstentions do
// not); mode none ignores zones. Plurality is advisory and never vetoed.
func TestChoiceVeto(t *testing.T) {
	tests := []struct {
		villas []string
		mode   VetoMode
		winner string
		vetoed bool
	}{
		{[]string{"三菱", "三菱", "三菱"}, VetoNone, "蒂森", false},
		{[]string{"三菱", "三菱", "三菱"}, VetoAllZones, "", true},
		{[]string{"三菱", "三菱", "三菱"}, VetoZoneRejection, "", true},
		{[]string{"三菱", "abstain", "abstain"}, VetoNone, "蒂森", false},
		{[]string{"三菱", "abstain", "abstain"}, VetoAllZones, "", true},
		{[]string{"三菱", "abstain", "abstain"}, VetoZoneRejection, "蒂森", false},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s %v", tt.mode, tt.villas)
		units, ballots := estateChoice(tt.villas...)
		res, err := EvaluateChoice(ChoiceMatter{Rule: OrdinaryRule, Mode: ChoiceApproval, Veto: Veto{Mode: tt.mode, Zones: []string{"别墅"}}, Options: []string{"蒂森", "三菱"}}, units, ballots)
		if err != nil {
			t.Fatal(err)
		}
		if res.Winner != tt.winner || res.Decided != (tt.winner != "") {
			t.Errorf("%s: winner %q decided %v, want %q", name, res.Winner, res.Decided, tt.winner)
		}
		r := res.Options[0].Result
		if !r.Overall.Passed || r.Zones["别墅"].Vetoed != tt.vetoed || r.Passed == tt.vetoed || r.Zones["高层"].Vetoed {
			t.Errorf("%s: 蒂森 overall passed %v, villas vetoed %v, passed %v", name, r.Overall.Passed, r.Zones["别墅"].Vetoed, r.Passed)
		}
		wantWhatIf := WhatIf{None: true, AllZones: false, ZoneRejection: tt.villas[1] == "abstain"}
		if r.WhatIf != wantWhatIf {
			t.Errorf("%s: what_if %+v, want %+v", name, r.WhatIf, wantWhatIf)
		}
		if tt.mode == VetoZoneRejection && !strings.Contains(r.Explanation.ZH, "选其他选项面积") || strings.Contains(r.Explanation.ZH, "反对") {
			t.Errorf("%s: ballots for other options not named so: %s", name, r.Explanation.ZH)
		}
		plurality, err := EvaluateChoice(ChoiceMatter{Rule: OrdinaryRule, Mode: ChoicePlurality, Veto: Veto{Mode: tt.mode}, Options: []string{"蒂森", "三菱"}}, units, ballots)
		if err != nil || plurality.Winner != "蒂森" {
			t.Errorf("%s: plurality winner %q, %v", name, plurality.Winner, err)
		}
	}
}

// Choice matters follow the same §3.5 rules; the majority opinion is the
// option (or abstain) leading every other on both area and headcount.
func TestChoiceNonresponse(t *testing.T) {
	options := []string{"蒂森", "三菱"}
	// Six owners of 100 m²: three pick 蒂森, one 三菱, two were delivered and
	// did not vote — four of six is 2/3 by itself; with u4 spoiled it is not.
	units := sixOwners()
	units[4].Delivered, units[5].Delivered = true, true
	evaluate := func(p Procedure, ballots ...string) *ChoiceResult {
		t.Helper()
		res, err := EvaluateChoice(ChoiceMatter{Rule: OrdinaryRule, Mode: ChoiceApproval, Procedure: p, Options: options}, units, optionBallots(ballots...))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	tests := []struct {
		name    string
		p       Procedure
		ballots []string
		tyssen  string // summary of 蒂森's overall outcome
		winner  string
	}{
		{"none", Procedure{}, []string{"蒂森", "蒂森", "蒂森", "三菱"},
			"e 6/600 p 4/400 a 3/300 o 1/100 b 0/0 n 0/0 d 0/0 m - true true true", "蒂森"},
		{"spoiled excluded, no deeming", Procedure{Spoiled: SpoiledExcluded}, []string{"蒂森", "蒂森", "蒂森", "spoiled"},
			"e 6/600 p 3/300 a 3/300 o 0/0 b 0/0 n 0/0 d 0/0 m - false true false", ""},
		{"participate", participate, []string{"蒂森", "蒂森", "蒂森", "三菱"},
			"e 6/600 p 6/600 a 3/300 o 1/100 b 0/0 n 2/200 d 2/200 m - true false false", ""},
		{"follow majority", following, []string{"蒂森", "蒂森", "蒂森", "三菱"},
			"e 6/600 p 6/600 a 5/500 o 1/100 b 0/0 n 0/0 d 2/200 m 蒂森 true true true", "蒂森"},
		// 蒂森 and 三菱 tie at two each: no majority.
		{"options tied", following, []string{"蒂森", "蒂森", "三菱", "三菱"},
			"e 6/600 p 6/600 a 2/200 o 2/200 b 0/0 n 2/200 d 2/200 m - true false false", ""},
		// abstain leads (3 of 4): deemed owners abstain.
		{"abstain leads", following, []string{"abstain", "abstain", "abstain", "三菱"},
			"e 6/600 p 6/600 a 0/0 o 1/100 b 5/500 n 0/0 d 2/200 m abstain true false false", ""},
		// spoiled under participating is no actual choice: 蒂森 leads alone.
		{"spoiled participating", Procedure{Nonresponse: NonresponseDeliveredFollowMajority, Spoiled: SpoiledParticipating}, []string{"蒂森", "spoiled", "spoiled", "spoiled"},
			"e 6/600 p 6/600 a 3/300 o 0/0 b 0/0 n 3/300 d 2/200 m 蒂森 true false false", ""},
	}
	for _, tt := range tests {
		res := evaluate(tt.p, tt.ballots...)
		if got := summary(res.Options[0].Result.Overall); got != tt.tyssen {
			t.Errorf("%s: 蒂森\n got %s\nwant %s", tt.name, got, tt.tyssen)
		}
		if res.Winner != tt.winner {
			t.Errorf("%s: winner %q, want %q", tt.name, res.Winner, tt.winner)
		}
	}
	// 三菱's count under follow-majority: the deemed owners follow 蒂森, so
	// they are 三菱's "other options".
	if got := summary(evaluate(following, "蒂森", "蒂森", "蒂森", "三菱").Options[1].Result.Overall); got != "e 6/600 p 6/600 a 1/100 o 5/500 b 0/0 n 0/0 d 2/200 m 蒂森 true false false" {
		t.Errorf("三菱 under follow-majority: %s", got)
	}
}
