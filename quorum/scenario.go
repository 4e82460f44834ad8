package quorum

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Choice is what a ballot says on an approve matter.
type Choice uint8

// The choices of an approve matter. The zero Choice is no choice and is
// refused by Evaluate.
const (
	Agree   Choice = iota + 1 // 同意
	Oppose                    // 反对
	Abstain                   // 弃权
	Spoiled                   // 废票: a paper ballot that cannot be read; counted per Procedure.Spoiled
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
	// is not developer-held. Scenario JSON never sets it. The owners must
	// also share Delivered, as they share a ballot.
	Persons int
	// Delivered: the unit's ballot was effectively delivered (a verified
	// delivery record, DESIGN.md §5.1), so under a non-response policy
	// other than none the unit takes part without a ballot (§3.5).
	Delivered bool
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
	Rule      Rule
	Veto      Veto
	Procedure Procedure // the zero Procedure is §3.5's default
	Units     []Unit
	Ballots   []Ballot
}

// ParseScenario decodes the §4 JSON: one object, nothing after it. Every
// key must be one §4 names, spelt exactly and given once, at every level: a
// misspelt "delivered" silently ignored would change a verdict, so unknown
// fields are refused rather than kept as notes. Everything the verdict
// depends on is checked, here for syntax and by Evaluate for consistency. A
// missing veto, or a veto without a mode, is mode none; a missing procedure
// is §3.5's default. Errors are *InputError naming the offending item.
func ParseScenario(data []byte) (*Scenario, error) {
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, jsonErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, inputErr("input", fmt.Sprintf("unexpected data after the JSON object at byte %d", dec.InputOffset()))
	}
	top, err := object(raw, "input", "rules", "veto", "procedure", "units", "ballots")
	if err != nil {
		return nil, err
	}
	s := &Scenario{}
	if s.Rule, err = ParseRule(top["rules"]); err != nil {
		return nil, err
	}
	if s.Veto, err = parseVeto(top["veto"]); err != nil {
		return nil, err
	}
	if s.Procedure, err = parseProcedure(top["procedure"]); err != nil {
		return nil, err
	}
	units, err := array(top["units"], "units")
	if err != nil {
		return nil, err
	}
	s.Units = make([]Unit, len(units))
	for i, raw := range units {
		if s.Units[i], err = parseUnit(i, raw); err != nil {
			return nil, err
		}
	}
	ballots, err := array(top["ballots"], "ballots")
	if err != nil {
		return nil, err
	}
	s.Ballots = make([]Ballot, len(ballots))
	for i, raw := range ballots {
		if s.Ballots[i], err = parseBallot(i, raw); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseVeto(raw json.RawMessage) (Veto, error) {
	f, err := object(raw, "veto", "mode", "zones")
	if err != nil {
		return Veto{}, err
	}
	mode, err := text(f["mode"], "veto.mode")
	if err != nil {
		return Veto{}, err
	}
	zones, err := array(f["zones"], "veto.zones")
	if err != nil {
		return Veto{}, err
	}
	v := Veto{Mode: VetoMode(mode)}
	for i, raw := range zones {
		z, err := text(raw, fmt.Sprintf("veto.zones[%d]", i))
		if err != nil {
			return Veto{}, err
		}
		v.Zones = append(v.Zones, z)
	}
	return v, nil
}

// parseProcedure reads §3.5's settings; a policy given must be named, an
// empty string being no policy.
func parseProcedure(raw json.RawMessage) (Procedure, error) {
	f, err := object(raw, "procedure", "nonresponse", "spoiled")
	if err != nil {
		return Procedure{}, err
	}
	var p Procedure
	for _, setting := range []struct {
		key  string
		into *string
		want string
	}{
		{"nonresponse", (*string)(&p.Nonresponse), "none, delivered-participate or delivered-follow-majority"},
		{"spoiled", (*string)(&p.Spoiled), "abstain, participating or excluded"},
	} {
		item := "procedure." + setting.key
		raw, given := f[setting.key]
		if !given {
			continue
		}
		if *setting.into, err = text(raw, item); err != nil {
			return Procedure{}, err
		}
		if *setting.into == "" {
			return Procedure{}, inputErr(item, fmt.Sprintf(`unknown policy "": want %s`, setting.want))
		}
	}
	return p, nil
}

func parseUnit(i int, raw json.RawMessage) (Unit, error) {
	f, id, item, err := element(raw, "units", i, unitItem, "id", "zone", "area", "owner", "developer_held", "delivered")
	if err != nil {
		return Unit{}, err
	}
	u := Unit{ID: id}
	if u.Zone, err = text(f["zone"], item+".zone"); err != nil {
		return Unit{}, err
	}
	if u.Area, err = parseAreaJSON(f["area"]); err != nil {
		return Unit{}, inputErr(item, err.Error())
	}
	if u.Owner, err = text(f["owner"], item+".owner"); err != nil {
		return Unit{}, err
	}
	if u.DeveloperHeld, err = boolean(f["developer_held"], item+".developer_held", true); err != nil {
		return Unit{}, err
	}
	if u.Delivered, err = boolean(f["delivered"], item+".delivered", false); err != nil {
		return Unit{}, err
	}
	return u, nil
}

func parseBallot(i int, raw json.RawMessage) (Ballot, error) {
	f, unit, item, err := element(raw, "ballots", i, ballotItem, "unit", "choice")
	if err != nil {
		return Ballot{}, err
	}
	choice, err := text(f["choice"], item+".choice")
	if err != nil {
		return Ballot{}, err
	}
	c, err := ParseChoice(choice)
	if err != nil {
		return Ballot{}, inputErr(item, err.Error())
	}
	return Ballot{Unit: unit, Choice: c}, nil
}

// element reads the i-th object of list, whose first key identifies it: its
// fields, that key's value and the item, as name writes it, that messages
// about it name.
func element(raw json.RawMessage, list string, i int, name func(int, string) string, keys ...string) (fields map[string]json.RawMessage, id, item string, err error) {
	at := fmt.Sprintf("%s[%d]", list, i)
	if fields, err = object(raw, at); err != nil {
		return nil, "", "", err
	}
	if id, err = text(fields[keys[0]], at+"."+keys[0]); err != nil {
		return nil, "", "", err
	}
	item = name(i, id)
	return fields, id, item, known(fields, item, keys...)
}

// object reads a JSON object (null or absent reads as empty) whose keys are
// unique; when keys are given, they are the only ones allowed. The values
// are returned raw.
func object(raw json.RawMessage, item string, keys ...string) (map[string]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, inputErr(item, "want a JSON object, not "+kindOf(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.Token() // the '{' just checked
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key := tok.(string) // raw is valid JSON: an object's tokens start with a key
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, jsonErr(err)
		}
		if _, dup := fields[key]; dup {
			return nil, inputErr(item, fmt.Sprintf("field %q given twice", key))
		}
		fields[key] = v
	}
	if len(keys) > 0 {
		return fields, known(fields, item, keys...)
	}
	return fields, nil
}

// known refuses a field that is not among keys, naming it and them.
func known(fields map[string]json.RawMessage, item string, keys ...string) error {
	for key := range fields {
		if !slices.Contains(keys, key) {
			return inputErr(item, fmt.Sprintf("unknown field %q: want %s", key, strings.Join(keys, ", ")))
		}
	}
	return nil
}

// array reads a JSON array (null or absent reads as empty) into its raw
// elements.
func array(raw json.RawMessage, item string) ([]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	var elems []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, inputErr(item, "want a JSON array, not "+kindOf(raw))
	}
	return elems, nil
}

// text reads a JSON string; null or absent reads as "".
func text(raw json.RawMessage, item string) (string, error) {
	var s string
	if !isNull(raw) && (raw[0] != '"' || json.Unmarshal(raw, &s) != nil) {
		return "", inputErr(item, "want a JSON string, not "+kindOf(raw))
	}
	return s, nil
}

// boolean reads true or false, absent reading as false; null reads as false
// only where nullOK (developer_held always took it; delivered must be a
// boolean, §4).
func boolean(raw json.RawMessage, item string, nullOK bool) (bool, error) {
	switch {
	case raw == nil || (nullOK && isNull(raw)):
		return false, nil
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	}
	return false, inputErr(item, fmt.Sprintf("want true or false, not %s", raw))
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// kindOf names the JSON kind of a valid value.
func kindOf(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// jsonErr turns a syntax error into a one-line InputError with the byte
// offset.
func jsonErr(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return inputErr("input", fmt.Sprintf("invalid JSON at byte %d: %v", syntax.Offset, syntax))
	case errors.Is(err, io.EOF):
		return inputErr("input", "empty: want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return inputErr("input", "truncated or invalid JSON")
	}
	return inputErr("input", err.Error())
}
