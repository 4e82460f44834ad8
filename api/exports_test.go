package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongjue/locale"
	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/tally"
	"gongjue/tally/tallytest"
)

// sheetRows reads an XLSX export back with excelize; it fails the test on
// any formula cell or any cell not stored as text.
func sheetRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not an XLSX file: %v", err)
	}
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for col, v := range row {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(col+1, r+1)
			formula, _ := f.GetCellFormula(sheet, cell)
			typ, _ := f.GetCellType(sheet, cell)
			if formula != "" || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
				t.Errorf("%s %q: formula %q, type %v; want text", cell, v, formula, typ)
			}
		}
	}
	return rows
}

func csvRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	return rows
}

// byUnit indexes rows by their first cell, the unit.
func byUnit(rows [][]string) map[string][]string {
	m := map[string][]string{}
	for _, r := range rows[1:] {
		if len(r) > 0 {
			m[r[0]] = r
		}
	}
	return m
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	i := slices.Index(header, name)
	if i < 0 {
		t.Fatalf("no column %q in %q", name, header)
	}
	return i
}

func cellOf(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// noIDNumbers fails when any cell holds one of the roll's ID numbers or
// owner keys.
func noIDNumbers(t *testing.T, e *tallytest.Estate, data []byte) {
	t.Helper()
	var keys []string
	e.DB.Select(&keys, `SELECT owner_key FROM units WHERE owner_key <> ''`)
	for _, u := range e.Units {
		if u.IDNumber != "" {
			keys = append(keys, u.IDNumber)
		}
	}
	for _, rows := range [][][]string{sheetRowsQuiet(data), csvRowsQuiet(data)} {
		for _, row := range rows {
			for _, v := range row {
				for _, k := range keys {
					if strings.Contains(v, k) {
						t.Errorf("export holds an ID number or owner key: %q", v)
					}
				}
			}
		}
	}
}

func sheetRowsQuiet(data []byte) [][]string {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	rows, _ := f.GetRows(f.GetSheetName(0))
	return rows
}

func csvRowsQuiet(data []byte) [][]string {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	rows, _ := r.ReadAll()
	return rows
}

func TestExportsOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	e := ts.estate(t)
	committee, residents, volunteer, volunteer2 := ts.login(t, "committee"), ts.login(t, "residents"), ts.login(t, "volunteer"), ts.login(t, "volunteer2")
	id := itoa(e.ID())
	// An owner whose name a spreadsheet would run as a formula.
	if _, err := ts.DB.Exec(`UPDATE units SET owner_name = '=HYPERLINK("http://evil.test","点我")' WHERE community_id = $1 AND id = '1-1-201'`, ts.CommunityID); err != nil {
		t.Fatal(err)
	}

	if code, _ := ts.get(t, committee, "/api/v1/consultations/"+id+"/export/record.xlsx"); code != http.StatusConflict {
		t.Errorf("record of an open vote: %d, want 409", code)
	}
	var delivered struct {
		DeliveryID int64 `json:"delivery_id"`
	}
	if resp := ts.do(t, volunteer, http.MethodPost, "/api/v1/consultations/"+id+"/deliveries", map[string]any{"unit": "1-1-101", "method": "in_person",
		"delivered_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "recipient": "本人", "note": "-已签收"}, &delivered); resp.StatusCode != http.StatusCreated {
		t.Fatalf("delivery: %d", resp.StatusCode)
	}
	if resp := ts.do(t, volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/deliveries/%d/verify", delivered.DeliveryID), nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("verify delivery: %d", resp.StatusCode)
	}
	// Two paper ballots come with originals: one with its scan, one by a
	// proxy with the signed authorisation's scan too.
	scanned, byProxy := "1-1-301", "2-1-101"
	e.CastStandardOf(t, slices.DeleteFunc(slices.Clone(e.Units), func(u roll.Unit) bool { return u.ID == scanned || u.ID == byProxy }))
	proxied, _, err := postgres.CreatePaperEntry(context.Background(), ts.DB, postgres.NewPaperEntry{CommunityID: ts.CommunityID, ConsultationID: e.ID(),
		UnitID: byProxy, Choices: e.Selections(tallytest.StandardVotes[byProxy]), ProxyName: "李四", ProxyAuthorisation: "委托书", ProxyKey: "proxy-key",
		EnteredBy: e.Accounts.Volunteer1.ID})
	if err != nil {
		t.Fatal(err)
	}
	scannedEntry := e.EnterPaper(t, scanned, tallytest.StandardVotes[scanned])
	originals := map[string][2]string{} // unit → the hex SHA-256 of its scan and of its authorisation
	for _, up := range []struct {
		unit  string
		entry int64
		kind  string
		slot  int
		scan  []byte
	}{{scanned, scannedEntry, "ballot", 0, pngScan}, {byProxy, proxied, "ballot", 0, jpegScan}, {byProxy, proxied, "authorisation", 1, pdfScan}} {
		var out struct {
			SHA256 string `json:"sha256"`
		}
		if resp := ts.upload(t, volunteer, fmt.Sprintf("/api/v1/paper/%d/original?kind=%s", up.entry, up.kind), "scan", up.scan, &out); resp.StatusCode != http.StatusCreated {
			t.Fatalf("uploading the %s of %s: %d", up.kind, up.unit, resp.StatusCode)
		}
		o := originals[up.unit]
		o[up.slot] = out.SHA256
		originals[up.unit] = o
	}
	for _, entry := range []int64{scannedEntry, proxied} {
		if resp := ts.do(t, volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry), nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("confirming entry %d: %d", entry, resp.StatusCode)
		}
	}
	e.EndVotingPeriod(t)
	if resp := ts.do(t, committee, http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("close: %d", resp.StatusCode)
	}

	for _, path := range []string{"/export/record.xlsx", "/export/summary.csv", "/export/deliveries.xlsx"} {
		if code, _ := ts.get(t, volunteer, "/api/v1/consultations/"+id+path); code != http.StatusForbidden {
			t.Errorf("%s by a volunteer: %d, want 403", path, code)
		}
	}
	if code, _ := ts.get(t, committee, "/api/v1/consultations/"+id+"/export/record.pdf"); code != http.StatusNotFound {
		t.Errorf("record.pdf: %d, want 404", code)
	}

	// 表决明细: every ballot, how it was answered, who entered and confirmed.
	code, xlsx := ts.get(t, residents, "/api/v1/consultations/"+id+"/export/record.xlsx")
	if code != http.StatusOK {
		t.Fatalf("record.xlsx: %d", code)
	}
	noIDNumbers(t, e, xlsx)
	_, csvData := ts.get(t, committee, "/api/v1/consultations/"+id+"/export/record.csv")
	noIDNumbers(t, e, csvData)
	for format, rows := range map[string][][]string{"xlsx": sheetRows(t, xlsx), "csv": csvRows(t, csvData)} {
		h := rows[0]
		units := byUnit(rows)
		if len(rows)-1 != len(e.Units) {
			t.Errorf("%s: %d rows, want one per ballot (%d)", format, len(rows)-1, len(e.Units))
		}
		channel, entered, confirmed, owner := column(t, h, "投票方式"), column(t, h, "录入人"), column(t, h, "确认人"), column(t, h, "业主")
		delivery, first := column(t, h, "送达"), column(t, h, e.Consultation.Matters[0].Title)
		for unit, v := range tallytest.StandardVotes {
			r, ok := units[unit]
			if !ok {
				t.Errorf("%s: counted unit %s missing", format, unit)
				continue
			}
			want := map[bool]string{true: "纸质选票", false: "在线投票"}[tallytest.PaperUnits[unit]]
			if unit == byProxy {
				want = "委托代理人投票（纸质选票）"
			}
			if cellOf(r, channel) != want {
				t.Errorf("%s %s: channel %q, want %q", format, unit, cellOf(r, channel), want)
			}
			if tallytest.PaperUnits[unit] && (cellOf(r, entered) != e.Accounts.Volunteer1.Username || cellOf(r, confirmed) != e.Accounts.Volunteer2.Username) {
				t.Errorf("%s %s: entered by %q, confirmed by %q", format, unit, cellOf(r, entered), cellOf(r, confirmed))
			}
			wantChoice := map[string]string{"agree": "同意", "oppose": "反对", "abstain": "弃权", "spoiled": "废票"}[v.Approve]
			if cellOf(r, first) != wantChoice {
				t.Errorf("%s %s: first matter %q, want %q", format, unit, cellOf(r, first), wantChoice)
			}
		}
		scan, authorisation := column(t, h, "选票原件 SHA-256"), column(t, h, "委托书原件 SHA-256")
		for _, unit := range []string{scanned, byProxy, "3-1-202", "1-1-101"} {
			if r := units[unit]; cellOf(r, scan) != originals[unit][0] || cellOf(r, authorisation) != originals[unit][1] {
				t.Errorf("%s %s: originals %q and %q, want %q", format, unit, cellOf(r, scan), cellOf(r, authorisation), originals[unit])
			}
		}
		if r := units["1-2-201"]; cellOf(r, owner) != "业****" {
			t.Errorf("%s: owner shown %q, want masked 业****", format, cellOf(r, owner))
		}
		if r := units["1-1-101"]; cellOf(r, delivery) != locale.DeliveryState("verified").ZH {
			t.Errorf("%s: delivery of 1-1-101 %q", format, cellOf(r, delivery))
		}
		if r := units["3-1-302"]; cellOf(r, channel) != "未投票" {
			t.Errorf("%s: a unit that did not vote shows %q", format, cellOf(r, channel))
		}
		wantOwner := "=*" // masked, and text: sheetRows checks each cell's type
		if format == "csv" {
			wantOwner = "'=*"
		}
		if r := units["1-1-201"]; !strings.HasPrefix(cellOf(r, owner), wantOwner) {
			t.Errorf("%s: formula-looking owner written as %q", format, cellOf(r, owner))
		}
	}

	// 表决结果统计表: the notice's figures from the frozen result.
	stored, err := postgres.GetResult(context.Background(), ts.DB, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := tally.Decode(stored.JSON)
	if err != nil {
		t.Fatal(err)
	}
	code, xlsx = ts.get(t, residents, "/api/v1/consultations/"+id+"/export/summary.xlsx")
	if code != http.StatusOK {
		t.Fatalf("summary.xlsx: %d", code)
	}
	summary := sheetRows(t, xlsx)
	has := func(want []string) bool {
		return slices.ContainsFunc(summary, func(r []string) bool { return slices.Equal(r, want) })
	}
	for _, fig := range notice.Figures(doc, false) {
		if !slices.ContainsFunc(summary, func(r []string) bool { return slices.Contains(r, fig.Title) && slices.Contains(r, fig.Verdict) }) {
			t.Errorf("summary lacks %s with verdict %s", fig.Title, fig.Verdict)
		}
		for _, r := range fig.Rows {
			if !has([]string{"", r.Label, r.Headcount, r.HeadcountPct, r.Area, r.AreaPct}) {
				t.Errorf("summary lacks %s's row %+v", fig.Title, r)
			}
		}
		for _, z := range fig.Zones {
			if !has([]string{"", z.Zone, oneLineTest(z.Eligible), oneLineTest(z.Participating), oneLineTest(z.Agree), oneLineTest(z.Oppose), oneLineTest(z.Abstain), oneLineTest(z.Verdict)}) {
				t.Errorf("summary lacks %s's zone %s", fig.Title, z.Zone)
			}
		}
	}

	// 送达台账: the record with who recorded and who verified it.
	code, csvData = ts.get(t, committee, "/api/v1/consultations/"+id+"/export/deliveries.csv")
	if code != http.StatusOK {
		t.Fatalf("deliveries.csv: %d", code)
	}
	ledger := csvRows(t, csvData)
	lh, lu := ledger[0], byUnit(ledger)
	if r := lu["1-1-101"]; cellOf(r, column(t, lh, "登记人")) != e.Accounts.Volunteer1.Username || cellOf(r, column(t, lh, "核验/驳回人")) != e.Accounts.Volunteer2.Username ||
		cellOf(r, column(t, lh, "送达方式")) != "当面签收" || cellOf(r, column(t, lh, "备注")) != "'-已签收" {
		t.Errorf("ledger row of 1-1-101: %q", r)
	}
	if len(lu) != len(e.Units) || cellOf(lu["3-1-302"], 1) != "未送达" {
		t.Errorf("ledger lists %d units; 3-1-302: %q", len(lu), lu["3-1-302"])
	}

	// The roll: committee only, never an ID number.
	rollPath := fmt.Sprintf("/api/v1/communities/%d/roll", ts.CommunityID)
	if code, _ := ts.get(t, residents, rollPath+".xlsx"); code != http.StatusForbidden {
		t.Errorf("roll by the residents' committee: %d, want 403", code)
	}
	code, xlsx = ts.get(t, committee, rollPath+".xlsx")
	if code != http.StatusOK {
		t.Fatalf("roll.xlsx: %d", code)
	}
	noIDNumbers(t, e, xlsx)
	rollRows := sheetRows(t, xlsx)
	if len(rollRows)-1 != len(e.Units) {
		t.Errorf("roll: %d rows, want %d", len(rollRows)-1, len(e.Units))
	}
	onFile, name := column(t, rollRows[0], "证件号已登记"), column(t, rollRows[0], "业主")
	for _, r := range rollRows[1:] {
		unit := r[0] + "-" + r[1] + "-" + r[2]
		want := "是"
		if unit == "3-1-601" || unit == "3-1-602" {
			want = "否"
		}
		if cellOf(r, onFile) != want {
			t.Errorf("roll %s: ID number on file %q, want %q", unit, cellOf(r, onFile), want)
		}
		if unit == "1-1-201" && cellOf(r, name) != `=HYPERLINK("http://evil.test","点我")` {
			t.Errorf("roll 1-1-201 owner %q", cellOf(r, name))
		}
	}
	_, csvData = ts.get(t, committee, rollPath+".csv")
	if !bytes.Contains(csvData, []byte(`'=HYPERLINK(`)) {
		t.Errorf("roll.csv does not write the formula-looking name as text")
	}
}

func oneLineTest(s string) string { return strings.ReplaceAll(s, "\n", " ") }
