package tally

// inputs.go turns a consultation's ballots into the quorum package's inputs
// with ONE SQL aggregation, never a loop over ballots in Go.
//
// Article 278 counts area and persons, and the quorum package counts a
// person under the choice carrying most of their balloted area in the
// population. Units of the same zone and person that voted alike (or did
// not vote) are therefore interchangeable: the aggregation groups the
// ballots snapshot (ballots: zone, person_key, area_centi — copied at
// opening, so a later roll import changes nothing) by zone, person and the
// set of choices on the matter, summing the area, and each group becomes
// one synthetic quorum.Unit: ID "g1", "g2" …, the zone, the summed area, and
// Owner = person_key. person_key already encodes the headcount rule (all
// developer-held units are the person "developer", one owner's units are
// "owner:KEY", any other unit is "unit:ID"; the prefixes keep the three
// apart), so quorum sees exactly the persons, areas and choices of the raw
// units, and every verdict — overall, per zone, per option or candidate —
// is the one it would give on the units themselves (inputs_test.go checks
// this against the raw per-unit data). A matter with n units yields at most
// n groups and usually far fewer.

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/quorum"
)

// Group is units of one zone and one person that voted alike on a matter,
// or did not vote on it.
type Group struct {
	Zone    string
	Person  string      // units.person_key: "developer", "owner:KEY" or "unit:ID"
	Choices []string    // the cast_choices of each unit, sorted; nil when they did not vote
	Area    quorum.Area // summed
	Units   int
}

// Inputs are one matter's quorum inputs: its population as one synthetic
// unit per Group, and the ballots of the groups that voted, in the
// MatterBallot form Decide takes. A group that voted has exactly one ballot
// under its unit's ID.
type Inputs struct {
	MatterID int64
	Groups   []Group
	Units    []quorum.Unit
	Ballots  []MatterBallot
}

func (in *Inputs) add(g Group) {
	id := "g" + strconv.Itoa(len(in.Units)+1)
	in.Groups = append(in.Groups, g)
	in.Units = append(in.Units, quorum.Unit{ID: id, Zone: g.Zone, Area: g.Area, Owner: g.Person})
	if g.Choices != nil {
		in.Ballots = append(in.Ballots, MatterBallot{Unit: id, Choices: g.Choices})
	}
}

// Load aggregates a consultation's ballots into the inputs of each of its
// matters, in matter order, in one query. Run it in the transaction whose
// snapshot the result must reflect.
func Load(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]Inputs, error) {
	rows, err := q.QueryContext(ctx, `
		WITH picked AS (
			SELECT x.matter_id, x.unit_id, array_agg(x.choice ORDER BY x.choice COLLATE "C") AS choices
			FROM cast_choices x
			WHERE x.community_id = $1 AND x.consultation_id = $2
			GROUP BY x.matter_id, x.unit_id
		)
		SELECT m.id, b.zone, b.person_key, p.choices, sum(b.area_centi)::bigint AS area, count(b.unit_id) AS units
		FROM matters m
		LEFT JOIN ballots b ON b.community_id = m.community_id AND b.consultation_id = m.consultation_id
		LEFT JOIN picked p ON p.matter_id = m.id AND p.unit_id = b.unit_id
		WHERE m.community_id = $1 AND m.consultation_id = $2
		GROUP BY m.position, m.id, b.zone, b.person_key, p.choices
		ORDER BY m.position, b.zone COLLATE "C", b.person_key COLLATE "C", p.choices::text COLLATE "C"`,
		communityID, consultationID)
	if err != nil {
		return nil, fmt.Errorf("tally: aggregating ballots: %w", err)
	}
	defer rows.Close()
	var out []Inputs
	for rows.Next() {
		var matterID int64
		var zone, person *string
		var choices pq.StringArray
		var area *int64
		var units int
		if err := rows.Scan(&matterID, &zone, &person, &choices, &area, &units); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].MatterID != matterID {
			out = append(out, Inputs{MatterID: matterID, Units: []quorum.Unit{}, Ballots: []MatterBallot{}})
		}
		if zone == nil { // a matter of a consultation without ballots
			continue
		}
		g := Group{Zone: *zone, Person: *person, Area: quorum.Area(*area), Units: units}
		if choices != nil {
			g.Choices = []string(choices)
		}
		out[len(out)-1].add(g)
	}
	return out, rows.Err()
}

// LoadMatter is Load for one matter; ErrNoMatter when the consultation has
// no such matter.
func LoadMatter(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID, matterID int64) (*Inputs, error) {
	all, err := Load(ctx, q, communityID, consultationID)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].MatterID == matterID {
			return &all[i], nil
		}
	}
	return nil, fmt.Errorf("%w: %d", ErrNoMatter, matterID)
}

// ErrNoMatter is returned for a matter the consultation does not have.
var ErrNoMatter = fmt.Errorf("tally: no such matter")

// LoadTurnout aggregates who took part at all — a counted ballot, whatever
// it says — into inputs in the same form: the groups that voted carry the
// single choice "abstain", so quorum.Evaluate of TurnoutScenario reports
// participation (eligible and participating, area and headcount, overall
// and per zone) and nothing else.
func LoadTurnout(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) (*Inputs, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT b.zone, b.person_key, k.unit_id IS NOT NULL AS voted, sum(b.area_centi)::bigint AS area, count(*) AS units
		FROM ballots b
		LEFT JOIN casts k ON k.community_id = b.community_id AND k.consultation_id = b.consultation_id AND k.unit_id = b.unit_id
		WHERE b.community_id = $1 AND b.consultation_id = $2
		GROUP BY b.zone, b.person_key, voted
		ORDER BY b.zone COLLATE "C", b.person_key COLLATE "C", voted`,
		communityID, consultationID)
	if err != nil {
		return nil, fmt.Errorf("tally: aggregating turnout: %w", err)
	}
	defer rows.Close()
	in := &Inputs{Units: []quorum.Unit{}, Ballots: []MatterBallot{}}
	for rows.Next() {
		var g Group
		var voted bool
		var area int64
		if err := rows.Scan(&g.Zone, &g.Person, &voted, &area, &g.Units); err != nil {
			return nil, err
		}
		g.Area = quorum.Area(area)
		if voted {
			g.Choices = []string{"abstain"}
		}
		in.add(g)
	}
	return in, rows.Err()
}

// Scenario is the quorum scenario of an approve matter's inputs under rule
// and veto. Choices other than agree / oppose / abstain / spoiled, or more
// than one per ballot, are an error: they cannot be an approve matter's.
func (in *Inputs) Scenario(rule quorum.Rule, veto quorum.Veto) (*quorum.Scenario, error) {
	s := &quorum.Scenario{Rule: rule, Veto: veto, Units: in.Units, Ballots: make([]quorum.Ballot, len(in.Ballots))}
	for i, b := range in.Ballots {
		if len(b.Choices) != 1 {
			return nil, fmt.Errorf("tally: matter %d: %d choices on one ballot of an approve matter", in.MatterID, len(b.Choices))
		}
		c, err := quorum.ParseChoice(b.Choices[0])
		if err != nil {
			return nil, fmt.Errorf("tally: matter %d: %w", in.MatterID, err)
		}
		s.Ballots[i] = quorum.Ballot{Unit: b.Unit, Choice: c}
	}
	return s, nil
}

// TurnoutScenario is the scenario of LoadTurnout's inputs under rule (whose
// participation part is what matters) and veto.
func (in *Inputs) TurnoutScenario(rule quorum.Rule, veto quorum.Veto) *quorum.Scenario {
	s, err := in.Scenario(rule, veto)
	if err != nil {
		panic(err) // LoadTurnout's ballots are all "abstain"
	}
	return s
}

// OptionBallots are a choice matter's ballots for quorum.EvaluateChoice.
func (in *Inputs) OptionBallots() ([]quorum.OptionBallot, error) {
	out := make([]quorum.OptionBallot, len(in.Ballots))
	for i, b := range in.Ballots {
		if len(b.Choices) != 1 {
			return nil, fmt.Errorf("tally: matter %d: %d choices on one ballot of a choice matter", in.MatterID, len(b.Choices))
		}
		out[i] = quorum.OptionBallot{Unit: b.Unit, Option: b.Choices[0]}
	}
	return out, nil
}

// ElectionBallots are an election's ballots for quorum.EvaluateElection:
// abstain and spoiled make a blank ballot.
func (in *Inputs) ElectionBallots() []quorum.ElectionBallot {
	out := make([]quorum.ElectionBallot, len(in.Ballots))
	for i, b := range in.Ballots {
		cands := []string{}
		for _, c := range b.Choices {
			if c != "abstain" && c != "spoiled" {
				cands = append(cands, c)
			}
		}
		out[i] = quorum.ElectionBallot{Unit: b.Unit, Candidates: cands}
	}
	return out
}
