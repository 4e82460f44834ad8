package roll

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"gongjue/idnumber"
	"gongjue/quorum"
)

// The demo estate's zones (DESIGN.md §9).
const (
	zoneMultiStorey = "多层"
	zoneVilla       = "别墅"
	zoneHighRise    = "高层"
	zoneDuplex      = "复式"
	zoneShop        = "商铺"
)

// demoDeveloper is the owner shown on the demo's developer-held units.
const demoDeveloper = "示范置业有限公司"

// Demo returns the demo estate of DESIGN.md §9, modelled on a real estate of
// 3,762 units in five zones: 多层 620 (6-storey walk-ups, buildings 1–14, two
// flats a landing), 高层 2,700 (18- to 33-storey towers, buildings 15–32),
// 复式 200 (two-storey duplexes, buildings 33–42), 商铺 62 (ground-floor shops,
// buildings 43–44) and 别墅 180 (one villa a building, buildings 101–280).
// Flats measure 60–150 m², duplexes 120–220, villas 200–350 and shops 30–300.
// 12 units are developer-held, and 110 owners (about 3%) hold two units,
// often in different zones. Names, phone numbers and ID numbers (18 characters
// with a valid check digit) are made up.
//
// The estate comes from a fixed seed, so every call returns the same units;
// each passes Parse's checks.
func Demo() []Unit {
	d := demo{rng: rand.New(rand.NewPCG(278, 3762)), ids: make(map[string]bool)}

	// 多层: buildings 1–12 have four entrances, 13 two, all six storeys;
	// 14 has two five-storey entrances. 12×48 + 24 + 20 = 620.
	for b := 1; b <= 14; b++ {
		entrances, floors := 4, 6
		switch b {
		case 13:
			entrances = 2
		case 14:
			entrances, floors = 2, 5
		}
		d.block(zoneMultiStorey, b, entrances, floors, 1, 2, 6000, 15000)
	}
	// 高层: 6 towers of 33 storeys with four flats a landing, 3 of 26 with
	// three, 9 of 18 with two, each with two entrances.
	// 6×264 + 3×156 + 9×72 = 2,700.
	for b := 15; b <= 32; b++ {
		floors, perLanding := 18, 2
		switch {
		case b <= 20:
			floors, perLanding = 33, 4
		case b <= 23:
			floors, perLanding = 26, 3
		}
		d.block(zoneHighRise, b, 2, floors, 1, perLanding, 6000, 15000)
	}
	// 复式: ten 10-storey buildings of two-storey duplexes, numbered by their
	// lower floor: 10 × 2 entrances × 5 levels × 2 = 200.
	for b := 33; b <= 42; b++ {
		d.block(zoneDuplex, b, 2, 9, 2, 2, 12000, 22000)
	}
	// 商铺: two shop buildings of 31 ground-floor shops each.
	for b := 43; b <= 44; b++ {
		for k := 1; k <= 31; k++ {
			d.add(zoneShop, b, 1, 1, k, d.area(3000, 30000))
		}
	}
	// 别墅: one villa a building.
	for b := 101; b <= 280; b++ {
		d.add(zoneVilla, b, 1, 1, 1, d.area(20000, 35000))
	}

	// Six shops and six high-rise flats are unsold.
	for _, zone := range []string{zoneShop, zoneHighRise} {
		var in []int
		for i, u := range d.units {
			if u.Zone == zone {
				in = append(in, i)
			}
		}
		for _, j := range d.rng.Perm(len(in))[:6] {
			u := &d.units[in[j]]
			u.DeveloperHeld, u.OwnerName, u.IDNumber, u.Phone = true, demoDeveloper, "", ""
		}
	}
	// 110 owners hold a second unit: pair up 220 random sold units.
	var pair []int
	for _, i := range d.rng.Perm(len(d.units)) {
		if !d.units[i].DeveloperHeld && len(pair) < 220 {
			pair = append(pair, i)
		}
	}
	for k := 0; k < len(pair); k += 2 {
		first, second := d.units[pair[k]], &d.units[pair[k+1]]
		second.OwnerName, second.IDNumber, second.Phone = first.OwnerName, first.IDNumber, first.Phone
	}
	return d.units
}

// demo builds the demo estate.
type demo struct {
	rng   *rand.Rand
	units []Unit
	ids   map[string]bool // ID numbers handed out
}

// block adds a building whose entrances each have perLanding units on every
// step-th floor up to floors; units stacked above one another share a
// layout, so they share an area drawn from [lo, hi] hundredths of m².
func (d *demo) block(zone string, building, entrances, floors, step, perLanding int, lo, hi int64) {
	for e := 1; e <= entrances; e++ {
		stack := make([]quorum.Area, perLanding)
		for k := range stack {
			stack[k] = d.area(lo, hi)
		}
		for f := 1; f <= floors; f += step {
			for k := 1; k <= perLanding; k++ {
				d.add(zone, building, e, f, k, stack[k-1])
			}
		}
	}
}

// add appends unit k of floor f with a new owner.
func (d *demo) add(zone string, building, entrance, floor, k int, area quorum.Area) {
	b, e, r := strconv.Itoa(building), strconv.Itoa(entrance), strconv.Itoa(floor*100+k)
	source := AreaCertificate
	switch n := d.rng.IntN(100); {
	case n >= 97:
		source = AreaContract
	case n >= 88:
		source = AreaSurvey
	}
	d.units = append(d.units, Unit{
		ID: UnitID(b, e, r), Building: b, Entrance: e, Room: r, Zone: zone, Floor: floor,
		Area: area, AreaSource: source,
		OwnerName: d.name(), IDNumber: d.idNumber(), Phone: d.phone(),
	})
}

// area draws an area in [lo, hi] hundredths of m².
func (d *demo) area(lo, hi int64) quorum.Area {
	return quorum.Area(lo + d.rng.Int64N(hi-lo+1))
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余")
	given    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
		"明", "超", "华", "平", "刚", "秀英", "桂英", "建华", "建国", "志强", "玉兰", "海燕", "秀兰", "晓东", "文斌",
		"国强", "凤英", "淑珍", "立新", "红梅", "佳怡", "子涵", "浩然", "雨萱", "俊杰", "婷婷", "欣怡", "宇航"}
	mobilePrefixes = []string{"133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
		"158", "159", "177", "180", "181", "186", "187", "188", "189", "199"}
	// Shanghai districts mostly, and a few cities owners come from.
	regions = []string{"310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
		"310113", "310115", "320102", "330106", "340104", "420106", "510107"}
)

func (d *demo) name() string {
	return string(surnames[d.rng.IntN(len(surnames))]) + given[d.rng.IntN(len(given))]
}

func (d *demo) phone() string {
	return fmt.Sprintf("%s%08d", mobilePrefixes[d.rng.IntN(len(mobilePrefixes))], d.rng.IntN(100_000_000))
}

// idNumber makes up a resident ID number not handed out before: region,
// birth date, sequence number and the GB 11643 check character.
func (d *demo) idNumber() string {
	for {
		body := fmt.Sprintf("%s%04d%02d%02d%03d", regions[d.rng.IntN(len(regions))],
			1940+d.rng.IntN(61), 1+d.rng.IntN(12), 1+d.rng.IntN(28), d.rng.IntN(1000))
		id := body + string(idnumber.CheckChar(body))
		if !d.ids[id] {
			d.ids[id] = true
			return id
		}
	}
}
