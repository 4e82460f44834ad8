package quorum

import (
	"fmt"
	"maps"
	"slices"
)

// ElectionBallot is the counted ballot of one unit in an election: the
// candidates it approves, at most the number of seats. An empty list is a
// blank (abstaining) ballot; a spoiled one approves no one and counts as
// the procedure says.
type ElectionBallot struct {
	Unit       string
	Candidates []string
	Spoiled    bool
}

// Election is one body to elect: its seats and candidates. A zone of a "1+N"
// election may have no candidates; its seats then stay vacant (the assembly
// may entrust the zone to the residents' committee).
type Election struct {
	Seats      int
	Candidates []string
}

// CandidateOutcome is the rule evaluated for one candidate, counted like
// agree: a ballot approving the candidate is agree, a ballot approving only
// others is oppose, a blank ballot is abstain.
type CandidateOutcome struct {
	Candidate string `json:"candidate"`
	Outcome
	Elected bool `json:"elected"`
}

// ElectionResult is the verdict of one election. Seats go to the candidates
// that pass, by headcount then area; candidates that pass but tie exactly for
// the last seats are listed in Tied and those seats stay vacant for a further
// round, since no lawful tie-break exists.
type ElectionResult struct {
	Seats      int                `json:"seats"`
	Candidates []CandidateOutcome `json:"candidates"` // in the order given
	Elected    []string           `json:"elected"`    // by support, strongest first
	Tied       []string           `json:"tied,omitempty"`
	Vacant     int                `json:"vacant"`
}

// EvaluateElection elects e's candidates over the population units. A
// candidate is elected when passing under rule: Article 278 makes electing
// the committee an ordinary matter, so pass OrdinaryRule or an estate's
// stricter rule. Non-response and spoiled ballots count per p (§3.5), a
// deemed owner following no majority: an election has no single majority
// opinion, so delivered-follow-majority counts as delivered-participate.
// Errors are *InputError, including a ballot approving more candidates than
// there are seats.
func EvaluateElection(rule Rule, p Procedure, e Election, units []Unit, ballots []ElectionBallot) (*ElectionResult, error) {
	index, err := e.index("election")
	if err != nil {
		return nil, err
	}
	el, err := newElectorate(rule, p, units)
	if err != nil {
		return nil, err
	}
	err = el.cast(ballots, func(string) (*Election, map[string]int) { return &e, index })
	if err != nil {
		return nil, err
	}
	return el.elect(el.m.roll.all, &e), nil
}

// EvaluateZonedElection runs a "1+N" election: each zone named in zones
// elects its own members from its own candidates, its population being the
// zone's units alone. Units of zones not named cannot approve anyone.
// Procedure p applies as in EvaluateElection.
func EvaluateZonedElection(rule Rule, p Procedure, zones map[string]Election, units []Unit, ballots []ElectionBallot) (map[string]*ElectionResult, error) {
	el, err := newElectorate(rule, p, units)
	if err != nil {
		return nil, err
	}
	indexes := make(map[string]map[string]int, len(zones))
	for _, name := range slices.Sorted(maps.Keys(zones)) {
		item := fmt.Sprintf("zones[%q]", name)
		if el.m.roll.zone(name) < 0 {
			return nil, inputErr(item, "unknown zone: no unit is in it")
		}
		e := zones[name]
		if indexes[name], err = e.index(item); err != nil {
			return nil, err
		}
	}
	err = el.cast(ballots, func(zone string) (*Election, map[string]int) {
		if e, ok := zones[zone]; ok {
			return &e, indexes[zone]
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	res := make(map[string]*ElectionResult, len(zones))
	for name, e := range zones {
		res[name] = el.elect(el.m.roll.byZone[el.m.roll.zone(name)], &e)
	}
	return res, nil
}

// index checks the seats and candidates and indexes the candidates.
func (e *Election) index(item string) (map[string]int, error) {
	if e.Seats < 1 {
		return nil, inputErr(item+".seats", fmt.Sprintf("%d seats; want at least 1", e.Seats))
	}
	return candidateIndex(item+".candidates", e.Candidates)
}

// electorate is an election's validated roll and each unit's ballot.
type electorate struct {
	m      *matter
	ballot [][]string // per unit: the approved candidates, when base is approves
	base   []int8     // per unit: its status for every candidate, or approves
}

// approves is the base status of a ballot approving candidates: agree for
// those, oppose for the others.
const approves = -6

func newElectorate(rule Rule, p Procedure, units []Unit) (*electorate, error) {
	m, err := prepare(rule, Veto{}, p, units)
	if err != nil {
		return nil, err
	}
	return &electorate{m: m, ballot: make([][]string, len(m.roll.area)), base: m.roll.unballoted()}, nil
}

// cast records the ballots, checking each against the election of its
// unit's zone as electionOf returns it (nil: the zone elects no one).
func (el *electorate) cast(ballots []ElectionBallot, electionOf func(zone string) (*Election, map[string]int)) error {
	r := el.m.roll
	for i, b := range ballots {
		fail := func(problem string) error { return inputErr(ballotItem(i, b.Unit), problem) }
		u, ok := r.index[b.Unit]
		switch {
		case !ok:
			return fail("ballot for unknown unit")
		case el.base[u] != unballoted:
			return fail("duplicate ballot for the unit")
		case b.Spoiled && len(b.Candidates) > 0:
			return fail("a spoiled ballot approves no one")
		}
		zone := r.zones[r.zoneOf[u]]
		e, index := electionOf(zone)
		switch {
		case e == nil && len(b.Candidates) > 0:
			return fail(fmt.Sprintf("zone %q elects no one", zone))
		case e != nil && len(b.Candidates) > e.Seats:
			return fail(fmt.Sprintf("approves %d candidates for %d seats", len(b.Candidates), e.Seats))
		}
		for j, name := range b.Candidates {
			if _, known := index[name]; !known {
				return fail(fmt.Sprintf("unknown candidate %q", name))
			}
			if slices.Contains(b.Candidates[:j], name) {
				return fail(fmt.Sprintf("approves %q twice", name))
			}
		}
		switch {
		case b.Spoiled:
			el.base[u] = spoiledStatus(el.m.procedure.Spoiled)
		case len(b.Candidates) == 0:
			el.base[u] = bucketAbstain
		default:
			el.base[u] = approves
			el.ballot[u] = slices.Clone(b.Candidates)
		}
	}
	settle(el.m, el.base, deemed)
	return nil
}

// elect counts every candidate of e over members and fills the seats.
func (el *electorate) elect(members []int32, e *Election) *ElectionResult {
	res := &ElectionResult{Seats: e.Seats, Candidates: make([]CandidateOutcome, len(e.Candidates)), Elected: []string{}}
	status := make([]int8, len(el.base))
	var passing []int
	for k, name := range e.Candidates {
		for _, u := range members {
			switch s := el.base[u]; {
			case s != approves:
				status[u] = s
			case slices.Contains(el.ballot[u], name):
				status[u] = bucketAgree
			default:
				status[u] = bucketOppose
			}
		}
		res.Candidates[k] = CandidateOutcome{Candidate: name, Outcome: el.m.counter.count(members, status, el.m.rule, bucketNoChoice)}
		if res.Candidates[k].Passed {
			passing = append(passing, k)
		}
	}
	outcome := func(k int) *Outcome { return &res.Candidates[k].Outcome }
	for _, group := range bySupport(passing, outcome) {
		if len(res.Elected)+len(group) > e.Seats {
			if len(res.Elected) < e.Seats {
				for _, k := range group {
					res.Tied = append(res.Tied, e.Candidates[k])
				}
			}
			break
		}
		for _, k := range group {
			res.Candidates[k].Elected = true
			res.Elected = append(res.Elected, e.Candidates[k])
		}
	}
	res.Vacant = e.Seats - len(res.Elected)
	return res
}
