package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/secret"
)

var rollKeys = &secret.Keys{Master: [secret.KeySize]byte{1, 2, 3}}

// newRollEstate returns a fresh database with one estate in it.
func newRollEstate(t *testing.T) (*postgres.DB, int64) {
	t.Helper()
	db, _ := pgtest.New(t)
	cid, err := postgres.CreateCommunity(context.Background(), db, "测试小区", "")
	if err != nil {
		t.Fatal(err)
	}
	return db, cid
}

// rollSnapshot is the roll as stored: every units and zones row as text.
func rollSnapshot(t *testing.T, db *postgres.DB) string {
	t.Helper()
	var rows []string
	if err := db.Select(&rows, `
		SELECT u::text FROM units u
		UNION ALL SELECT z::text FROM zones z
		ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

const rollCSV = "楼栋,单元,房号,区域,建筑面积,面积来源,业主,证件号,电话,开发商持有\n" +
	"1,1,101,多层,89.35,不动产登记簿,张三丰,110101199003071234,13800001234,否\n" +
	"1,1,102,多层,90.10,,李四,110101199003075678,13900005678,\n" +
	"2,1,1502,高层,120.00,竣工测绘,张三丰,110101199003071234,13800001234,N\n" +
	"2,1,1601,高层,130.5,,开发商,,,是\n" +
	"2,1,1602,高层,130.5,,开发商,,,是\n" +
	"3,1,101,商铺,45,销售合同,王五,,13700000000,\n"

// importRollFile parses file and imports it into estate cid.
func importRollFile(t *testing.T, db *postgres.DB, cid int64, file []byte, name string) (postgres.RollSummary, error) {
	t.Helper()
	units, err := roll.Parse(bytes.NewReader(file), name)
	if err != nil {
		return postgres.RollSummary{}, err
	}
	return postgres.ImportRoll(context.Background(), db, rollKeys, cid, units)
}

func TestImportRollCSV(t *testing.T) {
	db, cid := newRollEstate(t)
	ctx := context.Background()
	got, err := importRollFile(t, db, cid, []byte(rollCSV), "名册.csv")
	if err != nil {
		t.Fatal(err)
	}
	// 张三丰 holds two units, the developer's two count once, 王五 has no ID
	// number so his shop is its own person.
	want := postgres.RollSummary{Units: 6, Persons: 4, Zones: 3, Added: 6}
	if got != want {
		t.Fatalf("summary %+v, want %+v", got, want)
	}

	stats, err := postgres.ListZones(ctx, db, cid)
	if err != nil {
		t.Fatal(err)
	}
	wantZones := []postgres.ZoneStats{
		{Name: "商铺", Units: 1, Headcount: 1, Area: 4500},
		{Name: "多层", Units: 2, Headcount: 2, Area: 17945},
		{Name: "高层", Units: 3, Headcount: 2, Area: 38100},
	}
	if fmt.Sprint(stats.Zones) != fmt.Sprint(wantZones) {
		t.Fatalf("zones %v, want %v", stats.Zones, wantZones)
	}
	// 张三丰 counts in 多层 and in 高层 but once in the estate.
	if total := (postgres.ZoneStats{Units: 6, Headcount: 4, Area: 60545}); stats.Total != total {
		t.Fatalf("total %+v, want %+v", stats.Total, total)
	}
	if stats.Total.Area.String() != "605.45" {
		t.Fatalf("total area %s", stats.Total.Area)
	}

	units, err := postgres.ListUnits(ctx, db, cid, postgres.UnitFilter{Zone: "多层"})
	if err != nil {
		t.Fatal(err)
	}
	wantUnits := []postgres.RollUnit{
		{ID: "1-1-101", Building: "1", Entrance: "1", Room: "101", Zone: "多层", Floor: 1, Area: 8935,
			AreaSource: roll.AreaCertificate, OwnerName: "张**", Phone: "138****1234"},
		{ID: "1-1-102", Building: "1", Entrance: "1", Room: "102", Zone: "多层", Floor: 1, Area: 9010,
			OwnerName: "李*", Phone: "139****5678"},
	}
	if fmt.Sprint(units) != fmt.Sprint(wantUnits) {
		t.Fatalf("units %+v\nwant %+v", units, wantUnits)
	}
	units, err = postgres.ListUnits(ctx, db, cid, postgres.UnitFilter{Building: "2", Entrance: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 3 || units[0].Room != "1502" || !units[1].DeveloperHeld {
		t.Fatalf("building 2: %+v", units)
	}

	// The ID number is stored nowhere, only its keyed hash.
	var leaks int
	if err := db.Get(&leaks, `SELECT count(*) FROM units u WHERE u::text LIKE '%110101199003071234%'`); err != nil {
		t.Fatal(err)
	}
	if leaks != 0 {
		t.Fatal("an ID number is stored in the units table")
	}
	var key string
	if err := db.Get(&key, `SELECT owner_key FROM units WHERE community_id = $1 AND id = '2-1-1502'`, cid); err != nil {
		t.Fatal(err)
	}
	if key != rollKeys.OwnerKey("110101199003071234") {
		t.Fatalf("owner key %q", key)
	}
}

func TestImportRollXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"building", "entrance", "room", "floor", "zone", "area", "area_source", "owner_name", "id_number", "phone", "developer_held"},
		{"101", "1", "101", 1, "别墅", 289.35, "certificate", "赵六", "310115198001010012", "13600000001", "false"},
		{"102", "1", "101", 1, "别墅", 301, "survey", "赵六", "310115198001010012", "13600000001", "0"},
		{"5", "2", "1201", 12, "高层", 99.99, "contract", "钱七", "310115198001010039", "13600000002", "Y"},
	}
	for i, row := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	db, cid := newRollEstate(t)
	got, err := importRollFile(t, db, cid, buf.Bytes(), "roll.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if want := (postgres.RollSummary{Units: 3, Persons: 2, Zones: 2, Added: 3}); got != want {
		t.Fatalf("summary %+v, want %+v", got, want)
	}
	stats, err := postgres.ListZones(context.Background(), db, cid)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Zones[0].Name != "别墅" || stats.Zones[0].Area.String() != "590.35" || stats.Zones[0].Headcount != 1 {
		t.Fatalf("zones %+v", stats.Zones)
	}
}

// TestImportRollBadFiles checks every refused file names its problem and
// leaves the stored roll as it was.
func TestImportRollBadFiles(t *testing.T) {
	db, cid := newRollEstate(t)
	if _, err := importRollFile(t, db, cid, []byte(rollCSV), "roll.csv"); err != nil {
		t.Fatal(err)
	}
	before := rollSnapshot(t, db)
	const header = "楼栋,单元,房号,区域,建筑面积\n"
	tests := []struct {
		name, file, filename string
		row                  int
		column               string
		want                 error // for errors about the whole file
	}{
		{name: "missing column", file: "楼栋,单元,房号,建筑面积\n1,1,101,50\n", row: 1, column: "zone"},
		{name: "unparseable area", file: header + "1,1,101,多层,八十\n", row: 2, column: "建筑面积"},
		{name: "negative area", file: header + "1,1,101,多层,50\n1,1,102,多层,-50\n", row: 3, column: "建筑面积"},
		{name: "three decimals", file: header + "1,1,101,多层,50.123\n", row: 2, column: "建筑面积"},
		{name: "duplicate unit", file: header + "1,1,101,多层,50\n1,1,101,多层,51\n", row: 3, column: "房号"},
		{name: "empty file", file: "", row: 1},
		{name: "header only", file: header, row: 2},
		{name: "pdf", file: "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", filename: "roll.pdf", want: roll.ErrUnsupported},
		{name: "png", file: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", want: roll.ErrUnsupported},
		{name: "oversize", file: header + strings.Repeat("1,1,101,多层,50\n", roll.MaxFileSize/16), want: roll.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.filename == "" {
				tc.filename = "roll.csv"
			}
			_, err := importRollFile(t, db, cid, []byte(tc.file), tc.filename)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			} else {
				rerr, ok := errors.AsType[*roll.Error](err)
				if !ok || len(rerr.Problems) == 0 {
					t.Fatalf("got %v, want *roll.Error", err)
				}
				if p := rerr.Problems[0]; p.Row != tc.row || p.Column != tc.column {
					t.Fatalf("problem %+v, want row %d column %q", p, tc.row, tc.column)
				}
			}
			if rollSnapshot(t, db) != before {
				t.Fatal("a refused file changed the roll")
			}
		})
	}
}

func TestImportRollDiff(t *testing.T) {
	db, cid := newRollEstate(t)
	if _, err := importRollFile(t, db, cid, []byte(rollCSV), "roll.csv"); err != nil {
		t.Fatal(err)
	}
	// The same file again changes nothing.
	got, err := importRollFile(t, db, cid, []byte(rollCSV), "roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	if want := (postgres.RollSummary{Units: 6, Persons: 4, Zones: 3}); got != want {
		t.Fatalf("re-import %+v, want %+v", got, want)
	}
	// Add 4-1-101, change 1-1-102's phone, remove the only shop (and so its zone).
	edited := strings.Replace(rollCSV, "13900005678", "13900009999", 1)
	edited = strings.Replace(edited, "3,1,101,商铺,45,销售合同,王五,,13700000000,\n", "4,1,101,多层,66.6,,孙八,,,\n", 1)
	got, err = importRollFile(t, db, cid, []byte(edited), "roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	if want := (postgres.RollSummary{Units: 6, Persons: 4, Zones: 2, Added: 1, Changed: 1, Removed: 1}); got != want {
		t.Fatalf("edited import %+v, want %+v", got, want)
	}
	var phone string
	if err := db.Get(&phone, `SELECT owner_phone FROM units WHERE id = '1-1-102'`); err != nil || phone != "13900009999" {
		t.Fatalf("phone %q, %v", phone, err)
	}
}

func TestImportRollKeepsBallotedUnits(t *testing.T) {
	db, cid := newRollEstate(t)
	ctx := context.Background()
	if _, err := importRollFile(t, db, cid, []byte(rollCSV), "roll.csv"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var consultation int64
	if err := db.Get(&consultation, `INSERT INTO consultations (community_id, title, opens_at, closes_at)
		VALUES ($1, '加装电梯', $2, $3) RETURNING id`, cid, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO ballots (community_id, consultation_id, unit_id, token_hash, code,
		zone, building, entrance, floor, room, area_centi, person_key)
		SELECT community_id, $2, id, sha256(id::bytea), id, zone, building, entrance, floor, room, area_centi, person_key
		FROM units WHERE community_id = $1 AND id = '3-1-101'`, cid, consultation); err != nil {
		t.Fatal(err)
	}
	before := rollSnapshot(t, db)

	// Drop the balloted shop and change another unit: nothing may change.
	edited := strings.Replace(rollCSV, "3,1,101,商铺,45,销售合同,王五,,13700000000,\n", "", 1)
	edited = strings.Replace(edited, "89.35", "88.00", 1)
	units, err := roll.Parse(strings.NewReader(edited), "roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = postgres.ImportRoll(ctx, db, rollKeys, cid, units)
	rerr, ok := errors.AsType[*roll.Error](err)
	if !ok || len(rerr.Problems) != 1 || !strings.Contains(rerr.Problems[0].Message, "3-1-101") {
		t.Fatalf("got %v, want a *roll.Error naming 3-1-101", err)
	}
	if rollSnapshot(t, db) != before {
		t.Fatal("a refused import changed the roll")
	}
}

func TestImportRollUnknownEstate(t *testing.T) {
	db, _ := pgtest.New(t)
	_, err := postgres.ImportRoll(context.Background(), db, rollKeys, 999, roll.Demo()[:1])
	if !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
}

func TestImportDemo(t *testing.T) {
	db, cid := newRollEstate(t)
	ctx := context.Background()
	demo := roll.Demo()
	start := time.Now()
	got, err := postgres.ImportRoll(ctx, db, rollKeys, cid, demo)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo estate imported in %v", time.Since(start))
	// 3,762 units less 110 second units of an owner, less 11 of the 12
	// developer-held units.
	if want := (postgres.RollSummary{Units: 3762, Persons: 3762 - 110 - 11, Zones: 5, Added: 3762}); got != want {
		t.Fatalf("summary %+v, want %+v", got, want)
	}
	stats, err := postgres.ListZones(ctx, db, cid)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"多层": 620, "别墅": 180, "高层": 2700, "复式": 200, "商铺": 62}
	sumHeadcount := 0
	var area quorum.Area
	for _, z := range stats.Zones {
		if z.Units != want[z.Name] {
			t.Errorf("zone %s has %d units, want %d", z.Name, z.Units, want[z.Name])
		}
		if z.Headcount > z.Units || z.Headcount == 0 {
			t.Errorf("zone %s: headcount %d of %d units", z.Name, z.Headcount, z.Units)
		}
		sumHeadcount += z.Headcount
		area += z.Area
	}
	if len(stats.Zones) != 5 || stats.Total.Units != 3762 || stats.Total.Area != area {
		t.Fatalf("stats %+v", stats)
	}
	// Owners with units in two zones count in both, once in the estate.
	if stats.Total.Headcount != got.Persons || sumHeadcount <= stats.Total.Headcount {
		t.Fatalf("estate headcount %d, zones' sum %d", stats.Total.Headcount, sumHeadcount)
	}
	for _, z := range stats.Zones {
		if z.Name == "高层" && z.Headcount >= z.Units {
			t.Errorf("高层: headcount %d not below %d units", z.Headcount, z.Units)
		}
	}

	// Nothing shaped like an ID number is stored in the units table.
	var leaks int
	if err := db.Get(&leaks, `SELECT count(*) FROM units u
		WHERE u::text ~ '(^|[^0-9A-Za-z])[0-9]{17}[0-9Xx]([^0-9A-Za-z]|$)'`); err != nil {
		t.Fatal(err)
	}
	if leaks != 0 {
		t.Fatalf("%d units rows hold an ID number", leaks)
	}

	// Importing the same estate again is quick and changes nothing.
	start = time.Now()
	again, err := postgres.ImportRoll(ctx, db, rollKeys, cid, demo)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo estate re-imported in %v", time.Since(start))
	if again.Added+again.Changed+again.Removed != 0 {
		t.Fatalf("re-import %+v", again)
	}
}
