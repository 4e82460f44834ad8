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

	Rule Rule `json:"-"`
	Veto Veto `json:"-"` // Mode is never empty here: an absent mode reads as none
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
// veto mode and veto zones) and decides it overall and per zone. Errors are
// *InputError and come without a result.
func Evaluate(s *Scenario) (*Result, error) {
	if err := s.Rule.Validate(); err != nil {
		return nil, err
	}
	veto := s.Veto
	switch veto.Mode {
	case "":
		veto.Mode = VetoNone
	case VetoNone, VetoAllZones, VetoZoneRejection:
	default:
		return nil, inputErr("veto.mode", fmt.Sprintf("unknown veto mode %q: want none, all-zones or zone-rejection", veto.Mode))
	}
	r, err := newRoll(s.Units)
	if err != nil {
		return nil, err
	}
	holds, err := r.vetoHolders(veto.Zones)
	if err != nil {
		return nil, err
	}
	buckets, err := r.buckets(s.Ballots)
	if err != nil {
		return nil, err
	}

	c := newCounter(r)
	res := &Result{
		Overall: c.count(r.all, buckets, s.Rule),
		Zones:   make(map[string]*ZoneOutcome, len(r.zones)),
		Rule:    s.Rule,
		Veto:    veto,
	}
	for z, name := range r.zones {
		o := c.count(r.byZone[z], buckets, s.Rule)
		res.Zones[name] = &ZoneOutcome{
			Outcome:   o,
			HoldsVeto: holds[z],
			rejects:   o.ParticipationMet && s.Rule.carries(o.Oppose, &o),
		}
	}
	res.WhatIf = WhatIf{
		None:          res.passedUnder(VetoNone),
		AllZones:      res.passedUnder(VetoAllZones),
		ZoneRejection: res.passedUnder(VetoZoneRejection),
	}
	res.Passed = res.passedUnder(veto.Mode)
	for _, zo := range res.Zones {
		zo.Vetoed = zo.vetoedUnder(veto.Mode)
	}
	res.Explanation = res.Explain()
	return res, nil
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
