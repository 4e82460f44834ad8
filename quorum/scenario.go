package quorum

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Choice is what a ballot says on an approve matter.
type Choice uint8

// The choices of an approve matter. The zero Choice is no choice and is
// refused by Evaluate.
const (
	Agree   Choice = iota + 1 // 同意
	Oppose                    // 反对
	Abstain                   // 弃权
	Spoiled                   // 废票: a paper ballot that cannot be read; counted as abstain
)

var choiceNames = [...]string{Agree: "agree", Oppose: "oppose", Abstain: "abstain", Spoiled: "spoiled"}

// ParseChoice reads "agree", "oppose", "abstain" or "spoiled".
func ParseChoice(s string) (Choice, error) {
	for c, name := range choiceNames {
		if c > 0 && s == name {
			return Choice(c), nil
		}
	}
	return 0, fmt.Errorf("unknown choice %q: want agree, oppose, abstain or spoiled", s)
}

func (c Choice) valid() bool { return c > 0 && int(c) < len(choiceNames) }

func (c Choice) String() string {
	if c.valid() {
		return choiceNames[c]
	}
	return fmt.Sprintf("Choice(%d)", uint8(c))
}

// MarshalText writes the choice's name; there is none for an invalid Choice.
func (c Choice) MarshalText() ([]byte, error) {
	if !c.valid() {
		return nil, fmt.Errorf("invalid %v", c)
	}
	return []byte(c.String()), nil
}

// UnmarshalText reads a choice's name with ParseChoice.
func (c *Choice) UnmarshalText(text []byte) error {
	v, err := ParseChoice(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Unit is one exclusive part (专有部分) in the population being decided.
type Unit struct {
	ID   string
	Zone string
	Area Area
	// Owner identifies the owner (the roll's owner_key); units with the same
	// non-empty Owner are one person. Empty means the unit is its own person.
	Owner string
	// DeveloperHeld units are unsold or undelivered; together they are one
	// person whatever their Owner says.
	DeveloperHeld bool
	// Persons, when above 1, makes the unit stand for that many owners who
	// hold nothing else in the scenario and voted alike: the form in which
	// package tally hands over a large estate's single-unit owners, so that
	// deciding costs per group, not per unit. Such a unit has no Owner and
	// is not developer-held. Scenario JSON never sets it.
	Persons int
}

// Ballot is the counted ballot of one unit.
type Ballot struct {
	Unit   string
	Choice Choice
}

// VetoMode says how zones can block an estate-wide verdict (DESIGN.md §3.2).
type VetoMode string

// The veto modes of §3.2.
const (
	VetoNone          VetoMode = "none"           // zones are reported for information only
	VetoAllZones      VetoMode = "all-zones"      // every veto-holding zone must pass
	VetoZoneRejection VetoMode = "zone-rejection" // a veto-holding zone blocks only by actively rejecting
)

// VetoModes lists the modes in the order what_if reports them.
var VetoModes = [...]VetoMode{VetoNone, VetoAllZones, VetoZoneRejection}

// Veto is a consultation's veto arrangement. The zero Veto is mode none.
type Veto struct {
	Mode VetoMode `json:"mode"`
	// Zones hold the veto. Empty (absent or an empty list) means every zone
	// does: a list naming no zone would make the mode meaningless, so it is
	// read like the absent list rather than as "no zone".
	Zones []string `json:"zones,omitempty"`
}

// Scenario is the complete input of an evaluation: the §4 JSON, decoded.
type Scenario struct {
	Rule    Rule
	Veto    Veto
	Units   []Unit
	Ballots []Ballot
}

// wire types of the §4 JSON. Areas and choices are kept raw so that errors
// name the unit or ballot they belong to.
type (
	wireScenario struct {
		Rules   json.RawMessage `json:"rules"`
		Veto    *wireVeto       `json:"veto"`
		Units   []wireUnit      `json:"units"`
		Ballots []wireBallot    `json:"ballots"`
	}
	wireVeto struct {
		Mode  string   `json:"mode"`
		Zones []string `json:"zones"`
	}
	wireUnit struct {
		ID            string          `json:"id"`
		Zone          string          `json:"zone"`
		Area          json.RawMessage `json:"area"`
		Owner         string          `json:"owner"`
		DeveloperHeld bool            `json:"developer_held"`
	}
	wireBallot struct {
		Unit   string `json:"unit"`
		Choice string `json:"choice"`
	}
)

// ParseScenario decodes the §4 JSON: one object, nothing after it. Unknown
// fields are ignored, so a scenario may carry notes for people; everything
// the verdict depends on is checked, here for syntax and by Evaluate for
// consistency. A missing veto, or a veto without a mode, is mode none.
// Errors are *InputError.
func ParseScenario(data []byte) (*Scenario, error) {
	var w wireScenario
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&w); err != nil {
		return nil, jsonErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, inputErr("input", fmt.Sprintf("unexpected data after the JSON object at byte %d", dec.InputOffset()))
	}
	rule, err := ParseRule(w.Rules)
	if err != nil {
		return nil, err
	}
	s := &Scenario{
		Rule:    rule,
		Units:   make([]Unit, len(w.Units)),
		Ballots: make([]Ballot, len(w.Ballots)),
	}
	if w.Veto != nil {
		s.Veto = Veto{Mode: VetoMode(w.Veto.Mode), Zones: w.Veto.Zones}
	}
	for i, u := range w.Units {
		area, err := parseAreaJSON(u.Area)
		if err != nil {
			return nil, inputErr(unitItem(i, u.ID), err.Error())
		}
		s.Units[i] = Unit{ID: u.ID, Zone: u.Zone, Area: area, Owner: u.Owner, DeveloperHeld: u.DeveloperHeld}
	}
	for i, b := range w.Ballots {
		c, err := ParseChoice(b.Choice)
		if err != nil {
			return nil, inputErr(ballotItem(i, b.Unit), err.Error())
		}
		s.Ballots[i] = Ballot{Unit: b.Unit, Choice: c}
	}
	return s, nil
}

// jsonErr turns a decoding error into a one-line InputError with the byte
// offset, since encoding/json's own messages name Go types.
func jsonErr(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return inputErr("input", fmt.Sprintf("invalid JSON at byte %d: %v", syntax.Offset, syntax))
	case errors.As(err, &typ):
		return inputErr(cmp.Or(typ.Field, "input"), fmt.Sprintf("want a JSON %s, not %s (byte %d)", jsonKind(typ.Type.Kind().String()), typ.Value, typ.Offset))
	case errors.Is(err, io.EOF):
		return inputErr("input", "empty: want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return inputErr("input", "truncated or invalid JSON")
	}
	return inputErr("input", err.Error())
}

func jsonKind(goKind string) string {
	switch goKind {
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "bool":
		return "boolean"
	}
	return goKind
}
