package tally_test

import (
	"testing"

	"gongjue/tally"
)

// TestElectionBallotsSpoiled: a paper ballot spoiled on an election reaches
// the quorum package as spoiled — so the frozen spoiled setting decides how
// it counts — and an abstention as a blank ballot.
func TestElectionBallotsSpoiled(t *testing.T) {
	in := tally.Inputs{Ballots: []tally.MatterBallot{
		{Unit: "g1", Choices: []string{"spoiled"}},
		{Unit: "g2", Choices: []string{"abstain"}},
		{Unit: "g3", Choices: []string{"王五", "钱七"}},
	}}
	got := in.ElectionBallots()
	if !got[0].Spoiled || len(got[0].Candidates) != 0 {
		t.Errorf("spoiled: %+v", got[0])
	}
	if got[1].Spoiled || len(got[1].Candidates) != 0 {
		t.Errorf("blank: %+v", got[1])
	}
	if got[2].Spoiled || len(got[2].Candidates) != 2 {
		t.Errorf("candidates: %+v", got[2])
	}
}
