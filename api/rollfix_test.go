package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

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
