package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"gongjue/tally/tallytest"
)

type historyBody struct {
	Unit          string `json:"unit"`
	Consultations []struct {
		ConsultationID int64 `json:"consultation_id"`
		Cast           *struct {
			Channel      string  `json:"channel"`
			At           *string `json:"at"`
			Verification string  `json:"verification"`
			EnteredBy    string  `json:"entered_by"`
			ConfirmedBy  string  `json:"confirmed_by"`
		} `json:"cast"`
		Deliveries []struct {
			Method string `json:"method"`
			State  string `json:"state"`
		} `json:"deliveries"`
		Paper []struct {
			State         string `json:"state"`
			EnteredByName string `json:"entered_by_name"`
		} `json:"paper_entries"`
		Openings []struct {
			By     string `json:"by"`
			Reason string `json:"reason"`
		} `json:"openings"`
	} `json:"consultations"`
}

func TestUnitHistoryAndSealedRecord(t *testing.T) {
	ts := newTestServer(t)
	e := ts.estate(t)
	committee, residents, volunteer, volunteer2 := ts.login(t, "committee"), ts.login(t, "residents"), ts.login(t, "volunteer"), ts.login(t, "volunteer2")
	id := itoa(e.ID())
	base := fmt.Sprintf("/api/v1/communities/%d/units/", ts.CommunityID)
	paperUnit := "1-1-301" // cast on paper: oppose, 三菱, one candidate
	var delivered struct {
		DeliveryID int64 `json:"delivery_id"`
	}
	ts.do(t, volunteer, http.MethodPost, "/api/v1/consultations/"+id+"/deliveries", map[string]any{"unit": paperUnit, "method": "left_with_witness",
		"delivered_at": time.Now().Add(-time.Hour).Format(time.RFC3339), "recipient": "见证人 周八"}, &delivered)
	ts.do(t, volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/deliveries/%d/verify", delivered.DeliveryID), nil, nil)
	e.CastStandard(t)

	history := func(token, unit string) (historyBody, []byte) {
		t.Helper()
		var h historyBody
		resp := ts.do(t, token, http.MethodGet, base+unit+"/history", nil, &h)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("history of %s: %d", unit, resp.StatusCode)
		}
		_, raw := ts.get(t, token, base+unit+"/history")
		return h, raw
	}
	h, raw := history(volunteer, paperUnit)
	if len(h.Consultations) != 1 || h.Consultations[0].ConsultationID != e.ID() {
		t.Fatalf("history: %+v", h)
	}
	v := h.Consultations[0]
	if v.Cast == nil || v.Cast.Channel != "paper" || v.Cast.At == nil || v.Cast.EnteredBy != e.Accounts.Volunteer1.Username || v.Cast.ConfirmedBy != e.Accounts.Volunteer2.Username {
		t.Errorf("paper cast: %+v", v.Cast)
	}
	if len(v.Paper) != 1 || v.Paper[0].State != "confirmed" || v.Paper[0].EnteredByName != e.Accounts.Volunteer1.Username {
		t.Errorf("paper entries: %+v", v.Paper)
	}
	if len(v.Deliveries) != 1 || v.Deliveries[0].Method != "left_with_witness" || v.Deliveries[0].State != "verified" {
		t.Errorf("deliveries: %+v", v.Deliveries)
	}
	sealed := tallytest.StandardVotes[paperUnit]
	for _, secret := range []string{`"` + sealed.Approve + `"`, sealed.Option, sealed.Candidates[0]} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the history shows the choice %s: %s", secret, raw)
		}
	}
	if h, _ := history(residents, "1-1-101"); h.Consultations[0].Cast == nil || h.Consultations[0].Cast.Channel != "online" || h.Consultations[0].Cast.Verification != "none" {
		t.Errorf("online cast: %+v", h.Consultations[0].Cast)
	}
	if h, _ := history(volunteer, "3-1-302"); h.Consultations[0].Cast != nil {
		t.Errorf("a unit that did not vote has a cast: %+v", h.Consultations[0].Cast)
	}
	if code, _ := ts.get(t, volunteer, base+"9-9-999/history"); code != http.StatusNotFound {
		t.Errorf("unknown unit: %d", code)
	}

	open := func(token string, body any) (int, []byte) {
		t.Helper()
		resp := ts.do(t, token, http.MethodPost, base+paperUnit+"/history/"+id+"/open", body, nil)
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.Bytes()
	}
	reason := map[string]string{"reason": "业主称从未同意，街道调解 2026-07"}
	if code, _ := open(committee, reason); code != http.StatusConflict {
		t.Errorf("opening during the vote: %d, want 409", code)
	}
	e.EndVotingPeriod(t)
	if resp := ts.do(t, committee, http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	for _, tok := range []string{volunteer, residents} {
		if code, _ := open(tok, reason); code != http.StatusForbidden {
			t.Errorf("opened by a non-committee account: %d", code)
		}
	}
	if code, _ := open(committee, map[string]string{"reason": " "}); code != http.StatusUnprocessableEntity {
		t.Errorf("opening without a reason: %d, want 422", code)
	}
	if h, _ := history(committee, paperUnit); len(h.Consultations[0].Openings) != 0 {
		t.Errorf("refused openings were recorded: %+v", h.Consultations[0].Openings)
	}
	var opened struct {
		Matters []struct {
			Choices []string              `json:"choices"`
			Words   []struct{ ZH string } `json:"words"`
		} `json:"matters"`
	}
	resp := ts.do(t, committee, http.MethodPost, base+paperUnit+"/history/"+id+"/open", reason, &opened)
	if resp.StatusCode != http.StatusOK || len(opened.Matters) != 3 || !slices.Equal(opened.Matters[0].Choices, []string{sealed.Approve}) ||
		opened.Matters[0].Words[0].ZH != "反对" || !slices.Equal(opened.Matters[1].Choices, []string{sealed.Option}) || !slices.Equal(opened.Matters[2].Choices, sealed.Candidates) {
		t.Fatalf("open: %d %+v, want %+v", resp.StatusCode, opened, sealed)
	}
	h, raw = history(volunteer, paperUnit)
	if o := h.Consultations[0].Openings; len(o) != 1 || o[0].By != "committee" || o[0].Reason != reason["reason"] {
		t.Errorf("openings in the history: %+v", o)
	}
	if bytes.Contains(raw, []byte(sealed.Option)) {
		t.Errorf("after the opening the history itself shows a choice: %s", raw)
	}
}
