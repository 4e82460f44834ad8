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
	top, err := object(raw, named("input"), "rules", "veto", "procedure", "units", "ballots")
	if err != nil {
		return nil, err
	}
	s := &Scenario{}
	if s.Rule, err = ParseRule(top.get("rules")); err != nil {
		return nil, err
	}
	if s.Veto, err = parseVeto(top.get("veto")); err != nil {
		return nil, err
	}
	if s.Procedure, err = parseProcedure(top.get("procedure")); err != nil {
		return nil, err
	}
	units, err := array(top.get("units"), named("units"))
	if err != nil {
		return nil, err
	}
	s.Units = make([]Unit, len(units))
	for i, raw := range units {
		if s.Units[i], err = parseUnit(i, raw); err != nil {
			return nil, err
		}
	}
	ballots, err := array(top.get("ballots"), named("ballots"))
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
	at := named("veto")
	f, err := object(raw, at, "mode", "zones")
	if err != nil {
		return Veto{}, err
	}
	mode, err := text(f.get("mode"), at.field("mode"))
	if err != nil {
		return Veto{}, err
	}
	zones, err := array(f.get("zones"), at.field("zones"))
	if err != nil {
		return Veto{}, err
	}
	v := Veto{Mode: VetoMode(mode)}
	for i, raw := range zones {
		z, err := text(raw, named(fmt.Sprintf("veto.zones[%d]", i)))
		if err != nil {
			return Veto{}, err
		}
		v.Zones = append(v.Zones, z)
	}
	return v, nil
}

// parseProcedure reads §3.5's settings; a policy given must be named: an
// empty string or null is refused, not read as the default.
func parseProcedure(raw json.RawMessage) (Procedure, error) {
	at := named("procedure")
	f, err := object(raw, at, "nonresponse", "spoiled")
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
		raw := f.get(setting.key)
		if raw == nil {
			continue
		}
		if *setting.into, err = text(raw, at.field(setting.key)); err != nil {
			return Procedure{}, err
		}
		if *setting.into == "" { // "" or null: no policy at all
			return Procedure{}, inputErr(at.field(setting.key).String(), fmt.Sprintf("unknown policy %s: want %s", raw, setting.want))
		}
	}
	return p, nil
}

func parseUnit(i int, raw json.RawMessage) (Unit, error) {
	f, at, err := element(raw, item{name: "units", i: i, naming: unitItem}, "id", "zone", "area", "owner", "developer_held", "delivered")
	if err != nil {
		return Unit{}, err
	}
	u := Unit{ID: at.id}
	if u.Zone, err = text(f.get("zone"), at.field("zone")); err != nil {
		return Unit{}, err
	}
	if u.Area, err = parseAreaJSON(f.get("area")); err != nil {
		return Unit{}, inputErr(at.String(), err.Error())
	}
	if u.Owner, err = text(f.get("owner"), at.field("owner")); err != nil {
		return Unit{}, err
	}
	if u.DeveloperHeld, err = boolean(f.get("developer_held"), at.field("developer_held"), true); err != nil {
		return Unit{}, err
	}
	if u.Delivered, err = boolean(f.get("delivered"), at.field("delivered"), false); err != nil {
		return Unit{}, err
	}
	return u, nil
}

func parseBallot(i int, raw json.RawMessage) (Ballot, error) {
	f, at, err := element(raw, item{name: "ballots", i: i, naming: ballotItem}, "unit", "choice")
	if err != nil {
		return Ballot{}, err
	}
	choice, err := text(f.get("choice"), at.field("choice"))
	if err != nil {
		return Ballot{}, err
	}
	c, err := ParseChoice(choice)
	if err != nil {
		return Ballot{}, inputErr(at.String(), err.Error())
	}
	return Ballot{Unit: at.id, Choice: c}, nil
}

// item names a part of the input in messages: a named part such as "veto",
// or an element of a list, named by naming from its index and id, and
// optionally one field of either. Names are built only for a message:
// building them for 100,000 units would cost as much as reading them.
type item struct {
	name   string
	i      int
	naming func(i int, id string) string // nil for a named part
	id     string
	sub    string
}

func named(name string) item { return item{name: name} }

func (it item) field(key string) item {
	it.sub = key
	return it
}

func (it item) String() string {
	s := it.name
	if it.naming != nil {
		s = it.naming(it.i, it.id)
		if it.id == "" {
			s = fmt.Sprintf("%s[%d]", it.name, it.i)
		}
	}
	if it.sub != "" {
		s += "." + it.sub
	}
	return s
}

// element reads the object at, an element of a list, whose first key
// identifies it: its fields, and at with that id.
func element(raw json.RawMessage, at item, keys ...string) (fields, item, error) {
	f, err := object(raw, at)
	if err != nil {
		return nil, at, err
	}
	if at.id, err = text(f.get(keys[0]), at.field(keys[0])); err != nil {
		return nil, at, err
	}
	return f, at, known(f, at, keys...)
}

// fields are an object's keys and raw values, in order.
type fields []field

type field struct {
	key   string
	value json.RawMessage
}

// get returns the value of key, or nil when it is absent.
func (f fields) get(key string) json.RawMessage {
	for _, kv := range f {
		if kv.key == key {
			return kv.value
		}
	}
	return nil
}

// object reads a JSON object (null or absent reads as empty) whose keys are
// unique; when keys are given, they are the only ones allowed. raw must be
// valid JSON.
func object(raw json.RawMessage, at item, keys ...string) (fields, error) {
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, inputErr(at.String(), "want a JSON object, not "+kindOf(raw))
	}
	f := make(fields, 0, 8)
	dup := ""
	walk(raw, func(key, value []byte) {
		k := unquote(key)
		if f.get(k) != nil && dup == "" {
			dup = k
		}
		f = append(f, field{k, value})
	})
	if dup != "" {
		return nil, inputErr(at.String(), fmt.Sprintf("field %q given twice", dup))
	}
	if len(keys) > 0 {
		return f, known(f, at, keys...)
	}
	return f, nil
}

// walk calls fn with each key (quoted) and value of the object, or each
// element (key nil) of the array, that valid JSON raw starts with. It scans
// the bytes itself: encoding/json's Decoder builds an error message at the
// end of every value it reads in token mode, which made a 100,000-unit
// scenario take seconds.
func walk(raw []byte, fn func(key, value []byte)) {
	i := skipSpace(raw, 1)
	if raw[i] == '}' || raw[i] == ']' {
		return
	}
	for {
		var key []byte
		if raw[0] == '{' {
			end := valueEnd(raw, i)
			key = raw[i:end]
			i = skipSpace(raw, skipSpace(raw, end)+1) // past the colon
		}
		end := valueEnd(raw, i)
		fn(key, raw[i:end])
		i = skipSpace(raw, end)
		if raw[i] != ',' {
			return
		}
		i = skipSpace(raw, i+1)
	}
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// valueEnd is the index just past the valid JSON value starting at raw[i].
func valueEnd(raw []byte, i int) int {
	switch raw[i] {
	case '"':
		for j := i + 1; ; j++ {
			switch raw[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch raw[j] {
			case '"':
				j = valueEnd(raw, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
	}
	j := i
	for j < len(raw) && !bytes.ContainsRune([]byte(",}] \t\n\r"), rune(raw[j])) {
		j++
	}
	return j
}

// known refuses a field that is not among keys, naming it and them.
func known(f fields, at item, keys ...string) error {
	for _, kv := range f {
		if !slices.Contains(keys, kv.key) {
			return inputErr(at.String(), fmt.Sprintf("unknown field %q: want %s", kv.key, strings.Join(keys, ", ")))
		}
	}
	return nil
}

// array reads a JSON array (null or absent reads as empty) into its raw
// elements.
func array(raw json.RawMessage, at item) ([]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] != '[' {
		return nil, inputErr(at.String(), "want a JSON array, not "+kindOf(raw))
	}
	var elems []json.RawMessage
	walk(raw, func(_, value []byte) { elems = append(elems, value) })
	return elems, nil
}

// text reads a JSON string; null or absent reads as "".
func text(raw json.RawMessage, at item) (string, error) {
	switch {
	case isNull(raw):
		return "", nil
	case raw[0] != '"':
		return "", inputErr(at.String(), "want a JSON string, not "+kindOf(raw))
	}
	return unquote(raw), nil
}

// unquote reads a valid JSON string, quickly when it has no escapes.
func unquote(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	json.Unmarshal(raw, &s) // valid JSON: cannot fail
	return s
}

// boolean reads true or false, absent reading as false; null reads as false
// only where nullOK (developer_held always took it; delivered must be a
// boolean, §4).
func boolean(raw json.RawMessage, at item, nullOK bool) (bool, error) {
	switch {
	case raw == nil || (nullOK && isNull(raw)):
		return false, nil
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	}
	return false, inputErr(at.String(), fmt.Sprintf("want true or false, not %s", raw))
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
