package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongjue/ballot"
	"gongjue/internal/testtool"
	"gongjue/postgres"
)

// TestPagesInOneLanguage walks every page a person reaches — the console
// as each role sees it, the phone page, the receipt check, verification,
// error pages — in Chinese and in English, and fails on the other
// language's script: Latin words on a Chinese page, Han characters on an
// English page, beyond the names a page shows (the estate, the vote and
// its matters, zones, usernames) and the language switch.
func TestPagesInOneLanguage(t *testing.T) {
	ts := newTestServer(t)
	token := ts.login(t, "committee")
	var n struct{ Units int }
	ts.upload(t, token, "/api/v1/communities/"+itoa(ts.CommunityID)+"/roll", "roll.csv",
		[]byte("楼栋,单元,房号,区域,建筑面积,证件号\n1,1,101,多层,90.00,a1\n1,1,102,多层,90.00,a2\n101,1,101,别墅,250.00,a4\n"), &n)
	var draft, open struct{ ID int64 }
	for _, c := range []*struct{ ID int64 }{&draft, &open} {
		ts.do(t, token, http.MethodPost, "/api/v1/communities/"+itoa(ts.CommunityID)+"/consultations", map[string]any{
			"title": "加装电梯", "opens_at": "2026-01-01T09:00:00+08:00", "closes_at": "2099-01-01T18:00:00+08:00",
			"matters": []map[string]any{{"title": "是否同意加装电梯", "kind": "approve", "rules": "major"},
				{"title": "电梯品牌", "kind": "choice", "options": []string{"蒂森", "三菱"}}},
		}, c)
	}
	ballots, err := postgres.OpenConsultation(context.Background(), ts.DB, ts.Keys, ts.CommunityID, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	vote := "/v/" + ballots[0].Token
	d, o := itoa(draft.ID), itoa(open.ID)

	names := []string{"English", "中文", "测试小区", "上海", "加装电梯", "是否同意加装电梯", "电梯品牌", "蒂森", "三菱", "多层", "别墅",
		"committee2", "committee", "residents", "volunteer2", "volunteer", "admin", "m²",
		"CSV", "csv", "XLSX", "xlsx", "PDF", "JPEG", "PNG", "MB"} // file formats and sizes, written so in Chinese too
	for _, b := range ballots {
		names = append(names, b.Code, ballot.FormatCode(b.Code))
	}
	pages := map[string][]string{
		"":          {"/login", vote, "/log/" + o, "/verify/999999", "/nowhere", "/v/" + ballots[0].Token + "/x"},
		"committee": {"/console", "/console/consultations/new", "/console/accounts", "/console/procedures", "/console/consultations/" + d, "/console/consultations/" + o, "/console/consultations/" + o + "/missing", "/console/consultations/" + o + "/paper", "/console/consultations/" + o + "/result", "/console/nowhere"},
		"volunteer": {"/console", "/console/consultations/" + o + "/paper", "/console/consultations/new", "/console/procedures"},
		"residents": {"/console", "/console/consultations/" + o},
		"admin":     {"/console/estates"},
	}
	for who, paths := range pages {
		for _, english := range []bool{false, true} {
			lang := map[bool]string{false: "zh", true: "en"}[english]
			b := newBrowser(t, ts)
			b.get("/login?lang=" + lang)
			if who != "" {
				b.loginForm(url.Values{"username": {who}, "password": {testPassword}})
			}
			for _, path := range paths {
				resp, page := b.get(path)
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Errorf("%s %s (%s): %d %s, not a page", who, path, lang, resp.StatusCode, resp.Header.Get("Content-Type"))
					continue
				}
				if foreign := testtool.ForeignScript(english, page, names...); len(foreign) > 0 {
					t.Errorf("%s %s (%s, %d) shows the other language: %q", who, path, lang, resp.StatusCode, foreign)
				}
			}
			if who == "" { // the phone page's field errors: a ballot sent with nothing chosen
				resp, page := b.form(vote, url.Values{"step": {"confirm"}})
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("an empty ballot (%s): %d", lang, resp.StatusCode)
				}
				if foreign := testtool.ForeignScript(english, page, names...); len(foreign) > 0 {
					t.Errorf("the phone page's field errors (%s) show the other language: %q", lang, foreign)
				}
			}
		}
	}
}
