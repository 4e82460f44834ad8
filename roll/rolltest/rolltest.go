// Package rolltest makes roll files for tests.
package rolltest

import (
	"bytes"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// FarColumnXLSX is a workbook of a few kilobytes: a roll header and rows
// units, each row also holding one cell in the sheet's last column (XFD),
// which a reader padding rows to their last cell turns into 16,384 cells
// a row.
func FarColumnXLSX(rows int) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{"楼栋", "单元", "房号", "区域", "建筑面积"}); err != nil {
		return nil, err
	}
	// The stream writer skips nil values, so a row is its five cells and XFD.
	values := make([]any, excelize.MaxColumns)
	values[len(values)-1] = "x"
	for r := 2; r <= rows+1; r++ {
		copy(values, []any{"1", "1", strconv.Itoa(100 + r), "多层", "50"})
		if err := sw.SetRow("A"+strconv.Itoa(r), values); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
