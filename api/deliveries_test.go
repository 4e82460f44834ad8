package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

type unitDeliveries struct {
	Unit    string `json:"unit"`
	State   string `json:"state"`
	Records []struct {
		ID         int64  `json:"id"`
		Method     string `json:"method"`
		State      string `json:"state"`
		Reason     string `json:"reason"`
		RecordedBy *int64 `json:"recorded_by"`
		HasPhoto   bool   `json:"has_photo"`
	} `json:"records"`
}

func (e *voteEstate) deliveries(t *testing.T, consultation int64, unit string) map[string]unitDeliveries {
	t.Helper()
	var out struct{ Units []unitDeliveries }
	path := fmt.Sprintf("/api/v1/consultations/%d/deliveries", consultation)
	if unit != "" {
		path += "?unit=" + unit
	}
	if resp := e.do(t, e.volunteer, http.MethodGet, path, nil, &out); resp.StatusCode != http.StatusOK {
		t.Fatalf("deliveries: %d", resp.StatusCode)
	}
	m := map[string]unitDeliveries{}
	for _, u := range out.Units {
		m[u.Unit] = u
	}
	return m
}

func (e *voteEstate) recordDelivery(t *testing.T, token string, consultation int64, body map[string]any) (int, int64, apiError) {
	t.Helper()
	var out struct {
		DeliveryID int64 `json:"delivery_id"`
		apiError
	}
	resp := e.do(t, token, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/deliveries", consultation), body, &out)
	return resp.StatusCode, out.DeliveryID, out.apiError
}

func TestDeliveryLedgerOverHTTP(t *testing.T) {
	e := newVoteEstate(t)
	_, v, _ := e.registerProcedure(t, e.committee, `{"nonresponse": "delivered-participate", "delivery_methods": ["in_person", "left_with_witness"]}`, rulesPDF)
	if status := e.activate(t, e.committee, v); status != http.StatusOK {
		t.Fatalf("activate: %d", status)
	}
	c, ballots := e.openNow(t)
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"unit": ballots[0].Unit, "method": "registered_post", "delivered_at": at}, "method"}, // not in the frozen methods
		{map[string]any{"unit": ballots[0].Unit, "method": "pigeon", "delivered_at": at}, "method"},
		{map[string]any{"unit": ballots[0].Unit, "method": "in_person"}, "delivered_at"},
		{map[string]any{"unit": ballots[0].Unit, "method": "in_person", "delivered_at": at}, "recipient"},
		{map[string]any{"unit": "9-9-999", "method": "in_person", "delivered_at": at, "recipient": "本人"}, "unit"},
	} {
		status, _, ae := e.recordDelivery(t, e.volunteer, c.ID, bad.body)
		var details []struct{ Field string }
		json.Unmarshal(ae.Error.Details, &details)
		if status != http.StatusUnprocessableEntity || len(details) == 0 || details[0].Field != bad.field {
			t.Errorf("%v: %d %s %s, want 422 naming %s", bad.body, status, ae.Error.Message, ae.Error.Details, bad.field)
		}
	}
	if status, _, _ := e.recordDelivery(t, e.login(t, "residents"), c.ID, map[string]any{"unit": ballots[0].Unit, "method": "in_person", "delivered_at": at, "recipient": "本人"}); status != http.StatusForbidden {
		t.Errorf("the residents' committee recorded a delivery: %d", status)
	}

	record := func(unit string) int64 {
		status, id, ae := e.recordDelivery(t, e.volunteer, c.ID, map[string]any{"unit": unit, "method": "left_with_witness",
			"delivered_at": at, "recipient": "见证人 李四（楼组长）", "note": "门口留置，已拍照"})
		if status != http.StatusCreated || id == 0 {
			t.Fatalf("record: %d %s", status, ae.Error.Message)
		}
		return id
	}
	kept, dropped := record(ballots[0].Unit), record(ballots[1].Unit)
	decide := func(token string, id int64, action string, body any) int {
		return e.do(t, token, http.MethodPost, fmt.Sprintf("/api/v1/deliveries/%d/%s", id, action), body, nil).StatusCode
	}
	if status := decide(e.volunteer, kept, "verify", nil); status != http.StatusForbidden {
		t.Errorf("the recorder verified their own record: %d", status)
	}
	if status := decide(e.volunteer2, kept, "verify", nil); status != http.StatusOK {
		t.Errorf("verify by another volunteer: %d", status)
	}
	if status := decide(e.volunteer2, dropped, "verify", nil); status != http.StatusOK {
		t.Errorf("verify: %d", status)
	}
	if status := decide(e.committee, dropped, "reject", map[string]string{"reason": " "}); status != http.StatusUnprocessableEntity {
		t.Errorf("reject without a reason: %d", status)
	}
	if status := decide(e.committee, dropped, "reject", map[string]string{"reason": "见证人并非楼组成员"}); status != http.StatusOK {
		t.Errorf("reject: %d", status)
	}
	if status := decide(e.committee, dropped, "verify", nil); status != http.StatusConflict {
		t.Errorf("verify after reject: %d", status)
	}
	var photo struct{ SHA256 string }
	if resp := e.upload(t, e.volunteer, fmt.Sprintf("/api/v1/deliveries/%d/photo", kept), "门口.png", []byte("\x89PNG\r\n\x1a\n照片"), &photo); resp.StatusCode != http.StatusCreated || len(photo.SHA256) != 64 {
		t.Errorf("photo: %d %+v", resp.StatusCode, photo)
	}
	if resp := e.upload(t, e.volunteer, fmt.Sprintf("/api/v1/deliveries/%d/photo", dropped), "a.txt", []byte("not an image"), nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a text file as photo: %d", resp.StatusCode)
	}

	got := e.deliveries(t, c.ID, "")
	if len(got) != len(ballots) {
		t.Fatalf("ledger lists %d units, want %d", len(got), len(ballots))
	}
	if u := got[ballots[0].Unit]; u.State != "verified" || len(u.Records) != 1 || !u.Records[0].HasPhoto {
		t.Errorf("%s: %+v", ballots[0].Unit, u)
	}
	if u := got[ballots[1].Unit]; u.State != "recorded" || u.Records[0].State != "rejected" || u.Records[0].Reason != "见证人并非楼组成员" {
		t.Errorf("%s: %+v", ballots[1].Unit, u)
	}
	if u := got[ballots[2].Unit]; u.State != "none" || len(u.Records) != 0 {
		t.Errorf("%s: %+v", ballots[2].Unit, u)
	}
	// Electronic delivery is not among this vote's methods: opening the
	// ballot page records nothing.
	pageGet(t, e, "/v/"+e.token(ballots[2]))
	if u := e.deliveries(t, c.ID, ballots[2].Unit)[ballots[2].Unit]; u.State != "none" {
		t.Errorf("electronic delivery recorded though not allowed: %+v", u)
	}
}

func TestElectronicDeliveryOnFirstOpening(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t) // no version: all four methods count
	path := "/v/" + e.token(ballots[0])
	for range 2 {
		if resp, _ := pageGet(t, e, path); resp.StatusCode != http.StatusOK {
			t.Fatalf("ballot page: %d", resp.StatusCode)
		}
	}
	got := e.deliveries(t, c.ID, "")
	u := got[ballots[0].Unit]
	if u.State != "verified" || len(u.Records) != 1 || u.Records[0].Method != "electronic" || u.Records[0].RecordedBy != nil {
		t.Errorf("after opening the page twice: %+v", u)
	}
	if other := got[ballots[1].Unit]; other.State != "none" {
		t.Errorf("a unit whose page was not opened: %+v", other)
	}
	// The API read of a ballot is not the owner opening the page.
	e.do(t, "", http.MethodGet, "/api/v1/ballots/"+e.token(ballots[1]), nil, nil)
	if other := e.deliveries(t, c.ID, ballots[1].Unit)[ballots[1].Unit]; other.State != "none" {
		t.Errorf("GET /api/v1/ballots recorded a delivery: %+v", other)
	}
}
