package locale

import (
	"fmt"
	"math/bits"
	"strconv"
	"time"
)

// percentHundredths is part/whole in hundredths of a percent, rounded half
// up; whole must be positive and 0 ≤ part.
func percentHundredths(part, whole int64) uint64 {
	hi, lo := bits.Mul64(uint64(part), 10000)
	if hi >= uint64(whole) {
		// part far beyond whole cannot happen for shares of a population;
		// cap rather than let Div64 panic on a page.
		return ^uint64(0) / 2
	}
	q, rem := bits.Div64(hi, lo, uint64(whole))
	if rem >= uint64(whole)-rem {
		q++
	}
	return q
}

// PercentNumber is part/whole in percent with two decimals, rounded half up
// in integer arithmetic: 2/3 → "66.67". A whole of zero (or less) gives
// "0.00": the API's figures are numbers, never a dash. Only for reading:
// a verdict compares the exact fraction, so 66.67 may honestly fall short
// of 2/3.
func PercentNumber(part, whole int64) string {
	if whole <= 0 || part < 0 {
		return "0.00"
	}
	q := percentHundredths(part, whole)
	return fmt.Sprintf("%d.%02d", q/100, q%100)
}

// Percent is PercentNumber with a percent sign for pages and notices, and
// "—" when there is nothing to be a share of.
func Percent(part, whole int64) string {
	if whole <= 0 {
		return "—"
	}
	return PercentNumber(part, whole) + "%"
}

// Count writes n with a comma every three digits: 2488 → "2,488".
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return sign + string(out)
}

// Area writes an area given in hundredths of m² with grouped thousands and
// two decimals: 4436012 → "44,360.12".
func Area(hundredths int64) string {
	sign := ""
	v := uint64(hundredths)
	if hundredths < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%s.%02d", sign, Count(int64(v/100)), v%100)
}

// China is the zone of every time people read: China Standard Time. China
// has kept UTC+8 without daylight saving since 1991, so no tzdata is needed.
var China = time.FixedZone("CST", 8*3600)

// Minute writes a time to the minute in China Standard Time, as pages and
// ballots show it: 2026-05-31 18:00.
func Minute(t time.Time) string { return t.In(China).Format("2006-01-02 15:04") }

// Second writes a time to the second in China Standard Time.
func Second(t time.Time) string { return t.In(China).Format("2006-01-02 15:04:05") }

// Day writes a date in China Standard Time: 2026-05-31.
func Day(t time.Time) string { return t.In(China).Format("2006-01-02") }

// DayZH writes a date as a Chinese document does: 2026年5月31日.
func DayZH(t time.Time) string { return t.In(China).Format("2006年1月2日") }

// MinuteZH writes a time as a Chinese document does: 2026年5月31日 18:00.
func MinuteZH(t time.Time) string { return t.In(China).Format("2006年1月2日 15:04") }
