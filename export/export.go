// Package export writes tables people open in a spreadsheet — the per-unit
// record of a vote, the result summary, the delivery ledger, the roll
// (DESIGN §5.3) — as XLSX (excelize) or CSV. No cell is ever a formula: a
// spreadsheet would run a cell beginning with = + - @ (or a tab or carriage
// return, which some read past), and an owner's name or a note on a paper
// ballot is anybody's text.
package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Table is one sheet: a title row of column names, then the rows.
type Table struct {
	Sheet  string // the sheet's name in an XLSX file
	Header []string
	Rows   [][]string
}

// Formats an export is written in, as the file name's extension.
const (
	XLSX = "xlsx"
	CSV  = "csv"
)

// ContentType is the media type of format.
func ContentType(format string) string {
	if format == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Write writes t to w in format (XLSX or CSV).
func Write(w io.Writer, format string, t Table) error {
	switch format {
	case XLSX:
		return writeXLSX(w, t)
	case CSV:
		return writeCSV(w, t)
	}
	return fmt.Errorf("export: unknown format %q", format)
}

// startsFormula tells whether a spreadsheet would read cell as a formula.
func startsFormula(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// writeCSV writes t with a byte-order mark, so Excel reads the Chinese as
// UTF-8, and with a leading ' before any cell that would start a formula.
func writeCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for _, row := range append([][]string{t.Header}, t.Rows...) {
		out := make([]string, len(row))
		for i, cell := range row {
			if startsFormula(cell) {
				cell = "'" + cell
			}
			out[i] = cell
		}
		if err := cw.Write(out); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeXLSX writes every cell as a string cell, which no spreadsheet
// evaluates; the header row is bold and frozen.
func writeXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := t.Sheet
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for r, row := range append([][]string{t.Header}, t.Rows...) {
		cells := make([]any, len(row))
		for i, v := range row {
			cell := excelize.Cell{Value: v}
			if r == 0 {
				cell.StyleID = bold
			}
			cells[i] = cell
		}
		name, err := excelize.CoordinatesToCellName(1, r+1)
		if err != nil {
			return err
		}
		if err := sw.SetRow(name, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
