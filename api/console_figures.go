package api

import (
	"fmt"
	"html/template"
	"math/big"
	"strconv"
	"time"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/quorum"
	"gongjue/templates"
)

// Figures for people: thousands separators, areas in m², and the smallest
// area and headcount that reach a fraction, all in integer arithmetic so a
// conThreshold shown on a page is exactly what the count will demand.

func init() {
	for name, fn := range map[string]any{
		"conNum":  conGroupDigits,
		"conArea": conFormatArea,
		"conPct":  locale.Percent,
		"conBar":  conBarWidth,
		"conAdd":  func(a, b int) int { return a + b },
		"conTime": conFormatTime,
		"conCode": ballot.FormatCode,
		"conZones": func(lang templates.Lang, kind string, zones []conZoneView) conZoneTable {
			agree, oppose := locale.AgreeOppose(kind)
			return conZoneTable{Lang: lang, Zones: zones, Agree: say(lang, agree), Oppose: say(lang, oppose)}
		},
		"conPassed": func(lang templates.Lang, passed bool) string { return say(lang, locale.Passed(passed)) },
		"conPctT": func(part, whole quorum.Tally) [2]string {
			return [2]string{locale.Percent(int64(part.Headcount), int64(whole.Headcount)), locale.Percent(int64(part.Area), int64(whole.Area))}
		},
		"conJS": func(s string) template.JS { return template.JS(strconv.Quote(s)) },
	} {
		if _, dup := pageFuncs[name]; dup {
			panic("api: page function " + name + " defined twice")
		}
		pageFuncs[name] = fn
	}
}

// conFormatTime shows a time to the minute in China Standard Time.
func conFormatTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return locale.Minute(v)
	case *time.Time:
		if v == nil || v.IsZero() {
			return "—"
		}
		return locale.Minute(*v)
	}
	return fmt.Sprint(t)
}

// conGroupDigits writes a count with a comma every three digits: 2488 →
// "2,488".
func conGroupDigits(n any) string {
	switch v := n.(type) {
	case int:
		return locale.Count(int64(v))
	case int64:
		return locale.Count(v)
	}
	return fmt.Sprint(n)
}

// conFormatArea writes an area in m² with two decimals and grouped thousands:
// 4436012 → "44,360.12".
func conFormatArea(a quorum.Area) string { return locale.Area(int64(a)) }

// conBarWidth scales part/whole to a bar of width units, for drawing only.
func conBarWidth(part, whole int64, width int) int {
	if whole <= 0 || part <= 0 {
		return 0
	}
	if part >= whole {
		return width
	}
	w := new(big.Int).Mul(big.NewInt(part), big.NewInt(int64(width)))
	return int(w.Quo(w, big.NewInt(whole)).Int64())
}

// minimumReaching is the smallest integer x with f.Reached(x, whole): for
// "N/D", ⌈N·whole/D⌉; for ">N/D", ⌊N·whole/D⌋ + 1 (capped at whole + 1,
// which no count can reach). Areas are hundredths of m², so this rounds up
// to the hundredth.
func minimumReaching(f quorum.Fraction, whole int64) int64 {
	if whole <= 0 {
		if f.Strict || f.Num > 0 {
			return 1
		}
		return 0
	}
	num := new(big.Int).Mul(new(big.Int).SetUint64(f.Num), big.NewInt(whole))
	den := new(big.Int).SetUint64(f.Den)
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	x := q.Int64()
	if f.Strict || r.Sign() != 0 {
		x++
	}
	if !f.Reached(x, whole) || (x > 0 && f.Reached(x-1, whole)) {
		// Cannot happen; a wrong conThreshold must never be shown.
		panic(fmt.Sprintf("minimumReaching(%v, %d) = %d is not the minimum", f, whole, x))
	}
	return x
}

// conFractionText writes a fraction as the law does: 三分之二以上, 过半数.
func conFractionText(p page, f quorum.Fraction) string { return say(p.Lang, f.Words()) }

// conThreshold is one pair of requirements made concrete for a population.
type conThreshold struct {
	AreaFraction      string `json:"area_fraction"`      // "三分之二以上"
	HeadcountFraction string `json:"headcount_fraction"` // "三分之二以上"
	MinArea           string `json:"min_area"`           // "44360.12"
	MinHeadcount      int64  `json:"min_headcount"`
	Text              string `json:"text"` // the sentence in the page's language
}

// conThresholdOf is the smallest area and headcount reaching t's fractions
// of the given totals, without its sentence; minArea and minHead are those
// minimums as pages print them.
func conThresholdOf(p page, t quorum.Threshold, area quorum.Area, headcount int64) (th conThreshold, minArea, minHead string) {
	a := quorum.Area(minimumReaching(t.Area, int64(area)))
	h := minimumReaching(t.Headcount, headcount)
	th = conThreshold{
		AreaFraction: conFractionText(p, t.Area), HeadcountFraction: conFractionText(p, t.Headcount),
		MinArea: a.String(), MinHeadcount: h,
	}
	return th, conFormatArea(a), conGroupDigits(h)
}

// conParticipationThreshold is what participation must reach in a population
// of the given area and headcount: "需面积三分之二以上（≥ 44,360.12 m²），
// 且人数三分之二以上（≥ 2,488 人）".
func conParticipationThreshold(p page, t quorum.Threshold, area quorum.Area, headcount int64) conThreshold {
	th, minArea, minHead := conThresholdOf(p, t, area, headcount)
	th.Text = conPickText(p,
		fmt.Sprintf("需面积%s（≥ %s m²），且人数%s（≥ %s 人）", th.AreaFraction, minArea, th.HeadcountFraction, minHead),
		fmt.Sprintf("needs %s of the area (≥ %s m²) and %s of the owners (≥ %s persons)", th.AreaFraction, minArea, th.HeadcountFraction, minHead))
	return th
}

// conApprovalThreshold is what agreement must reach if exactly the minimum
// participates: the fractions apply to the participating totals.
func conApprovalThreshold(p page, t quorum.Threshold, partArea quorum.Area, partHead int64) conThreshold {
	th, minArea, minHead := conThresholdOf(p, t, partArea, partHead)
	th.Text = conPickText(p,
		fmt.Sprintf("同意需参与面积%s，且参与人数%s（若恰好达到最低参与，即 ≥ %s m² 且 ≥ %s 人）", th.AreaFraction, th.HeadcountFraction, minArea, minHead),
		fmt.Sprintf("agreement needs %s of the participating area and %s of the participating owners (at the minimum participation: ≥ %s m² and ≥ %s persons)", th.AreaFraction, th.HeadcountFraction, minArea, minHead))
	return th
}

// conZoneTable is the data of the con_zone_table template.
type conZoneTable struct {
	Lang          templates.Lang
	Zones         []conZoneView
	Agree, Oppose string // the column heads, by the matter's kind
}
