package quorum

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// tenOwners are ten owners p1 … p10 of 100.00 m² in zone z.
func tenOwners() []Unit {
	units := make([]Unit, 10)
	for i := range units {
		units[i] = Unit{ID: fmt.Sprintf("p%d", i+1), Zone: "z", Area: 10000}
	}
	return units
}

// approvals gives p1, p2 … the ballots listed, in order.
func approvals(lists ...[]string) []ElectionBallot {
	b := make([]ElectionBallot, len(lists))
	for i, l := range lists {
		b[i] = ElectionBallot{Unit: fmt.Sprintf("p%d", i+1), Candidates: l}
	}
	return b
}

func repeat(n int, l []string) [][]string {
	out := make([][]string, n)
	for i := range out {
		out[i] = l
	}
	return out
}

func TestEvaluateElection(t *testing.T) {
	abc := Election{Seats: 2, Candidates: []string{"A", "B", "C"}}
	tests := []struct {
		name    string
		units   func([]Unit)
		ballots [][]string
		elected []string
		tied    []string
	}{
		// A 8/10, B 7/10 pass; C 1/10 does not. p10 is blank (abstain).
		{"two pass", nil, slices.Concat(repeat(7, []string{"A", "B"}), [][]string{{"C"}, {"A"}, {}}), []string{"A", "B"}, nil},
		// A 8, B 6, C 6: A is elected, B and C tie for the second seat.
		{"tie for last seat", nil, slices.Concat(repeat(4, []string{"A", "B"}), repeat(4, []string{"A", "C"}), repeat(2, []string{"B", "C"})), []string{"A"}, []string{"B", "C"}},
		// The same, but p1 (A, B) has 100.01 m²: B leads C on area.
		{"area breaks the tie", func(u []Unit) { u[0].Area = 10001 },
			slices.Concat(repeat(4, []string{"A", "B"}), repeat(4, []string{"A", "C"}), repeat(2, []string{"B", "C"})), []string{"A", "B"}, nil},
		// Five of ten for A is not more than half.
		{"half is not enough", nil, slices.Concat(repeat(5, []string{"A"}), repeat(5, []string{"B"})), []string{}, nil},
		// Six voters miss participation (6/10 < 2/3) though all approve A.
		{"participation missed", nil, repeat(6, []string{"A"}), []string{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			units := tenOwners()
			if tt.units != nil {
				tt.units(units)
			}
			res, err := EvaluateElection(OrdinaryRule, Procedure{}, abc, units, approvals(tt.ballots...))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Elected, tt.elected) || !slices.Equal(res.Tied, tt.tied) || res.Vacant != 2-len(tt.elected) {
				t.Errorf("elected %v tied %v vacant %d, want %v %v", res.Elected, res.Tied, res.Vacant, tt.elected, tt.tied)
			}
			for _, c := range res.Candidates {
				if c.Elected != slices.Contains(tt.elected, c.Candidate) {
					t.Errorf("%s elected = %v", c.Candidate, c.Elected)
				}
			}
		})
	}
}

func TestZonedElection(t *testing.T) {
	units := []Unit{
		{ID: "m1", Zone: "多层", Area: 9000, Owner: "x"},
		{ID: "m2", Zone: "多层", Area: 9000},
		{ID: "m3", Zone: "多层", Area: 9000},
		{ID: "v1", Zone: "别墅", Area: 30000, Owner: "x"}, // x owns in both zones and votes in each
		{ID: "v2", Zone: "别墅", Area: 30000},
		{ID: "s1", Zone: "商铺", Area: 5000},
	}
	zones := map[string]Election{
		"多层": {Seats: 1, Candidates: []string{"X", "Y"}},
		"别墅": {Seats: 1, Candidates: []string{"V"}},
	}
	ballots := []ElectionBallot{{Unit: "m1", Candidates: []string{"X"}}, {Unit: "m2", Candidates: []string{"X"}}, {Unit: "m3", Candidates: []string{"Y"}}, {Unit: "v1", Candidates: []string{"V"}}, {Unit: "v2"}, {Unit: "s1"}}
	res, err := EvaluateZonedElection(OrdinaryRule, Procedure{}, zones, units, ballots)
	if err != nil {
		t.Fatal(err)
	}
	// 多层: X 2/3 heads and area → elected. 别墅: V 1 of 2 heads is not more than half.
	if got := res["多层"]; !slices.Equal(got.Elected, []string{"X"}) || got.Candidates[0].Eligible.Headcount != 3 {
		t.Errorf("多层: %+v", got)
	}
	if got := res["别墅"]; len(got.Elected) != 0 || got.Vacant != 1 || got.Candidates[0].Agree.Headcount != 1 {
		t.Errorf("别墅: %+v", got)
	}
	if _, ok := res["商铺"]; ok {
		t.Error("商铺 elects no one but has a result")
	}

	bad := []struct {
		name    string
		zones   map[string]Election
		ballots []ElectionBallot
		want    string
	}{
		{"approval in a zone without election", zones, []ElectionBallot{{Unit: "s1", Candidates: []string{"X"}}}, `ballots[0] (unit "s1"): zone "商铺" elects no one`},
		{"candidate of another zone", zones, []ElectionBallot{{Unit: "m1", Candidates: []string{"V"}}}, `unknown candidate "V"`},
		{"more approvals than seats", zones, []ElectionBallot{{Unit: "m1", Candidates: []string{"X", "Y"}}}, `approves 2 candidates for 1 seats`},
		{"unknown zone", map[string]Election{"花园": {Seats: 1}}, nil, `zones["花园"]: unknown zone`},
		{"no seats", map[string]Election{"多层": {Seats: 0}}, nil, `zones["多层"].seats: 0 seats`},
	}
	for _, tt := range bad {
		if res, err := EvaluateZonedElection(OrdinaryRule, Procedure{}, tt.zones, units, tt.ballots); err == nil || res != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, %v; want error with %q", tt.name, res, err, tt.want)
		}
	}
}

func TestElectionErrors(t *testing.T) {
	abc := Election{Seats: 2, Candidates: []string{"A", "B", "C"}}
	tests := []struct {
		name    string
		e       Election
		ballots []ElectionBallot
		want    string
	}{
		{"more approvals than seats", abc, approvals([]string{"A", "B", "C"}), `ballots[0] (unit "p1"): approves 3 candidates for 2 seats`},
		{"same candidate twice", abc, approvals([]string{"A", "A"}), `approves "A" twice`},
		{"unknown candidate", abc, approvals([]string{"D"}), `unknown candidate "D"`},
		{"duplicate ballot", abc, []ElectionBallot{{Unit: "p1", Candidates: nil}, {Unit: "p1", Candidates: []string{"A"}}}, "duplicate ballot"},
		{"unknown unit", abc, []ElectionBallot{{Unit: "q", Candidates: nil}}, "unknown unit"},
		{"duplicate candidate", Election{Seats: 1, Candidates: []string{"A", "A"}}, nil, `election.candidates[1]: duplicate "A"`},
	}
	for _, tt := range tests {
		if res, err := EvaluateElection(OrdinaryRule, Procedure{}, tt.e, tenOwners(), tt.ballots); err == nil || res != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, %v; want error with %q", tt.name, res, err, tt.want)
		}
	}
}

// Elections count non-response and spoiled ballots per §3.5, but have no
// single majority opinion to follow: delivered-follow-majority counts as
// delivered-participate. Six of ten approve A; p7 is spoiled; p8–p10 were
// delivered their ballots and did not vote.
func TestElectionProcedure(t *testing.T) {
	units := tenOwners()
	for i := 7; i < 10; i++ {
		units[i].Delivered = true
	}
	ballots := append(approvals(repeat(6, []string{"A"})...), ElectionBallot{Unit: "p7", Spoiled: true})
	e := Election{Seats: 1, Candidates: []string{"A"}}
	tests := []struct {
		p    Procedure
		want string // A's overall outcome
	}{
		{Procedure{}, "e 10/1000 p 7/700 a 6/600 o 0/0 b 1/100 n 0/0 d 0/0 m - true true true"},
		{Procedure{Spoiled: SpoiledParticipating}, "e 10/1000 p 7/700 a 6/600 o 0/0 b 0/0 n 1/100 d 0/0 m - true true true"},
		{Procedure{Spoiled: SpoiledExcluded}, "e 10/1000 p 6/600 a 6/600 o 0/0 b 0/0 n 0/0 d 0/0 m - false true false"},
		{participate, "e 10/1000 p 10/1000 a 6/600 o 0/0 b 1/100 n 3/300 d 3/300 m - true true true"},
		{following, "e 10/1000 p 10/1000 a 6/600 o 0/0 b 1/100 n 3/300 d 3/300 m - true true true"},
	}
	for _, tt := range tests {
		res, err := EvaluateElection(OrdinaryRule, tt.p, e, units, ballots)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(res.Candidates[0].Outcome); got != tt.want {
			t.Errorf("%+v:\n got %s\nwant %s", tt.p, got, tt.want)
		}
	}
	if _, err := EvaluateElection(OrdinaryRule, Procedure{}, e, units, []ElectionBallot{{Unit: "p1", Candidates: []string{"A"}, Spoiled: true}}); err == nil || !strings.Contains(err.Error(), "a spoiled ballot approves no one") {
		t.Errorf("spoiled ballot approving a candidate: %v", err)
	}
}
