package notice

import (
	"fmt"
	"maps"
	"slices"

	"gongjue/ballot"
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
	// ZoneColumns head the zone table's agree, oppose and abstain
	// columns: for a choice matter, choosing the option and choosing
	// another (选其他选项), never 反对.
	ZoneColumns [3]string
	WhatIf      string
	NoVeto      string // an election under a zone veto: the veto does not apply (§3.2)
	// Why says why a choice matter's leading option, which met the rule
	// across the scope, was not adopted: the zones that vetoed it.
	Why string
	// Deemed says whom owners deemed to take part followed, when any did
	// and the rules make them follow a majority (§3.5).
	Deemed string
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

// Figures returns the figures of every matter of a result, in order, in
// Chinese or (en) in English; the numbers are the same in both.
func Figures(d *tally.Document, en bool) []MatterFigures {
	figs := make([]MatterFigures, len(d.Matters))
	for i := range d.Matters {
		figs[i] = matterFigures(d, &d.Matters[i], en)
	}
	return figs
}

func matterFigures(d *tally.Document, m *tally.Matter, en bool) MatterFigures {
	veto := d.Consultation.Veto
	pick := func(t locale.Text) string {
		if en {
			return t.EN
		}
		return t.ZH
	}
	fig := MatterFigures{Title: m.Title}
	if s := ballot.ElectionNoVeto(veto, m.Kind); s != nil {
		fig.NoVeto = pick(*s)
	}
	o, ok := m.Turnout()
	if !ok {
		return fig
	}
	part := o.Participating
	row := func(label string, t, of quorum.Tally) FigureRow {
		return FigureRow{label, locale.Count(int64(t.Headcount)), locale.Percent(int64(t.Headcount), int64(of.Headcount)),
			locale.Area(int64(t.Area)), locale.Percent(int64(t.Area), int64(of.Area))}
	}
	fig.Rows = []FigureRow{row(pick(locale.Eligible), o.Eligible, o.Eligible), row(pick(locale.Participating), part, o.Eligible)}
	// Actual and deemed participation side by side, where the rules of
	// procedure make them differ (§3.5).
	if o.Deemed.Headcount > 0 || o.Deemed.Area > 0 {
		actual := quorum.Tally{Headcount: part.Headcount - o.Deemed.Headcount, Area: part.Area - o.Deemed.Area}
		fig.Rows = append(fig.Rows, row(pick(locale.ActualParticipating), actual, o.Eligible), row(pick(locale.DeemedParticipating), o.Deemed, o.Eligible))
		if o.Majority != "" {
			fig.Deemed = pick(locale.DeemedFollow(string(o.Majority)))
		}
	}
	fig.ZoneColumns = [3]string{}
	for i, c := range locale.ZoneColumns(m.Kind == tally.KindChoice) {
		fig.ZoneColumns[i] = pick(c)
	}
	var zonesOf *quorum.Result
	var lead string // a choice matter's option whose zones are shown
	switch res := m.Result.(type) {
	case *quorum.Result:
		fig.Rows = append(fig.Rows, row(pick(locale.Choice("agree")), res.Overall.Agree, part), row(pick(locale.Choice("oppose")), res.Overall.Oppose, part), row(pick(locale.Abstain(d.SpoiledAbstain())), res.Overall.Abstain, part))
		if nc := res.Overall.NoChoice; nc.Headcount > 0 || nc.Area > 0 {
			fig.Rows = append(fig.Rows, row(pick(locale.NoChoice), nc, part))
		}
		zonesOf = res
		fig.ZoneCaption = pick(locale.Text{ZH: "各区域表决情况：", EN: "By zone:"})
	case *tally.ChoiceResult:
		for _, opt := range m.Options {
			fig.Rows = append(fig.Rows, row(pick(locale.Text{ZH: "选择「" + opt + "」", EN: "For “" + opt + "”"}), res.Options[opt].Overall.Agree, part))
		}
		if len(m.Options) > 0 {
			fig.Rows = append(fig.Rows, row(pick(locale.Abstain(d.SpoiledAbstain())), res.Options[m.Options[0]].Overall.Abstain, part))
			if nc := res.Options[m.Options[0]].Overall.NoChoice; nc.Headcount > 0 || nc.Area > 0 {
				fig.Rows = append(fig.Rows, row(pick(locale.NoChoice), nc, part))
			}
		}
		lead = res.Winner
		if !res.Decided {
			var vetoedBy []string
			lead, vetoedBy = vetoedLeader(m.Options, res)
			if lead != "" {
				fig.Why = pick(locale.ChoiceVetoed(lead, vetoedBy))
			}
		}
		if lead != "" {
			zonesOf = res.Options[lead]
			fig.ZoneCaption = pick(locale.Text{ZH: "各区域对「" + lead + "」的表决情况：", EN: "By zone, for “" + lead + "”:"})
		}
	case *tally.ElectionResult:
		for _, cand := range m.Options {
			label := locale.Text{ZH: "同意「" + cand + "」", EN: "For “" + cand + "”"}
			if res.Candidates[cand].Elected {
				label.ZH, label.EN = label.ZH+" 当选", label.EN+" (elected)"
			}
			fig.Rows = append(fig.Rows, row(pick(label), res.Candidates[cand].Overall.Agree, part))
		}
	}
	fig.Verdict = pick(Verdict(d, m))
	if !en {
		fig.Sentence = plainVerdict(m, o, zonesOf, lead, fig.Verdict)
	}
	if zonesOf != nil && len(zonesOf.Zones) > 0 {
		for _, name := range slices.Sorted(maps.Keys(zonesOf.Zones)) {
			z := zonesOf.Zones[name]
			fig.Zones = append(fig.Zones, ZoneFigures{Zone: name,
				Eligible: tallyCell(z.Eligible, en), Participating: tallyCell(z.Participating, en),
				Agree: tallyCell(z.Agree, en), Oppose: tallyCell(z.Oppose, en), Abstain: tallyCell(z.Abstain, en),
				Verdict: zoneVerdict(veto, name, z, pick)})
		}
		fig.WhatIf = pick(WhatIf(veto.Mode, zonesOf.WhatIf))
	}
	return fig
}

// vetoedLeader is the option of an undecided choice matter that met the
// rule across the scope but was vetoed by zones, and those zones; "" when
// none was.
func vetoedLeader(options []string, res *tally.ChoiceResult) (string, []string) {
	for _, opt := range options {
		r := res.Options[opt]
		if r == nil || !r.Overall.Passed || r.Passed {
			continue
		}
		var zones []string
		for _, name := range slices.Sorted(maps.Keys(r.Zones)) {
			if r.Zones[name].Vetoed {
				zones = append(zones, name)
			}
		}
		if len(zones) > 0 {
			return opt, zones
		}
	}
	return "", nil
}

// tallyCell writes a headcount over an area.
func tallyCell(t quorum.Tally, en bool) string {
	if en {
		return locale.Count(int64(t.Headcount)) + "\n" + locale.Area(int64(t.Area)) + " m²"
	}
	return locale.Count(int64(t.Headcount)) + "人\n" + locale.Area(int64(t.Area)) + "㎡"
}

func zoneVerdict(veto quorum.Veto, name string, z *quorum.ZoneOutcome, pick func(locale.Text) string) string {
	s := pick(locale.Passed(z.Passed))
	if veto.Mode != "" && veto.Mode != quorum.VetoNone {
		switch {
		case !holdsVeto(veto, name):
			s += "\n" + pick(locale.Text{ZH: "无否决权", EN: "no veto"})
		case z.Vetoed:
			s += "\n" + pick(locale.Text{ZH: "否决", EN: "vetoed"})
		}
	}
	return s
}

// plainVerdict tells in plain words how the verdict follows from the
// figures: participation against its threshold, then approval against its
// (for a choice matter, of option lead).
func plainVerdict(m *tally.Matter, o quorum.Outcome, r *quorum.Result, lead, verdict string) string {
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
			what = "选择「" + lead + "」的业主"
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
