package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// signedNotice closes the test estate's vote, has both bodies set their
// passphrases and approve, and returns the consultation id and notice id.
func signedNotice(t *testing.T, ts *testServer) (id, noticeID string) {
	t.Helper()
	e := ts.estate(t)
	e.CastStandard(t)
	e.EndVotingPeriod(t)
	id = itoa(e.ID())
	if resp := ts.do(t, ts.login(t, "committee"), http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	return id, signNotice(t, ts, id)
}

// signNotice sets both bodies' signing passphrases and has both approve
// the closed consultation id's notice, returning the notice's id.
func signNotice(t *testing.T, ts *testServer, id string) string {
	t.Helper()
	committee, residents := ts.login(t, "committee"), ts.login(t, "residents")
	var st struct {
		NoticeID string `json:"notice_id"`
		Signed   bool   `json:"signed"`
	}
	for tok, body := range map[string]string{committee: "committee", residents: "residents_committee"} {
		path := fmt.Sprintf("/api/v1/communities/%d/signing/%s", ts.CommunityID, body)
		if resp := ts.do(t, tok, http.MethodPut, path, map[string]string{"passphrase": body + " passphrase"}, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("setting the %s passphrase: %d", body, resp.StatusCode)
		}
	}
	for tok, body := range map[string]string{committee: "committee", residents: "residents_committee"} {
		ts.do(t, tok, http.MethodPost, "/api/v1/consultations/"+id+"/notice/approve", map[string]string{"passphrase": body + " passphrase"}, &st)
	}
	if !st.Signed {
		t.Fatalf("not signed: %+v", st)
	}
	return st.NoticeID
}

func TestSigningPassphraseIsTheBodysOwn(t *testing.T) {
	ts := newTestServer(t)
	ts.estate(t)
	committee, residents := ts.login(t, "committee"), ts.login(t, "residents")
	path := fmt.Sprintf("/api/v1/communities/%d/signing/", ts.CommunityID)
	if resp := ts.do(t, committee, http.MethodPut, path+"residents_committee", map[string]string{"passphrase": "committee takes over"}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the committee sets the residents' committee's passphrase: %d, want 403", resp.StatusCode)
	}
	if resp := ts.do(t, residents, http.MethodPut, path+"volunteers", map[string]string{"passphrase": "no such body here"}, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown body: %d, want 404", resp.StatusCode)
	}
	var set struct {
		NewKey bool `json:"new_key"`
		Key    struct {
			State string `json:"state"`
		} `json:"key"`
	}
	if resp := ts.do(t, residents, http.MethodPut, path+"residents_committee", map[string]string{"passphrase": "first passphrase"}, &set); resp.StatusCode != http.StatusOK || !set.NewKey || set.Key.State != "passphrase" {
		t.Fatalf("first passphrase: %d %+v", resp.StatusCode, set)
	}
	var refusal struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if resp := ts.do(t, residents, http.MethodPut, path+"residents_committee", map[string]string{"passphrase": "second passphrase", "old_passphrase": "wrong"}, &refusal); resp.StatusCode != http.StatusUnprocessableEntity || refusal.Error.Code != "wrong_passphrase" {
		t.Errorf("a wrong old passphrase: %d %+v", resp.StatusCode, refusal)
	}
	if resp := ts.do(t, residents, http.MethodPut, path+"residents_committee", map[string]string{"passphrase": "second passphrase", "old_passphrase": "first passphrase"}, &set); resp.StatusCode != http.StatusOK || set.NewKey {
		t.Errorf("a change with the old passphrase: %d %+v", resp.StatusCode, set)
	}
}

func TestObjectionsAreListedOnTheVerifyPage(t *testing.T) {
	ts := newTestServer(t)
	id, noticeID := signedNotice(t, ts)
	committee, residents := ts.login(t, "committee"), ts.login(t, "residents")
	path := "/api/v1/consultations/" + id + "/objections"
	good := map[string]string{"raised_by": "张三丰（1-1-101）", "raised_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "content": "弃权人数与我楼统计不符"}
	if resp := ts.do(t, residents, http.MethodPost, path, good, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an objection recorded by the residents' committee: %d, want 403", resp.StatusCode)
	}
	var refusal struct {
		Error struct {
			Details []struct{ Field string } `json:"details"`
		} `json:"error"`
	}
	bad := map[string]string{"raised_by": " ", "raised_at": "yesterday", "content": ""}
	if resp := ts.do(t, committee, http.MethodPost, path, bad, &refusal); resp.StatusCode != http.StatusUnprocessableEntity || len(refusal.Error.Details) != 3 {
		t.Errorf("an empty objection: %d %+v", resp.StatusCode, refusal)
	}
	if resp := ts.do(t, committee, http.MethodPost, path, good, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("recording an objection: %d", resp.StatusCode)
	}
	code, page := ts.get(t, "", "/verify/"+noticeID)
	if code != http.StatusOK || !strings.Contains(string(page), "弃权人数与我楼统计不符") || !strings.Contains(string(page), "张*") {
		t.Errorf("the verify page does not list the objection: %d", code)
	}
	if strings.Contains(string(page), "张三丰") {
		t.Error("the verify page shows the objector's name unmasked")
	}
	var count int
	ts.DB.Get(&count, `SELECT count(*) FROM audit_entries WHERE action = 'notice.objection'`)
	if count != 1 {
		t.Errorf("%d objections audited, want 1", count)
	}
}
