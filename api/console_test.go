package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongjue/postgres"
	"gongjue/staff"
)

// browser is a cookie-keeping HTTP client that does not follow redirects,
// standing in for a person's browser in the console's page tests.
type browser struct {
	t    *testing.T
	ts   *testServer
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, ts *testServer) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ts: ts, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) req(method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.ts.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *browser) get(path string) (*http.Response, string) {
	return b.req(http.MethodGet, path, nil, nil)
}

func (b *browser) form(path string, values url.Values) (*http.Response, string) {
	return b.req(http.MethodPost, path, strings.NewReader(values.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

var loginTokenRe = regexp.MustCompile(`name="_login" value="([^"]+)"`)

// loginForm opens the login page and posts its form with values, as a
// person at the keyboard would.
func (b *browser) loginForm(values url.Values) (*http.Response, string) {
	b.t.Helper()
	_, page := b.get("/login")
	m := loginTokenRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("the login page has no pre-session token:\n%s", page)
	}
	values.Set("_login", m[1])
	return b.form("/login", values)
}

// login logs in through the login form and keeps the CSRF token the page's
// script would read from its cookie.
func (b *browser) login(username string) {
	b.t.Helper()
	resp, _ := b.loginForm(url.Values{"username": {username}, "password": {testPassword}, "next": {"/console"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console" {
		b.t.Fatalf("login %s: %d → %q", username, resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, c := range resp.Cookies() {
		if c.Name == "gongjue_csrf" {
			b.csrf = c.Value
		}
	}
}

func TestConsoleLoginSessionAndCSRF(t *testing.T) {
	ts := newTestServer(t)
	b := newBrowser(t, ts)

	if resp, _ := b.get("/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("/ without a session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get("/console/consultations/7"); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/login?next=%2Fconsole%2Fconsultations%2F7" {
		t.Fatalf("a console page without a session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := b.get("/login?next=%2F%2Fevil.example")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "登录共决") || !strings.Contains(page, `value="/console"`) {
		t.Fatalf("login page: %d, next not made safe", resp.StatusCode)
	}

	// A refused login shows the form again with the username kept.
	resp, page = b.loginForm(url.Values{"username": {"committee"}, "password": {"wrong password"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "用户名或密码错误") || !strings.Contains(page, `value="committee"`) {
		t.Fatalf("wrong password: %d\n%s", resp.StatusCode, page)
	}
	// The platform admin goes to the estates, whatever next says.
	if resp, _ := newBrowser(t, ts).loginForm(url.Values{"username": {"admin"}, "password": {testPassword}, "next": {"/console/accounts"}}); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/console/estates" {
		t.Fatalf("platform admin: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	resp, _ = b.loginForm(url.Values{"username": {"committee"}, "password": {testPassword}, "next": {"/console/accounts"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/accounts" {
		t.Fatalf("login: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session, csrf *http.Cookie
	for _, c := range resp.Cookies() {
		switch c.Name {
		case "gongjue_session":
			session = c
		case "gongjue_csrf":
			csrf = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie: %+v", session)
	}
	if csrf == nil || csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Value == "" {
		t.Errorf("csrf cookie: %+v", csrf)
	}
	b.csrf = csrf.Value

	resp, page = b.get("/console")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "测试小区") || !strings.Contains(page, "导入业主名册") {
		t.Fatalf("overview: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/"); resp.Header.Get("Location") != "/console" {
		t.Errorf("/ with a session goes to %q", resp.Header.Get("Location"))
	}

	// The page's script posts to the JSON API with the session cookie: only
	// with the CSRF token.
	roll := "楼栋,单元,房号,区域,建筑面积\n1,1,101,多层,90.00\n1,1,102,多层,80.50\n"
	upload := func(token string) (*http.Response, string) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", "roll.csv")
		fw.Write([]byte(roll))
		w.Close()
		h := map[string]string{"Content-Type": w.FormDataContentType()}
		if token != "" {
			h["X-CSRF-Token"] = token
		}
		return b.req(http.MethodPost, "/api/v1/communities/"+itoa(ts.CommunityID)+"/roll", &buf, h)
	}
	if resp, body := upload(""); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `"csrf"`) {
		t.Fatalf("cookie post without the CSRF token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := upload("not-the-token"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cookie post with a wrong CSRF token: %d", resp.StatusCode)
	}
	if resp, body := upload(b.csrf); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"added":2`) {
		t.Fatalf("cookie post with the CSRF token: %d %s", resp.StatusCode, body)
	}
	resp, page = b.get("/console?fragment=zones")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "170.50") || strings.Contains(page, "<html") {
		t.Fatalf("zones fragment: %d\n%s", resp.StatusCode, page)
	}

	// Logging out needs the token too.
	if resp, _ := b.form("/logout", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without _csrf: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/console"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a refused logout ended the session: %d", resp.StatusCode)
	}
	resp, _ = b.form("/logout", url.Values{"_csrf": {b.csrf}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get("/console"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after logout the console answers %d", resp.StatusCode)
	}
}

func TestConsolePagesByRole(t *testing.T) {
	ts := newTestServer(t)
	committee := newBrowser(t, ts)
	committee.login("committee")
	var n struct{ Units int }
	token := ts.login(t, "committee")
	ts.upload(t, token, "/api/v1/communities/"+itoa(ts.CommunityID)+"/roll", "roll.csv",
		[]byte("楼栋,单元,房号,区域,建筑面积,证件号\n1,1,101,多层,90.00,a1\n1,1,102,多层,90.00,a2\n1,2,101,多层,90.00,a3\n101,1,101,别墅,250.00,a4\n"), &n)

	// The scope figures the new-vote page shows, computed on the server.
	resp, body := committee.get("/console/scope?zone=" + url.QueryEscape("多层"))
	var fig struct {
		Units, Headcount int
		Zones            []struct{ Name, Text string }
		Rules            map[string]struct {
			Participation struct {
				MinArea      string `json:"min_area"`
				MinHeadcount int    `json:"min_headcount"`
				Text         string
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &fig); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scope: %d %v %s", resp.StatusCode, err, body)
	}
	if fig.Units != 3 || fig.Headcount != 3 || len(fig.Zones) != 1 || fig.Rules["major"].Participation.MinArea != "180.00" ||
		fig.Rules["ordinary"].Participation.MinHeadcount != 2 ||
		fig.Rules["ordinary"].Participation.Text != "需面积三分之二以上（≥ 180.00 m²），且人数三分之二以上（≥ 2 人）" {
		t.Fatalf("scope figures: %+v", fig)
	}

	// A consultation to show.
	var created struct{ ID int64 }
	ts.do(t, token, http.MethodPost, "/api/v1/communities/"+itoa(ts.CommunityID)+"/consultations", map[string]any{
		"title": "加装电梯", "scope": map[string]string{"building": "1", "entrance": "1"},
		"opens_at": "2026-01-01T09:00:00+08:00", "closes_at": "2099-01-01T18:00:00+08:00",
		"matters": []map[string]any{{"title": "是否同意加装电梯", "kind": "approve", "rules": "major"}},
	}, &created)
	if created.ID == 0 {
		t.Fatal("no consultation created")
	}
	id := itoa(created.ID)

	volunteer := newBrowser(t, ts)
	volunteer.login("volunteer")
	residents := newBrowser(t, ts)
	residents.login("residents")

	for _, c := range []struct {
		who  *browser
		path string
		want int
		text string
	}{
		{committee, "/console", 200, "加装电梯"},
		{committee, "/console/consultations/new", 200, "共 4 套房屋，4 人，专有面积 520.00 m²"},
		{committee, "/console/accounts", 200, "volunteer2"},
		{committee, "/console/consultations/" + id, 200, "开始投票"},
		{committee, "/console/consultations/" + id + "/result", 409, "尚未截止"},
		{volunteer, "/console", 200, "加装电梯"},
		{volunteer, "/console/consultations/new", 403, "无权"},
		{volunteer, "/console/accounts", 403, "无权"},
		{volunteer, "/console/consultations/" + id + "/paper", 200, "投票尚未开始"},
		{residents, "/console/consultations/" + id, 200, "加装电梯"},
		{residents, "/console/consultations/" + id + "/paper", 403, "无权"},
		{residents, "/console/scope", 403, ""},
		{committee, "/console/consultations/999999", 404, "未找到"},
		{committee, "/console/consultations/" + id + "?lang=en", 200, "Start voting"},
		{committee, "/console?lang=zh", 200, "概况"},
	} {
		resp, page := c.who.get(c.path)
		if resp.StatusCode != c.want || !strings.Contains(page, c.text) {
			t.Errorf("%s: %d (want %d), has %q: %v", c.path, resp.StatusCode, c.want, c.text, strings.Contains(page, c.text))
		}
	}

	// Another estate's consultation is not found.
	other, err := postgres.CreateCommunity(t.Context(), ts.DB, "别的小区", "")
	if err != nil {
		t.Fatal(err)
	}
	ts.addAccount(t, "other-committee", staff.RoleCommittee, &other)
	stranger := newBrowser(t, ts)
	stranger.login("other-committee")
	if resp, _ := stranger.get("/console/consultations/" + id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another estate's consultation: %d", resp.StatusCode)
	}

	// Opened: the turnout part refreshes on its own.
	ts.do(t, token, http.MethodPost, "/api/v1/consultations/"+id+"/open", nil, nil)
	resp, page := committee.get("/console/consultations/" + id + "/turnout")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "已投票") || strings.Contains(page, "<html") {
		t.Fatalf("turnout fragment: %d\n%s", resp.StatusCode, page)
	}
	if resp, page := volunteer.get("/console/consultations/" + id + "/missing"); resp.StatusCode != http.StatusOK || !strings.Contains(page, "尚未投票") {
		t.Fatalf("missing list: %d", resp.StatusCode)
	}
}

// The new-vote page's live preview of a custom rule: the server computes
// the figures, and refuses what creating the consultation would refuse.
func TestConsoleCustomRulePreview(t *testing.T) {
	ts := newTestServer(t)
	committee := newBrowser(t, ts)
	committee.login("committee")
	var n struct{ Units int }
	token := ts.login(t, "committee")
	ts.upload(t, token, "/api/v1/communities/"+itoa(ts.CommunityID)+"/roll", "roll.csv",
		[]byte("楼栋,单元,房号,区域,建筑面积,证件号\n1,1,101,多层,90.00,a1\n1,1,102,多层,90.00,a2\n1,2,101,多层,90.00,a3\n101,1,101,别墅,250.00,a4\n"), &n)

	rule := func(part, approve string) string {
		return `{"participation":{"area":"` + part + `","headcount":"` + part + `"},"approval":{"area":"` + approve + `","headcount":"` + approve + `"}}`
	}
	get := func(category, rules string) (int, string) {
		resp, body := committee.get("/console/rule?zone=" + url.QueryEscape("多层") + "&category=" + category + "&rules=" + url.QueryEscape(rules))
		return resp.StatusCode, body
	}

	status, body := get("ordinary", rule("3/4", ">1/2"))
	var fig struct {
		Rule          struct{ Participation struct{ Area string } }
		Participation struct {
			MinArea string `json:"min_area"`
			Text    string
		}
		Approval struct{ Text string }
	}
	if err := json.Unmarshal([]byte(body), &fig); err != nil || status != http.StatusOK {
		t.Fatalf("custom rule: %d %v %s", status, err, body)
	}
	// 3/4 of 270.00 m² is 202.50 m²; 3/4 of 3 owners is 3 persons.
	if fig.Rule.Participation.Area != "3/4" || fig.Participation.MinArea != "202.50" ||
		fig.Participation.Text != "需面积四分之三以上（≥ 202.50 m²），且人数四分之三以上（≥ 3 人）" {
		t.Fatalf("custom rule figures: %+v", fig)
	}

	for _, c := range []struct{ name, category, rules, want string }{
		{"looser than Article 278", "ordinary", rule("1/2", ">1/2"), "宽松（参与面积比例、参与人数比例）"},
		{"looser than a major matter's", "major", rule("2/3", ">1/2"), "重大"},
		{"malformed fraction", "ordinary", rule("2/3", "more than half"), "N/D"},
		{"a preset is no custom rule", "ordinary", `"ordinary"`, "N/D"},
		{"unknown category", "minor", rule("2/3", ">1/2"), "ordinary 或 major"},
	} {
		status, body := get(c.category, c.rules)
		var ae struct {
			Error struct{ Code, Message string }
		}
		if json.Unmarshal([]byte(body), &ae); status != http.StatusUnprocessableEntity || !strings.Contains(ae.Error.Message, c.want) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
}
