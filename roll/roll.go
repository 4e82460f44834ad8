// Package roll reads an estate's owner roll (业主名册) from a CSV or XLSX
// file, as DESIGN.md §2 describes, and makes the demo estate of §9. It only
// parses and checks; postgres.ImportRoll stores the result.
package roll

import (
	"errors"
	"fmt"

	"gongjue/quorum"
)

// MaxFileSize is the largest roll file Parse accepts, in bytes (20 MB).
const MaxFileSize = 20 << 20

// Limits on a roll's shape and values. A few kilobytes of XLSX can describe
// millions of cells, so the file size alone does not bound the work: rows
// and columns are capped as they are read. The largest estates have tens of
// thousands of units and eleven columns; no cell of a roll needs more than
// a few dozen characters.
const (
	MaxRows       = 200_000 // units, blank rows included
	MaxColumns    = 64
	MaxCellLength = 1000 // characters
)

// Ranges of a unit's floor and area: a basement is at most 10 floors down
// and no building is over 200 floors high; no exclusive part is larger than
// 100,000 m², which also keeps an estate's total area far from overflowing.
const (
	MinFloor = -10
	MaxFloor = 200
	MaxArea  = quorum.Area(100_000_00)
)

// Area sources (面积来源), in the order in which they are relied on: the
// property certificate's register, else the completion survey, else the sales
// contract. Unit.AreaSource holds one of them, or "" when the file does not say.
const (
	AreaCertificate = "certificate" // 不动产登记簿
	AreaSurvey      = "survey"      // 竣工测绘
	AreaContract    = "contract"    // 销售合同
)

// Unit is one exclusive part (专有部分) of the estate as listed in the roll.
type Unit struct {
	ID            string      `json:"id"` // building-entrance-room, e.g. 12-2-1502
	Building      string      `json:"building"`
	Entrance      string      `json:"entrance"`
	Room          string      `json:"room"`
	Zone          string      `json:"zone"`
	Floor         int         `json:"floor"`
	Area          quorum.Area `json:"area"`
	AreaSource    string      `json:"area_source"` // AreaCertificate, AreaSurvey, AreaContract or ""
	OwnerName     string      `json:"owner_name"`
	IDNumber      string      `json:"-"` // never serialised; hashed on import, then discarded
	Phone         string      `json:"phone"`
	DeveloperHeld bool        `json:"developer_held"`
}

// UnitID is a unit's id: building, entrance and room joined by hyphens.
func UnitID(building, entrance, room string) string {
	return building + "-" + entrance + "-" + room
}

// Problem is one thing wrong with a roll file. Row is the 1-based row as a
// spreadsheet shows it (the header is row 1 in a file that starts with it),
// or 0 for a problem not tied to a row. Column is the header as written in
// the file, or the canonical English name of a missing column. Message is in
// Chinese, then English.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	switch {
	case p.Row > 0 && p.Column != "":
		return fmt.Sprintf("row %d, %s: %s", p.Row, p.Column, p.Message)
	case p.Row > 0:
		return fmt.Sprintf("row %d: %s", p.Row, p.Message)
	case p.Column != "":
		return fmt.Sprintf("%s: %s", p.Column, p.Message)
	}
	return p.Message
}

// Error is a refused roll: every problem found, none of the file imported.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	n := len(e.Problems)
	if n == 1 {
		return "名册有误，未导入 / the roll was not imported: " + e.Problems[0].String()
	}
	return fmt.Sprintf("名册有 %d 处问题，未导入 / the roll has %d problems and was not imported", n, n)
}

// Errors about the file as a whole, returned by Parse as they are.
var (
	ErrTooLarge    = errors.New("文件超过 20 MB / file larger than 20 MB")
	ErrUnsupported = errors.New("不支持的文件类型，请上传 .csv 或 .xlsx / unsupported file type: want .csv or .xlsx")
)

// maxProblems bounds the problems listed for one file; a file wrong on every
// row is reported by its first maxProblems problems and a count of the rest.
const maxProblems = 1000

// problems collects Problems up to maxProblems.
type problems struct {
	list    []Problem
	dropped int
}

func (ps *problems) add(row int, column, message string) {
	if len(ps.list) >= maxProblems {
		ps.dropped++
		return
	}
	ps.list = append(ps.list, Problem{Row: row, Column: column, Message: message})
}

// err returns the collected problems as an *Error, or nil if there are none.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	list := ps.list
	if ps.dropped > 0 {
		list = append(list, Problem{Message: fmt.Sprintf("另有 %d 处问题未列出 / %d more problems not listed", ps.dropped, ps.dropped)})
	}
	return &Error{Problems: list}
}
