package api

import (
	"fmt"
	"html/template"
	"math/big"
	"strconv"
	"strings"
	"time"

	"gongjue/ballot"
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
		"conPct":  conPercentOf,
		"conBar":  conBarWidth,
		"conAdd":  func(a, b int) int { return a + b },
		"conTime": conFormatTime,
		"conCode": ballot.FormatCode,
		"conZones": func(lang templates.Lang, zones []conZoneView) conZoneTable {
			return conZoneTable{Lang: lang, Zones: zones}
		},
		"conPctT": func(part, whole quorum.Tally) [2]string {
			return [2]string{conPercentOf(int64(part.Headcount), int64(whole.Headcount)), conPercentOf(int64(part.Area), int64(whole.Area))}
		},
		"conJS": func(s string) template.JS { return template.JS(strconv.Quote(s)) },
	} {
		if _, dup := pageFuncs[name]; dup {
			panic("api: page function " + name + " defined twice")
		}
		pageFuncs[name] = fn
	}
}

// conChinaTime is the zone of every time shown: China Standard Time.
var conChinaTime = time.FixedZone("CST", 8*3600)

// conFormatTime shows a time to the minute in China Standard Time.
func conFormatTime(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return v.In(conChinaTime).Format("2006-01-02 15:04")
	case *time.Time:
		if v == nil || v.IsZero() {
			return "—"
		}
		return v.In(conChinaTime).Format("2006-01-02 15:04")
	}
	return fmt.Sprint(t)
}

// conGroupDigits writes n with a comma every three digits: 2488 → "2,488".
func conGroupDigits(n any) string {
	var s string
	switch v := n.(type) {
	case int:
		s = strconv.FormatInt(int64(v), 10)
	case int64:
		s = strconv.FormatInt(v, 10)
	case uint64:
		s = strconv.FormatUint(v, 10)
	default:
		s = fmt.Sprint(v)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// conFormatArea writes an area in m² with two decimals and grouped thousands:
// 4436012 → "44,360.12".
func conFormatArea(a quorum.Area) string {
	s := a.String()
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return s
	}
	return conGroupDigits(n) + "." + frac
}

// conPercentOf is part/whole as a percentage with one decimal, rounded half
// up, for reading only ("—" when whole is zero).
func conPercentOf(part, whole int64) string {
	if whole <= 0 {
		return "—"
	}
	p := new(big.Int).Mul(big.NewInt(part), big.NewInt(2000))
	p.Add(p, big.NewInt(whole))
	p.Quo(p, new(big.Int).Mul(big.NewInt(whole), big.NewInt(2)))
	v := p.Int64()
	return fmt.Sprintf("%d.%d%%", v/10, v%10)
}

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

// conFractionText writes a fraction as the law does: "≥ 2/3", "> 1/2".
func conFractionText(f quorum.Fraction) string {
	sign := "≥"
	if f.Strict {
		sign = ">"
	}
	return fmt.Sprintf("%s %d/%d", sign, f.Num, f.Den)
}

// conThreshold is one pair of requirements made concrete for a population.
type conThreshold struct {
	AreaFraction      string `json:"area_fraction"`      // "≥ 2/3"
	HeadcountFraction string `json:"headcount_fraction"` // "≥ 2/3"
	MinArea           string `json:"min_area"`           // "44360.12"
	MinHeadcount      int64  `json:"min_headcount"`
	Text              string `json:"text"` // the sentence in the page's language
}

// conParticipationThreshold is what participation must reach in a population
// of the given area and headcount: "需 ≥ 2/3 面积 即 ≥ 44,360.12 m²，且 ≥ 2/3
// 人数 即 ≥ 2,488 人".
func conParticipationThreshold(p page, t quorum.Threshold, area quorum.Area, headcount int64) conThreshold {
	minArea := quorum.Area(minimumReaching(t.Area, int64(area)))
	minHead := minimumReaching(t.Headcount, headcount)
	th := conThreshold{
		AreaFraction: conFractionText(t.Area), HeadcountFraction: conFractionText(t.Headcount),
		MinArea: minArea.String(), MinHeadcount: minHead,
	}
	th.Text = conPickText(p,
		fmt.Sprintf("需 %s 面积 即 ≥ %s m²，且 %s 人数 即 ≥ %s 人", th.AreaFraction, conFormatArea(minArea), th.HeadcountFraction, conGroupDigits(minHead)),
		fmt.Sprintf("needs %s of the area, i.e. ≥ %s m², and %s of the owners, i.e. ≥ %s persons", th.AreaFraction, conFormatArea(minArea), th.HeadcountFraction, conGroupDigits(minHead)))
	return th
}

// conApprovalThreshold is what agreement must reach if exactly the minimum
// participates: the fractions apply to the participating totals.
func conApprovalThreshold(p page, t quorum.Threshold, partArea quorum.Area, partHead int64) conThreshold {
	minArea := quorum.Area(minimumReaching(t.Area, int64(partArea)))
	minHead := minimumReaching(t.Headcount, partHead)
	th := conThreshold{
		AreaFraction: conFractionText(t.Area), HeadcountFraction: conFractionText(t.Headcount),
		MinArea: minArea.String(), MinHeadcount: minHead,
	}
	th.Text = conPickText(p,
		fmt.Sprintf("同意需 %s 参与面积，且 %s 参与人数（若恰好达到最低参与，即 ≥ %s m² 且 ≥ %s 人）", th.AreaFraction, th.HeadcountFraction, conFormatArea(minArea), conGroupDigits(minHead)),
		fmt.Sprintf("agreement needs %s of the participating area and %s of the participating owners (at the minimum participation: ≥ %s m² and ≥ %s persons)", th.AreaFraction, th.HeadcountFraction, conFormatArea(minArea), conGroupDigits(minHead)))
	return th
}

// conZoneTable is the data of the con_zone_table template.
type conZoneTable struct {
	Lang  templates.Lang
	Zones []conZoneView
}
