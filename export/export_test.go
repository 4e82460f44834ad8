package export_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongjue/export"
)

var hostile = []string{"=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "王**"}

func TestNoCellIsAFormula(t *testing.T) {
	tbl := export.Table{Sheet: "表决明细", Header: []string{"房号", "备注"}}
	for _, h := range hostile {
		tbl.Rows = append(tbl.Rows, []string{"1-1-101", h})
	}

	var x bytes.Buffer
	if err := export.Write(&x, export.XLSX, tbl); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hostile {
		cell := "B" + string(rune('2'+i))
		formula, _ := f.GetCellFormula("表决明细", cell)
		typ, _ := f.GetCellType("表决明细", cell)
		got, _ := f.GetCellValue("表决明细", cell)
		if formula != "" || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) || got != h {
			t.Errorf("%s: formula %q, type %v, value %q; want the text %q", cell, formula, typ, got, h)
		}
	}

	var c bytes.Buffer
	if err := export.Write(&c, export.CSV, tbl); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hostile {
		got := rows[i+1][1]
		want := h
		if h != "王**" {
			want = "'" + h
		}
		if got != want {
			t.Errorf("CSV row %d: %q, want %q", i+1, got, want)
		}
	}
}
