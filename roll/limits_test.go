package roll_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongjue/roll"
	"gongjue/roll/rolltest"
)

// allocated runs fn and returns the bytes it allocated on the heap, which
// bounds its peak use from above.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestParseXLSXFarColumn: a workbook of a few KB with a cell in column XFD
// on every row is refused at its first such row, quickly and in little
// memory, naming the column limit.
func TestParseXLSXFarColumn(t *testing.T) {
	file, err := rolltest.FarColumnXLSX(2000)
	if err != nil {
		t.Fatal(err)
	}
	if len(file) > 64<<10 {
		t.Fatalf("the hostile file is %d bytes; it is meant to be small", len(file))
	}
	start := time.Now()
	used := allocated(func() { _, err = roll.Parse(bytes.NewReader(file), "roll.xlsx") })
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("refusing took %v", elapsed)
	}
	if used > 64<<20 {
		t.Errorf("parsing a %d-byte file allocated %d MB", len(file), used>>20)
	}
	var rerr *roll.Error
	if !errors.As(err, &rerr) || len(rerr.Problems) != 1 {
		t.Fatalf("got %v, want one problem", err)
	}
	want := roll.Problem{Row: 2, Column: "XFD", Message: fmt.Sprintf("第 2 行超过 %d 列 / row 2 has more than %d columns", roll.MaxColumns, roll.MaxColumns)}
	if rerr.Problems[0] != want {
		t.Fatalf("got %+v\nwant %+v", rerr.Problems[0], want)
	}
}

// TestParseXLSXTooManyRows: a row past MaxRows is refused before its rows
// are read, however sparse the sheet.
func TestParseXLSXTooManyRows(t *testing.T) {
	f := excelize.NewFile()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"楼栋", "单元", "房号", "区域", "建筑面积"}); err != nil {
		t.Fatal(err)
	}
	last := strconv.Itoa(roll.MaxRows + 2)
	if err := f.SetSheetRow("Sheet1", "A"+last, &[]any{"1", "1", "101", "多层", "50"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	_, err := roll.Parse(&buf, "roll.xlsx")
	var rerr *roll.Error
	if !errors.As(err, &rerr) || len(rerr.Problems) != 1 || rerr.Problems[0].Row != roll.MaxRows+2 ||
		!strings.Contains(rerr.Problems[0].Message, "more than 200000 rows") {
		t.Fatalf("got %v (%+v)", err, rerr)
	}
}

// TestParseCSVLimits: CSV files are held to the same limits, and a cell
// longer than any roll needs is refused with its row and column.
func TestParseCSVLimits(t *testing.T) {
	const header = "楼栋,单元,房号,区域,建筑面积\n"
	tests := []struct {
		name, file string
		want       roll.Problem
	}{
		{"too many columns", header + "1,1,101,多层,50" + strings.Repeat(",", roll.MaxColumns) + "x\n",
			roll.Problem{Row: 2, Message: fmt.Sprintf("第 2 行超过 %d 列 / row 2 has more than %d columns", roll.MaxColumns, roll.MaxColumns)}},
		{"a megabyte of commas", header + strings.Repeat(",", 1<<20) + "\n",
			roll.Problem{Row: 2, Message: "第 2 行过长（超过 250 KB）/ row 2 is longer than 250 KB"}},
		{"long cell", header + "1,1,101," + strings.Repeat("多", roll.MaxCellLength+1) + ",50\n",
			roll.Problem{Row: 2, Column: "区域", Message: fmt.Sprintf("内容超过 %d 个字符 / longer than %d characters", roll.MaxCellLength, roll.MaxCellLength)}},
		{"too many rows", header + strings.Repeat("\n", roll.MaxRows) + "1,1,101,多层,50\n",
			roll.Problem{Row: roll.MaxRows + 2, Message: fmt.Sprintf("名册超过 %d 行 / the roll has more than %d rows", roll.MaxRows, roll.MaxRows)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			used := allocated(func() { _, err = roll.Parse(strings.NewReader(tc.file), "roll.csv") })
			if used > 64<<20 {
				t.Errorf("parsing a %d-byte file allocated %d MB", len(tc.file), used>>20)
			}
			var rerr *roll.Error
			if !errors.As(err, &rerr) || len(rerr.Problems) != 1 || rerr.Problems[0] != tc.want {
				t.Fatalf("got %v (%+v)\nwant %+v", err, rerr, tc.want)
			}
		})
	}
}

// TestParseRanges: floors and areas outside what a building can have, or
// than the database can hold, are refused with their row and column.
func TestParseRanges(t *testing.T) {
	const header = "楼栋,单元,房号,区域,楼层,建筑面积\n"
	floorMsg := func(s string) string {
		return fmt.Sprintf("楼层“%s”应在 %d 到 %d 之间 / floor %s must be between %d and %d", s, roll.MinFloor, roll.MaxFloor, s, roll.MinFloor, roll.MaxFloor)
	}
	areaMsg := func(s string) string {
		return fmt.Sprintf("面积“%s”超过 %s 平方米 / area %q is larger than %s m²", s, roll.MaxArea, s, roll.MaxArea)
	}
	tests := []struct {
		name, row string
		want      roll.Problem
	}{
		{"floor too high", "1,1,101,多层,201,50", roll.Problem{Row: 2, Column: "楼层", Message: floorMsg("201")}},
		{"floor too deep", "1,1,101,多层,-11,50", roll.Problem{Row: 2, Column: "楼层", Message: floorMsg("-11")}},
		{"floor past int32", "1,1,101,多层,3000000000,50", roll.Problem{Row: 2, Column: "楼层", Message: floorMsg("3000000000")}},
		{"floor past int64", "1,1,101,多层,99999999999999999999,50", roll.Problem{Row: 2, Column: "楼层", Message: floorMsg("99999999999999999999")}},
		{"floor derived from a long room", "1,1,3000000001,多层,,50",
			roll.Problem{Row: 2, Column: "楼层", Message: floorMsg("30000000")}},
		{"area too large", "1,1,101,多层,1,100000.01", roll.Problem{Row: 2, Column: "建筑面积", Message: areaMsg("100000.01")}},
		{"area past int64", "1,1,101,多层,1,92233720368547758.07", roll.Problem{Row: 2, Column: "建筑面积", Message: areaMsg("92233720368547758.07")}},
		{"area zero", "1,1,101,多层,1,0.00", roll.Problem{Row: 2, Column: "建筑面积", Message: "面积必须大于 0 / area must be greater than 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := roll.Parse(strings.NewReader(header+tc.row+"\n"), "roll.csv")
			var rerr *roll.Error
			if !errors.As(err, &rerr) || len(rerr.Problems) != 1 || rerr.Problems[0] != tc.want {
				t.Fatalf("got %v (%+v)\nwant %+v", err, rerr, tc.want)
			}
		})
	}
	// The limits themselves are allowed.
	ok := header + fmt.Sprintf("1,1,101,多层,%d,%s\n1,1,102,多层,%d,0.01\n", roll.MaxFloor, roll.MaxArea, roll.MinFloor)
	if _, err := roll.Parse(strings.NewReader(ok), "roll.csv"); err != nil {
		t.Fatal(err)
	}
}
