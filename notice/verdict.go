package notice

import (
	"gongjue/locale"
	"gongjue/quorum"
	"gongjue/tally"
)

// Verdict is a matter's verdict sentence (DESIGN §7), the same on the
// notice, the console's result page and the verification page.
func Verdict(d *tally.Document, m *tally.Matter) locale.Text {
	o, counted := m.Turnout()
	if e := d.Extension; e != nil && e.Lapsed && counted && !o.ParticipationMet {
		return locale.VerdictLapsed
	}
	switch r := m.Result.(type) {
	case *quorum.Result:
		return locale.Verdict(r.Passed, r.Overall.ParticipationMet)
	case *tally.ChoiceResult:
		switch {
		case r.Decided:
			return locale.Chosen(r.Winner)
		case r.Mode == quorum.ChoicePlurality:
			return locale.VerdictTied
		case counted && !o.ParticipationMet:
			return locale.VerdictNoQuorum
		}
		return locale.VerdictNoneAdopted
	case *tally.ElectionResult:
		return locale.Elected(r.Seats, r.Elected, r.Tied, r.Vacant)
	}
	return locale.Text{}
}
