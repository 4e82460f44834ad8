package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPaperDeskLookup: the desk shows a ballot code's unit before the
// choices are entered, with other pending entries and a counted ballot;
// staff only.
func TestPaperDeskLookup(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	lookup := fmt.Sprintf("/api/v1/consultations/%d/paper/ballot?", c.ID)
	type found struct {
		Unit    string  `json:"unit"`
		Code    string  `json:"code"`
		Pending []int64 `json:"pending"`
		Place   struct{ Building, Entrance, Room string }
		Cast    *struct {
			Channel string `json:"channel"`
		} `json:"cast"`
	}
	var f found
	if r := e.do(t, e.volunteer, http.MethodGet, lookup+"ballot_code="+url.QueryEscape(ballots[1].Code), nil, &f); r.StatusCode != http.StatusOK ||
		f.Unit != ballots[1].Unit || f.Code != ballots[1].Code || len(f.Pending) != 0 || f.Cast != nil || f.Place.Room == "" {
		t.Fatalf("lookup by code: %d %+v", r.StatusCode, f)
	}
	if r := e.do(t, "", http.MethodGet, lookup+"scan="+url.QueryEscape(ballots[1].URL), nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("lookup without an account: %d", r.StatusCode)
	}
	paper := fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID)
	for _, who := range []string{e.volunteer, e.volunteer2} {
		if r := e.do(t, who, http.MethodPost, paper, map[string]any{"ballot_code": ballots[1].Code, "spoiled": true, "spoiled_reason": "unreadable"}, nil); r.StatusCode != http.StatusCreated {
			t.Fatalf("entering: %d", r.StatusCode)
		}
	}
	f = found{}
	if r := e.do(t, e.volunteer, http.MethodGet, lookup+"scan="+url.QueryEscape(ballots[1].URL), nil, &f); r.StatusCode != http.StatusOK || len(f.Pending) != 2 {
		t.Errorf("lookup of a unit with two pending entries: %d %+v", r.StatusCode, f)
	}
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(ballots[2]), map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("online cast: %d", r.StatusCode)
	}
	f = found{}
	if r := e.do(t, e.volunteer, http.MethodGet, lookup+"token="+e.token(ballots[2]), nil, &f); r.StatusCode != http.StatusOK || f.Cast == nil || f.Cast.Channel != "online" {
		t.Errorf("lookup of a unit that voted online: %d %+v", r.StatusCode, f)
	}
	var ae apiError
	if r := e.do(t, e.volunteer, http.MethodGet, lookup+"ballot_code=0000-0000", nil, &ae); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(ae.Error.Message, "没有这张选票") {
		t.Errorf("lookup of an unknown code: %d %+v", r.StatusCode, ae)
	}
}

// TestPaperQueueFlags: the queue flags entries that conflict for one unit,
// and marks an entry whose unit voted online since, offering to reject it
// instead of a confirmation that cannot count.
func TestPaperQueueFlags(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	paper := fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID)
	for _, b := range []openedBallot{ballots[1], ballots[1], ballots[2], ballots[3]} {
		if r := e.do(t, e.volunteer, http.MethodPost, paper, map[string]any{"ballot_code": b.Code, "spoiled": true, "spoiled_reason": "unreadable"}, nil); r.StatusCode != http.StatusCreated {
			t.Fatalf("entering %s: %d", b.Unit, r.StatusCode)
		}
	}
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(ballots[2]), map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("online cast: %d", r.StatusCode)
	}
	for _, lang := range []struct{ query, conflict, voted, reject, counted string }{
		{"", "冲突：同一房屋还有 1 条待确认的录入", "投票（在线投票），这张纸质票不再计入", "退回（已投票）", "在线投票 1 · 纸质选票 0"},
		{"&lang=en", "Conflict: 1 other entries await confirmation", "(online) since: this paper ballot can no longer count", "Reject (already voted)", "online 1 · paper ballot 0"},
	} {
		b := newBrowser(t, e.testServer)
		b.login("volunteer2")
		resp, page := b.get("/console" + paper[len("/api/v1"):] + "?fragment=queue" + lang.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("queue: %d", resp.StatusCode)
		}
		if !strings.Contains(page, lang.counted) {
			t.Errorf("the counts do not name the channels as everywhere else (%q):\n%s", lang.counted, page)
		}
		entries := strings.Split(page, `<li class="queue-entry`)[1:]
		if len(entries) != 4 {
			t.Fatalf("queue has %d entries:\n%s", len(entries), page)
		}
		for i, want := range []struct{ conflict, voted bool }{{true, false}, {true, false}, {false, true}, {false, false}} {
			if strings.Contains(entries[i], lang.conflict) != want.conflict {
				t.Errorf("entry %d conflict flag %v:\n%s", i, want.conflict, entries[i])
			}
			voted := strings.Contains(entries[i], lang.voted) && strings.Contains(entries[i], lang.reject)
			if voted != want.voted || strings.Contains(entries[i], "/confirm") == want.voted {
				t.Errorf("entry %d voted mark %v:\n%s", i, want.voted, entries[i])
			}
		}
	}
}
