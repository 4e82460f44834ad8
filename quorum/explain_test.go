package quorum

import (
	"strings"
	"testing"
)

func TestOutcomeExplain(t *testing.T) {
	o := Outcome{
		Eligible:      Tally{500, 1000000},
		Participating: Tally{321, 764100},
		Agree:         Tally{200, 420255}, // 55.00% of the area, 62.31% of the heads
		Oppose:        Tally{121, 343845},
	}
	got := o.Explain(OrdinaryRule)
	wantZH := "参与表决面积 76.41% ≥ 2/3 ✓；参与表决人数 64.20% < 2/3 ✗；同意面积 55.00% > 1/2 ✓；同意人数 62.31% > 1/2 ✓；结果：未达到参与表决比例，未形成有效决定"
	wantEN := "participating area 76.41% ≥ 2/3 ✓; participating headcount 64.20% < 2/3 ✗; agree area 55.00% > 1/2 ✓; agree headcount 62.31% > 1/2 ✓; result: participation was not reached; no valid decision was made"
	if got.ZH != wantZH || got.EN != wantEN {
		t.Errorf("Explain =\n%s\n%s\nwant\n%s\n%s", got.ZH, got.EN, wantZH, wantEN)
	}

	// The sign is the exact verdict, not the rounded figure: 66.6666% shows
	// as 66.67% but is below 2/3; exactly 1/2 is not above ">1/2".
	o = Outcome{Eligible: Tally{3, 1000000}, Participating: Tally{2, 666666}, Agree: Tally{1, 333333}, Oppose: Tally{1, 333333}}
	got = o.Explain(OrdinaryRule)
	for _, want := range []string{"参与表决面积 66.67% < 2/3 ✗", "参与表决人数 66.67% ≥ 2/3 ✓", "同意面积 50.00% ≤ 1/2 ✗"} {
		if !strings.Contains(got.ZH, want) {
			t.Errorf("%q lacks %q", got.ZH, want)
		}
	}

	o = Outcome{Eligible: Tally{2, 3000}}
	if got := o.Explain(MajorRule); !strings.Contains(got.ZH, "同意面积 —（无人参与表决）✗") || !strings.Contains(got.EN, "agree area — (nobody took part) ✗") {
		t.Errorf("no participants: %+v", got)
	}
}

func TestResultExplain(t *testing.T) {
	res := mustEvaluate(t, scenario(OrdinaryRule, Veto{Mode: VetoZoneRejection, Zones: []string{"别墅"}}, fiveZones(18, "oppose")...))
	for _, want := range []string{
		"全体：参与表决面积 100.00% ≥ 2/3 ✓",
		"否决方式：分区否决",
		"有否决权的区域：别墅",
		"区域「别墅」：参与表决面积 100.00% ≥ 2/3 ✓；参与表决人数 100.00% ≥ 2/3 ✓；同意面积 0.00% ≤ 1/2 ✗；同意人数 0.00% ≤ 1/2 ✗；结果：表决未通过；反对面积 100.00% > 1/2 ✓；反对人数 100.00% > 1/2 ✓；行使否决",
		"区域「高层」：", "无否决权",
		"最终结果：表决未通过",
		"如采用其他否决方式 —— 无分区否决：通过；各区均须通过：未通过",
	} {
		if !strings.Contains(res.Explanation.ZH, want) {
			t.Errorf("zh explanation lacks %q:\n%s", want, res.Explanation.ZH)
		}
	}
	for _, want := range []string{"zone 别墅: ", "VETOED", "final result: not passed", "Under the other veto modes — no zone veto: passed; every veto zone must pass: not passed"} {
		if !strings.Contains(res.Explanation.EN, want) {
			t.Errorf("en explanation lacks %q:\n%s", want, res.Explanation.EN)
		}
	}
	if res.Explain() != res.Explanation {
		t.Error("Explain differs from the stored explanation")
	}
}

// Under a non-response policy the explanation states the policy, the deemed
// figures beside the totals and the majority each population followed.
func TestExplainDeemed(t *testing.T) {
	s := zoneMajorities(Procedure{Nonresponse: NonresponseDeliveredFollowMajority, Spoiled: SpoiledExcluded})
	res := mustEvaluate(t, s)
	for _, want := range []string{
		"；结果：通过；其中视为参与 2 人、200.00 ㎡（随多数意见：同意）。",
		"议事规则：送达未表决视为同意已表决的多数意见，废票视为未交回。",
		"区域「高层」：参与表决面积 100.00% ≥ 2/3 ✓",
		"结果：表决未通过；其中视为参与 1 人、100.00 ㎡（无多数意见，不计入任何选项）；行使否决",
	} {
		if !strings.Contains(res.Explanation.ZH, want) {
			t.Errorf("zh explanation lacks %q:\n%s", want, res.Explanation.ZH)
		}
	}
	for _, want := range []string{"of which deemed 2 persons, 200.00 m² (following the majority: agree)", "rules of procedure: a delivered ballot not returned follows the voters' majority, a spoiled ballot counts as not returned"} {
		if !strings.Contains(res.Explanation.EN, want) {
			t.Errorf("en explanation lacks %q:\n%s", want, res.Explanation.EN)
		}
	}
	s.Procedure = Procedure{}
	if res := mustEvaluate(t, s); strings.Contains(res.Explanation.ZH, "视为参与") || strings.Contains(res.Explanation.ZH, "议事规则") {
		t.Errorf("default procedure explained as deeming: %s", res.Explanation.ZH)
	}
}
