package quorum

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// estate100k is 100,000 units in five zones in the demo estate's proportions,
// with owners holding one to three units (some across zones), 500 developer
// units and 80% turnout.
func estate100k() *Scenario {
	r := rand.New(rand.NewSource(278))
	zones := []struct {
		name  string
		share int // per mille of units
		area  int // typical hundredths of m²
	}{{"多层", 165, 9000}, {"别墅", 48, 30000}, {"高层", 717, 9000}, {"复式", 53, 18000}, {"商铺", 17, 5000}}
	s := &Scenario{Rule: OrdinaryRule, Veto: Veto{Mode: VetoZoneRejection}}
	owner := 0
	for len(s.Units) < 100_000 {
		z := zones[len(zones)-1]
		for k, pick := 0, r.Intn(1000); k < len(zones); k++ {
			if pick -= zones[k].share; pick < 0 {
				z = zones[k]
				break
			}
		}
		u := Unit{ID: fmt.Sprintf("%d-%d-%d", len(s.Units)/100, len(s.Units)/10%10, len(s.Units)), Zone: z.name,
			Area: Area(z.area/2 + r.Intn(z.area))}
		switch k := r.Intn(200); {
		case k == 0:
			u.DeveloperHeld = true
		case k < 60:
			u.Owner = fmt.Sprintf("owner-%d", owner-r.Intn(min(owner+1, 3))) // shares with a recent owner
		default:
			owner++
			u.Owner = fmt.Sprintf("owner-%d", owner)
		}
		s.Units = append(s.Units, u)
		if r.Intn(10) < 8 {
			s.Ballots = append(s.Ballots, Ballot{Unit: u.ID, Choice: Choice(1 + r.Intn(4))})
		}
	}
	return s
}

func BenchmarkEvaluate100k(b *testing.B) {
	s := estate100k()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseScenario100k reads estate100k as §4 JSON, every unit
// delivered.
func BenchmarkParseScenario100k(b *testing.B) {
	s := estate100k()
	var js strings.Builder
	js.WriteString(`{"rules":"ordinary","procedure":{"nonresponse":"delivered-participate"},"units":[`)
	for i, u := range s.Units {
		if i > 0 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, `{"id":%q,"zone":%q,"area":"%s","owner":%q,"delivered":true}`, u.ID, u.Zone, u.Area, u.Owner)
	}
	js.WriteString(`],"ballots":[`)
	for i, bl := range s.Ballots {
		if i > 0 {
			js.WriteString(",")
		}
		fmt.Fprintf(&js, `{"unit":%q,"choice":%q}`, bl.Unit, bl.Choice)
	}
	js.WriteString(`]}`)
	data := []byte(js.String())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseScenario(data); err != nil {
			b.Fatal(err)
		}
	}
}
