package quorum

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gongjue/locale"
)

// Explanation is a verdict in words, in Simplified Chinese and in English,
// for pages, notices and the evaluate output.
type Explanation struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// check is one comparison of a verdict, rendered as a clause such as
// "参与表决面积 76.41% ≥ 2/3 ✓".
type check struct {
	zh, en      string // what is measured
	part, whole int64
	f           Fraction
	met         bool      // the exact verdict; the rounded percentage is only for reading
	none        [2]string // zh and en, shown instead of a percentage when whole is zero
}

func (c check) render() (zh, en string) {
	mark := "✗"
	if c.met {
		mark = "✓"
	}
	if c.whole == 0 {
		return fmt.Sprintf("%s —（%s）%s", c.zh, c.none[0], mark), fmt.Sprintf("%s — (%s) %s", c.en, c.none[1], mark)
	}
	bound := fmt.Sprintf("%s %d/%d %s", relation(c.f, c.met), c.f.Num, c.f.Den, mark)
	pct := locale.Percent(c.part, c.whole)
	return c.zh + " " + pct + " " + bound, c.en + " " + pct + " " + bound
}

// relation is the sign that is true of the exact figure: the fraction's own
// sign when reached, its negation when not.
func relation(f Fraction, met bool) string {
	switch {
	case met && f.Strict:
		return ">"
	case met:
		return "≥"
	case f.Strict:
		return "≤"
	}
	return "<"
}

var (
	noneEligible = [2]string{"无表决单位", "no eligible units"}
	noneVoted    = [2]string{"无人参与表决", "nobody took part"}
)

// thresholdChecks compares part with whole on both fractions of t; when
// counted is false (nobody took part) neither can be met.
func thresholdChecks(zh, en string, t Threshold, part, whole Tally, counted bool, none [2]string) []check {
	return []check{
		{zh + "面积", en + " area", int64(part.Area), int64(whole.Area), t.Area,
			counted && t.Area.Reached(int64(part.Area), int64(whole.Area)), none},
		{zh + "人数", en + " headcount", int64(part.Headcount), int64(whole.Headcount), t.Headcount,
			counted && t.Headcount.Reached(int64(part.Headcount), int64(whole.Headcount)), none},
	}
}

// checks lists the four comparisons of Article 278 for o under r.
func (o *Outcome) checks(r Rule) []check {
	return append(thresholdChecks("参与表决", "participating", r.Participation, o.Participating, o.Eligible, true, noneEligible),
		thresholdChecks("同意", "agree", r.Approval, o.Agree, o.Participating, o.Participating.Headcount > 0, noneVoted)...)
}

// opposeChecks are zone-rejection's comparisons: oppose against the approval
// fractions of the participating totals.
func (o *Outcome) opposeChecks(r Rule) []check {
	return thresholdChecks("反对", "oppose", r.Approval, o.Oppose, o.Participating, o.Participating.Headcount > 0, noneVoted)
}

// clauses accumulates the Chinese and English clauses of an explanation.
type clauses struct{ zh, en []string }

func (c *clauses) add(zh, en string) {
	c.zh = append(c.zh, zh)
	c.en = append(c.en, en)
}

func (c *clauses) addChecks(cs []check) {
	for _, ch := range cs {
		c.add(ch.render())
	}
}

// verdict is the sentence of DESIGN §7 for a verdict.
func verdict(passed, participationMet bool) (zh, en string) {
	t := locale.Verdict(passed, participationMet)
	return t.ZH, t.EN
}

// Explain renders the outcome's four comparisons under r and its verdict,
// e.g. "参与表决面积 76.41% ≥ 2/3 ✓；参与表决人数 64.20% < 2/3 ✗；…；结果：未通过".
// Percentages are rounded for reading; the signs and marks come from the
// exact comparison, so 66.67% may honestly read "< 2/3 ✗".
func (o *Outcome) Explain(r Rule) Explanation {
	var c clauses
	c.addChecks(o.checks(r))
	zh, en := verdict(o.Passed, o.ParticipationMet)
	c.add("结果："+zh, "result: "+en)
	return Explanation{ZH: strings.Join(c.zh, "；"), EN: strings.Join(c.en, "; ")}
}

// Explain renders the whole verdict: the overall comparisons, the veto mode,
// every zone's comparisons and veto outcome, the final verdict and what it
// would have been under the other veto modes.
func (res *Result) Explain() Explanation {
	var s clauses
	overall := res.Overall.Explain(res.Rule)
	s.add("全体："+overall.ZH, "overall: "+overall.EN)

	mode := res.Veto.Mode
	veto := locale.Veto(string(mode), res.Veto.Zones)
	s.add("否决方式："+veto.ZH, "veto mode: "+veto.EN)

	for _, name := range slices.Sorted(maps.Keys(res.Zones)) {
		zo := res.Zones[name]
		own := zo.Explain(res.Rule)
		var z clauses
		z.add(own.ZH, own.EN)
		switch {
		case mode == VetoNone:
		case !zo.HoldsVeto:
			z.add("无否决权", "holds no veto")
		default:
			if mode == VetoZoneRejection {
				z.addChecks(zo.opposeChecks(res.Rule))
			}
			if zo.Vetoed {
				z.add("行使否决", "VETOED")
			} else {
				z.add("未否决", "not vetoed")
			}
		}
		s.add(fmt.Sprintf("区域「%s」：%s", name, strings.Join(z.zh, "；")),
			fmt.Sprintf("zone %s: %s", name, strings.Join(z.en, "; ")))
	}

	zh, en := verdict(res.Passed, res.Overall.ParticipationMet)
	s.add("最终结果："+zh, "final result: "+en)
	whatIf := locale.WhatIf(string(mode), func(m string) bool { return res.passedUnder(VetoMode(m)) })
	s.add(whatIf.ZH, whatIf.EN)
	return Explanation{ZH: strings.Join(s.zh, "。") + "。", EN: strings.Join(s.en, ". ") + "."}
}
