package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongjue/postgres"
)

// uploadRoll posts a roll file with extra form fields.
func (ts *testServer) uploadRoll(t *testing.T, token, content string, fields map[string]string, out any) int {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "roll.csv")
	fw.Write([]byte(content))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/communities/"+itoa(ts.CommunityID)+"/roll", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return ts.send(t, req, token, out).StatusCode
}

// TestPartialRollAsks: a file that leaves units out is a dry run that
// names the units it would remove, and imports only once confirmed.
func TestPartialRollAsks(t *testing.T) {
	ts := newTestServer(t)
	token := ts.login(t, "committee")
	if code := ts.uploadRoll(t, token, goodRoll, nil, nil); code != http.StatusOK {
		t.Fatalf("import: %d", code)
	}
	lines := strings.SplitAfter(goodRoll, "\n")
	partial := lines[0] + lines[1] + lines[5] // 1-1-101 and 30-1-201 only
	var ae apiError
	if code := ts.uploadRoll(t, token, partial, nil, &ae); code != http.StatusConflict || ae.Error.Code != "confirm_removals" {
		t.Fatalf("partial roll: %d %s, want 409 confirm_removals", code, ae.Error.Code)
	}
	var details struct {
		Remove      []string `json:"remove"`
		WithBallots []string `json:"with_ballots"`
	}
	if err := json.Unmarshal(ae.Error.Details, &details); err != nil || strings.Join(details.Remove, ",") != "1-1-102,30-1-101,30-1-102" || len(details.WithBallots) != 0 {
		t.Errorf("details %s (%v)", ae.Error.Details, err)
	}
	if !strings.Contains(ae.Error.Message, "3 套") || !strings.Contains(ae.Error.Message, "1-1-102") {
		t.Errorf("message %q does not name the removals", ae.Error.Message)
	}
	var units int
	ts.DB.Get(&units, `SELECT count(*) FROM units WHERE community_id = $1`, ts.CommunityID)
	if units != 5 {
		t.Fatalf("the dry run changed the roll: %d units", units)
	}
	var summary postgres.RollSummary
	if code := ts.uploadRoll(t, token, partial, map[string]string{"confirm_removals": "1"}, &summary); code != http.StatusOK || summary.Removed != 3 || summary.Units != 2 {
		t.Errorf("confirmed: %d %+v", code, summary)
	}
}

func TestCorrectOneUnit(t *testing.T) {
	e := newVoteEstate(t)
	// Building 2 votes; building 1 does not.
	e.open(t, consultationJSON(map[string]string{"building": "2"}, time.Now().Add(-time.Minute), time.Now().Add(time.Hour)))
	path := func(unit string) string { return "/api/v1/communities/" + itoa(e.CommunityID) + "/units/" + unit }
	patch := func(token, unit string, body map[string]any) (int, apiError) {
		t.Helper()
		var ae apiError
		resp := e.do(t, token, http.MethodPatch, path(unit), body, &ae)
		return resp.StatusCode, ae
	}
	newID := testIDNumber(9, 9, 9, 9)
	if code, _ := patch(e.volunteer, "1-1-101", map[string]any{"phone": "13900000000"}); code != http.StatusForbidden {
		t.Errorf("a volunteer corrected the roll: %d", code)
	}
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"area": "-3"}, "area"},
		{map[string]any{"area": "12.345"}, "area"},
		{map[string]any{"area_source": "听说"}, "area_source"},
		{map[string]any{"id_number": newID[:17] + "0"}, "id_number"},
		{map[string]any{"developer_held": "maybe"}, "developer_held"},
	} {
		code, ae := patch(e.committee, "1-1-101", bad.body)
		var details []struct{ Field string }
		json.Unmarshal(ae.Error.Details, &details)
		if code != http.StatusUnprocessableEntity || len(details) != 1 || details[0].Field != bad.field {
			t.Errorf("%v: %d %s, want 422 naming %s", bad.body, code, ae.Error.Details, bad.field)
		}
	}
	code, _ := patch(e.committee, "1-1-101", map[string]any{"area": "95.50", "area_source": "竣工测绘", "owner_name": "李新", "phone": "13900001234",
		"developer_held": "false", "id_number": newID})
	if code != http.StatusOK {
		t.Fatalf("correct: %d", code)
	}
	var u struct {
		Area     int64  `db:"area_centi"`
		Source   string `db:"area_source"`
		Name     string `db:"owner_name"`
		Phone    string `db:"owner_phone"`
		OwnerKey string `db:"owner_key"`
	}
	e.DB.Get(&u, `SELECT area_centi, area_source, owner_name, owner_phone, owner_key FROM units WHERE community_id = $1 AND id = '1-1-101'`, e.CommunityID)
	if u.Area != 9550 || u.Source != "survey" || u.Name != "李新" || u.Phone != "13900001234" || u.OwnerKey != e.Keys.OwnerKey(newID) {
		t.Errorf("unit after the correction: %+v", u)
	}
	var audit []string
	e.DB.Select(&audit, `SELECT detail::text FROM audit_entries WHERE action = 'unit.correct' AND subject = '1-1-101'`)
	if len(audit) != 1 || strings.Contains(audit[0], newID) || strings.Contains(audit[0], "李新") || !strings.Contains(audit[0], "id_number") {
		t.Errorf("audit: %q", audit)
	}

	// A unit with a ballot of the open vote: name and phone may change,
	// what the vote counts may not.
	for _, body := range []map[string]any{{"area": "50"}, {"developer_held": true}, {"id_number": newID}} {
		if code, ae := patch(e.committee, "2-1-101", body); code != http.StatusConflict || ae.Error.Code != "in_open_vote" {
			t.Errorf("%v in an open vote: %d %s", body, code, ae.Error.Code)
		}
	}
	if code, _ := patch(e.committee, "2-1-101", map[string]any{"phone": "13700000000"}); code != http.StatusOK {
		t.Errorf("phone of a unit in an open vote: %d", code)
	}
	if code, _ := patch(e.committee, "9-9-999", map[string]any{"phone": "13700000000"}); code != http.StatusNotFound {
		t.Errorf("unknown unit: %d", code)
	}
}
