package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"gongjue/staff"
)

func (ts *testServer) accountID(t *testing.T, username string) int64 {
	t.Helper()
	var id int64
	if err := ts.DB.Get(&id, `SELECT id FROM accounts WHERE username = $1`, username); err != nil {
		t.Fatal(err)
	}
	return id
}

func (ts *testServer) audited(t *testing.T, action, subject string) int {
	t.Helper()
	var n int
	if err := ts.DB.Get(&n, `SELECT count(*) FROM audit_entries WHERE action = $1 AND subject = $2`, action, subject); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDeactivateAccount: a deactivated account's sessions end at once, it
// cannot log in again, and the audit names who did it; a committee may not
// deactivate itself nor the residents' committee.
func TestDeactivateAccount(t *testing.T) {
	ts := newTestServer(t)
	committee, volunteerToken := ts.login(t, "committee"), ts.login(t, "volunteer")
	zones := fmt.Sprintf("/api/v1/communities/%d/zones", ts.CommunityID)
	if r := ts.do(t, volunteerToken, http.MethodGet, zones, nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the volunteer before: %d", r.StatusCode)
	}
	path := func(name string) string { return fmt.Sprintf("/api/v1/accounts/%d/deactivate", ts.accountID(t, name)) }

	var e apiError
	if r := ts.do(t, committee, http.MethodPost, path("committee"), nil, &e); r.StatusCode != http.StatusConflict || e.Error.Code != "own_account" {
		t.Fatalf("deactivating oneself: %d %+v", r.StatusCode, e)
	}
	if r := ts.do(t, committee, http.MethodPost, path("residents"), nil, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a committee deactivating the residents' committee: %d", r.StatusCode)
	}
	if r := ts.do(t, volunteerToken, http.MethodPost, path("volunteer2"), nil, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a volunteer deactivating: %d", r.StatusCode)
	}
	if r := ts.do(t, committee, http.MethodPost, path("admin"), nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("a committee deactivating the platform admin: %d", r.StatusCode)
	}
	if r := ts.do(t, committee, http.MethodPost, path("volunteer"), nil, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("deactivate: %d", r.StatusCode)
	}
	if r := ts.do(t, volunteerToken, http.MethodGet, zones, nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the deactivated volunteer's session still works: %d", r.StatusCode)
	}
	e = apiError{}
	r := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "volunteer", "password": testPassword}, &e)
	if r.StatusCode != http.StatusForbidden || e.Error.Code != "account_deactivated" {
		t.Fatalf("the deactivated volunteer logs in: %d %+v", r.StatusCode, e)
	}
	if r := ts.do(t, committee, http.MethodPost, path("volunteer"), nil, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("deactivating again: %d", r.StatusCode)
	}
	if n := ts.audited(t, "user.deactivate", "volunteer"); n != 1 {
		t.Fatalf("%d audit entries of the deactivation, want 1", n)
	}
	// The platform admin manages the residents' committee's accounts.
	if r := ts.do(t, ts.login(t, "admin"), http.MethodPost, path("residents"), nil, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("the platform admin deactivating the residents' committee: %d", r.StatusCode)
	}
	// Another estate's committee cannot touch this estate's accounts.
	var other int64
	if err := ts.DB.Get(&other, `INSERT INTO communities (name, address) VALUES ('别的小区', '北京') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	ts.addAccount(t, "elsewhere", staff.RoleCommittee, &other)
	if r := ts.do(t, ts.login(t, "elsewhere"), http.MethodPost, path("volunteer2"), nil, nil); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another estate's committee: %d", r.StatusCode)
	}
}

// TestResetPassword: the new password replaces the old, the account's
// sessions end, and the reset is audited; a short one is refused by name.
func TestResetPassword(t *testing.T) {
	ts := newTestServer(t)
	committee, volunteerToken := ts.login(t, "committee"), ts.login(t, "volunteer")
	path := fmt.Sprintf("/api/v1/accounts/%d/password", ts.accountID(t, "volunteer"))
	var e apiError
	if r := ts.do(t, committee, http.MethodPost, path, map[string]string{"password": "short"}, &e); r.StatusCode != http.StatusUnprocessableEntity || string(e.Error.Details) == "" {
		t.Fatalf("a short password: %d %+v", r.StatusCode, e)
	}
	if r := ts.do(t, committee, http.MethodPost, path, map[string]string{"password": "a new long password"}, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: %d", r.StatusCode)
	}
	if r := ts.do(t, volunteerToken, http.MethodGet, fmt.Sprintf("/api/v1/communities/%d/zones", ts.CommunityID), nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old session after a reset: %d", r.StatusCode)
	}
	if r := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "volunteer", "password": testPassword}, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old password after a reset: %d", r.StatusCode)
	}
	if r := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "volunteer", "password": "a new long password"}, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("the new password: %d", r.StatusCode)
	}
	if n := ts.audited(t, "user.password_reset", "volunteer"); n != 1 {
		t.Fatalf("%d audit entries of the reset, want 1", n)
	}
}
