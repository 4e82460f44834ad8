package quorum

import (
	"cmp"
	"fmt"
	"slices"
)

// OptionBallot is the counted ballot of one unit on a choice matter: the
// option it picks, or "abstain" / "spoiled".
type OptionBallot struct {
	Unit   string
	Option string
}

// ChoiceMode says how a choice matter picks its winner (DESIGN.md §3.4).
type ChoiceMode string

// The choice modes.
const (
	// ChoiceApproval: the winner must meet the rule (participation and the
	// approval fractions); otherwise the matter is undecided and a next round
	// is launched.
	ChoiceApproval ChoiceMode = "approval"
	// ChoicePlurality, for advisory consultations: most headcount, then most
	// area, with no thresholds.
	ChoicePlurality ChoiceMode = "plurality"
)

// OptionOutcome is the rule evaluated for one option, counted like agree: a
// ballot for the option is agree, a ballot for another option is oppose, an
// abstaining or spoiled ballot is abstain.
type OptionOutcome struct {
	Option string `json:"option"`
	Outcome
}

// ChoiceResult is the verdict of a choice matter. Winner is empty when the
// matter is undecided.
type ChoiceResult struct {
	Options []OptionOutcome `json:"options"` // in the order given
	Decided bool            `json:"decided"`
	Winner  string          `json:"winner,omitempty"`
}

// EvaluateChoice decides a choice matter over the population units. In
// approval mode the winner is the option that passes under rule; should a lax
// custom rule let several pass, the most agree headcount, then area, wins, and
// a tie on both leaves the matter undecided. In plurality mode the same
// ranking applies to every option with any support. Errors are *InputError.
func EvaluateChoice(rule Rule, mode ChoiceMode, options []string, units []Unit, ballots []OptionBallot) (*ChoiceResult, error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	if mode != ChoiceApproval && mode != ChoicePlurality {
		return nil, inputErr("mode", fmt.Sprintf("unknown choice mode %q: want approval or plurality", mode))
	}
	index, err := candidateIndex("options", options)
	if err != nil {
		return nil, err
	}
	r, err := newRoll(units)
	if err != nil {
		return nil, err
	}
	picked := make([]int, len(r.area)) // per unit: option index, abstained or noBallot
	for i := range picked {
		picked[i] = noBallot
	}
	const abstained = -2
	for i, b := range ballots {
		fail := func(problem string) error { return inputErr(ballotItem(i, b.Unit), problem) }
		u, ok := r.index[b.Unit]
		if !ok {
			return nil, fail("ballot for unknown unit")
		}
		if picked[u] != noBallot {
			return nil, fail("duplicate ballot for the unit")
		}
		switch k, ok := index[b.Option]; {
		case ok:
			picked[u] = k
		case b.Option == "abstain" || b.Option == "spoiled":
			picked[u] = abstained
		default:
			return nil, fail(fmt.Sprintf("unknown option %q", b.Option))
		}
	}

	c := newCounter(r)
	res := &ChoiceResult{Options: make([]OptionOutcome, len(options))}
	buckets := make([]int8, len(r.area))
	var contenders []int
	for k, name := range options {
		for u, p := range picked {
			switch p {
			case noBallot:
				buckets[u] = noBallot
			case abstained:
				buckets[u] = bucketAbstain
			case k:
				buckets[u] = bucketAgree
			default:
				buckets[u] = bucketOppose
			}
		}
		res.Options[k] = OptionOutcome{Option: name, Outcome: c.count(r.all, buckets, rule)}
		o := &res.Options[k].Outcome
		if (mode == ChoiceApproval && o.Passed) || (mode == ChoicePlurality && o.Agree.Headcount > 0) {
			contenders = append(contenders, k)
		}
	}
	outcome := func(k int) *Outcome { return &res.Options[k].Outcome }
	if groups := bySupport(contenders, outcome); len(groups) > 0 && len(groups[0]) == 1 {
		res.Decided, res.Winner = true, options[groups[0][0]]
	}
	return res, nil
}

// candidateIndex checks a list of options or candidates (non-empty, unique,
// not a reserved ballot word) and indexes it.
func candidateIndex(item string, names []string) (map[string]int, error) {
	index := make(map[string]int, len(names))
	for k, name := range names {
		at := fmt.Sprintf("%s[%d]", item, k)
		switch _, dup := index[name]; {
		case name == "":
			return nil, inputErr(at, "empty name")
		case name == "abstain" || name == "spoiled":
			return nil, inputErr(at, fmt.Sprintf("%q is reserved for abstaining ballots", name))
		case dup:
			return nil, inputErr(at, fmt.Sprintf("duplicate %q", name))
		}
		index[name] = k
	}
	return index, nil
}

// bySupport groups the contenders (indices for outcome) by agree support,
// strongest first: more headcount, then more area. Contenders in one group
// are tied on both.
func bySupport(contenders []int, outcome func(int) *Outcome) [][]int {
	sorted := slices.Clone(contenders)
	support := func(i, j int) int {
		a, b := outcome(i), outcome(j)
		return cmp.Or(cmp.Compare(b.Agree.Headcount, a.Agree.Headcount), cmp.Compare(b.Agree.Area, a.Agree.Area))
	}
	slices.SortStableFunc(sorted, support)
	var groups [][]int
	for i, k := range sorted {
		if i > 0 && support(sorted[i-1], k) == 0 {
			groups[len(groups)-1] = append(groups[len(groups)-1], k)
		} else {
			groups = append(groups, []int{k})
		}
	}
	return groups
}
