package quorum

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
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
	pct := percent(c.part, c.whole)
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

// percent renders part/whole as a percentage with two decimals, rounded half
// up in integer arithmetic; whole must be positive and part ≤ whole.
func percent(part, whole int64) string {
	hi, lo := bits.Mul64(uint64(part), 10000)
	q, rem := bits.Div64(hi, lo, uint64(whole))
	if 2*rem >= uint64(whole) {
		q++
	}
	return fmt.Sprintf("%d.%02d%%", q/100, q%100)
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

func verdict(passed bool) (zh, en string) {
	if passed {
		return "通过", "passed"
	}
	return "未通过", "not passed"
}

// Explain renders the outcome's four comparisons under r and its verdict,
// e.g. "参与表决面积 76.41% ≥ 2/3 ✓；参与表决人数 64.20% < 2/3 ✗；…；结果：未通过".
// Percentages are rounded for reading; the signs and marks come from the
// exact comparison, so 66.67% may honestly read "< 2/3 ✗".
func (o *Outcome) Explain(r Rule) Explanation {
	var c clauses
	c.addChecks(o.checks(r))
	zh, en := verdict(o.Passed)
	c.add("结果："+zh, "result: "+en)
	return Explanation{ZH: strings.Join(c.zh, "；"), EN: strings.Join(c.en, "; ")}
}

// modeNames are each veto mode's short Chinese name, then its description in
// Chinese and in English.
var modeNames = map[VetoMode][3]string{
	VetoNone:          {"无分区否决", "无分区否决", "none"},
	VetoAllZones:      {"各区均须通过", "各区均须通过", "all-zones (every veto zone must pass)"},
	VetoZoneRejection: {"分区否决", "分区否决（区内参与达标且反对达到表决比例即否决）", "zone-rejection (a veto zone that takes part and opposes by the approval fractions blocks)"},
}

// Explain renders the whole verdict: the overall comparisons, the veto mode,
// every zone's comparisons and veto outcome, the final verdict and what it
// would have been under the other veto modes.
func (res *Result) Explain() Explanation {
	var s clauses
	overall := res.Overall.Explain(res.Rule)
	s.add("全体："+overall.ZH, "overall: "+overall.EN)

	mode := res.Veto.Mode
	holders := "全部区域"
	holdersEN := "all zones"
	if len(res.Veto.Zones) > 0 {
		holders = strings.Join(res.Veto.Zones, "、")
		holdersEN = strings.Join(res.Veto.Zones, ", ")
	}
	if mode == VetoNone {
		s.add("否决方式："+modeNames[mode][1]+"，各区结果仅供参考", "veto mode: none; zones are shown for information")
	} else {
		s.add(fmt.Sprintf("否决方式：%s；有否决权的区域：%s", modeNames[mode][1], holders),
			fmt.Sprintf("veto mode: %s; veto zones: %s", modeNames[mode][2], holdersEN))
	}

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

	zh, en := verdict(res.Passed)
	s.add("最终结果："+zh, "final result: "+en)
	var whatZH, whatEN []string
	for _, m := range VetoModes {
		if m != mode {
			zh, en := verdict(res.passedUnder(m))
			whatZH = append(whatZH, modeNames[m][0]+" "+zh)
			whatEN = append(whatEN, string(m)+" "+en)
		}
	}
	s.add("其他否决方式下："+strings.Join(whatZH, "，"), "under the other veto modes: "+strings.Join(whatEN, ", "))
	return Explanation{ZH: strings.Join(s.zh, "。") + "。", EN: strings.Join(s.en, ". ") + "."}
}
