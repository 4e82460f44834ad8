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

// ChoiceMatter is how a choice matter is decided: its rule, mode, options,
// and the consultation's veto and procedure.
type ChoiceMatter struct {
	Rule      Rule
	Mode      ChoiceMode
	Veto      Veto
	Procedure Procedure
	Options   []string
}

// OptionResult is the §4 object of one option, counted like agree: a ballot
// for the option is agree, a ballot for another option is the option's
// oppose (pages call it 选其他选项), an abstaining ballot abstain, and a
// spoiled one as the procedure says.
type OptionResult struct {
	Option string  `json:"option"`
	Result *Result `json:"result"`
}

// ChoiceResult is the verdict of a choice matter. Winner is empty when the
// matter is undecided.
type ChoiceResult struct {
	Options []OptionResult `json:"options"` // in the order given
	Decided bool           `json:"decided"`
	Winner  string         `json:"winner,omitempty"`
}

// The picks of a choice-matter ballot besides the options' indices (0 … K-1)
// and abstain (K): its status before it is counted for one option.
const (
	pickNoChoice = -4 // spoiled, under spoiled: participating
	pickDeemed   = -5
)

// EvaluateChoice decides a choice matter over the population units. Each
// option gets the §4 object of its own count, overall and per zone, with the
// zone veto of §3.2 and non-response and spoiled ballots per §3.5: the
// majority opinion of a population is the option (or abstain) strictly
// leading every other on both area and headcount, a person counting for the
// choice with most of their area, for abstain when abstain ties for most,
// and for no option when only options tie.
//
// In approval mode the winner is the option that passes overall; should a
// lax custom rule let several pass, the most agree headcount, then area,
// wins, and a tie on both leaves the matter undecided; a winner vetoed by a
// zone is not adopted. In plurality mode, advisory, the same ranking applies
// to every option with any support and zones never block. Errors are
// *InputError.
func EvaluateChoice(cm ChoiceMatter, units []Unit, ballots []OptionBallot) (*ChoiceResult, error) {
	if cm.Mode != ChoiceApproval && cm.Mode != ChoicePlurality {
		return nil, inputErr("mode", fmt.Sprintf("unknown choice mode %q: want approval or plurality", cm.Mode))
	}
	index, err := candidateIndex("options", cm.Options)
	if err != nil {
		return nil, err
	}
	m, err := prepare(cm.Rule, cm.Veto, cm.Procedure, units)
	if err != nil {
		return nil, err
	}
	r := m.roll
	m.otherOptions = true
	abstained := len(cm.Options)
	pick := make([]int, len(r.area))
	for i := range pick {
		pick[i] = unballoted
	}
	for i, b := range ballots {
		fail := func(problem string) error { return inputErr(ballotItem(i, b.Unit), problem) }
		u, ok := r.index[b.Unit]
		if !ok {
			return nil, fail("ballot for unknown unit")
		}
		if pick[u] != unballoted {
			return nil, fail("duplicate ballot for the unit")
		}
		switch k, ok := index[b.Option]; {
		case ok:
			pick[u] = k
		case b.Option == "abstain":
			pick[u] = abstained
		case b.Option == "spoiled":
			pick[u] = abstained
			switch spoiledStatus(m.procedure.Spoiled) {
			case bucketNoChoice:
				pick[u] = pickNoChoice
			case noBallot:
				pick[u] = noBallot
			}
		default:
			return nil, fail(fmt.Sprintf("unknown option %q", b.Option))
		}
	}
	settle(m, pick, pickDeemed)
	majority := make([]int, len(r.zones)+1) // overall, then per zone
	var sums []int64
	if m.procedure.Nonresponse == NonresponseDeliveredFollowMajority {
		sums = make([]int64, r.persons*(abstained+1))
	}
	for i := range majority {
		majority[i] = -1
		if sums != nil {
			majority[i] = m.optionMajority(pick, abstained, m.population(i-1), sums)
		}
	}

	res := &ChoiceResult{Options: make([]OptionResult, len(cm.Options))}
	status := make([]int8, len(r.area))
	var contenders []int
	for k, name := range cm.Options {
		for u, p := range pick {
			status[u] = optionStatus(p, k, abstained)
		}
		deemedAs := func(zone int) (int8, Majority) {
			switch mj := majority[zone+1]; {
			case mj < 0:
				return bucketNoChoice, ""
			case mj == abstained:
				return bucketAbstain, "abstain"
			default:
				return optionStatus(mj, k, abstained), Majority(cm.Options[mj])
			}
		}
		or := m.result(status, deemedAs)
		res.Options[k] = OptionResult{Option: name, Result: or}
		if o := &or.Overall; (cm.Mode == ChoiceApproval && o.Passed) || (cm.Mode == ChoicePlurality && o.Agree.Headcount > 0) {
			contenders = append(contenders, k)
		}
	}
	outcome := func(k int) *Outcome { return &res.Options[k].Result.Overall }
	if groups := bySupport(contenders, outcome); len(groups) > 0 && len(groups[0]) == 1 {
		w := groups[0][0]
		if cm.Mode == ChoicePlurality || res.Options[w].Result.Passed {
			res.Decided, res.Winner = true, cm.Options[w]
		}
	}
	return res, nil
}

// optionStatus is the status, in option k's count, of a unit whose pick is
// p.
func optionStatus(p, k, abstained int) int8 {
	switch {
	case p == k:
		return bucketAgree
	case p == abstained:
		return bucketAbstain
	case p >= 0:
		return bucketOppose
	case p == pickNoChoice:
		return bucketNoChoice
	case p == pickDeemed:
		return deemed
	}
	return noBallot
}

// population returns the units of zone z, or of the whole scope for -1.
func (m *matter) population(z int) []int32 {
	if z < 0 {
		return m.roll.all
	}
	return m.roll.byZone[z]
}

// optionMajority is the majority opinion among the actual picks (options
// 0 … abstained-1, and abstained) of members: an index, or -1. sums is
// scratch space of persons × (abstained+1), zero on entry and on return.
func (m *matter) optionMajority(pick []int, abstained int, members []int32, sums []int64) int {
	r, width := m.roll, abstained+1
	area := make([]int64, width)
	var touched []int32
	for _, u := range members {
		p := pick[u]
		if p < 0 {
			continue
		}
		person := r.person[u]
		row := sums[int(person)*width : int(person+1)*width]
		if slices.Max(row) == 0 {
			touched = append(touched, person)
		}
		row[p] += r.area[u]
		area[p] += r.area[u]
	}
	heads := make([]int, width)
	for _, person := range touched {
		row := sums[int(person)*width : int(person+1)*width]
		top := slices.Max(row)
		switch first := slices.Index(row, top); {
		case slices.Index(row[first+1:], top) < 0:
			heads[first] += r.weight[person]
		case row[abstained] == top:
			heads[abstained] += r.weight[person]
		}
		clear(row)
	}
	return leader(area, heads)
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
