package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongjue/internal/testtool"
)

// TestErrorPages: a path no route knows answers a page in the person's
// language, whose 返回 link leads where they can go with no history (after
// a QR scan): the ballot's vote page under /v, the console home under
// /console, the start page elsewhere. Under /api the answer stays JSON.
func TestErrorPages(t *testing.T) {
	ts := newTestServer(t)
	token := strings.Repeat("a", 26) // well formed, issued to no unit
	for _, c := range []struct {
		method, path string
		english      bool
		status       int
		text, back   string
	}{
		{"GET", "/v/" + token + "/nothing-here", false, 404, "没有这个页面", `href="/v/` + token + `"`},
		{"GET", "/v/" + token + "/nothing-here?lang=en", true, 404, "There is no such page", `href="/v/` + token + `"`},
		{"GET", "/v/" + token, false, 404, "找不到这张选票", `href="/v/` + token + `"`},
		{"GET", "/console/no-such-page?lang=zh", false, 404, "没有这个页面", `href="/console"`},
		{"GET", "/console/no-such-page?lang=en", true, 404, "There is no such page", `href="/console"`},
		{"GET", "/login/extra", false, 404, "返回首页", `href="/"`},
		{"GET", "/verify", false, 404, "没有这个页面", `href="/"`},
		{"GET", "/log?lang=en", true, 404, "Back to the start page", `href="/"`},
		{"GET", "/nowhere", false, 404, "没有这个页面", `href="/"`},
		{"DELETE", "/login", false, 405, "不支持的请求方法", `href="/"`},
		{"DELETE", "/login?lang=en", true, 405, "method not allowed", `href="/"`},
	} {
		resp, page := newBrowser(t, ts).req(c.method, c.path, nil, nil)
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(page, c.text) || !strings.Contains(page, c.back) {
			t.Errorf("%s %s: %d %s, has %q: %v, links %s: %v", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"),
				c.text, strings.Contains(page, c.text), c.back, strings.Contains(page, c.back))
		}
		if foreign := testtool.ForeignScript(c.english, page, "English", "中文"); len(foreign) > 0 { // the language switch
			t.Errorf("%s %s shows the other language: %q", c.method, c.path, foreign)
		}
	}

	var e apiError
	if resp := ts.do(t, "", http.MethodGet, "/api/v1/nothing-here", nil, &e); resp.StatusCode != 404 || e.Error.Code != "not_found" {
		t.Errorf("an unknown API path: %d %q", resp.StatusCode, e.Error.Code)
	}
	if resp := ts.do(t, "", http.MethodDelete, "/api/v1/auth/login", nil, &e); resp.StatusCode != 405 || e.Error.Code != "method_not_allowed" {
		t.Errorf("a wrong method on an API path: %d %q", resp.StatusCode, e.Error.Code)
	}
}

// TestLoginPageOneLanguage: the login page, also refusing a wrong password,
// is in one language only — the API's bilingual refusal shows its half.
func TestLoginPageOneLanguage(t *testing.T) {
	ts := newTestServer(t)
	for _, english := range []bool{false, true} {
		b := newBrowser(t, ts)
		lang := map[bool]string{false: "zh", true: "en"}[english]
		b.get("/login?lang=" + lang)
		_, page := b.loginForm(url.Values{"username": {"committee"}, "password": {"not the password"}})
		if !strings.Contains(page, "committee") {
			t.Errorf("%s: the refused login keeps no username", lang)
		}
		if foreign := testtool.ForeignScript(english, page, "English", "中文", "committee"); len(foreign) > 0 {
			t.Errorf("the %s login page, refused, shows the other language: %q", lang, foreign)
		}
	}
}
