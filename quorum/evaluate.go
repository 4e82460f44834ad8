package quorum

import "fmt"

// Result is the verdict of a scenario, in the shape of DESIGN.md §4 plus an
// explanation. Rule and Veto record what it was computed under; they are not
// part of the §4 JSON.
type Result struct {
	Passed      bool                    `json:"passed"`
	Overall     Outcome                 `json:"overall"`
	Zones       map[string]*ZoneOutcome `json:"zones"`
	WhatIf      WhatIf                  `json:"what_if"`
	Explanation Explanation             `json:"explanation"`

	Rule      Rule      `json:"-"`
	Veto      Veto      `json:"-"` // Mode is never empty here: an absent mode reads as none
	Procedure Procedure `json:"-"` // normalized

	otherOptions bool // an option of a choice matter: oppose reads 选其他选项
}

// ZoneOutcome is the verdict of the rule over one zone's units, and whether
// that zone blocked the estate-wide verdict.
type ZoneOutcome struct {
	Outcome
	Vetoed bool `json:"vetoed"`

	HoldsVeto bool `json:"-"` // the zone is in the scenario's veto list (or the list is empty)
	// rejects is zone-rejection's test: participation met and oppose reaching
	// both approval fractions.
	rejects bool
}

// vetoedUnder reports whether the zone blocks the estate-wide verdict under
// mode (§3.2).
func (z *ZoneOutcome) vetoedUnder(mode VetoMode) bool {
	if !z.HoldsVeto {
		return false
	}
	switch mode {
	case VetoAllZones:
		return !z.Passed
	case VetoZoneRejection:
		return z.rejects
	}
	return false
}

// WhatIf is the verdict under each veto mode with the same veto zones, so an
// estate can see what its veto arrangement costs.
type WhatIf struct {
	None          bool `json:"none"`
	AllZones      bool `json:"all-zones"`
	ZoneRejection bool `json:"zone-rejection"`
}

// EvaluateJSON decodes a §4 scenario and evaluates it; it is what both the
// CLI and POST /api/v1/evaluate run. Errors are *InputError and come without
// a result.
func EvaluateJSON(data []byte) (*Result, error) {
	s, err := ParseScenario(data)
	if err != nil {
		return nil, err
	}
	return Evaluate(s)
}

// Evaluate checks the scenario's consistency (unit ids unique and present,
// zones present, areas positive, one ballot per known unit, a valid rule,
// veto mode, veto zones and procedure) and decides it overall and per zone,
// counting non-response and spoiled ballots per the procedure (§3.5).
// Errors are *InputError and come without a result.
func Evaluate(s *Scenario) (*Result, error) {
	m, err := prepare(s.Rule, s.Veto, s.Procedure, s.Units)
	if err != nil {
		return nil, err
	}
	status, err := m.statuses(s.Ballots)
	if err != nil {
		return nil, err
	}
	deemedAs := int8(bucketNoChoice)
	if m.procedure.Nonresponse == NonresponseDeliveredFollowMajority {
		deemedAs = followMajority
	}
	return m.result(status, func(int) (int8, Majority) { return deemedAs, "" }), nil
}

// matter is what every kind of matter is decided from: the validated
// arrangement and roll.
type matter struct {
	rule      Rule
	veto      Veto
	procedure Procedure
	roll      *roll
	holds     []bool // per zone: holds a veto
	counter   *counter
	// otherOptions: a choice matter's option, whose oppose is the ballots
	// for other options.
	otherOptions bool
}

// settle gives every unit still unballoted, or whose spoiled ballot is
// excluded, its final status (§3.5): deemed when delivered and the policy
// deems delivered non-voters to take part, else noBallot.
func settle[S int8 | int](m *matter, status []S, deemed S) {
	deeming := m.procedure.Nonresponse != NonresponseNone
	for u, s := range status {
		switch {
		case s != unballoted && s != noBallot:
		case deeming && m.roll.deliver[u]:
			status[u] = deemed
		default:
			status[u] = noBallot
		}
	}
}

// prepare validates a matter's rule, veto, procedure and units.
func prepare(rule Rule, veto Veto, p Procedure, units []Unit) (*matter, error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	switch veto.Mode {
	case "":
		veto.Mode = VetoNone
	case VetoNone, VetoAllZones, VetoZoneRejection:
	default:
		return nil, inputErr("veto.mode", fmt.Sprintf("unknown veto mode %q: want none, all-zones or zone-rejection", veto.Mode))
	}
	p, err := p.Normalized()
	if err != nil {
		return nil, err
	}
	r, err := newRoll(units)
	if err != nil {
		return nil, err
	}
	holds, err := r.vetoHolders(veto.Zones)
	if err != nil {
		return nil, err
	}
	return &matter{rule: rule, veto: veto, procedure: p, roll: r, holds: holds, counter: newCounter(r)}, nil
}

// result counts the units of each status overall and per zone and applies
// the veto (§3.2). deemedAs gives, for the population overall (-1) or of
// zone z, the bucket its deemed units are counted in (or followMajority)
// and the majority opinion to report, when the caller found it.
func (m *matter) result(status []int8, deemedAs func(zone int) (int8, Majority)) *Result {
	r, rule := m.roll, m.rule
	population := func(members []int32, zone int) Outcome {
		as, majority := deemedAs(zone)
		o := m.counter.count(members, status, rule, as)
		if majority != "" {
			o.Majority = majority
		}
		return o
	}
	res := &Result{
		Overall:   population(r.all, -1),
		Zones:     make(map[string]*ZoneOutcome, len(r.zones)),
		Rule:      rule,
		Veto:      m.veto,
		Procedure: m.procedure,

		otherOptions: m.otherOptions,
	}
	for z, name := range r.zones {
		o := population(r.byZone[z], z)
		res.Zones[name] = &ZoneOutcome{
			Outcome:   o,
			HoldsVeto: m.holds[z],
			rejects:   o.ParticipationMet && rule.carries(o.Oppose, &o),
		}
	}
	res.WhatIf = WhatIf{
		None:          res.passedUnder(VetoNone),
		AllZones:      res.passedUnder(VetoAllZones),
		ZoneRejection: res.passedUnder(VetoZoneRejection),
	}
	res.Passed = res.passedUnder(m.veto.Mode)
	for _, zo := range res.Zones {
		zo.Vetoed = zo.vetoedUnder(m.veto.Mode)
	}
	res.Explanation = res.Explain()
	return res
}

// passedUnder is §3.2's verdict: overall passed and no veto-holding zone
// vetoed.
func (res *Result) passedUnder(mode VetoMode) bool {
	if !res.Overall.Passed {
		return false
	}
	for _, zo := range res.Zones {
		if zo.vetoedUnder(mode) {
			return false
		}
	}
	return true
}

// vetoHolders marks the zones holding a veto; an empty list means all.
func (r *roll) vetoHolders(zones []string) ([]bool, error) {
	holds := make([]bool, len(r.zones))
	for i, name := range zones {
		z := r.zone(name)
		if z < 0 {
			return nil, inputErr(fmt.Sprintf("veto.zones[%d]", i), fmt.Sprintf("unknown zone %q: no unit is in it", name))
		}
		holds[z] = true
	}
	if len(zones) == 0 {
		for z := range holds {
			holds[z] = true
		}
	}
	return holds, nil
}
