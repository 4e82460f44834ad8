package tally

import (
	"fmt"
	"slices"
	"sync"

	"gongjue/quorum"
)

// MatterBallot is one unit's counted ballot on one matter: its choices as
// cast_choices holds them — agree / oppose / abstain / spoiled for an
// approve matter, an option (or abstain / spoiled) for a choice matter, the
// approved candidates for an election (none, or abstain / spoiled, is a
// blank ballot).
type MatterBallot struct {
	Unit    string
	Choices []string
}

// Decide fills m.Result: the quorum package's verdict on the matter over
// the population units, under the consultation's veto arrangement and
// rules of procedure p (DESIGN §3.5; units carry Delivered).
//
// A choice matter is decided by quorum.EvaluateChoice, which gives each
// option's §4 object with the zone veto of §3.2: a winner vetoed by a zone
// leaves the matter undecided (in approval mode; plurality is advisory and
// ignores vetoes). An election is decided by quorum.EvaluateElection;
// elections take no zone veto (zones are represented by per-zone seats), so
// zones are shown for information (veto mode none) and never block a seat.
func Decide(m *Matter, veto quorum.Veto, p quorum.Procedure, mode quorum.ChoiceMode, units []quorum.Unit, ballots []MatterBallot) error {
	switch m.Kind {
	case KindApprove:
		bs := make([]quorum.Ballot, len(ballots))
		for i, b := range ballots {
			if len(b.Choices) != 1 {
				return fmt.Errorf("tally: matter %d: unit %q has %d choices, want one", m.ID, b.Unit, len(b.Choices))
			}
			c, err := quorum.ParseChoice(b.Choices[0])
			if err != nil {
				return fmt.Errorf("tally: matter %d: unit %q: %w", m.ID, b.Unit, err)
			}
			bs[i] = quorum.Ballot{Unit: b.Unit, Choice: c}
		}
		r, err := quorum.Evaluate(&quorum.Scenario{Rule: m.Rule, Veto: veto, Procedure: p, Units: units, Ballots: bs})
		if err != nil {
			return fmt.Errorf("tally: matter %d: %w", m.ID, err)
		}
		m.Result = r
	case KindChoice:
		return decideChoice(m, veto, p, mode, units, ballots)
	case KindElection:
		return decideElection(m, p, units, ballots)
	default:
		return fmt.Errorf("tally: matter %d: unknown kind %q", m.ID, m.Kind)
	}
	return nil
}

func decideChoice(m *Matter, veto quorum.Veto, p quorum.Procedure, mode quorum.ChoiceMode, units []quorum.Unit, ballots []MatterBallot) error {
	if mode == "" {
		mode = quorum.ChoiceApproval
	}
	obs := make([]quorum.OptionBallot, len(ballots))
	for i, b := range ballots {
		if len(b.Choices) != 1 {
			return fmt.Errorf("tally: matter %d: unit %q has %d choices, want one", m.ID, b.Unit, len(b.Choices))
		}
		obs[i] = quorum.OptionBallot{Unit: b.Unit, Option: b.Choices[0]}
	}
	cm := quorum.ChoiceMatter{Rule: m.Rule, Mode: mode, Veto: veto, Procedure: p, Options: m.Options}
	cr, err := quorum.EvaluateChoice(cm, units, obs)
	if err != nil {
		return fmt.Errorf("tally: matter %d: %w", m.ID, err)
	}
	res := &ChoiceResult{Mode: mode, Options: make(map[string]*quorum.Result, len(cr.Options)), Decided: cr.Decided, Winner: cr.Winner}
	for _, o := range cr.Options {
		res.Options[o.Option] = o.Result
	}
	m.Result = res
	return nil
}

func decideElection(m *Matter, p quorum.Procedure, units []quorum.Unit, ballots []MatterBallot) error {
	ebs := electionBallots(ballots)
	// An election has no single majority opinion to follow (§3.5).
	if p.Nonresponse == quorum.NonresponseDeliveredFollowMajority {
		p.Nonresponse = quorum.NonresponseDeliveredParticipate
	}
	seats := m.Seats
	if seats < 1 {
		seats = 1
	}
	er, err := quorum.EvaluateElection(m.Rule, p, quorum.Election{Seats: seats, Candidates: m.Options}, units, ebs)
	if err != nil {
		return fmt.Errorf("tally: matter %d: %w", m.ID, err)
	}
	res := &ElectionResult{
		Seats:      er.Seats,
		Candidates: make(map[string]*CandidateResult, len(m.Options)),
		Elected:    er.Elected,
		Tied:       er.Tied,
		Vacant:     er.Vacant,
	}
	cands := make([]*CandidateResult, len(er.Candidates))
	err = parallel(len(er.Candidates), func(k int) error {
		co := er.Candidates[k]
		bs := make([]quorum.Ballot, len(ebs))
		for i, b := range ebs {
			c := quorum.Abstain
			switch {
			case b.Spoiled:
				c = quorum.Spoiled
			case slices.Contains(b.Candidates, co.Candidate):
				c = quorum.Agree
			case len(b.Candidates) > 0:
				c = quorum.Oppose
			}
			bs[i] = quorum.Ballot{Unit: b.Unit, Choice: c}
		}
		r, err := quorum.Evaluate(&quorum.Scenario{Rule: m.Rule, Procedure: p, Units: units, Ballots: bs})
		if err != nil {
			return fmt.Errorf("tally: matter %d, candidate %q: %w", m.ID, co.Candidate, err)
		}
		cands[k] = &CandidateResult{Result: *r, Elected: co.Elected}
		return nil
	})
	if err != nil {
		return err
	}
	for k, co := range er.Candidates {
		res.Candidates[co.Candidate] = cands[k]
	}
	m.Result = res
	return nil
}

// parallel runs fn(0) … fn(n-1) concurrently and returns the first error
// by index. Package quorum is pure, so evaluations of one matter's options,
// or of several matters, may run side by side.
func parallel(n int, fn func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
