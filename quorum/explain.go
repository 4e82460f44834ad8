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
// fractions of the participating totals. For an option of a choice matter
// the oppose is the ballots for other options.
func (o *Outcome) opposeChecks(r Rule, otherOptions bool) []check {
	zh, en := "反对", "oppose"
	if otherOptions {
		zh, en = "选其他选项", "for other options"
	}
	return thresholdChecks(zh, en, r.Approval, o.Oppose, o.Participating, o.Participating.Headcount > 0, noneVoted)
}

// nonresponseNames and spoiledNames say in Chinese and English what each
// policy of §3.5 does, for policies other than the default.
var (
	nonresponseNames = map[Nonresponse][2]string{
		NonresponseDeliveredParticipate:    {"送达即视为参与表决", "a delivered ballot not returned takes part"},
		NonresponseDeliveredFollowMajority: {"送达未表决视为同意已表决的多数意见", "a delivered ballot not returned follows the voters' majority"},
	}
	spoiledNames = map[SpoiledPolicy][2]string{
		SpoiledParticipating: {"废票计入参与、不计入任何选项", "a spoiled ballot takes part in no choice"},
		SpoiledExcluded:      {"废票视为未交回", "a spoiled ballot counts as not returned"},
	}
	majorityNames = map[Majority][2]string{"agree": {"同意", "agree"}, "oppose": {"反对", "oppose"}, "abstain": {"弃权", "abstain"}}
)

// deemedClause gives the deemed figures beside the totals, and the majority
// deemed owners followed, when the policy deems anyone; ok is false
// otherwise.
func (o *Outcome) deemedClause(p Procedure) (zh, en string, ok bool) {
	if p.Nonresponse == NonresponseNone || p.Nonresponse == "" {
		return "", "", false
	}
	zh = fmt.Sprintf("其中视为参与 %d 人、%s ㎡", o.Deemed.Headcount, o.Deemed.Area)
	en = fmt.Sprintf("of which deemed %d persons, %s m²", o.Deemed.Headcount, o.Deemed.Area)
	if p.Nonresponse == NonresponseDeliveredFollowMajority {
		name, known := majorityNames[o.Majority]
		switch {
		case o.Majority == "":
			zh, en = zh+"（无多数意见，不计入任何选项）", en+" (no majority: in no choice)"
		case known:
			zh, en = zh+"（随多数意见："+name[0]+"）", en+" (following the majority: "+name[1]+")"
		default:
			zh, en = zh+"（随多数意见：「"+string(o.Majority)+"」）", en+" (following the majority: "+string(o.Majority)+")"
		}
	}
	return zh, en, true
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
	if zh, en, ok := res.Overall.deemedClause(res.Procedure); ok {
		overall.ZH, overall.EN = overall.ZH+"；"+zh, overall.EN+"; "+en
	}
	s.add("全体："+overall.ZH, "overall: "+overall.EN)
	var rulesZH, rulesEN []string
	if name, ok := nonresponseNames[res.Procedure.Nonresponse]; ok {
		rulesZH, rulesEN = append(rulesZH, name[0]), append(rulesEN, name[1])
	}
	if name, ok := spoiledNames[res.Procedure.Spoiled]; ok {
		rulesZH, rulesEN = append(rulesZH, name[0]), append(rulesEN, name[1])
	}
	if len(rulesZH) > 0 {
		s.add("议事规则："+strings.Join(rulesZH, "，"), "rules of procedure: "+strings.Join(rulesEN, ", "))
	}

	mode := res.Veto.Mode
	veto := locale.Veto(string(mode), res.Veto.Zones)
	s.add("否决方式："+veto.ZH, "veto mode: "+veto.EN)

	for _, name := range slices.Sorted(maps.Keys(res.Zones)) {
		zo := res.Zones[name]
		own := zo.Explain(res.Rule)
		var z clauses
		z.add(own.ZH, own.EN)
		if zh, en, ok := zo.deemedClause(res.Procedure); ok {
			z.add(zh, en)
		}
		switch {
		case mode == VetoNone:
		case !zo.HoldsVeto:
			z.add("无否决权", "holds no veto")
		default:
			if mode == VetoZoneRejection {
				z.addChecks(zo.opposeChecks(res.Rule, res.otherOptions))
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
