package tally_test

import (
	"fmt"
	"strings"
	"testing"

	"gongjue/quorum"
	"gongjue/tally"
)

// villaChoice is an elevator-brand choice in ten 高层 flats (eight pick 蒂森,
// two 三菱) and three villas voting as given, every unit 100 m²: 蒂森 wins
// overall (8 of 13) while no villa picks it.
func villaChoice(villas ...string) ([]quorum.Unit, []tally.MatterBallot) {
	var units []quorum.Unit
	var ballots []tally.MatterBallot
	for i := range 10 {
		id := fmt.Sprintf("1-1-%d", 101+i)
		units = append(units, quorum.Unit{ID: id, Zone: "高层", Area: 10000})
		pick := "蒂森"
		if i >= 8 {
			pick = "三菱"
		}
		ballots = append(ballots, tally.MatterBallot{Unit: id, Choices: []string{pick}})
	}
	for i, v := range villas {
		id := fmt.Sprintf("V%d", i+1)
		units = append(units, quorum.Unit{ID: id, Zone: "别墅", Area: 10000})
		ballots = append(ballots, tally.MatterBallot{Unit: id, Choices: []string{v}})
	}
	return units, ballots
}

// The zone veto on a choice matter in every mode (DESIGN §3.2): under
// all-zones the overall winner is not adopted when a veto zone does not
// adopt it; under zone-rejection a veto zone vetoes only when its ballots
// for other options reach the approval fractions; mode none ignores zones.
// Each option's result reports the veto per zone and what_if, in the stored
// document as well.
func TestDecideChoiceVeto(t *testing.T) {
	tests := []struct {
		name   string
		villas []string
		mode   quorum.VetoMode
		winner string
	}{
		{"none ignores the villas", []string{"三菱", "三菱", "三菱"}, quorum.VetoNone, "蒂森"},
		{"all-zones: villas do not adopt 蒂森", []string{"三菱", "三菱", "三菱"}, quorum.VetoAllZones, ""},
		{"zone-rejection: villas choose another option", []string{"三菱", "三菱", "三菱"}, quorum.VetoZoneRejection, ""},
		{"all-zones: villas abstain mostly", []string{"三菱", "abstain", "spoiled"}, quorum.VetoAllZones, ""},
		{"zone-rejection: one villa for another option is no rejection", []string{"三菱", "abstain", "spoiled"}, quorum.VetoZoneRejection, "蒂森"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			units, ballots := villaChoice(tt.villas...)
			m := tally.Matter{ID: 2, Kind: tally.KindChoice, Category: "ordinary", Rule: quorum.OrdinaryRule, Options: []string{"蒂森", "三菱"}}
			veto := quorum.Veto{Mode: tt.mode, Zones: []string{"别墅"}}
			if err := tally.Decide(&m, veto, quorum.Procedure{}, quorum.ChoiceApproval, units, ballots); err != nil {
				t.Fatal(err)
			}
			cr := m.Choice()
			if cr.Winner != tt.winner || cr.Decided != (tt.winner != "") {
				t.Errorf("winner %q decided %v, want %q", cr.Winner, cr.Decided, tt.winner)
			}
			r := cr.Options["蒂森"]
			vetoed := tt.winner == "" // 蒂森 passes overall in every case
			if !r.Overall.Passed || r.Passed == vetoed || r.Zones["别墅"].Vetoed != vetoed {
				t.Errorf("蒂森: overall passed %v, passed %v, villas vetoed %v", r.Overall.Passed, r.Passed, r.Zones["别墅"].Vetoed)
			}
			wantWhatIf := quorum.WhatIf{None: true, AllZones: false, ZoneRejection: tt.villas[1] != "三菱"}
			if r.WhatIf != wantWhatIf {
				t.Errorf("蒂森 what_if %+v, want %+v", r.WhatIf, wantWhatIf)
			}

			// The stored document says the same.
			doc := tally.Document{Consultation: tally.Consultation{Veto: veto}, Matters: []tally.Matter{m}}
			data, err := doc.Encode()
			if err != nil {
				t.Fatal(err)
			}
			wantJSON := fmt.Sprintf(`"what_if":{"none":true,"all-zones":false,"zone-rejection":%v}`, wantWhatIf.ZoneRejection)
			if !strings.Contains(string(data), wantJSON) || !strings.Contains(string(data), fmt.Sprintf(`"vetoed":%v`, vetoed)) {
				t.Errorf("stored result lacks %s or vetoed %v: %s", wantJSON, vetoed, data)
			}
			back, err := tally.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if got := back.Matters[0].Choice(); got.Decided != cr.Decided || got.Options["蒂森"].Zones["别墅"].Vetoed != vetoed {
				t.Errorf("decoded: decided %v, villas vetoed %v", got.Decided, got.Options["蒂森"].Zones["别墅"].Vetoed)
			}
		})
	}
}

// A plurality choice is advisory: zones never block it.
func TestDecidePluralityIgnoresVeto(t *testing.T) {
	units, ballots := villaChoice("三菱", "三菱", "三菱")
	m := tally.Matter{ID: 2, Kind: tally.KindChoice, Category: "ordinary", Rule: quorum.OrdinaryRule, Options: []string{"蒂森", "三菱"}}
	if err := tally.Decide(&m, quorum.Veto{Mode: quorum.VetoAllZones}, quorum.Procedure{}, quorum.ChoicePlurality, units, ballots); err != nil {
		t.Fatal(err)
	}
	if cr := m.Choice(); !cr.Decided || cr.Winner != "蒂森" {
		t.Errorf("plurality: decided %v winner %q", cr.Decided, cr.Winner)
	}
}

// Decide passes the rules of procedure on: a delivered non-voter follows
// the majority on an approve matter and a choice matter, and takes part in
// no choice in an election.
func TestDecideProcedure(t *testing.T) {
	units := []quorum.Unit{
		{ID: "A", Zone: "z", Area: 10000}, {ID: "B", Zone: "z", Area: 10000},
		{ID: "C", Zone: "z", Area: 10000, Delivered: true},
	}
	p := quorum.Procedure{Nonresponse: quorum.NonresponseDeliveredFollowMajority}
	tests := []struct {
		m       tally.Matter
		choices [2]string
		want    func(*tally.Matter) quorum.Outcome
		agree   int
	}{
		{tally.Matter{ID: 1, Kind: tally.KindApprove, Rule: quorum.OrdinaryRule}, [2]string{"agree", "agree"},
			func(m *tally.Matter) quorum.Outcome { return m.Approve().Overall }, 3},
		{tally.Matter{ID: 2, Kind: tally.KindChoice, Rule: quorum.OrdinaryRule, Options: []string{"蒂森", "三菱"}}, [2]string{"蒂森", "蒂森"},
			func(m *tally.Matter) quorum.Outcome { return m.Choice().Options["蒂森"].Overall }, 3},
		{tally.Matter{ID: 3, Kind: tally.KindElection, Rule: quorum.OrdinaryRule, Options: []string{"张三"}, Seats: 1}, [2]string{"张三", "张三"},
			func(m *tally.Matter) quorum.Outcome { return m.Election().Candidates["张三"].Overall }, 2},
	}
	for _, tt := range tests {
		ballots := []tally.MatterBallot{{Unit: "A", Choices: []string{tt.choices[0]}}, {Unit: "B", Choices: []string{tt.choices[1]}}}
		if err := tally.Decide(&tt.m, quorum.Veto{}, p, "", units, ballots); err != nil {
			t.Fatal(err)
		}
		o := tt.want(&tt.m)
		if o.Agree.Headcount != tt.agree || o.Deemed.Headcount != 1 || o.Participating.Headcount != 3 {
			t.Errorf("%s: agree %d deemed %d participating %d, want agree %d, deemed 1 of 3", tt.m.Kind, o.Agree.Headcount, o.Deemed.Headcount, o.Participating.Headcount, tt.agree)
		}
	}
}
