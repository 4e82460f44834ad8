package ballot

import (
	"cmp"
	"strings"
)

// CompareNatural orders texts as people number buildings and rooms: runs of
// digits compare as numbers (2 before 12), everything else as text.
func CompareNatural(a, b string) int {
	tie := 0 // 2 before 02, when nothing else tells them apart
	for a != "" && b != "" {
		if isDigit(a[0]) && isDigit(b[0]) {
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			ta, tb := strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if c := cmp.Or(cmp.Compare(len(ta), len(tb)), strings.Compare(ta, tb)); c != 0 {
				return c
			}
			if tie == 0 {
				tie = cmp.Compare(len(na), len(nb))
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] { // byte order of UTF-8 is code point order
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Or(cmp.Compare(len(a), len(b)), tie)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitRun(s string) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// Place is where a unit is, for ordering ballot packets and lists of units
// still to visit: building → entrance → floor → room.
type Place struct {
	Building string
	Entrance string
	Floor    int
	Room     string
}

// ComparePlaces orders places building by building, then entrance, floor and
// room, comparing names naturally.
func ComparePlaces(a, b Place) int {
	return cmp.Or(
		CompareNatural(a.Building, b.Building),
		CompareNatural(a.Entrance, b.Entrance),
		cmp.Compare(a.Floor, b.Floor),
		CompareNatural(a.Room, b.Room),
	)
}
