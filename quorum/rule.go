package quorum

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Threshold is a pair of fractions that must both be reached: one on area,
// one on headcount. Article 278 always counts both.
type Threshold struct {
	Area      Fraction `json:"area"`
	Headcount Fraction `json:"headcount"`
}

// reachedBy reports whether part reaches both fractions of whole.
func (t Threshold) reachedBy(part, whole Tally) bool {
	return t.Area.Reached(int64(part.Area), int64(whole.Area)) &&
		t.Headcount.Reached(int64(part.Headcount), int64(whole.Headcount))
}

// Rule is how a matter is decided (DESIGN.md §3.3): Participation is measured
// against the eligible totals, Approval against the participating totals.
type Rule struct {
	Participation Threshold `json:"participation"`
	Approval      Threshold `json:"approval"`
}

// Category is the kind of matter under Article 278, which fixes the loosest
// rule an estate may use for it.
type Category string

// The two categories of Article 278.
const (
	Ordinary Category = "ordinary" // rules of procedure, electing the committee, using the maintenance fund …
	Major    Category = "major"    // raising the maintenance fund, rebuilding, changing the use of common parts
)

var (
	twoThirds = Fraction{Num: 2, Den: 3}

	// OrdinaryRule is Article 278's rule for ordinary matters: ≥ 2/3 of area and
	// of owners take part, and more than half of the participating area and
	// owners agree.
	OrdinaryRule = Rule{
		Participation: Threshold{Area: twoThirds, Headcount: twoThirds},
		Approval: Threshold{
			Area:      Fraction{Num: 1, Den: 2, Strict: true},
			Headcount: Fraction{Num: 1, Den: 2, Strict: true},
		},
	}

	// MajorRule is Article 278's rule for major matters: the same participation
	// and at least 3/4 of the participating area and owners agree.
	MajorRule = Rule{
		Participation: Threshold{Area: twoThirds, Headcount: twoThirds},
		Approval: Threshold{
			Area:      Fraction{Num: 3, Den: 4},
			Headcount: Fraction{Num: 3, Den: 4},
		},
	}
)

// Rule returns the preset rule of the category.
func (c Category) Rule() (Rule, error) {
	switch c {
	case Ordinary:
		return OrdinaryRule, nil
	case Major:
		return MajorRule, nil
	}
	return Rule{}, fmt.Errorf("unknown preset %q: want \"ordinary\" or \"major\"", string(c))
}

// ParseRule reads a rule as written in the evaluate JSON and in a matter: a
// preset name ("ordinary", "major") or an object of four fractions, all of
// which are required and nothing else allowed. Errors are *InputError naming the offending part under
// "rules".
func ParseRule(raw json.RawMessage) (Rule, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && !json.Valid(raw):
		return Rule{}, inputErr("rules", "invalid JSON")
	case len(raw) == 0 || string(raw) == "null":
		return Rule{}, inputErr("rules", `missing: want "ordinary", "major" or an object of fractions`)
	case raw[0] == '"':
		var name string
		if err := json.Unmarshal(raw, &name); err != nil {
			return Rule{}, inputErr("rules", err.Error())
		}
		r, err := Category(name).Rule()
		if err != nil {
			return Rule{}, inputErr("rules", err.Error())
		}
		return r, nil
	case raw[0] != '{':
		return Rule{}, inputErr("rules", fmt.Sprintf(`want "ordinary", "major" or an object of fractions, not %s`, raw))
	}
	parts, err := object(raw, named("rules"), "participation", "approval")
	if err != nil {
		return Rule{}, err
	}
	var r Rule
	for _, p := range []struct {
		name string
		into *Threshold
	}{{"participation", &r.Participation}, {"approval", &r.Approval}} {
		item := "rules." + p.name
		if isNull(parts.get(p.name)) {
			return Rule{}, inputErr(item, "missing: want {\"area\": F, \"headcount\": F}")
		}
		t, err := object(parts.get(p.name), named(item), "area", "headcount")
		if err != nil {
			return Rule{}, err
		}
		if p.into.Area, err = fractionField(item+".area", t.get("area")); err != nil {
			return Rule{}, err
		}
		if p.into.Headcount, err = fractionField(item+".headcount", t.get("headcount")); err != nil {
			return Rule{}, err
		}
	}
	return r, nil
}

func fractionField(item string, raw json.RawMessage) (Fraction, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return Fraction{}, inputErr(item, `missing fraction: want "N/D" or ">N/D"`)
	}
	var f Fraction
	if err := f.UnmarshalJSON(raw); err != nil {
		return Fraction{}, inputErr(item, err.Error())
	}
	return f, nil
}

// UnmarshalJSON reads a preset name or a rule object with ParseRule, so a
// matter's stored rule can be decoded straight into a Rule.
func (r *Rule) UnmarshalJSON(data []byte) error {
	v, err := ParseRule(data)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// fractions lists the rule's four fractions with the names used in messages.
func (r Rule) fractions() [4]namedFraction {
	return [4]namedFraction{
		{"participation.area", r.Participation.Area},
		{"participation.headcount", r.Participation.Headcount},
		{"approval.area", r.Approval.Area},
		{"approval.headcount", r.Approval.Headcount},
	}
}

type namedFraction struct {
	name string
	f    Fraction
}

// Validate checks that every fraction is well formed; it is what stops the
// zero Rule (which reads "0/0") from deciding anything.
func (r Rule) Validate() error {
	for _, nf := range r.fractions() {
		if err := nf.f.validate(); err != nil {
			return inputErr("rules."+nf.name, err.Error())
		}
	}
	return nil
}

// LooserThan lists the fractions of r (e.g. "approval.area") that are looser
// than the preset of category c; an empty list means r is at least as strict
// as Article 278 requires for c on all four. The consultations API refuses a
// matter whose rule has any; the evaluate calculator does not ask.
func (r Rule) LooserThan(c Category) ([]string, error) {
	base, err := c.Rule()
	if err != nil {
		return nil, err
	}
	return r.LooserThanRule(base), nil
}

// LooserThanRule lists the fractions of r that are looser than base's, so
// a matter can be held to an estate's own thresholds as well as the law's.
func (r Rule) LooserThanRule(base Rule) []string {
	var looser []string
	want := base.fractions()
	for i, nf := range r.fractions() {
		if !nf.f.AtLeastAsStrictAs(want[i].f) {
			looser = append(looser, nf.name)
		}
	}
	return looser
}

// participationMet reports whether o's participants reach the participation
// fractions of the eligible totals (§3.1).
func (r Rule) participationMet(o *Outcome) bool {
	return r.Participation.reachedBy(o.Participating, o.Eligible)
}

// carries reports whether part reaches the approval fractions of o's
// participating totals. Nobody can carry a vote nobody took part in, so it is
// false without participants even for a "0/1" approval.
func (r Rule) carries(part Tally, o *Outcome) bool {
	return o.Participating.Headcount > 0 && r.Approval.reachedBy(part, o.Participating)
}
