package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gongjue/api"
)

// TestSecurityHeaders: every response — pages, the owner's page, JSON,
// static files, errors — carries the Content-Security-Policy, nosniff and
// no referrer.
func TestSecurityHeaders(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	// A PDF goes without the policy, which would blank the browser's PDF
	// viewer (it runs inline styles and a plugin).
	pdf := e.do(t, e.committee, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf?building=1&entrance=1", c.ID), nil, nil)
	if pdf.StatusCode != http.StatusOK || pdf.Header.Get("Content-Type") != "application/pdf" ||
		pdf.Header.Get("Content-Security-Policy") != "" || pdf.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("ballot packet: %d %s, CSP %q", pdf.StatusCode, pdf.Header.Get("Content-Type"), pdf.Header.Get("Content-Security-Policy"))
	}
	for _, path := range []string{"/login", "/v/" + e.token(ballots[0]), "/v/" + unknownToken(0), "/api/v1/ballots/" + e.token(ballots[0]),
		"/static/console.js", "/healthz", "/no/such/page", "/verify/nothing"} {
		resp, _ := pageGet(t, e, path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'self'", "base-uri 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy %q allows inline code", path, csp)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
		if got := resp.Header.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q", path, got)
		}
	}
}

// TestLoginCSRF: a login form posted from another site — without the login
// page's pre-session token, or with a token but not its cookie — logs
// nobody in.
func TestLoginCSRF(t *testing.T) {
	ts := newTestServer(t)
	creds := url.Values{"username": {"committee"}, "password": {testPassword}}
	forged := []url.Values{creds, {"username": {"committee"}, "password": {testPassword}, "_login": {"attacker-chosen"}}}
	for _, values := range forged {
		b := newBrowser(t, ts) // the victim's browser, never on the login page
		resp, page := b.req(http.MethodPost, "/login", strings.NewReader(values.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "登录页面已过期或来自其他网站") {
			t.Errorf("forged login (%v): %d", values.Has("_login"), resp.StatusCode)
		}
		for _, c := range resp.Cookies() {
			if c.Name == "gongjue_session" && c.Value != "" {
				t.Error("a forged login set a session")
			}
		}
	}
	// The token of one browser does not serve another.
	victim, attacker := newBrowser(t, ts), newBrowser(t, ts)
	_, page := attacker.get("/login")
	token := loginTokenRe.FindStringSubmatch(page)[1]
	victim.get("/login")
	values := url.Values{"username": {"committee"}, "password": {testPassword}, "_login": {token}}
	if resp, _ := victim.form("/login", values); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another browser's token: %d", resp.StatusCode)
	}
	newBrowser(t, ts).login("committee") // the real form still works
}

// TestStaticListsNoDirectory: /static/ serves files, never a listing.
func TestStaticListsNoDirectory(t *testing.T) {
	ts := newTestServer(t)
	for path, want := range map[string]int{"/static/": http.StatusNotFound, "/static": http.StatusNotFound,
		"/static/console.js": http.StatusOK, "/static/back.js": http.StatusOK, "/static/nothing.js": http.StatusNotFound} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want != http.StatusOK && strings.Contains(string(body), "console.js") {
			t.Errorf("%s: %d, want %d\n%s", path, resp.StatusCode, want, body)
		}
	}
}

// TestMetricsNotPublic: /metrics is absent from the public address unless
// a token is configured, and then only for that bearer; MetricsHandler
// serves them on a listener of their own.
func TestMetricsNotPublic(t *testing.T) {
	ts := newTestServer(t)
	if resp := ts.do(t, "", http.MethodGet, "/metrics", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without a token configured: %d", resp.StatusCode)
	}

	const token = "metrics-secret-token"
	withToken := newTestServerWith(t, api.Config{MetricsToken: token})
	for _, bearer := range []string{"", "wrong", "metrics-secret-toke"} {
		if resp := withToken.do(t, bearer, http.MethodGet, "/metrics", nil, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/metrics with bearer %q: %d", bearer, resp.StatusCode)
		}
	}
	resp := withToken.do(t, token, http.MethodGet, "/metrics", nil, nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "gongjue_http_requests_total") {
		t.Errorf("/metrics with the token: %d", resp.StatusCode)
	}

	srv, err := api.New(api.Config{DB: ts.DB, Keys: ts.Keys})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("the metrics listener: %d", rec.Code)
	}
}
