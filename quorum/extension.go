package quorum

import (
	"fmt"
	"time"

	"gongjue/locale"
)

// Extension and re-tabling (DESIGN.md §3.4, Shanghai practice): a vote in
// which fewer than half the votes took part may be extended, by at most three
// months in all; if it then still misses participation the matter ends and
// may not be tabled again for a year without a 2/3 committee decision.
const (
	MaxExtensionMonths = 3
	RetableLockMonths  = 12
)

var half = Fraction{Num: 1, Den: 2}

// MayExtend reports whether the vote may be extended at its deadline: fewer
// than half of the eligible area and fewer than half of the eligible
// headcount took part. A vote that reached half on either measure must be
// decided as it stands.
func (o *Outcome) MayExtend() bool {
	return !half.Reached(int64(o.Participating.Area), int64(o.Eligible.Area)) &&
		!half.Reached(int64(o.Participating.Headcount), int64(o.Eligible.Headcount))
}

// ExtensionLimit is the latest closing time an extension may set:
// MaxExtensionMonths calendar months after the original closing time.
func ExtensionLimit(originalClose time.Time) time.Time {
	return addMonths(originalClose, MaxExtensionMonths)
}

// CheckExtension checks moving a vote's close from currentClose to newClose,
// the vote having originally closed at originalClose and standing at o: the
// turnout must allow extension, the new close must be later than the current
// one, and all extensions together may not pass ExtensionLimit. Errors are
// *InputError.
func CheckExtension(o *Outcome, originalClose, currentClose, newClose time.Time) error {
	switch limit := ExtensionLimit(originalClose); {
	case !o.MayExtend():
		return inputErr("extension", fmt.Sprintf("half of the votes took part (area %s, headcount %s): the vote cannot be extended",
			locale.Percent(int64(o.Participating.Area), int64(o.Eligible.Area)),
			locale.Percent(int64(o.Participating.Headcount), int64(o.Eligible.Headcount))))
	case !newClose.After(currentClose):
		return inputErr("extension", fmt.Sprintf("new closing time %s is not after the current one %s", newClose.Format(time.RFC3339), currentClose.Format(time.RFC3339)))
	case newClose.After(limit):
		return inputErr("extension", fmt.Sprintf("new closing time %s is past %s: at most %d months of extension in all", newClose.Format(time.RFC3339), limit.Format(time.RFC3339), MaxExtensionMonths))
	}
	return nil
}

// Lapses reports whether the matter ends without a verdict: the vote was
// extended and still missed participation. It then falls under the re-tabling
// lock (RetableFrom, MayRetable).
func (o *Outcome) Lapses(extended bool) bool {
	return extended && !o.ParticipationMet
}

// RetableFrom is when a lapsed matter may be tabled again without a committee
// decision: one calendar year after it ended.
func RetableFrom(ended time.Time) time.Time {
	return addMonths(ended, RetableLockMonths)
}

// MayRetable reports whether a matter that lapsed at ended may be tabled
// again at now: after RetableFrom, or earlier when at least 2/3 of the
// committee's members agree.
func MayRetable(ended, now time.Time, agreeing, members int) (bool, error) {
	if members < 1 || agreeing < 0 || agreeing > members {
		return false, inputErr("committee", fmt.Sprintf("%d of %d members agreeing is not a committee decision", agreeing, members))
	}
	return !now.Before(RetableFrom(ended)) || twoThirds.Reached(int64(agreeing), int64(members)), nil
}

// addMonths adds calendar months the way periods are reckoned under Civil
// Code Art. 202: the same day of the month, or the month's last day when that
// day does not exist (30 November + 3 months = 28 or 29 February, not
// 2 March as time.AddDate would give).
func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
