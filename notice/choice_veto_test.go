package notice

import (
	"fmt"
	"strings"
	"testing"

	"gongjue/internal/testtool"
	"gongjue/locale"
	"gongjue/quorum"
	"gongjue/tally"
)

// vetoedChoiceContent is sampleContent with its choice matter decided anew
// under all-zones: 蒂森 wins across the scope and in 多层 and 高层, but
// 别墅 chooses 三菱; and its approve matter decided under rules deeming
// delivered non-voters to follow the majority.
func vetoedChoiceContent(t *testing.T) *Content {
	t.Helper()
	c := sampleContent(t)
	d := c.Result
	var units []quorum.Unit
	var choice, approve []tally.MatterBallot
	zones := []string{"多层", "别墅", "高层"}
	for i := range 30 {
		u := quorum.Unit{ID: fmt.Sprintf("u%d", i), Zone: zones[i/10], Area: 9000, Delivered: i%10 >= 8}
		units = append(units, u)
		if i%10 >= 8 {
			continue // delivered, did not vote
		}
		opt := "蒂森"
		if u.Zone == "别墅" && i%10 < 5 {
			opt = "三菱"
		}
		choice = append(choice, tally.MatterBallot{Unit: u.ID, Choices: []string{opt}})
		approve = append(approve, tally.MatterBallot{Unit: u.ID, Choices: []string{[]string{"agree", "agree", "oppose"}[i%3]}})
	}
	p := quorum.Procedure{Nonresponse: quorum.NonresponseDeliveredFollowMajority}
	if err := tally.Decide(&d.Matters[0], d.Consultation.Veto, p, "", units, approve); err != nil {
		t.Fatal(err)
	}
	if err := tally.Decide(&d.Matters[1], d.Consultation.Veto, p, "", units, choice); err != nil {
		t.Fatal(err)
	}
	data, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if c.Result, err = tally.Decode(data); err != nil {
		t.Fatal(err)
	}
	r := c.Result.Matters[1].Choice()
	if r.Decided || !r.Options["蒂森"].Overall.Passed || !r.Options["蒂森"].Zones["别墅"].Vetoed {
		t.Fatalf("the scenario is not an option winning overall and vetoed by 别墅: %+v", r)
	}
	return c
}

// TestChoiceVetoedByAZoneSaysWhy: a choice matter whose leading option
// wins across the scope but not in a zone under all-zones is not adopted,
// and the notice (read with pdftotext) and the verify page's figures say
// why, with the zone table of that option labelled 选择该项 / 选其他选项.
func TestChoiceVetoedByAZoneSaysWhy(t *testing.T) {
	testtool.Need(t, "pdftotext")
	c := vetoedChoiceContent(t)
	pdf, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, pdf)), "")
	why := locale.ChoiceVetoed("蒂森", []string{"别墅"})
	for _, want := range []string{why.ZH, "各区域对「蒂森」的表决情况", "选其他选项", "选择该项", "未形成有效决定（可发起下一轮）"} {
		if !strings.Contains(text, strings.Join(strings.Fields(want), "")) {
			t.Errorf("the notice does not say %q", want)
		}
	}
	for en, want := range map[bool]string{false: why.ZH, true: why.EN} {
		fig := Figures(c.Result, en)[1]
		if fig.Why != want || len(fig.Zones) != 3 || fig.ZoneColumns[1] != map[bool]string{false: "选其他选项", true: locale.OtherOption.EN}[en] {
			t.Errorf("figures (en %v): why %q, %d zones, columns %q", en, fig.Why, len(fig.Zones), fig.ZoneColumns)
		}
	}
	// An approve matter keeps 同意 / 反对 and says nothing of the kind.
	if fig := Figures(c.Result, false)[0]; fig.Why != "" || fig.ZoneColumns[1] != "反对" {
		t.Errorf("approve matter: why %q, columns %q", fig.Why, fig.ZoneColumns)
	}
}

// TestDeemedFiguresBesideActual: under delivered-follow-majority the
// figures show the owners who returned a ballot and those deemed beside
// the participation total, and whom the deemed followed.
func TestDeemedFiguresBesideActual(t *testing.T) {
	c := vetoedChoiceContent(t)
	o := c.Result.Matters[0].Approve().Overall
	if o.Deemed.Headcount != 6 || o.Majority != "agree" {
		t.Fatalf("deemed %+v, majority %q", o.Deemed, o.Majority)
	}
	fig := Figures(c.Result, false)[0]
	labels := map[string]FigureRow{}
	for _, r := range fig.Rows {
		labels[r.Label] = r
	}
	if r, ok := labels[locale.DeemedParticipating.ZH]; !ok || r.Headcount != locale.Count(6) {
		t.Errorf("no deemed row of 6 owners in %+v", fig.Rows)
	}
	if r, ok := labels[locale.ActualParticipating.ZH]; !ok || r.Headcount != locale.Count(int64(o.Participating.Headcount-6)) {
		t.Errorf("no actual row in %+v", fig.Rows)
	}
	if fig.Deemed != locale.DeemedFollow("agree").ZH {
		t.Errorf("deemed sentence %q", fig.Deemed)
	}
	// Without deemed owners, no such rows.
	for _, r := range Figures(sampleContent(t).Result, false)[0].Rows {
		if r.Label == locale.DeemedParticipating.ZH || r.Label == locale.ActualParticipating.ZH {
			t.Errorf("a result without deemed owners shows %q", r.Label)
		}
	}
}
