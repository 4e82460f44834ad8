package quorum

import (
	"encoding/json"
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

// Outcome is the verdict of a rule over one population (DESIGN.md §3.1,
// §3.5): the whole scope, or one zone of it. Participating counts every unit
// taking part, deemed ones included; Deemed repeats the deemed part beside
// the totals so that actual and deemed figures can be printed side by side.
type Outcome struct {
	Eligible      Tally `json:"eligible"`
	Participating Tally `json:"participating"`
	Agree         Tally `json:"agree"`
	Oppose        Tally `json:"oppose"`
	Abstain       Tally `json:"abstain"`   // spoiled ballots included under spoiled: abstain
	NoChoice      Tally `json:"no_choice"` // taking part in no choice: spoiled under participating, deemed without a majority
	// Deemed is the area of the deemed units and the persons who take part
	// only through deemed units.
	Deemed           Tally    `json:"deemed"`
	Majority         Majority `json:"majority"`
	ParticipationMet bool     `json:"participation_met"`
	ApprovalMet      bool     `json:"approval_met"`
	Passed           bool     `json:"passed"`
}

// Majority is a population's majority opinion (§3.5): the name of the
// choice (or option) deemed owners follow, or "" for none, written null.
type Majority string

// MarshalJSON writes the name, or null for none.
func (m Majority) MarshalJSON() ([]byte, error) {
	if m == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(m))
}

// UnmarshalJSON reads a name or null, so stored results decode.
func (m *Majority) UnmarshalJSON(data []byte) error {
	var s *string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	*m = ""
	if s != nil {
		*m = Majority(*s)
	}
	return nil
}

// Each unit of a population has a status: one of the four buckets it is
// counted in, deemed (its bucket is the population's majority opinion or no
// choice) or noBallot (not taking part). The bucket order is the order of
// Outcome's choice fields.
const (
	bucketAgree = iota
	bucketOppose
	bucketAbstain
	bucketNoChoice
	buckets
	deemed   = buckets // a unit status, and the index of the deemed area in a person's sums
	noBallot = -1
	// followMajority asks count to find the majority opinion of an approve
	// matter's population itself, from its actual ballots.
	followMajority = -2
)

// bucketNames name the actual choices an approve matter's majority opinion
// can be.
var bucketNames = [...]Majority{bucketAgree: "agree", bucketOppose: "oppose", bucketAbstain: "abstain"}

// statusOf is the status of each ballot choice under a spoiled policy;
// noBallot for a spoiled ballot excluded as if none was returned.
func statusOf(c Choice, spoiled SpoiledPolicy) int8 {
	switch c {
	case Agree:
		return bucketAgree
	case Oppose:
		return bucketOppose
	case Abstain:
		return bucketAbstain
	}
	return spoiledStatus(spoiled)
}

func spoiledStatus(spoiled SpoiledPolicy) int8 {
	switch spoiled {
	case SpoiledParticipating:
		return bucketNoChoice
	case SpoiledExcluded:
		return noBallot
	}
	return bucketAbstain
}

// roll is a validated list of units prepared for counting: each unit gets a
// small-integer person and zone, so counting a population is array work over
// int32 indices rather than string-keyed map work.
type roll struct {
	index   map[string]int32 // unit id → unit index
	area    []int64          // per unit, hundredths of m²
	deliver []bool           // per unit: delivered (§3.5)
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
		index:   make(map[string]int32, n),
		area:    make([]int64, n),
		deliver: make([]bool, n),
		person:  make([]int32, n),
		weight:  make([]int, 0, n),
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
		r.deliver[i] = u.Delivered
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

// statuses returns each unit's status under the matter's procedure,
// refusing ballots for unknown units, second ballots and missing choices. A
// unit without a counted ballot is deemed when delivered and the policy
// deems delivered non-voters to take part.
func (m *matter) statuses(ballots []Ballot) ([]int8, error) {
	r := m.roll
	st := r.unballoted()
	for i, bl := range ballots {
		u, ok := r.index[bl.Unit]
		switch {
		case !ok:
			return nil, inputErr(ballotItem(i, bl.Unit), "ballot for unknown unit")
		case !bl.Choice.valid():
			return nil, inputErr(ballotItem(i, bl.Unit), fmt.Sprintf("unknown choice %v", bl.Choice))
		case st[u] != unballoted:
			return nil, inputErr(ballotItem(i, bl.Unit), "duplicate ballot for the unit")
		}
		st[u] = statusOf(bl.Choice, m.procedure.Spoiled)
	}
	settle(m, st, deemed)
	return st, nil
}

// unballoted marks units whose ballot is still to be read, so that a spoiled
// ballot excluded (noBallot) is still a ballot for the duplicate check.
const unballoted = -3

func (r *roll) unballoted() []int8 {
	st := make([]int8, len(r.area))
	for i := range st {
		st[i] = unballoted
	}
	return st
}

// counter counts populations of one roll. Its per-person scratch arrays are
// reused across populations: a person's sums are reset the first time a
// population touches them, recognised by the generation stamp.
type counter struct {
	r       *roll
	stamp   []int32              // per person: the generation that last reset sums
	sums    [][buckets + 1]int64 // per person: area per bucket in this population, then deemed area
	touched []int32              // persons of this population
	gen     int32
}

func newCounter(r *roll) *counter {
	return &counter{
		r:       r,
		stamp:   make([]int32, r.persons),
		sums:    make([][buckets + 1]int64, r.persons),
		touched: make([]int32, 0, r.persons),
	}
}

// count evaluates rule over the population of the given units (§3.1, §3.5),
// with status giving each unit's. Deemed units are counted in bucket
// deemedAs: no choice, a bucket the caller chose from the population's
// majority opinion, or followMajority to find an approve matter's majority
// here.
func (c *counter) count(members []int32, status []int8, rule Rule, deemedAs int8) Outcome {
	c.gen++
	c.touched = c.touched[:0]
	var o Outcome
	var area [buckets + 1]int64
	for _, u := range members {
		p := c.r.person[u]
		if c.stamp[p] != c.gen {
			c.stamp[p] = c.gen
			c.sums[p] = [buckets + 1]int64{}
			c.touched = append(c.touched, p)
		}
		a := c.r.area[u]
		o.Eligible.Area += Area(a)
		if s := status[u]; s != noBallot {
			c.sums[p][s] += a
			area[s] += a
		}
	}
	if deemedAs == followMajority {
		deemedAs = bucketNoChoice
		if m := c.majority(&area); m >= 0 {
			deemedAs, o.Majority = int8(m), bucketNames[m]
		}
	}
	var heads [buckets]int
	for _, p := range c.touched {
		w := c.r.weight[p]
		o.Eligible.Headcount += w
		s := c.sums[p]
		actual := s[bucketAgree] + s[bucketOppose] + s[bucketAbstain] + s[bucketNoChoice]
		if actual+s[deemed] == 0 {
			continue
		}
		if actual == 0 {
			o.Deemed.Headcount += w
		}
		s[deemedAs] += s[deemed]
		heads[personBucket(&s)] += w
	}
	o.Deemed.Area = Area(area[deemed])
	area[deemedAs] += area[deemed]
	tallies := [buckets]*Tally{bucketAgree: &o.Agree, bucketOppose: &o.Oppose, bucketAbstain: &o.Abstain, bucketNoChoice: &o.NoChoice}
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

// majority is the majority opinion of the population just summed (§3.5):
// the actual choice whose area (from area) and headcount (each person with
// an actual choice under the one carrying the most of their area, ties as
// in personBucket) both strictly exceed every other actual choice's; -1
// when there is none.
func (c *counter) majority(area *[buckets + 1]int64) int {
	var heads [bucketAbstain + 1]int
	for _, p := range c.touched {
		s := c.sums[p]
		s[bucketNoChoice] = 0
		if s[bucketAgree]+s[bucketOppose]+s[bucketAbstain] > 0 {
			heads[personBucket(&s)] += c.r.weight[p]
		}
	}
	return leader(area[:bucketAbstain+1], heads[:])
}

// leader is the index whose area and headcount both strictly exceed every
// other's, or -1.
func leader(area []int64, heads []int) int {
	best := 0
	for k := range area {
		if area[k] > area[best] {
			best = k
		}
	}
	for k := range area {
		if k != best && (area[k] >= area[best] || heads[k] >= heads[best]) {
			return -1
		}
	}
	return best
}

// personBucket is the bucket a participating person is counted under: the
// one carrying the most area among their units taking part. Ties go to
// oppose, then abstain, then no choice; agree must be strictly largest, so
// a split owner never tips a vote towards change.
func personBucket(s *[buckets + 1]int64) int {
	switch max(s[bucketAgree], s[bucketOppose], s[bucketAbstain], s[bucketNoChoice]) {
	case s[bucketOppose]:
		return bucketOppose
	case s[bucketAbstain]:
		return bucketAbstain
	case s[bucketNoChoice]:
		return bucketNoChoice
	}
	return bucketAgree
}
