package tally

// inputs.go turns a consultation's ballots into the quorum package's inputs
// with ONE SQL aggregation, never a loop over ballots in Go.
//
// Article 278 counts area and persons, and the quorum package counts a
// person under the choice carrying most of their balloted area in the
// population. Units that voted alike (or did not vote) are therefore
// interchangeable within a zone, person by person: the aggregation groups
// the ballots snapshot (ballots: zone, person_key, area_centi — copied at
// opening, so a later roll import changes nothing, and copied again with
// each cast) by zone, choices on the matter and — only for a person
// holding several units in the scope — the person, summing the area. Each group becomes one synthetic quorum.Unit
// ("g1", "g2" …): a person's group carries Owner = person_key, which
// already encodes the headcount rule (all developer-held units are the
// person "developer", one owner's units are "owner:KEY", any other unit is
// "unit:ID"); a group of single-unit persons carries Persons = its units.
// So quorum sees exactly the persons, areas and choices of the raw units,
// and every verdict — overall, per zone, per option or candidate — is the
// one it would give on the units themselves (inputs_test.go checks this
// against the raw per-unit data), while a vote of 100,000 units comes down
// to a few thousand groups.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/postgres"
	"gongjue/quorum"
)

// Group is units of one zone and delivery that voted alike on a matter, or
// did not vote on it: either all the units of one person holding several, or units each
// of whose owners holds no other.
type Group struct {
	Zone      string
	Person    string      // units.person_key of a person holding several units; "" for single-unit persons
	Choices   []string    // the cast_choices of each unit, sorted; nil when they did not vote
	Area      quorum.Area // summed
	Units     int
	Delivered bool // the units' ballots were effectively delivered (§3.5)
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
	u := quorum.Unit{ID: id, Zone: g.Zone, Area: g.Area, Owner: g.Person, Delivered: g.Delivered}
	if g.Person == "" {
		u.Persons = g.Units
	}
	in.Units = append(in.Units, u)
	if g.Choices != nil {
		in.Ballots = append(in.Ballots, MatterBallot{Unit: id, Choices: g.Choices})
	}
}

// Load aggregates a consultation's ballots into the inputs of each of its
// matters, in matter order. Run it in the transaction whose snapshot the
// result must reflect.
//
// The aggregation is one query grouping the units by zone, person (only
// when ballots.person_shared) and whole ballot — the choice set stored
// with each cast, every matter's choices at once — so it reads each
// ballot and cast once, joins nothing and gathers no unit's choices. Each
// matter's groups are then merged from the few thousand rows it returns.
func Load(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]Inputs, error) {
	var matters []int64
	if err := sqlx.SelectContext(ctx, q, &matters, `
		SELECT id FROM matters WHERE community_id = $1 AND consultation_id = $2 ORDER BY position`,
		communityID, consultationID); err != nil {
		return nil, fmt.Errorf("tally: listing matters: %w", err)
	}
	// One statement, so one snapshot, of two single-table aggregations: the
	// population of each zone and person (shared persons only) from the
	// ballots, and the casts grouped by zone, person and choice set — kept
	// with each cast (migration 0007), so no join and no gathering of
	// cast_choices. A unit that did not vote is the population less the
	// casts of its zone and person.
	//
	// Delivery (the view delivered_units, §3.5) matters to a unit without
	// a counted ballot, or with a spoiled one the rules exclude: it is
	// deemed. The two aggregations count every unit as undelivered; two
	// more, of the delivered units alone (a join over the few the ledger
	// verified, nothing when it is empty), move those across, so an estate
	// without deliveries pays nothing for them.
	rows, err := q.QueryContext(ctx, `
		SELECT false AS voted, false AS delivered, zone, CASE WHEN person_shared THEN person_key END AS person,
		       NULL::bigint[] AS matter_ids, NULL::text[] AS choices, sum(area_centi)::bigint AS area, count(*) AS units
		FROM ballots WHERE community_id = $1 AND consultation_id = $2
		GROUP BY zone, person
		UNION ALL
		SELECT true, false, zone, shared_person, matter_ids, choices, sum(area_centi)::bigint, count(*)
		FROM casts WHERE community_id = $1 AND consultation_id = $2
		GROUP BY zone, shared_person, matter_ids, choices
		UNION ALL
		SELECT false, true, b.zone, CASE WHEN b.person_shared THEN b.person_key END AS person,
		       NULL, NULL, sum(b.area_centi)::bigint, count(*)
		FROM delivered_units d JOIN ballots b USING (community_id, consultation_id, unit_id)
		WHERE d.community_id = $1 AND d.consultation_id = $2
		GROUP BY b.zone, person
		UNION ALL
		SELECT true, true, c.zone, c.shared_person, c.matter_ids, c.choices, sum(c.area_centi)::bigint, count(*)
		FROM delivered_units d JOIN casts c USING (community_id, consultation_id, unit_id)
		WHERE d.community_id = $1 AND d.consultation_id = $2
		GROUP BY c.zone, c.shared_person, c.matter_ids, c.choices`,
		communityID, consultationID)
	if err != nil {
		return nil, fmt.Errorf("tally: aggregating ballots: %w", err)
	}
	defer rows.Close()
	type place struct {
		zone, person string
		delivered    bool
	}
	type key struct {
		place
		voted   bool
		choices string // the sorted choices, NUL-separated (text cannot hold NUL)
	}
	type total struct {
		area  quorum.Area
		units int
	}
	plus := func(a, b total, sign int) total {
		return total{a.area + quorum.Area(sign)*b.area, a.units + sign*b.units}
	}
	// Each matter's groups, in the order first met: quorum's verdicts do
	// not depend on the order of units.
	index := make([]map[key]int, len(matters))
	groups := make([][]Group, len(matters))
	for i := range matters {
		index[i] = make(map[key]int, 1024)
	}
	add := func(i int, k key, picked []string, t total, sign int) {
		n, ok := index[i][k]
		if !ok {
			n = len(groups[i])
			index[i][k] = n
			g := Group{Zone: k.zone, Person: k.person, Delivered: k.delivered}
			if k.voted {
				g.Choices = slices.Clone(picked)
			}
			groups[i] = append(groups[i], g)
		}
		groups[i][n].Area += quorum.Area(sign) * t.area
		groups[i][n].Units += sign * t.units
	}
	var places []place // in the order met, each once
	listed := map[place]bool{}
	population, voters := map[place]total{}, map[place]total{}
	var picked []string
	for rows.Next() {
		var voted, delivered bool
		var zone string
		var person sql.NullString
		var ms pq.Int64Array
		var cs pq.StringArray
		var area int64
		var units int
		if err := rows.Scan(&voted, &delivered, &zone, &person, &ms, &cs, &area, &units); err != nil {
			return nil, err
		}
		// A delivered row moves its units from the undelivered place
		// (from) to the delivered one (to).
		to, t := place{zone, person.String, delivered}, total{quorum.Area(area), units}
		from := place{zone, person.String, false}
		if !voted {
			if !listed[to] {
				places, listed[to] = append(places, to), true
			}
			population[to] = plus(population[to], t, 1)
			if delivered {
				population[from] = plus(population[from], t, -1)
			}
			continue
		}
		voters[to] = plus(voters[to], t, 1)
		if delivered {
			voters[from] = plus(voters[from], t, -1)
		}
		for i, id := range matters {
			picked = picked[:0]
			for j, m := range ms {
				if m == id {
					picked = append(picked, cs[j])
				}
			}
			slices.Sort(picked)
			k := key{to, len(picked) > 0, strings.Join(picked, "\x00")}
			add(i, k, picked, t, 1)
			if delivered {
				k.place = from
				add(i, k, picked, t, -1)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range places {
		rest := plus(population[p], voters[p], -1)
		if rest.units == 0 {
			continue
		}
		for i := range matters {
			add(i, key{place: p}, nil, rest, 1)
		}
	}
	out := make([]Inputs, len(matters))
	for i, id := range matters {
		n := len(groups[i])
		out[i] = Inputs{MatterID: id, Groups: make([]Group, 0, n), Units: make([]quorum.Unit, 0, n), Ballots: make([]MatterBallot, 0, n)}
		for _, g := range groups[i] {
			if g.Units > 0 { // not a group whose units were all delivered
				out[i].add(g)
			}
		}
	}
	return out, nil
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
	// The population is the ballots' (cached once the consultation is
	// open: they never change); the voters are aggregated from the casts
	// alone.
	population, err := postgres.BallotPopulation(ctx, q, communityID, consultationID)
	if err != nil {
		return nil, fmt.Errorf("tally: aggregating the ballots: %w", err)
	}
	rows, err := q.QueryContext(ctx, `
		SELECT zone, shared_person, sum(area_centi)::bigint, count(*)
		FROM casts WHERE community_id = $1 AND consultation_id = $2
		GROUP BY zone, shared_person`,
		communityID, consultationID)
	if err != nil {
		return nil, fmt.Errorf("tally: aggregating turnout: %w", err)
	}
	defer rows.Close()
	voted := map[[2]string]Group{}
	for rows.Next() {
		var g Group
		var person sql.NullString
		var area int64
		if err := rows.Scan(&g.Zone, &person, &area, &g.Units); err != nil {
			return nil, err
		}
		g.Person, g.Area = person.String, quorum.Area(area)
		voted[[2]string{g.Zone, g.Person}] = g
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// In zone and person order (BallotPopulation's), so the synthetic
	// units are the same from one look to the next.
	in := &Inputs{Units: []quorum.Unit{}, Ballots: []MatterBallot{}}
	for _, p := range population {
		v := voted[[2]string{p.Zone, p.Person}]
		if rest := (Group{Zone: p.Zone, Person: p.Person, Area: p.Area - v.Area, Units: p.Units - v.Units}); rest.Units > 0 {
			in.add(rest)
		}
		if v.Units > 0 {
			v.Choices = []string{"abstain"}
			in.add(v)
		}
	}
	return in, nil
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
// abstain makes a blank ballot; spoiled (a paper ballot's 废票) a spoiled
// one, which counts as the frozen spoiled setting says.
func (in *Inputs) ElectionBallots() []quorum.ElectionBallot {
	return electionBallots(in.Ballots)
}

func electionBallots(ballots []MatterBallot) []quorum.ElectionBallot {
	out := make([]quorum.ElectionBallot, len(ballots))
	for i, b := range ballots {
		eb := quorum.ElectionBallot{Unit: b.Unit, Candidates: []string{}}
		for _, c := range b.Choices {
			switch c {
			case "spoiled":
				eb.Spoiled = true
			case "abstain":
			default:
				eb.Candidates = append(eb.Candidates, c)
			}
		}
		out[i] = eb
	}
	return out
}
