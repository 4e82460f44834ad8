package roll_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongjue/roll"
)

const goodCSV = "楼栋,单元,房号,区域,建筑面积,面积来源,业主,证件号,电话,开发商持有\n" +
	"12,2,1502,高层,89.35,不动产登记簿,张三,110101199003071234,13800001234,否\n" +
	"12,2,301,高层,120.5,survey,李四,110101199003075678,13900005678,\n" +
	"\n" + // a blank row is skipped but keeps its number
	"S1,1,101,商铺,45,,开发商,,,是\n"

func TestParseCSV(t *testing.T) {
	units, err := roll.Parse(strings.NewReader("\uFEFF"+goodCSV), "roll.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []roll.Unit{
		{ID: "12-2-1502", Building: "12", Entrance: "2", Room: "1502", Zone: "高层", Floor: 15, Area: 8935,
			AreaSource: roll.AreaCertificate, OwnerName: "张三", IDNumber: "110101199003071234", Phone: "13800001234"},
		{ID: "12-2-301", Building: "12", Entrance: "2", Room: "301", Zone: "高层", Floor: 3, Area: 12050,
			AreaSource: roll.AreaSurvey, OwnerName: "李四", IDNumber: "110101199003075678", Phone: "13900005678"},
		{ID: "S1-1-101", Building: "S1", Entrance: "1", Room: "101", Zone: "商铺", Floor: 1, Area: 4500,
			OwnerName: "开发商", DeveloperHeld: true},
	}
	if !reflect.DeepEqual(units, want) {
		t.Fatalf("got  %+v\nwant %+v", units, want)
	}
}

func TestParseGB18030(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(goodCSV)
	if err != nil {
		t.Fatal(err)
	}
	units, err := roll.Parse(strings.NewReader(gbk), "名册.CSV")
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 3 || units[0].Zone != "高层" || units[0].OwnerName != "张三" {
		t.Fatalf("GBK file misread: %+v", units)
	}
}

// TestParseXLSX reads a workbook with English headers in another order, a
// floor column, numeric cells and an area stored with binary noise.
func TestParseXLSX(t *testing.T) {
	f := excelize.NewFile()
	rows := [][]any{
		{"Zone", "Area (m²)", "Building", "Entrance", "Room", "Floor", "Owner Name", "ID_Number", "Phone", "Developer_Held", "Area_Source"},
		{"别墅", 289.35, 7, 1, 1, 1, "王五", "31011519800101001X", 13700001111, true, "Certificate"},
		{},
		{"多层", "60.10", "3", "4", "602", "", "", "", "", "N", "销售合同"},
		{"多层", "70.20000000000000284", "3", "4", "603", "", "", "", "", "0", ""},
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	// 60.10 as a float, which excelize stores as 60.0999999999999.
	if err := f.SetCellValue("Sheet1", "B4", 60.099999999999994); err != nil {
		t.Fatal(err)
	}
	// A number format showing whole numbers must not round the area.
	style, err := f.NewStyle(&excelize.Style{NumFmt: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle("Sheet1", "B2", "B2", style); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	units, err := roll.Parse(&buf, "roll.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	want := []roll.Unit{
		{ID: "7-1-1", Building: "7", Entrance: "1", Room: "1", Zone: "别墅", Floor: 1, Area: 28935,
			AreaSource: roll.AreaCertificate, OwnerName: "王五", IDNumber: "31011519800101001X", Phone: "13700001111", DeveloperHeld: true},
		{ID: "3-4-602", Building: "3", Entrance: "4", Room: "602", Zone: "多层", Floor: 6, Area: 6010,
			AreaSource: roll.AreaContract},
		{ID: "3-4-603", Building: "3", Entrance: "4", Room: "603", Zone: "多层", Floor: 6, Area: 7020},
	}
	if !reflect.DeepEqual(units, want) {
		t.Fatalf("got  %+v\nwant %+v", units, want)
	}
}

func TestParseProblems(t *testing.T) {
	const header = "楼栋,单元,房号,区域,建筑面积\n"
	tests := []struct {
		name, file string
		want       []roll.Problem
	}{
		{"missing column", "楼栋,单元,房号,建筑面积\n1,1,101,50\n",
			[]roll.Problem{{1, "zone", "缺少必填列“区域” / missing required column zone"}}},
		{"unknown column", "楼栋,单元,房号,区域,建筑面积,备注\n1,1,101,多层,50,x\n",
			[]roll.Problem{{1, "备注", ""}}},
		{"duplicate column", "楼栋,单元,房号,区域,建筑面积,面积\n1,1,101,多层,50,50\n",
			[]roll.Problem{{1, "面积", "与“建筑面积”列重复 / same column as \"建筑面积\""}}},
		{"unparseable area", header + "1,1,101,多层,50㎡\n",
			[]roll.Problem{{2, "建筑面积", ""}}},
		{"negative area", header + "1,1,101,多层,-50\n",
			[]roll.Problem{{2, "建筑面积", "面积“-50”不能为负数 / area \"-50\" must not be negative"}}},
		{"zero area", header + "1,1,101,多层,0.00\n",
			[]roll.Problem{{2, "建筑面积", "面积必须大于 0 / area must be greater than 0"}}},
		{"three decimals", header + "1,1,101,多层,50.125\n",
			[]roll.Problem{{2, "建筑面积", "面积“50.125”最多两位小数 / area \"50.125\" has more than two decimals"}}},
		{"duplicate unit", header + "1,1,101,多层,50\n1,1,102,多层,50\n\n1,1,101,多层,60\n",
			[]roll.Problem{{5, "房号", "房屋 1-1-101 与第 2 行重复 / unit 1-1-101 duplicates row 2"}}},
		{"tab in a cell", header + "1,1,101,多\t层,50\n",
			[]roll.Problem{{2, "区域", "含有不允许的控制字符 U+0009 / contains the control character U+0009, which is not allowed"}}},
		{"bidi override in a cell", header + "1\u202e,1,101,多层,50\n",
			[]roll.Problem{{2, "楼栋", "含有不允许的文字方向控制符 U+202E / contains the bidirectional control U+202E, which is not allowed"}}},
		{"empty file", "", []roll.Problem{{1, "", "文件为空 / the file is empty"}}},
		{"blank lines only", "\n\n", []roll.Problem{{1, "", "文件为空 / the file is empty"}}},
		{"header only", header, []roll.Problem{{2, "", "文件只有表头，没有房屋 / the file has a header but no units"}}},
		{"empty cells", header + "1,,101,,50\n",
			[]roll.Problem{{2, "单元", "不能为空 / must not be empty"}, {2, "区域", "不能为空 / must not be empty"}}},
		{"underivable floor", header + "1,1,A1,多层,50\n", []roll.Problem{{2, "floor", ""}}},
		{"bad floor", "楼栋,单元,房号,区域,建筑面积,楼层\n1,1,101,多层,50,一\n", []roll.Problem{{2, "楼层", ""}}},
		{"bad developer_held", "楼栋,单元,房号,区域,建筑面积,开发商持有\n1,1,101,多层,50,maybe\n", []roll.Problem{{2, "开发商持有", ""}}},
		{"bad area source", "楼栋,单元,房号,区域,建筑面积,面积来源\n1,1,101,多层,50,估计\n", []roll.Problem{{2, "面积来源", ""}}},
		{"ID number as a number", "楼栋,单元,房号,区域,建筑面积,证件号\n1,1,101,多层,50,1.10101E+17\n", []roll.Problem{{2, "证件号", ""}}},
		{"malformed CSV", header + "1,1,101,多层,50\n1,1,\"102,多层,50\n", []roll.Problem{{3, "", ""}}},
		{"every problem", header + "1,1,101,多层,x\n1,1,102,多层,-1\n1,1,103,多层,1.001\n",
			[]roll.Problem{{2, "建筑面积", ""}, {3, "建筑面积", ""}, {4, "建筑面积", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			units, err := roll.Parse(strings.NewReader(tc.file), "roll.csv")
			if units != nil {
				t.Errorf("got units %v with a bad file", units)
			}
			var rerr *roll.Error
			if !errors.As(err, &rerr) {
				t.Fatalf("got error %v, want *roll.Error", err)
			}
			if len(rerr.Problems) != len(tc.want) {
				t.Fatalf("got problems %v, want %v", rerr.Problems, tc.want)
			}
			for i, p := range rerr.Problems {
				w := tc.want[i]
				if p.Row != w.Row || p.Column != w.Column || (w.Message != "" && p.Message != w.Message) || !strings.Contains(p.Message, " / ") {
					t.Errorf("problem %d = %+v, want %+v", i, p, w)
				}
			}
		})
	}
}

func TestParseFileType(t *testing.T) {
	tests := []struct {
		name, filename, content string
		want                    error
	}{
		{"pdf", "roll.pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", roll.ErrUnsupported},
		{"pdf named csv", "roll.csv", "%PDF-1.7\n1 0 obj\n", roll.ErrUnsupported},
		{"png named csv", "roll.csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", roll.ErrUnsupported},
		{"old xls", "roll.xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", roll.ErrUnsupported},
		{"text with another extension", "roll.txt", goodCSV, roll.ErrUnsupported},
		{"broken zip", "roll.xlsx", "PK\x03\x04garbage", roll.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := roll.Parse(strings.NewReader(tc.content), tc.filename)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	file := "楼栋,单元,房号,区域,建筑面积\n" + strings.Repeat("1,1,101,多层,50\n", roll.MaxFileSize/16)
	if _, err := roll.Parse(strings.NewReader(file), "roll.csv"); !errors.Is(err, roll.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}

// TestParseTooManyProblems checks a file wrong on every row is summed up.
func TestParseTooManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("楼栋,单元,房号,区域,建筑面积\n")
	for i := range 1500 {
		b.WriteString("1,1," + strconv.Itoa(101+i) + ",多层,x\n")
	}
	_, err := roll.Parse(strings.NewReader(b.String()), "roll.csv")
	var rerr *roll.Error
	if !errors.As(err, &rerr) || len(rerr.Problems) != 1001 {
		t.Fatalf("got %v", err)
	}
	if last := rerr.Problems[1000].Message; !strings.Contains(last, "500 more problems") {
		t.Fatalf("last problem %q", last)
	}
}

// writeCSV writes units as a roll file with Chinese headers.
func writeCSV(t *testing.T, units []roll.Unit) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"楼栋", "单元", "房号", "区域", "楼层", "建筑面积", "面积来源", "业主", "证件号", "电话", "开发商持有"})
	for _, u := range units {
		held := "否"
		if u.DeveloperHeld {
			held = "是"
		}
		w.Write([]string{u.Building, u.Entrance, u.Room, u.Zone, strconv.Itoa(u.Floor), u.Area.String(),
			u.AreaSource, u.OwnerName, u.IDNumber, u.Phone, held})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDemo(t *testing.T) {
	units := roll.Demo()
	if !reflect.DeepEqual(units, roll.Demo()) {
		t.Fatal("Demo is not deterministic")
	}
	parsed, err := roll.Parse(bytes.NewReader(writeCSV(t, units)), "demo.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(parsed, units) {
		t.Fatal("Demo does not round-trip through Parse")
	}

	zones := make(map[string]int)
	owners := make(map[string][]roll.Unit)
	held := 0
	for _, u := range units {
		zones[u.Zone]++
		if u.DeveloperHeld {
			held++
			continue
		}
		if len(u.IDNumber) != 18 {
			t.Fatalf("unit %s: ID number %q", u.ID, u.IDNumber)
		}
		owners[u.IDNumber] = append(owners[u.IDNumber], u)
	}
	want := map[string]int{"多层": 620, "别墅": 180, "高层": 2700, "复式": 200, "商铺": 62}
	if len(units) != 3762 || !reflect.DeepEqual(zones, want) {
		t.Fatalf("%d units in zones %v, want 3762 in %v", len(units), zones, want)
	}
	if held != 12 {
		t.Errorf("%d developer-held units, want 12", held)
	}
	twice, acrossZones := 0, 0
	for _, us := range owners {
		switch len(us) {
		case 1:
		case 2:
			twice++
			if us[0].Zone != us[1].Zone {
				acrossZones++
			}
		default:
			t.Errorf("owner holds %d units", len(us))
		}
	}
	if twice != 110 || acrossZones == 0 || acrossZones == twice {
		t.Errorf("%d owners hold two units, %d of them in two zones", twice, acrossZones)
	}
	for _, u := range units {
		lo, hi := 6000, 15000
		switch u.Zone {
		case "别墅":
			lo, hi = 20000, 35000
		case "商铺":
			lo, hi = 3000, 30000
		case "复式":
			lo, hi = 12000, 22000
		}
		if int(u.Area) < lo || int(u.Area) > hi {
			t.Errorf("unit %s in %s measures %s", u.ID, u.Zone, u.Area)
		}
	}
}
