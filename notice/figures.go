package notice

import (
	"fmt"
	"maps"
	"slices"

	"gongjue/locale"
	"gongjue/quorum"
	"gongjue/tally"
)

// MatterFigures is every figure the notice prints of one matter, as text;
// the verification page shows the same values, so a resident can compare
// the poster with it by eye.
type MatterFigures struct {
	Title    string
	Rows     []FigureRow // eligible, participating, then the choices
	Verdict  string      // the verdict sentence (DESIGN §7)
	Sentence string      // the verdict in plain words, with the arithmetic behind it
	// Zones is the per-zone table of the verdict's result (for a choice
	// matter, of the option chosen), captioned ZoneCaption.
	ZoneCaption string
	Zones       []ZoneFigures
	WhatIf      string
}

// FigureRow is one row of a matter's arithmetic table.
type FigureRow struct {
	Label, Headcount, HeadcountPct, Area, AreaPct string
}

// ZoneFigures is one zone's row: each cell a headcount and an area.
type ZoneFigures struct {
	Zone                                            string
	Eligible, Participating, Agree, Oppose, Abstain string
	Verdict                                         string
}

// Figures returns the figures of every matter of a result, in order.
func Figures(d *tally.Document) []MatterFigures {
	figs := make([]MatterFigures, len(d.Matters))
	for i := range d.Matters {
		figs[i] = matterFigures(d, &d.Matters[i])
	}
	return figs
}

func matterFigures(d *tally.Document, m *tally.Matter) MatterFigures {
	veto := d.Consultation.Veto
	fig := MatterFigures{Title: m.Title}
	o, ok := m.Turnout()
	if !ok {
		return fig
	}
	part := o.Participating
	row := func(label string, t, of quorum.Tally) FigureRow {
		return FigureRow{label, locale.Count(int64(t.Headcount)), locale.Percent(int64(t.Headcount), int64(of.Headcount)),
			locale.Area(int64(t.Area)), locale.Percent(int64(t.Area), int64(of.Area))}
	}
	fig.Rows = []FigureRow{row(locale.Eligible.ZH, o.Eligible, o.Eligible), row(locale.Participating.ZH, part, o.Eligible)}
	var zonesOf *quorum.Result
	switch res := m.Result.(type) {
	case *quorum.Result:
		fig.Rows = append(fig.Rows, row(locale.Choice("agree").ZH, res.Overall.Agree, part), row(locale.Choice("oppose").ZH, res.Overall.Oppose, part), row(locale.AbstainInclSpoiled.ZH, res.Overall.Abstain, part))
		zonesOf = res
		fig.ZoneCaption = "各区域表决情况："
	case *tally.ChoiceResult:
		for _, opt := range m.Options {
			fig.Rows = append(fig.Rows, row("选择「"+opt+"」", res.Options[opt].Overall.Agree, part))
		}
		if len(m.Options) > 0 {
			fig.Rows = append(fig.Rows, row(locale.AbstainInclSpoiled.ZH, res.Options[m.Options[0]].Overall.Abstain, part))
		}
		if res.Decided {
			zonesOf = res.Options[res.Winner]
			fig.ZoneCaption = "各区域对「" + res.Winner + "」的表决情况（同意即选择该项）："
		}
	case *tally.ElectionResult:
		for _, cand := range m.Options {
			label := "同意「" + cand + "」"
			if res.Candidates[cand].Elected {
				label += " 当选"
			}
			fig.Rows = append(fig.Rows, row(label, res.Candidates[cand].Overall.Agree, part))
		}
	}
	fig.Verdict = Verdict(d, m).ZH
	fig.Sentence = plainVerdict(m, o, zonesOf, fig.Verdict)
	if zonesOf != nil && len(zonesOf.Zones) > 0 {
		for _, name := range slices.Sorted(maps.Keys(zonesOf.Zones)) {
			z := zonesOf.Zones[name]
			fig.Zones = append(fig.Zones, ZoneFigures{Zone: name,
				Eligible: tallyCell(z.Eligible), Participating: tallyCell(z.Participating),
				Agree: tallyCell(z.Agree), Oppose: tallyCell(z.Oppose), Abstain: tallyCell(z.Abstain),
				Verdict: zoneVerdict(veto, name, z)})
		}
		fig.WhatIf = WhatIf(veto.Mode, zonesOf.WhatIf).ZH
	}
	return fig
}

// tallyCell writes a headcount over an area.
func tallyCell(t quorum.Tally) string {
	return fmt.Sprintf("%d人\n%s㎡", t.Headcount, t.Area)
}

func zoneVerdict(veto quorum.Veto, name string, z *quorum.ZoneOutcome) string {
	s := locale.Passed(z.Passed).ZH
	if veto.Mode != "" && veto.Mode != quorum.VetoNone {
		switch {
		case !holdsVeto(veto, name):
			s += "\n无否决权"
		case z.Vetoed:
			s += "\n否决"
		}
	}
	return s
}

// plainVerdict tells in plain words how the verdict follows from the
// figures: participation against its threshold, then approval against its.
func plainVerdict(m *tally.Matter, o quorum.Outcome, r *quorum.Result, verdict string) string {
	rule := m.Rule
	reached := func(ok bool) string {
		if ok {
			return "达到"
		}
		return "未达到"
	}
	s := fmt.Sprintf("应参与表决的业主%d人、专有部分面积%s平方米；实际参与表决%d人、%s平方米，分别占%s和%s，%s参与表决的要求（人数%s、面积%s）。",
		o.Eligible.Headcount, o.Eligible.Area, o.Participating.Headcount, o.Participating.Area,
		locale.Percent(int64(o.Participating.Headcount), int64(o.Eligible.Headcount)), locale.Percent(int64(o.Participating.Area), int64(o.Eligible.Area)),
		reached(o.ParticipationMet), rule.Participation.Headcount.Words().ZH, rule.Participation.Area.Words().ZH)
	if r != nil && o.ParticipationMet {
		a := r.Overall.Agree
		what := "同意的业主"
		if m.Kind == tally.KindChoice {
			what = "选择「" + m.Choice().Winner + "」的业主"
		}
		s += fmt.Sprintf("%s%d人、%s平方米，占参与表决人数的%s、面积的%s，%s同意的要求（人数%s、面积%s）。",
			what, a.Headcount, a.Area, locale.Percent(int64(a.Headcount), int64(r.Overall.Participating.Headcount)),
			locale.Percent(int64(a.Area), int64(r.Overall.Participating.Area)),
			reached(r.Overall.ApprovalMet), rule.Approval.Headcount.Words().ZH, rule.Approval.Area.Words().ZH)
		for _, name := range slices.Sorted(maps.Keys(r.Zones)) {
			if r.Zones[name].Vetoed {
				s += "「" + name + "」区域行使否决。"
			}
		}
	}
	return s + "因此，本事项" + verdict + "。"
}
