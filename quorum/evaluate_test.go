package quorum

import (
	"strings"
	"testing"
)

var noVeto Veto

func TestParticipationBoundary(t *testing.T) {
	// Three owners of 100.00 m²; two vote agree.
	// Area 200.00/300.00: 3·20000 = 60000 ≥ 2·30000 = 60000 → met (exactly 2/3).
	// Heads 2/3: 3·2 = 6 ≥ 2·3 = 6 → met. Agree 100% → passed.
	res := mustEvaluate(t, scenario(OrdinaryRule, noVeto,
		tu{id: "A", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "B", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "C", zone: "z", area: "100.00"},
	))
	wantOutcome(t, "exactly 2/3", res.Overall, figures{{3, "300.00"}, {2, "200.00"}, {2, "200.00"}, {0, "0.00"}, {0, "0.00"}}, true, true, true)

	// One hundredth less: A 99.99, B 100.00 vote, C 100.01 does not; total
	// still 300.00. Area 199.99/300.00: 3·19999 = 59997 < 60000 → not met,
	// though heads are still exactly 2/3.
	res = mustEvaluate(t, scenario(OrdinaryRule, noVeto,
		tu{id: "A", zone: "z", area: "99.99", vote: "agree"},
		tu{id: "B", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "C", zone: "z", area: "100.01"},
	))
	wantOutcome(t, "2/3 less 0.01 m²", res.Overall, figures{{3, "300.00"}, {2, "199.99"}, {2, "199.99"}, {0, "0.00"}, {0, "0.00"}}, false, true, false)
	if res.Passed {
		t.Error("passed with participation 0.01 m² short of 2/3")
	}
}

func TestOrdinaryApprovalBoundary(t *testing.T) {
	tests := []struct {
		name   string
		units  []tu
		want   figures
		passed bool
	}{{
		// Agree area 150.00 of 300.00: 2·15000 = 30000, not > 30000 → fails;
		// heads 2/3 > 1/2 would pass.
		name: "area exactly half",
		units: []tu{
			{id: "A", zone: "z", area: "100.00", vote: "agree"},
			{id: "B", zone: "z", area: "50.00", vote: "agree"},
			{id: "C", zone: "z", area: "150.00", vote: "oppose"},
		},
		want: figures{{3, "300.00"}, {3, "300.00"}, {2, "150.00"}, {1, "150.00"}, {0, "0.00"}},
	}, {
		// B 50.01: agree 150.01 of 300.01: 2·15001 = 30002 > 30001 → passes.
		name: "area just above half",
		units: []tu{
			{id: "A", zone: "z", area: "100.00", vote: "agree"},
			{id: "B", zone: "z", area: "50.01", vote: "agree"},
			{id: "C", zone: "z", area: "150.00", vote: "oppose"},
		},
		want:   figures{{3, "300.01"}, {3, "300.01"}, {2, "150.01"}, {1, "150.00"}, {0, "0.00"}},
		passed: true,
	}, {
		// Heads 2 of 4 agree: 2·2 = 4, not > 4 → fails though area 301/303.
		name: "headcount exactly half",
		units: []tu{
			{id: "A", zone: "z", area: "300.00", vote: "agree"},
			{id: "B", zone: "z", area: "1.00", vote: "agree"},
			{id: "C", zone: "z", area: "1.00", vote: "oppose"},
			{id: "D", zone: "z", area: "1.00", vote: "abstain"},
		},
		want: figures{{4, "303.00"}, {4, "303.00"}, {2, "301.00"}, {1, "1.00"}, {1, "1.00"}},
	}, {
		// A fifth agreeing owner: heads 3/5, 2·3 = 6 > 5 → passes.
		name: "headcount just above half",
		units: []tu{
			{id: "A", zone: "z", area: "300.00", vote: "agree"},
			{id: "B", zone: "z", area: "1.00", vote: "agree"},
			{id: "C", zone: "z", area: "1.00", vote: "oppose"},
			{id: "D", zone: "z", area: "1.00", vote: "abstain"},
			{id: "E", zone: "z", area: "1.00", vote: "agree"},
		},
		want:   figures{{5, "304.00"}, {5, "304.00"}, {3, "302.00"}, {1, "1.00"}, {1, "1.00"}},
		passed: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustEvaluate(t, scenario(OrdinaryRule, noVeto, tt.units...))
			wantOutcome(t, tt.name, res.Overall, tt.want, true, tt.passed, tt.passed)
		})
	}
}

func TestMajorBoundary(t *testing.T) {
	// Four owners of 100.00 m², three agree: area 300/400, 4·30000 = 120000 ≥
	// 3·40000 → met inclusive; heads 3/4 likewise → passes.
	res := mustEvaluate(t, scenario(MajorRule, noVeto,
		tu{id: "A", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "B", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "C", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "D", zone: "z", area: "100.00", vote: "oppose"},
	))
	wantOutcome(t, "exactly 3/4", res.Overall, figures{{4, "400.00"}, {4, "400.00"}, {3, "300.00"}, {1, "100.00"}, {0, "0.00"}}, true, true, true)

	// C 99.99, D 100.01: agree 299.99/400.00, 4·29999 = 119996 < 120000 → fails.
	res = mustEvaluate(t, scenario(MajorRule, noVeto,
		tu{id: "A", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "B", zone: "z", area: "100.00", vote: "agree"},
		tu{id: "C", zone: "z", area: "99.99", vote: "agree"},
		tu{id: "D", zone: "z", area: "100.01", vote: "oppose"},
	))
	wantOutcome(t, "3/4 less 0.01 m²", res.Overall, figures{{4, "400.00"}, {4, "400.00"}, {3, "299.99"}, {1, "100.01"}, {0, "0.00"}}, true, false, false)
}

func TestHeadcount(t *testing.T) {
	t.Run("developer units are one person", func(t *testing.T) {
		// D1–D3 developer-held (D3's owner field is overridden) = 1 person;
		// X (owner x, not developer-held) and P (own person) = 2 more.
		// D1 agrees 100, D2 opposes 50: the developer is agree (100 > 50).
		res := mustEvaluate(t, scenario(OrdinaryRule, noVeto,
			tu{id: "D1", zone: "z", area: "100.00", dev: true, vote: "agree"},
			tu{id: "D2", zone: "z", area: "50.00", dev: true, vote: "oppose"},
			tu{id: "D3", zone: "z", area: "10.00", dev: true, owner: "x"},
			tu{id: "X", zone: "z", area: "20.00", owner: "x", vote: "agree"},
			tu{id: "P", zone: "z", area: "20.00"},
		))
		// area 200.00; participating 170.00 (3·17000 ≥ 2·20000) and 2 of 3 heads.
		wantOutcome(t, "developer", res.Overall, figures{{3, "200.00"}, {2, "170.00"}, {2, "120.00"}, {0, "50.00"}, {0, "0.00"}}, true, true, true)
	})
	t.Run("owner of two units", func(t *testing.T) {
		// o1 holds A and B: one head, both areas.
		res := mustEvaluate(t, scenario(OrdinaryRule, noVeto,
			tu{id: "A", zone: "z", area: "80.00", owner: "o1", vote: "agree"},
			tu{id: "B", zone: "z", area: "70.00", owner: "o1"},
			tu{id: "C", zone: "z", area: "90.00", owner: "o2", vote: "oppose"},
		))
		// heads 2/2; area 170/240 (3·17000 = 51000 ≥ 48000); agree 80 of 170, not > 1/2.
		wantOutcome(t, "two units", res.Overall, figures{{2, "240.00"}, {2, "170.00"}, {1, "80.00"}, {1, "90.00"}, {0, "0.00"}}, true, false, false)
	})
	t.Run("owner in two zones", func(t *testing.T) {
		res := mustEvaluate(t, scenario(OrdinaryRule, noVeto,
			tu{id: "A", zone: "多层", area: "80.00", owner: "o1", vote: "agree"},
			tu{id: "B", zone: "高层", area: "70.00", owner: "o1", vote: "oppose"},
			tu{id: "C", zone: "高层", area: "90.00", owner: "o2"},
		))
		// Overall o1 is one head: agree 80 > oppose 70 → agree.
		wantOutcome(t, "overall", res.Overall, figures{{2, "240.00"}, {1, "150.00"}, {1, "80.00"}, {0, "70.00"}, {0, "0.00"}}, false, true, false)
		// In each zone o1 counts once with that zone's unit only.
		wantOutcome(t, "多层", res.Zones["多层"].Outcome, figures{{1, "80.00"}, {1, "80.00"}, {1, "80.00"}, {0, "0.00"}, {0, "0.00"}}, true, true, true)
		wantOutcome(t, "高层", res.Zones["高层"].Outcome, figures{{2, "160.00"}, {1, "70.00"}, {0, "0.00"}, {1, "70.00"}, {0, "0.00"}}, false, false, false)
	})
	t.Run("unit id never collides with an owner key", func(t *testing.T) {
		// Unit "p1" has no owner; unit Q belongs to owner "p1": two people.
		res := mustEvaluate(t, scenario(OrdinaryRule, noVeto,
			tu{id: "p1", zone: "z", area: "50.00"},
			tu{id: "Q", zone: "z", area: "50.00", owner: "p1"},
		))
		wantTally(t, "eligible", res.Overall.Eligible, 2, "100.00")
	})
}

func TestTieRule(t *testing.T) {
	tests := []struct {
		name  string
		votes [][2]string // area, choice of one person's units
		want  Choice
	}{
		{"agree = oppose → oppose", [][2]string{{"100.00", "agree"}, {"100.00", "oppose"}}, Oppose},
		{"agree = abstain → abstain", [][2]string{{"100.00", "agree"}, {"100.00", "abstain"}}, Abstain},
		{"oppose = abstain → oppose", [][2]string{{"50.00", "abstain"}, {"50.00", "oppose"}}, Oppose},
		{"three-way tie → oppose", [][2]string{{"1.00", "agree"}, {"1.00", "abstain"}, {"1.00", "oppose"}}, Oppose},
		{"agree strictly largest", [][2]string{{"100.01", "agree"}, {"100.00", "oppose"}}, Agree},
		{"summed area decides", [][2]string{{"60.00", "agree"}, {"50.00", "agree"}, {"100.00", "oppose"}}, Agree},
		{"spoiled is abstain", [][2]string{{"60.00", "spoiled"}, {"50.00", "abstain"}, {"100.00", "oppose"}}, Abstain},
		{"spoiled ties agree → abstain", [][2]string{{"80.00", "spoiled"}, {"80.00", "agree"}}, Abstain},
		{"abstain largest", [][2]string{{"60.00", "abstain"}, {"40.00", "oppose"}, {"50.00", "agree"}}, Abstain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var units []tu
			for i, v := range tt.votes {
				units = append(units, tu{id: string(rune('A' + i)), zone: "z", area: v[0], owner: "o", vote: v[1]})
			}
			units = append(units, tu{id: "unvoted", zone: "z", area: "1.00", owner: "o"}) // no ballot: does not weigh
			res := mustEvaluate(t, scenario(OrdinaryRule, noVeto, units...))
			o := res.Overall
			got := map[Choice]int{Agree: o.Agree.Headcount, Oppose: o.Oppose.Headcount, Abstain: o.Abstain.Headcount}
			for c, n := range got {
				if want := map[bool]int{true: 1}[c == tt.want]; n != want {
					t.Errorf("%v headcount = %d, want %d", c, n, want)
				}
			}
			if o.Participating.Headcount != 1 {
				t.Errorf("participating headcount = %d, want 1", o.Participating.Headcount)
			}
		})
	}
}

func TestNobodyParticipated(t *testing.T) {
	units := []tu{{id: "A", zone: "z", area: "10.00"}, {id: "B", zone: "z", area: "20.00"}}
	res := mustEvaluate(t, scenario(OrdinaryRule, noVeto, units...))
	wantOutcome(t, "ordinary", res.Overall, figures{{2, "30.00"}, {0, "0.00"}, {0, "0.00"}, {0, "0.00"}, {0, "0.00"}}, false, false, false)

	// With no requirement at all, participation is met (0·1 ≥ 0·D) but a vote
	// nobody took part in still cannot carry: approval_met is false.
	free := Rule{Participation: Threshold{Area: Fraction{0, 1, false}, Headcount: Fraction{0, 1, false}},
		Approval: Threshold{Area: Fraction{0, 1, false}, Headcount: Fraction{0, 1, false}}}
	res = mustEvaluate(t, scenario(free, Veto{Mode: VetoZoneRejection}, units...))
	wantOutcome(t, "0/1", res.Overall, figures{{2, "30.00"}, {0, "0.00"}, {0, "0.00"}, {0, "0.00"}, {0, "0.00"}}, true, false, false)
	// …and a zone nobody voted in does not reject either.
	if res.Zones["z"].Vetoed {
		t.Error("zone with no participants vetoed")
	}

	// No units at all: nothing to decide, not an error.
	res = mustEvaluate(t, &Scenario{Rule: OrdinaryRule})
	if res.Passed || len(res.Zones) != 0 {
		t.Errorf("empty scenario: passed=%v zones=%v", res.Passed, res.Zones)
	}
}

func TestCustomFractions(t *testing.T) {
	// Four owners of 100.00 m², all vote, three agree: 3/4 of area and heads.
	units := []tu{
		{id: "A", zone: "z", area: "100.00", vote: "agree"},
		{id: "B", zone: "z", area: "100.00", vote: "agree"},
		{id: "C", zone: "z", area: "100.00", vote: "agree"},
		{id: "D", zone: "z", area: "100.00", vote: "oppose"},
	}
	tests := []struct {
		rule   string
		passed bool
	}{
		{`{"participation":{"area":"2/3","headcount":"2/3"},"approval":{"area":"3/4","headcount":"3/4"}}`, true},
		{`{"participation":{"area":"2/3","headcount":"2/3"},"approval":{"area":">3/4","headcount":"3/4"}}`, false},  // 3/4 is not > 3/4
		{`{"participation":{"area":"2/3","headcount":"2/3"},"approval":{"area":"3/4","headcount":">3/4"}}`, false},  // on either measure
		{`{"participation":{"area":"1/1","headcount":"1/1"},"approval":{"area":"6/8","headcount":"75/100"}}`, true}, // everyone took part; 6/8 = 3/4
		{`{"participation":{"area":">1/1","headcount":"0/1"},"approval":{"area":"0/1","headcount":"0/1"}}`, false},  // > 1/1 cannot be met
		{`{"participation":{"area":"0/1","headcount":"0/1"},"approval":{"area":">2/3","headcount":">2/3"}}`, true},  // 3/4 > 2/3
		{`{"participation":{"area":"0/1","headcount":"0/1"},"approval":{"area":"4/5","headcount":"0/1"}}`, false},   // 3/4 < 4/5
	}
	for _, tt := range tests {
		rule, err := ParseRule([]byte(tt.rule))
		if err != nil {
			t.Fatalf("ParseRule(%s): %v", tt.rule, err)
		}
		if res := mustEvaluate(t, scenario(rule, noVeto, units...)); res.Passed != tt.passed {
			t.Errorf("%s: passed = %v, want %v", tt.rule, res.Passed, tt.passed)
		}
	}
}

// fiveZones is an estate like the demo one, scaled down by ten: the
// high-rise owners outnumber everyone else.
//
//	多层 62 × 100.00 = 6200.00   别墅 18 × 300.00 = 5400.00   高层 270 × 90.00 = 24300.00
//	复式 20 × 180.00 = 3600.00   商铺 6 × 50.00 = 300.00      total 376 heads, 39800.00 m²
func fiveZones(villaVotes int, villaChoice string) []tu {
	villas := persons("V", "别墅", 18, "300.00", "")
	for i := range villaVotes {
		villas[i].vote = villaChoice
	}
	return concat(
		persons("M", "多层", 62, "100.00", "agree"),
		villas,
		persons("H", "高层", 270, "90.00", "agree"),
		persons("F", "复式", 20, "180.00", "agree"),
		persons("S", "商铺", 6, "50.00", "agree"),
	)
}

func TestHighRiseOutvotesVillas(t *testing.T) {
	// Every villa opposes, everyone else agrees. Overall: all 376 vote;
	// agree 358 heads (2·358 > 376) and 34400.00 m² (2·34400 > 39800) → passes.
	units := fiveZones(18, "oppose")
	res := mustEvaluate(t, scenario(OrdinaryRule, noVeto, units...))
	wantOutcome(t, "overall", res.Overall, figures{{376, "39800.00"}, {376, "39800.00"}, {358, "34400.00"}, {18, "5400.00"}, {0, "0.00"}}, true, true, true)
	wantOutcome(t, "别墅", res.Zones["别墅"].Outcome, figures{{18, "5400.00"}, {18, "5400.00"}, {0, "0.00"}, {18, "5400.00"}, {0, "0.00"}}, true, false, false)
	if len(res.Zones) != 5 {
		t.Fatalf("%d zones, want 5", len(res.Zones))
	}

	tests := []struct {
		veto   Veto
		passed bool
		vetoed bool // the villas
		whatIf WhatIf
	}{
		{Veto{Mode: VetoNone}, true, false, WhatIf{true, false, false}},
		{Veto{Mode: VetoAllZones}, false, true, WhatIf{true, false, false}},
		{Veto{Mode: VetoZoneRejection}, false, true, WhatIf{true, false, false}},
		{Veto{Mode: VetoAllZones, Zones: []string{}}, false, true, WhatIf{true, false, false}},
		{Veto{Mode: VetoAllZones, Zones: []string{"高层", "多层"}}, true, false, WhatIf{true, true, true}},
		{Veto{Mode: VetoZoneRejection, Zones: []string{"别墅"}}, false, true, WhatIf{true, false, false}},
		{Veto{Mode: VetoNone, Zones: []string{"别墅"}}, true, false, WhatIf{true, false, false}},
	}
	for _, tt := range tests {
		res := mustEvaluate(t, scenario(OrdinaryRule, tt.veto, units...))
		if res.Passed != tt.passed || res.Zones["别墅"].Vetoed != tt.vetoed || res.WhatIf != tt.whatIf {
			t.Errorf("%+v: passed=%v villas vetoed=%v what_if=%+v, want %v %v %+v",
				tt.veto, res.Passed, res.Zones["别墅"].Vetoed, res.WhatIf, tt.passed, tt.vetoed, tt.whatIf)
		}
		for name, zo := range res.Zones {
			if name != "别墅" && zo.Vetoed {
				t.Errorf("%+v: zone %s vetoed", tt.veto, name)
			}
		}
	}
}

func TestVetoModes(t *testing.T) {
	// Only 11 of 18 villas vote, all opposing: villa participation 11/18,
	// 3·11 = 33 < 36 → not met. all-zones vetoes (the zone did not pass);
	// zone-rejection does not (a zone must take part to reject).
	// Overall: 369 of 376 vote (3·369 ≥ 2·376), agree 358 heads, 34400.00 m².
	units := fiveZones(11, "oppose")
	tests := []struct {
		veto     Veto
		passed   bool
		vetoed   bool
		allZones bool // what_if all-zones; none and zone-rejection pass throughout
	}{
		{Veto{Mode: VetoNone}, true, false, false},
		{Veto{Mode: VetoAllZones}, false, true, false},
		{Veto{Mode: VetoZoneRejection}, true, false, false},
		{Veto{Mode: VetoAllZones, Zones: []string{"别墅"}}, false, true, false},
		{Veto{Mode: VetoZoneRejection, Zones: []string{"别墅"}}, true, false, false},
		{Veto{Mode: VetoAllZones, Zones: []string{"商铺"}}, true, false, true}, // the villas hold no veto
	}
	for _, tt := range tests {
		res := mustEvaluate(t, scenario(OrdinaryRule, tt.veto, units...))
		if res.Passed != tt.passed || res.Zones["别墅"].Vetoed != tt.vetoed {
			t.Errorf("%+v: passed=%v villas vetoed=%v, want %v %v", tt.veto, res.Passed, res.Zones["别墅"].Vetoed, tt.passed, tt.vetoed)
		}
		if want := (WhatIf{None: true, AllZones: tt.allZones, ZoneRejection: true}); res.WhatIf != want {
			t.Errorf("%+v: what_if = %+v, want %+v", tt.veto, res.WhatIf, want)
		}
	}

	// zone-rejection needs oppose to reach BOTH approval fractions of the
	// zone's participants. All other zones agree, so overall passes.
	villa := func(n int, area, vote string) []tu { return persons("V"+area+vote, "别墅", n, area, vote) }
	rejection := []struct {
		name   string
		villas []tu
		vetoed bool
	}{
		// 12 of 18 vote: oppose 4 × 1000.00 = 4000.00 of 6400.00 m² (> 1/2)
		// but 4 of 12 heads (not > 1/2). Participation 6400/8200 and 12/18 met.
		{"area only", concat(villa(4, "1000.00", "oppose"), villa(8, "300.00", "abstain"), villa(6, "300.00", "")), false},
		// oppose 8 of 12 heads (> 1/2) but 800.00 of 2000.00 m² (not > 1/2).
		// Participation 2000/2600 (3·2000 ≥ 2·2600) and 12/18 met.
		{"headcount only", concat(villa(8, "100.00", "oppose"), villa(4, "300.00", "abstain"), villa(6, "100.00", "")), false},
		// oppose 7 of 12 heads and 2100.00 of 3600.00 m²: both > 1/2.
		{"both", concat(villa(7, "300.00", "oppose"), villa(5, "300.00", "abstain"), villa(6, "300.00", "")), true},
		// the same opposition with 11 of 18 voting: participation missed, no veto.
		{"both, participation missed", concat(villa(7, "300.00", "oppose"), villa(4, "300.00", "abstain"), villa(7, "300.00", "")), false},
	}
	for _, tt := range rejection {
		units := fiveZones(0, "")
		copy(units[62:80], tt.villas)
		res := mustEvaluate(t, scenario(OrdinaryRule, Veto{Mode: VetoZoneRejection}, units...))
		if !res.Overall.Passed || res.Zones["别墅"].Vetoed != tt.vetoed || res.Passed == tt.vetoed {
			t.Errorf("%s: villas vetoed=%v passed=%v, want vetoed %v", tt.name, res.Zones["别墅"].Vetoed, res.Passed, tt.vetoed)
		}
		// Under all-zones the villas fail (nobody agrees) and block.
		if res.WhatIf.AllZones {
			t.Errorf("%s: all-zones what_if passed with a failing zone", tt.name)
		}
	}
}

func TestInputErrors(t *testing.T) {
	const units = `"units":[{"id":"A","zone":"z","area":"10.00","owner":"o"},{"id":"B","zone":"y","area":"20.00"}]`
	const ok = `{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A","choice":"agree"}]}`
	if _, err := EvaluateJSON([]byte(ok)); err != nil {
		t.Fatalf("valid scenario refused: %v", err)
	}
	withArea := func(area string) string {
		return `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":` + area + `}]}`
	}
	withRule := func(rule string) string {
		return `{"rules":` + rule + `,` + units + `}`
	}
	fractions := func(f string) string {
		return withRule(`{"participation":{"area":` + f + `,"headcount":"2/3"},"approval":{"area":">1/2","headcount":">1/2"}}`)
	}
	tests := []struct{ name, input, want string }{
		{"duplicate unit id", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1"},{"id":"A","zone":"z","area":"2"}]}`, `units[1] (id "A"): duplicate unit id (also units[0])`},
		{"duplicate ballot", `{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A","choice":"agree"},{"unit":"A","choice":"oppose"}]}`, `ballots[1] (unit "A"): duplicate ballot`},
		{"unknown unit", `{"rules":"ordinary",` + units + `,"ballots":[{"unit":"Z","choice":"agree"}]}`, `ballots[0] (unit "Z"): ballot for unknown unit`},
		{"unknown choice", `{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A","choice":"yes"}]}`, `unknown choice "yes"`},
		{"missing choice", `{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A"}]}`, `unknown choice ""`},
		{"area zero", withArea(`"0"`), `units[0] (id "A"): area 0.00 is not positive`},
		{"area 0.00", withArea(`"0.00"`), `area 0.00 is not positive`},
		{"area negative", withArea(`"-1.00"`), `malformed area "-1.00"`},
		{"area plus", withArea(`"+1.00"`), `malformed area "+1.00"`},
		{"area three decimals", withArea(`"89.350"`), `area "89.350" has more than two decimals`},
		{"area number three decimals", withArea(`1.234`), `area "1.234" has more than two decimals`},
		{"area exponent", withArea(`"1e2"`), `malformed area "1e2"`},
		{"area number exponent", withArea(`1e2`), `malformed area "1e2"`},
		{"area text", withArea(`"abc"`), `malformed area "abc"`},
		{"area empty", withArea(`""`), `malformed area ""`},
		{"area bare point", withArea(`"5."`), `malformed area "5."`},
		{"area leading point", withArea(`".5"`), `malformed area ".5"`},
		{"area spaces", withArea(`" 5"`), `malformed area " 5"`},
		{"area comma", withArea(`"1,000.00"`), `malformed area "1,000.00"`},
		{"area missing", `{"rules":"ordinary","units":[{"id":"A","zone":"z"}]}`, `units[0] (id "A"): missing area`},
		{"area bool", withArea(`true`), `malformed area true`},
		{"area too large", withArea(`"92233720368547758.07"`), `too large`},
		{"total area too large", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"92233720368547757.00"},{"id":"B","zone":"z","area":"2"}]}`, `units[1] (id "B"): total area exceeds`},
		{"missing unit id", `{"rules":"ordinary","units":[{"zone":"z","area":"1"}]}`, `units[0]: missing unit id`},
		{"missing zone", `{"rules":"ordinary","units":[{"id":"A","area":"1"}]}`, `units[0] (id "A"): missing zone`},
		{"unknown preset", withRule(`"normal"`), `rules: unknown preset "normal"`},
		{"missing rules", `{` + units + `}`, `rules: missing`},
		{"rules number", withRule(`3`), `rules: want "ordinary", "major" or an object`},
		{"unknown veto mode", `{"rules":"ordinary","veto":{"mode":"some"},` + units + `}`, `veto.mode: unknown veto mode "some"`},
		{"unknown veto zone", `{"rules":"ordinary","veto":{"mode":"all-zones","zones":["z","x"]},` + units + `}`, `veto.zones[1]: unknown zone "x"`},
		{"numerator exceeds", fractions(`"3/2"`), `rules.participation.area: malformed fraction "3/2"`},
		{"zero denominator", fractions(`"1/0"`), `malformed fraction "1/0"`},
		{"letters", fractions(`"a/b"`), `malformed fraction "a/b"`},
		{"three parts", fractions(`"1/2/3"`), `malformed fraction "1/2/3"`},
		{"ge sign", fractions(`"≥2/3"`), `malformed fraction "≥2/3"`},
		{"bare gt", fractions(`">"`), `malformed fraction ">"`},
		{"decimal", fractions(`"0.5"`), `malformed fraction "0.5"`},
		{"negative", fractions(`"-1/2"`), `malformed fraction "-1/2"`},
		{"spaces", fractions(`"2 / 3"`), `malformed fraction "2 / 3"`},
		{"number", fractions(`0.5`), `malformed fraction 0.5`},
		{"missing fraction", withRule(`{"participation":{"area":"2/3"},"approval":{"area":">1/2","headcount":">1/2"}}`), `rules.participation.headcount: missing fraction`},
		{"missing threshold", withRule(`{"participation":{"area":"2/3","headcount":"2/3"}}`), `rules.approval: missing`},
		{"trailing garbage", ok + ` x`, `unexpected data after the JSON object`},
		{"second object", ok + ok, `unexpected data after the JSON object`},
		{"not json", `rules: ordinary`, `invalid JSON`},
		{"empty", ``, `empty`},
		{"truncated", `{"rules":"ordinary"`, `truncated`},
		{"array", `[]`, `input: want a JSON object, not array`},
		{"wrong type", `{"rules":"ordinary","units":{"id":"A"}}`, `units: want a JSON array`},
		{"wrong field type", `{"rules":"ordinary","units":[{"id":7,"zone":"z","area":"1"}]}`, `units[0].id: want a JSON string, not number`},
		{"unit not an object", `{"rules":"ordinary","units":["A"]}`, `units[0]: want a JSON object, not string`},
		{"ballots not an array", `{"rules":"ordinary",` + units + `,"ballots":{"unit":"A"}}`, `ballots: want a JSON array, not object`},
		{"choice not a string", `{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A","choice":1}]}`, `ballots[0] (unit "A").choice: want a JSON string, not number`},
		{"veto zone not a string", `{"rules":"ordinary","veto":{"mode":"all-zones","zones":[1]},` + units + `}`, `veto.zones[0]: want a JSON string, not number`},
		// unknown fields, at every level, and fields given twice
		{"unknown top-level field", `{"rules":"ordinary","note":"round 2",` + units + `}`, `input: unknown field "note"`},
		{"misspelt top-level field", `{"rules":"ordinary","Units":[]}`, `input: unknown field "Units"`},
		{"unknown unit field", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1","floor":3}]}`, `units[0] (id "A"): unknown field "floor"`},
		{"misspelt delivered", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1","deliverd":true}]}`, `units[0] (id "A"): unknown field "deliverd"`},
		{"unknown ballot field", `{"rules":"ordinary",` + units + `,"ballots":[{"unit":"A","choice":"agree","channel":"paper"}]}`, `ballots[0] (unit "A"): unknown field "channel"`},
		{"unknown veto field", `{"rules":"ordinary","veto":{"mode":"none","zone":["z"]},` + units + `}`, `veto: unknown field "zone"`},
		{"unknown procedure field", `{"rules":"ordinary","procedure":{"nonresponse":"none","deemed":true},` + units + `}`, `procedure: unknown field "deemed"`},
		{"duplicate field", `{"rules":"ordinary","rules":"major",` + units + `}`, `input: field "rules" given twice`},
		{"duplicate unit field", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1","area":"2"}]}`, `units[0]: field "area" given twice`},
		// procedure and delivered (§3.5)
		{"unknown nonresponse", `{"rules":"ordinary","procedure":{"nonresponse":"deemed"},` + units + `}`, `procedure.nonresponse: unknown policy "deemed"`},
		{"empty nonresponse", `{"rules":"ordinary","procedure":{"nonresponse":""},` + units + `}`, `procedure.nonresponse: unknown policy ""`},
		{"null spoiled", `{"rules":"ordinary","procedure":{"spoiled":null},` + units + `}`, `procedure.spoiled: unknown policy null`},
		{"unknown spoiled", `{"rules":"ordinary","procedure":{"spoiled":"oppose"},` + units + `}`, `procedure.spoiled: unknown policy "oppose"`},
		{"spoiled not a string", `{"rules":"ordinary","procedure":{"spoiled":true},` + units + `}`, `procedure.spoiled: want a JSON string, not boolean`},
		{"procedure not an object", `{"rules":"ordinary","procedure":"none",` + units + `}`, `procedure: want a JSON object, not string`},
		{"delivered string", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1","delivered":"true"}]}`, `units[0] (id "A").delivered: want true or false, not "true"`},
		{"delivered number", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1","delivered":1}]}`, `units[0] (id "A").delivered: want true or false, not 1`},
		{"delivered null", `{"rules":"ordinary","units":[{"id":"A","zone":"z","area":"1","delivered":null}]}`, `units[0] (id "A").delivered: want true or false, not null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := EvaluateJSON([]byte(tt.input))
			if err == nil {
				t.Fatalf("accepted %s", tt.input)
			}
			if res != nil {
				t.Error("an error came with a result")
			}
			if _, ok := err.(*InputError); !ok {
				t.Errorf("error %T is not *InputError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
}

func TestLenientInput(t *testing.T) {
	for _, input := range []string{
		// every field §4 names, procedure and delivered included
		`{"rules":"ordinary","veto":{"mode":"all-zones","zones":["z"]},"procedure":{"nonresponse":"delivered-participate","spoiled":"excluded"},` +
			`"units":[{"id":"A","zone":"z","area":"1","owner":"o","developer_held":false,"delivered":true}],"ballots":[{"unit":"A","choice":"spoiled"}]}`,
		// absent or null procedure, procedure with one setting: defaults
		`{"rules":"major","procedure":null,"units":[{"id":"A","zone":"z","area":"1"}]}`,
		`{"rules":"major","procedure":{"spoiled":"participating"},"units":[{"id":"A","zone":"z","area":"1","delivered":false}]}`,
		// absent veto, null veto, veto without mode: all mode none
		`{"rules":"major","veto":null,"units":[{"id":"A","zone":"z","area":"1"}]}`,
		`{"rules":"major","veto":{"zones":["z"]},"units":[{"id":"A","zone":"z","area":"1"}]}`,
		// areas as numbers with the same syntax; nulls for optional fields
		`{"rules":"ordinary","units":[{"id":"A","zone":"z","area":89.35,"owner":null,"developer_held":null}]}`,
		// trailing whitespace
		"{\"rules\":\"ordinary\",\"units\":[]}\n\t ",
	} {
		res, err := EvaluateJSON([]byte(input))
		if err != nil || res == nil {
			t.Errorf("%s: %v", input, err)
			continue
		}
		if res.Veto.Mode == "" {
			t.Errorf("%s: empty veto mode in result", input)
		}
	}
}
