package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestBadTextRefusedEverywhere: U+0000 (which PostgreSQL refuses, once a
// 500), other control characters and bidirectional overrides are refused
// with 422 naming the field, at every entry point: JSON bodies, forms,
// queries and paths. Descriptions may hold line breaks and tabs.
func TestBadTextRefusedEverywhere(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	admin := e.login(t, "admin")
	token := e.token(ballots[0])
	id := fmt.Sprint(c.Matters[0].ID)
	draft := consultationJSON(nil, time.Now().Add(time.Hour), time.Now().Add(48*time.Hour))
	withDraft := func(change func(map[string]any)) map[string]any {
		js, _ := json.Marshal(draft)
		var d map[string]any
		json.Unmarshal(js, &d)
		change(d)
		return d
	}
	matter := func(d map[string]any, i int) map[string]any { return d["matters"].([]any)[i].(map[string]any) }
	cpath := fmt.Sprintf("/api/v1/communities/%d/consultations", e.CommunityID)
	kpath := fmt.Sprintf("/api/v1/consultations/%d", c.ID)

	type request struct {
		name, method, path, bearer string
		json                       any        // a JSON body, or
		form                       url.Values // a form
		field                      string     // the field named in the refusal
	}
	for _, r := range []request{
		{name: "login", method: "POST", path: "/api/v1/auth/login", json: map[string]string{"username": "com\x00mittee", "password": "x"}, field: "username"},
		{name: "login form", method: "POST", path: "/login", form: url.Values{"username": {"committee\x00"}, "password": {"x"}}, field: "username"},
		{name: "estate name", method: "POST", path: "/api/v1/communities", bearer: admin, json: map[string]string{"name": "小区\x00", "address": "上海"}, field: "name"},
		{name: "estate address", method: "POST", path: "/api/v1/communities", bearer: admin, json: map[string]string{"name": "小区", "address": "上海\u202e"}, field: "address"},
		{name: "new username", method: "POST", path: fmt.Sprintf("/api/v1/communities/%d/users", e.CommunityID), bearer: e.committee,
			json: map[string]string{"username": "vol\a", "password": testPassword, "role": "volunteer"}, field: "username"},
		{name: "title", method: "POST", path: cpath, bearer: e.committee, json: withDraft(func(d map[string]any) { d["title"] = "电梯\x00" }), field: "title"},
		{name: "title on two lines", method: "POST", path: cpath, bearer: e.committee, json: withDraft(func(d map[string]any) { d["title"] = "电梯\n表决" }), field: "title"},
		{name: "description", method: "POST", path: cpath, bearer: e.committee, json: withDraft(func(d map[string]any) { d["description"] = "详见\x00" }), field: "description"},
		{name: "matter title", method: "POST", path: cpath, bearer: e.committee, json: withDraft(func(d map[string]any) { matter(d, 0)["title"] = "\u2066是否同意" }), field: "matters[0].title"},
		{name: "option", method: "POST", path: cpath, bearer: e.committee, json: withDraft(func(d map[string]any) { matter(d, 1)["options"] = []string{"蒂森", "三\x00菱"} }), field: "matters[1].options[1]"},
		{name: "scope", method: "POST", path: cpath, bearer: e.committee, json: withDraft(func(d map[string]any) { d["scope"] = map[string]string{"building": "1\x00"} }), field: "scope.building"},
		{name: "edited title", method: "PATCH", path: kpath, bearer: e.committee, json: map[string]string{"title": "改\u202d"}, field: "title"},
		{name: "ballot code", method: "POST", path: kpath + "/paper", bearer: e.volunteer, json: map[string]any{"ballot_code": "AB\x00CD"}, field: "ballot_code"},
		{name: "proxy name", method: "POST", path: kpath + "/paper", bearer: e.volunteer, json: map[string]any{"ballot_code": ballots[0].Code, "proxy": map[string]string{"name": "张\u202e三"}}, field: "proxy.name"},
		{name: "reject reason", method: "POST", path: "/api/v1/paper/1/reject", bearer: e.volunteer2, json: map[string]string{"reason": "看不清\x00"}, field: "reason"},
		{name: "choice", method: "POST", path: "/api/v1/ballots/" + token, json: map[string]any{"choices": map[string]string{id: "agree\x00"}}, field: "choices." + id},
		{name: "phone page choice", method: "POST", path: "/v/" + token, form: url.Values{"step": {"confirm"}, "m" + id: {"agree\x00"}}, field: "m" + id},
		{name: "passphrase", method: "POST", path: kpath + "/notice/approve", bearer: e.committee, json: map[string]string{"passphrase": "\x00"}, field: "passphrase"},
		{name: "receipt query", method: "GET", path: fmt.Sprintf("/log/%d/proof?receipt=%%00", c.ID), field: "receipt"},
		{name: "packet query", method: "GET", path: kpath + "/ballots.pdf?building=1%00", bearer: e.committee, field: "building"},
		{name: "path", method: "GET", path: "/verify/N%00", field: "notice"},
	} {
		t.Run(r.name, func(t *testing.T) {
			var req *http.Request
			switch {
			case r.form != nil:
				req, _ = http.NewRequest(r.method, e.URL+r.path, strings.NewReader(r.form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			case r.json != nil:
				js, _ := json.Marshal(r.json)
				req, _ = http.NewRequest(r.method, e.URL+r.path, strings.NewReader(string(js)))
				req.Header.Set("Content-Type", "application/json")
			default:
				req, _ = http.NewRequest(r.method, e.URL+r.path, nil)
			}
			if r.form != nil { // a page: refused as a page
				resp := e.send(t, req, r.bearer, nil)
				body, _ := readAll(resp)
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, r.field) {
					t.Errorf("%d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				return
			}
			var ae apiError
			resp := e.send(t, req, r.bearer, &ae)
			var details []struct{ Field, Message string }
			json.Unmarshal(ae.Error.Details, &details)
			if resp.StatusCode != http.StatusUnprocessableEntity || len(details) != 1 || details[0].Field != r.field {
				t.Errorf("%d %+v %s", resp.StatusCode, ae.Error, ae.Error.Details)
			}
		})
	}

	// A description may span lines.
	var created struct{ ID int64 }
	if resp := e.do(t, e.committee, http.MethodPost, cpath, withDraft(func(d map[string]any) { d["description"] = "第一段\n\n\t第二段" }), &created); resp.StatusCode != http.StatusCreated {
		t.Errorf("a description of two paragraphs: %d", resp.StatusCode)
	}
}
