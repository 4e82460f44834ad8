package roll

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gongjue/quorum"
	"gongjue/textcheck"
)

// record is one row of the file: its row number as a spreadsheet shows it
// and its cells.
type record struct {
	row   int
	cells []string
}

// Parse reads a roll file and returns its units in file order, or an error.
//
// The file is an XLSX workbook (its first sheet) when its content is a zip
// archive, else a CSV file when it is text and filename ends in .csv (or has
// no extension); anything else gives ErrUnsupported, and a file over
// MaxFileSize gives ErrTooLarge. CSV may be UTF-8, with or without a byte
// order mark, or GB18030/GBK as saved by Chinese Excel.
//
// The first non-blank row is the header; columns may come in any order, under
// Chinese or English names: 楼栋 building, 单元 entrance, 房号 room, 区域 zone,
// 楼层 floor, 建筑面积 area, 面积来源 area_source, 业主 owner_name, 证件号
// id_number, 电话 phone, 开发商持有 developer_held. building, entrance, room,
// zone and area are required; a column with an unknown name is refused rather
// than ignored, so a misspelt 证件号 cannot silently make every unit its own
// person. Blank rows are skipped.
//
// When the floor column is absent or a floor cell is empty, the floor is the
// room number without its last two digits (1502 → 15, 301 → 3). Areas are
// exact decimals with at most two decimals, greater than 0. developer_held
// takes 是/否, true/false, 1/0, Y/N or yes/no in any case, empty meaning no;
// area_source takes 不动产登记簿 / 竣工测绘 / 销售合同 or certificate / survey /
// contract, empty allowed.
//
// A file of more than MaxRows rows, a row of more than MaxColumns cells (a
// CSV line longer than such a row can be) or a cell of more than
// MaxCellLength characters is refused; floors run from MinFloor to MaxFloor
// and areas up to MaxArea.
//
// Parsing is all or nothing: if anything is wrong, Parse returns no units and
// an *Error listing every problem with its row and column.
func Parse(r io.Reader, filename string) ([]Unit, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, ErrTooLarge
	}
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		records, err := readXLSX(data)
		if err != nil {
			return nil, err
		}
		return parseRecords(records, nil, true)
	case len(data) == 0 && (ext == ".csv" || ext == ".xlsx" || ext == ""):
		return nil, &Error{Problems: []Problem{{Row: 1, Message: "文件为空 / the file is empty"}}}
	case isText(data) && (ext == ".csv" || ext == ""):
		records, syntax := readCSV(data)
		return parseRecords(records, syntax, false)
	}
	return nil, ErrUnsupported
}

// isText reports whether data looks like a text file: no control characters
// other than tab, line and form feeds in its first 8 KiB, and not a PDF.
func isText(data []byte) bool {
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		return false
	}
	for _, c := range data[:min(len(data), 8<<10)] {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' || c == 0x7f {
			return false
		}
	}
	return true
}

// readXLSX returns the rows of the workbook's first sheet, with cells as
// stored rather than as formatted, so a number format cannot round an area.
// Rows are streamed and checked against MaxRows and MaxColumns as they come:
// a sheet's XML names each cell's column, and a reader holding whole rows
// padded to their last cell (excelize's GetRows) turns a few kilobytes with
// a cell in column XFD per row into gigabytes.
func readXLSX(data []byte) ([]record, error) {
	opts := excelize.Options{RawCellValue: true, UnzipSizeLimit: 10 * MaxFileSize}
	f, err := excelize.OpenReader(bytes.NewReader(data), opts)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrUnsupported, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrUnsupported, err)
	}
	defer rows.Close()
	var records []record
	for row := 1; rows.Next(); row++ {
		if p := rowProblem(row, 0, ""); p != nil {
			return nil, p.err()
		}
		// Columns pads a row only up to its last cell holding a value.
		cells, err := rows.Columns(opts)
		if err != nil {
			return nil, fmt.Errorf("%w (%v)", ErrUnsupported, err)
		}
		if len(cells) > MaxColumns {
			last, _ := excelize.ColumnNumberToName(len(cells))
			return nil, rowProblem(row, len(cells), last).err()
		}
		if !blank(cells) {
			records = append(records, record{row: row, cells: cells})
		}
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrUnsupported, err)
	}
	return records, nil
}

// rowProblem returns the problem of a row past MaxRows, or of one with more
// than MaxColumns cells (column is then the last one, as the file names
// it), or nil.
func rowProblem(row, cells int, column string) *Problem {
	switch {
	case row > MaxRows+1: // the header, then MaxRows rows
		return &Problem{Row: row, Message: fmt.Sprintf("名册超过 %d 行 / the roll has more than %d rows", MaxRows, MaxRows)}
	case cells > MaxColumns:
		return &Problem{Row: row, Column: column, Message: fmt.Sprintf("第 %d 行超过 %d 列 / row %d has more than %d columns", row, MaxColumns, row, MaxColumns)}
	}
	return nil
}

func (p *Problem) err() error { return &Error{Problems: []Problem{*p}} }

// maxLineBytes bounds a CSV line: MaxColumns cells of MaxCellLength
// characters, quoted and separated. csv.Reader holds a whole line's fields
// at once, so a longer line — a megabyte of commas — is refused before it
// is split.
const maxLineBytes = MaxColumns * (MaxCellLength*utf8.UTFMax + 3)

// longLine returns the number of the first line of data longer than
// maxLineBytes, or 0.
func longLine(data []byte) int {
	for n := 1; len(data) > 0; n++ {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		if end > maxLineBytes {
			return n
		}
		data = data[min(end+1, len(data)):]
	}
	return 0
}

// readCSV decodes and splits a CSV file. It returns the records read and,
// if the file is malformed or past the limits, the problem that stopped
// the reading.
func readCSV(data []byte) ([]record, *Problem) {
	const bom = "\uFEFF"
	data = bytes.TrimPrefix(data, []byte(bom))
	if !utf8.Valid(data) {
		decoded, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, &Problem{Row: 1, Message: "无法识别文件编码，请另存为 UTF-8 CSV / cannot decode the file: save it as UTF-8 CSV"}
		}
		data = bytes.TrimPrefix(decoded, []byte(bom))
	}
	if n := longLine(data); n > 0 {
		return nil, &Problem{Row: n, Message: fmt.Sprintf("第 %d 行过长（超过 %d KB）/ row %d is longer than %d KB", n, maxLineBytes>>10, n, maxLineBytes>>10)}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var records []record
	// csv.Reader counts lines; a spreadsheet shows a quoted cell spanning
	// several lines as one row, so those extra lines are subtracted.
	extraLines := 0
	for {
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return records, nil
		}
		if err != nil {
			p := &Problem{Message: fmt.Sprintf("CSV 格式错误 / malformed CSV: %v", err)}
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				p.Row = pe.StartLine - extraLines
				p.Message = fmt.Sprintf("CSV 格式错误 / malformed CSV: %v", pe.Err)
			}
			return records, p
		}
		line, _ := cr.FieldPos(0)
		row := line - extraLines
		if p := rowProblem(row, len(cells), ""); p != nil {
			return nil, p
		}
		records = append(records, record{row: row, cells: cells})
		for _, c := range cells {
			extraLines += strings.Count(c, "\n")
		}
	}
}

// parseRecords turns the records of a file into units. syntax is the
// problem that stopped reading a malformed CSV file, if any; fromExcel says
// cells are raw XLSX values, whose numbers may carry binary noise.
func parseRecords(records []record, syntax *Problem, fromExcel bool) ([]Unit, error) {
	var ps problems
	for len(records) > 0 && blank(records[0].cells) {
		records = records[1:]
	}
	if len(records) == 0 {
		if syntax != nil {
			ps.add(syntax.Row, syntax.Column, syntax.Message)
		} else {
			ps.add(1, "", "文件为空 / the file is empty")
		}
		return nil, ps.err()
	}
	h := readHeader(records[0], &ps)
	var units []Unit
	seen := make(map[string]int) // unit id → row
	dataRows := 0
	for _, rec := range records[1:] {
		if blank(rec.cells) {
			continue
		}
		dataRows++
		u, ok := h.unit(rec, &ps, fromExcel)
		if !ok {
			continue
		}
		if prev, dup := seen[u.ID]; dup {
			ps.add(rec.row, h.text[colRoom], fmt.Sprintf("房屋 %s 与第 %d 行重复 / unit %s duplicates row %d", u.ID, prev, u.ID, prev))
			continue
		}
		seen[u.ID] = rec.row
		units = append(units, u)
	}
	if syntax != nil {
		ps.add(syntax.Row, syntax.Column, syntax.Message)
	} else if dataRows == 0 {
		ps.add(records[0].row+1, "", "文件只有表头，没有房屋 / the file has a header but no units")
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return units, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// column is one of the roll's columns.
type column int

const (
	colBuilding column = iota
	colEntrance
	colRoom
	colZone
	colFloor
	colArea
	colAreaSource
	colOwnerName
	colIDNumber
	colPhone
	colDeveloperHeld
	numColumns
)

// columns describes each column: its canonical English name, its Chinese
// name, whether it is required and the other headers accepted for it, in
// normalised form (see normalizeHeader).
var columns = [numColumns]struct {
	name, zh string
	required bool
	aliases  []string
}{
	colBuilding:      {"building", "楼栋", true, []string{"楼号", "幢", "栋"}},
	colEntrance:      {"entrance", "单元", true, []string{"门洞", "楼道", "单元号"}},
	colRoom:          {"room", "房号", true, []string{"室号", "房间号"}},
	colZone:          {"zone", "区域", true, []string{"分区"}},
	colFloor:         {"floor", "楼层", false, nil},
	colArea:          {"area", "建筑面积", true, []string{"面积", "专有面积", "专有部分面积"}},
	colAreaSource:    {"area_source", "面积来源", false, []string{"areasource"}},
	colOwnerName:     {"owner_name", "业主", false, []string{"ownername", "owner", "业主姓名", "姓名"}},
	colIDNumber:      {"id_number", "证件号", false, []string{"idnumber", "证件号码", "身份证号", "身份证号码", "身份证"}},
	colPhone:         {"phone", "电话", false, []string{"手机", "手机号", "手机号码", "联系电话", "电话号码"}},
	colDeveloperHeld: {"developer_held", "开发商持有", false, []string{"developerheld"}},
}

// headerIndex maps a normalised header to its column.
var headerIndex = func() map[string]column {
	m := make(map[string]column)
	for c, col := range columns {
		for _, h := range append([]string{col.name, col.zh}, col.aliases...) {
			m[h] = column(c)
		}
	}
	return m
}()

// normalizeHeader lower-cases a header and drops spaces and a trailing unit
// in brackets, so "Area (m²)" and "建筑面积（㎡）" are read as area.
func normalizeHeader(h string) string {
	h = strings.ToLower(strings.Join(strings.Fields(h), ""))
	for _, open := range []string{"(", "（"} {
		if i := strings.Index(h, open); i > 0 && (strings.HasSuffix(h, ")") || strings.HasSuffix(h, "）")) {
			h = h[:i]
		}
	}
	return h
}

// header is where each column is in a file: its index (-1 when absent)
// and its header as written there.
type header struct {
	index [numColumns]int
	text  [numColumns]string
}

func readHeader(rec record, ps *problems) *header {
	h := new(header)
	for c := range h.index {
		h.index[c] = -1
		h.text[c] = columns[c].name
	}
	for i, cell := range rec.cells {
		text := strings.TrimSpace(cell)
		if text == "" {
			continue // an unnamed column, such as a blank one Excel kept
		}
		c, ok := headerIndex[normalizeHeader(text)]
		switch {
		case !ok:
			ps.add(rec.row, text, "无法识别的列，可用的列：楼栋 单元 房号 区域 楼层 建筑面积 面积来源 业主 证件号 电话 开发商持有 / "+
				"unknown column; the columns are building, entrance, room, zone, floor, area, area_source, owner_name, id_number, phone, developer_held")
		case h.index[c] >= 0:
			ps.add(rec.row, text, fmt.Sprintf("与“%s”列重复 / same column as %q", h.text[c], h.text[c]))
		default:
			h.index[c], h.text[c] = i, text
		}
	}
	for c, col := range columns {
		if col.required && h.index[c] < 0 {
			ps.add(rec.row, col.name, fmt.Sprintf("缺少必填列“%s” / missing required column %s", col.zh, col.name))
		}
	}
	return h
}

// cell returns the trimmed cell of column c in cells, "" when absent.
func (h *header) cell(cells []string, c column) string {
	if i := h.index[c]; i >= 0 && i < len(cells) {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

// unit reads one data row, adding its problems to ps. ok is false when the
// row has a problem or a required column is missing from the file.
func (h *header) unit(rec record, ps *problems, fromExcel bool) (u Unit, ok bool) {
	before := len(ps.list) + ps.dropped
	bad := func(c column, message string) { ps.add(rec.row, h.text[c], message) }
	get := func(c column) string { return h.cell(rec.cells, c) }

	for c := range column(numColumns) {
		if utf8.RuneCountInString(get(c)) > MaxCellLength {
			bad(c, fmt.Sprintf("内容超过 %d 个字符 / longer than %d characters", MaxCellLength, MaxCellLength))
			return u, false
		}
		if msg := textcheck.Problem(get(c), false); msg != "" {
			bad(c, msg)
		}
	}

	for _, c := range []column{colBuilding, colEntrance, colRoom, colZone} {
		if h.index[c] >= 0 && get(c) == "" {
			bad(c, "不能为空 / must not be empty")
		}
	}
	u.Building, u.Entrance, u.Room, u.Zone = get(colBuilding), get(colEntrance), get(colRoom), get(colZone)
	u.ID = UnitID(u.Building, u.Entrance, u.Room)

	var msg string
	if h.index[colArea] >= 0 {
		s := get(colArea)
		if fromExcel {
			s = excelNumber(s)
		}
		if u.Area, msg = ParseArea(s); msg != "" {
			bad(colArea, msg)
		}
	}

	if s := get(colFloor); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case errors.Is(err, strconv.ErrRange):
			bad(colFloor, floorRangeMessage(s))
		case err != nil:
			bad(colFloor, fmt.Sprintf("楼层“%s”应为整数 / floor %q must be a whole number", s, s))
		case n < MinFloor || n > MaxFloor:
			bad(colFloor, floorRangeMessage(s))
		}
		u.Floor = n
	} else if u.Room != "" {
		n, ok := floorFromRoom(u.Room)
		switch {
		case !ok:
			bad(colFloor, fmt.Sprintf("无法从房号“%s”推断楼层，请填写楼层 / cannot derive the floor from room %q; fill in the floor", u.Room, u.Room))
		case n > MaxFloor:
			bad(colFloor, floorRangeMessage(strconv.Itoa(n)))
		}
		u.Floor = n
	}

	if u.AreaSource, msg = ParseAreaSource(get(colAreaSource)); msg != "" {
		bad(colAreaSource, msg)
	}

	held := get(colDeveloperHeld)
	switch strings.ToLower(held) {
	case "", "否", "false", "0", "n", "no":
	case "是", "true", "1", "y", "yes":
		u.DeveloperHeld = true
	default:
		bad(colDeveloperHeld, fmt.Sprintf("“%s”应为 是 或 否 / %q: want 是/否, true/false, 1/0 or Y/N", held, held))
	}

	u.OwnerName, u.IDNumber, u.Phone = get(colOwnerName), get(colIDNumber), get(colPhone)
	if strings.ContainsAny(u.IDNumber, "Ee") {
		if _, err := strconv.ParseFloat(u.IDNumber, 64); err == nil {
			bad(colIDNumber, "证件号被 Excel 改成了数字（科学计数法），请将该列设为文本后重新填写 / "+
				"Excel turned the ID number into a number in scientific notation; format the column as text and enter it again")
		}
	}

	for c, col := range columns {
		if col.required && h.index[c] < 0 {
			return u, false
		}
	}
	return u, len(ps.list)+ps.dropped == before
}

// ParseAreaSource reads an area source as written (不动产登记簿, 竣工测绘,
// 销售合同 or their codes; "" for none), returning its code or a message.
func ParseAreaSource(source string) (string, string) {
	switch strings.ToLower(source) {
	case "":
		return "", ""
	case "不动产登记簿", AreaCertificate:
		return AreaCertificate, ""
	case "竣工测绘", AreaSurvey:
		return AreaSurvey, ""
	case "销售合同", AreaContract:
		return AreaContract, ""
	}
	return "", fmt.Sprintf("面积来源“%s”应为 不动产登记簿、竣工测绘 或 销售合同 / area source %q: want certificate, survey or contract", source, source)
}

func floorRangeMessage(s string) string {
	return fmt.Sprintf("楼层“%s”应在 %d 到 %d 之间 / floor %s must be between %d and %d", s, MinFloor, MaxFloor, s, MinFloor, MaxFloor)
}

// ParseArea reads an area cell, returning a message for the committee when it
// is not a positive area with at most two decimals, at most MaxArea.
func ParseArea(s string) (quorum.Area, string) {
	if s == "" {
		return 0, "面积不能为空 / area must not be empty"
	}
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		if _, err := quorum.ParseArea(rest); err == nil {
			return 0, fmt.Sprintf("面积“%s”不能为负数 / area %q must not be negative", s, s)
		}
	}
	tooLarge := fmt.Sprintf("面积“%s”超过 %s 平方米 / area %q is larger than %s m²", s, MaxArea, s, MaxArea)
	a, err := quorum.ParseArea(s)
	if err != nil {
		whole, frac, point := strings.Cut(s, ".")
		switch {
		case !digits(whole) || point && !digits(frac):
		case len(frac) > 2:
			return 0, fmt.Sprintf("面积“%s”最多两位小数 / area %q has more than two decimals", s, s)
		default: // a plain decimal ParseArea refused: past int64
			return 0, tooLarge
		}
		return 0, fmt.Sprintf("无法识别面积“%s”，应为 89.35 这样的数 / cannot read area %q: want a number such as 89.35", s, s)
	}
	if a <= 0 {
		return 0, "面积必须大于 0 / area must be greater than 0"
	}
	if a > MaxArea {
		return 0, tooLarge
	}
	return a, ""
}

// digits reports whether s is one or more decimal digits.
func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// excelNumber undoes binary floating-point noise in a raw XLSX number: a
// cell showing 89.35 may be stored as 89.349999999999994, or by some
// writers as 89.3499999999999. A decimal of 15 or more significant digits
// (beyond what Excel shows) within rounding error of a hundredth is read as
// that hundredth; anything else is returned unchanged.
func excelNumber(s string) string {
	if !strings.Contains(s, ".") || strings.ContainsAny(s, "eE") {
		return s
	}
	digits := strings.TrimLeft(strings.NewReplacer(".", "", "-", "").Replace(s), "0")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || len(digits) < 15 {
		return s
	}
	r := math.Round(f*100) / 100
	if math.Abs(f-r) > 1e-9*max(1, math.Abs(f)) {
		return s
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// floorFromRoom derives a floor from a room number: all digits but the
// last two (1502 → 15, 301 → 3).
func floorFromRoom(room string) (int, bool) {
	if len(room) < 3 {
		return 0, false
	}
	n, err := strconv.Atoi(room[:len(room)-2])
	if err != nil || n <= 0 || !digits(room) {
		return 0, false
	}
	return n, true
}
