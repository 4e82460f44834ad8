package quorum

import (
	"fmt"
	"math"
	"slices"
)

// Tally is a headcount and an area: every figure of Article 278 comes in this
// pair.
type Tally struct {
	Headcount int  `json:"headcount"`
	Area      Area `json:"area"`
}

// Outcome is the verdict of a rule over one population (DESIGN.md §3.1): the
// whole scope, or one zone of it.
type Outcome struct {
	Eligible         Tally `json:"eligible"`
	Participating    Tally `json:"participating"`
	Agree            Tally `json:"agree"`
	Oppose           Tally `json:"oppose"`
	Abstain          Tally `json:"abstain"` // spoiled ballots included
	ParticipationMet bool  `json:"participation_met"`
	ApprovalMet      bool  `json:"approval_met"`
	Passed           bool  `json:"passed"`
}

// A unit's ballot is counted in one of three buckets; spoiled ballots go to
// abstain. The bucket order is the order of Outcome's choice fields.
const (
	bucketAgree = iota
	bucketOppose
	bucketAbstain
	noBallot = -1
)

var bucketOf = [...]int8{Agree: bucketAgree, Oppose: bucketOppose, Abstain: bucketAbstain, Spoiled: bucketAbstain}

// roll is a validated list of units prepared for counting: each unit gets a
// small-integer person and zone, so counting a population is array work over
// int32 indices rather than string-keyed map work.
type roll struct {
	index   map[string]int32 // unit id → unit index
	area    []int64          // per unit, hundredths of m²
	person  []int32          // per unit
	persons int
	weight  []int     // per person: the owners it stands for (Unit.Persons), 1 but for aggregates
	zones   []string  // zone names, sorted
	zoneOf  []int32   // per unit: index into zones
	byZone  [][]int32 // per zone, the indices of its units (subslices of all)
	all     []int32   // every unit index, grouped by zone
}

// newRoll validates units and assigns persons. Persons live in three
// namespaces that cannot collide: the developer, owner keys, and owner-less
// units (each its own person, never looked up by key), so a unit id equal to
// someone's owner key does not merge them.
func newRoll(units []Unit) (*roll, error) {
	n := len(units)
	r := &roll{
		index:  make(map[string]int32, n),
		area:   make([]int64, n),
		person: make([]int32, n),
		weight: make([]int, 0, n),
	}
	owners := make(map[string]int32, n) // sized for the worst case: growing a large map costs more than the memory
	developer := int32(-1)
	r.zoneOf = make([]int32, n)
	zoneIdx := make(map[string]int32)
	var total int64
	var zone int32
	for i, u := range units {
		fail := func(problem string) error { return inputErr(unitItem(i, u.ID), problem) }
		switch {
		case u.ID == "":
			return nil, fail("missing unit id")
		case u.Zone == "":
			return nil, fail("missing zone")
		case u.Area <= 0:
			return nil, fail(fmt.Sprintf("area %s is not positive", u.Area))
		case u.Persons < 0:
			return nil, fail(fmt.Sprintf("persons %d is negative", u.Persons))
		case u.Persons > 1 && (u.Owner != "" || u.DeveloperHeld):
			return nil, fail(fmt.Sprintf("a unit standing for %d persons cannot have an owner or be developer-held", u.Persons))
		case int64(u.Area) > math.MaxInt64-total:
			return nil, fail(fmt.Sprintf("total area exceeds %s m²", Area(math.MaxInt64)))
		}
		// One map operation per unit: a duplicate id shows as a map that did not grow.
		if r.index[u.ID] = int32(i); len(r.index) != i+1 {
			j := slices.IndexFunc(units, func(v Unit) bool { return v.ID == u.ID })
			return nil, fail(fmt.Sprintf("duplicate unit id (also units[%d])", j))
		}
		r.area[i] = int64(u.Area)
		total += int64(u.Area)

		switch {
		case u.DeveloperHeld:
			if developer < 0 {
				developer = r.newPerson()
			}
			r.person[i] = developer
		case u.Owner != "":
			p, ok := owners[u.Owner]
			if !ok {
				p = r.newPerson()
				owners[u.Owner] = p
			}
			r.person[i] = p
		default:
			r.person[i] = r.newPerson()
			if u.Persons > 1 {
				r.weight[r.person[i]] = u.Persons
			}
		}

		if i == 0 || u.Zone != units[i-1].Zone { // rolls come sorted by building, so zones run in blocks
			z, ok := zoneIdx[u.Zone]
			if !ok {
				z = int32(len(r.zones))
				zoneIdx[u.Zone] = z
				r.zones = append(r.zones, u.Zone)
			}
			zone = z
		}
		r.zoneOf[i] = zone
	}
	r.groupByZone()
	return r, nil
}

func (r *roll) newPerson() int32 {
	r.persons++
	r.weight = append(r.weight, 1)
	return int32(r.persons - 1)
}

// groupByZone sorts the zone names, renumbering zoneOf from first-seen
// order, and lays the unit indices out zone by zone (a counting sort), so
// each zone's population is a subslice of all.
func (r *roll) groupByZone() {
	rank := make([]int32, len(r.zones)) // first-seen zone index → sorted index
	sorted := slices.Clone(r.zones)
	slices.Sort(sorted)
	for z, name := range r.zones {
		i, _ := slices.BinarySearch(sorted, name)
		rank[z] = int32(i)
	}
	r.zones = sorted
	start := make([]int, len(r.zones)+1)
	for i, z := range r.zoneOf {
		r.zoneOf[i] = rank[z]
		start[rank[z]+1]++
	}
	for z := range r.zones {
		start[z+1] += start[z]
	}
	r.all = make([]int32, len(r.zoneOf))
	next := slices.Clone(start)
	for i, z := range r.zoneOf {
		r.all[next[z]] = int32(i)
		next[z]++
	}
	r.byZone = make([][]int32, len(r.zones))
	for z := range r.zones {
		r.byZone[z] = r.all[start[z]:start[z+1]:start[z+1]]
	}
}

// zone returns the index of a zone name, or -1.
func (r *roll) zone(name string) int {
	if z, ok := slices.BinarySearch(r.zones, name); ok {
		return z
	}
	return -1
}

// buckets returns each unit's ballot bucket (noBallot when it has none),
// refusing ballots for unknown units, second ballots and missing choices.
func (r *roll) buckets(ballots []Ballot) ([]int8, error) {
	b := make([]int8, len(r.area))
	for i := range b {
		b[i] = noBallot
	}
	for i, bl := range ballots {
		u, ok := r.index[bl.Unit]
		switch {
		case !ok:
			return nil, inputErr(ballotItem(i, bl.Unit), "ballot for unknown unit")
		case !bl.Choice.valid():
			return nil, inputErr(ballotItem(i, bl.Unit), fmt.Sprintf("unknown choice %v", bl.Choice))
		case b[u] != noBallot:
			return nil, inputErr(ballotItem(i, bl.Unit), "duplicate ballot for the unit")
		}
		b[u] = bucketOf[bl.Choice]
	}
	return b, nil
}

// counter counts populations of one roll. Its per-person scratch arrays are
// reused across populations: a person's sums are reset the first time a
// population touches them, recognised by the generation stamp.
type counter struct {
	r       *roll
	stamp   []int32    // per person: the generation that last reset sums
	sums    [][3]int64 // per person: balloted area per bucket in this population
	touched []int32    // persons of this population
	gen     int32
}

func newCounter(r *roll) *counter {
	return &counter{
		r:       r,
		stamp:   make([]int32, r.persons),
		sums:    make([][3]int64, r.persons),
		touched: make([]int32, 0, r.persons),
	}
}

// count evaluates rule over the population of the given units (§3.1), with
// bucket giving each unit's ballot.
func (c *counter) count(members []int32, bucket []int8, rule Rule) Outcome {
	c.gen++
	c.touched = c.touched[:0]
	var o Outcome
	var area [3]int64
	for _, u := range members {
		p := c.r.person[u]
		if c.stamp[p] != c.gen {
			c.stamp[p] = c.gen
			c.sums[p] = [3]int64{}
			c.touched = append(c.touched, p)
		}
		a := c.r.area[u]
		o.Eligible.Area += Area(a)
		if b := bucket[u]; b != noBallot {
			c.sums[p][b] += a
			area[b] += a
		}
	}
	var heads [3]int
	for _, p := range c.touched {
		w := c.r.weight[p]
		o.Eligible.Headcount += w
		if s := c.sums[p]; s != [3]int64{} {
			heads[personBucket(s)] += w
		}
	}
	tallies := [3]*Tally{bucketAgree: &o.Agree, bucketOppose: &o.Oppose, bucketAbstain: &o.Abstain}
	for b, t := range tallies {
		*t = Tally{Headcount: heads[b], Area: Area(area[b])}
		o.Participating.Headcount += heads[b]
		o.Participating.Area += Area(area[b])
	}
	o.ParticipationMet = rule.participationMet(&o)
	o.ApprovalMet = rule.carries(o.Agree, &o)
	o.Passed = o.ParticipationMet && o.ApprovalMet
	return o
}

// personBucket is the choice a participating person is counted under: the
// one carrying the most area among their balloted units. Ties go to oppose,
// then abstain; agree must be strictly largest, so a split owner never tips a
// vote towards change.
func personBucket(s [3]int64) int {
	switch max(s[0], s[1], s[2]) {
	case s[bucketOppose]:
		return bucketOppose
	case s[bucketAbstain]:
		return bucketAbstain
	}
	return bucketAgree
}
