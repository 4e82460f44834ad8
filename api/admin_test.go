package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"gongjue/internal/testtool"
	"gongjue/postgres"
)

// TestAdminCreatesEstate: the platform admin creates an estate with its
// first committee account in one request, all or nothing; the committee
// can then log in to it; the estates page is the admin's alone and in one
// language.
func TestAdminCreatesEstate(t *testing.T) {
	ts := newTestServer(t)
	admin := ts.login(t, "admin")
	ctx := context.Background()
	estates := func() int {
		cs, err := postgres.ListCommunities(ctx, ts.DB)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	before := estates()

	var e apiError
	for _, c := range []struct {
		body   map[string]string
		status int
		field  string
	}{
		{map[string]string{"name": "春晖花园", "committee_username": "committee", "committee_password": "chunhui-2026"}, 409, "committee_username"},
		{map[string]string{"name": "春晖花园", "committee_username": "chunhui", "committee_password": "short"}, 422, "committee_password"},
		{map[string]string{"name": " ", "committee_username": "chunhui", "committee_password": "chunhui-2026"}, 422, "name"},
	} {
		resp := ts.do(t, admin, http.MethodPost, "/api/v1/communities", c.body, &e)
		if resp.StatusCode != c.status || !strings.Contains(string(e.Error.Details), c.field) {
			t.Errorf("%v: %d %s", c.body, resp.StatusCode, e.Error.Details)
		}
	}
	if n := estates(); n != before {
		t.Fatalf("refused requests left %d estates behind", n-before)
	}

	var created struct{ ID int64 }
	if resp := ts.do(t, admin, http.MethodPost, "/api/v1/communities", map[string]string{"name": "春晖花园", "address": "杭州市春晖路 8 号",
		"committee_username": "chunhui", "committee_password": "chunhui-2026"}, &created); resp.StatusCode != http.StatusCreated || created.ID == 0 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	var login struct{ Token string }
	if resp := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "chunhui", "password": "chunhui-2026"}, &login); resp.StatusCode != 200 {
		t.Fatalf("the new committee logs in: %d", resp.StatusCode)
	}
	acct, _, err := postgres.AccountBySession(ctx, ts.DB, login.Token)
	if err != nil || acct.CommunityID == nil || *acct.CommunityID != created.ID || acct.Role != "committee" {
		t.Errorf("the new account: %+v %v", acct, err)
	}

	b := newBrowser(t, ts)
	b.login("committee")
	if resp, _ := b.get("/console/estates"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a committee on the estates page: %d", resp.StatusCode)
	}
	for _, english := range []bool{false, true} {
		a := newBrowser(t, ts)
		lang := map[bool]string{false: "zh", true: "en"}[english]
		a.get("/login?lang=" + lang)
		a.loginForm(map[string][]string{"username": {"admin"}, "password": {testPassword}})
		resp, page := a.get("/console/estates")
		want := map[bool]string{false: "创建小区和账号", true: "Create the estate and account"}[english]
		if resp.StatusCode != 200 || !strings.Contains(page, want) || !strings.Contains(page, "春晖花园") {
			t.Errorf("%s estates page: %d, has %q: %v", lang, resp.StatusCode, want, strings.Contains(page, want))
		}
		if foreign := testtool.ForeignScript(english, page, "English", "中文", "admin", "春晖花园", "杭州市春晖路 8 号", "测试小区", "上海"); len(foreign) > 0 {
			t.Errorf("the %s estates page shows the other language: %q", lang, foreign)
		}
	}
}
