package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"gongjue/postgres"
	"gongjue/roll/rolltest"
	"gongjue/staff"
)

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	if resp := ts.do(t, "", http.MethodGet, "/healthz", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
}

func TestLogin(t *testing.T) {
	ts := newTestServer(t)
	token := ts.login(t, "committee")

	var fail apiError
	resp := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "committee", "password": "wrong password"}, &fail)
	if resp.StatusCode != http.StatusUnauthorized || fail.Error.Code != "bad_credentials" {
		t.Errorf("wrong password: %d %+v", resp.StatusCode, fail)
	}
	resp = ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "nobody", "password": testPassword}, &fail)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown user: %d", resp.StatusCode)
	}
	resp = ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "committee"}, &fail)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("missing password: %d", resp.StatusCode)
	}

	// Secrets are stored only as hashes.
	var stored int
	ts.DB.Get(&stored, `SELECT count(*) FROM accounts WHERE password_hash LIKE '%' || $1 || '%'`, testPassword)
	if stored != 0 {
		t.Error("a password is stored in clear")
	}
	ts.DB.Get(&stored, `SELECT count(*) FROM sessions WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, token)
	if stored != 0 {
		t.Error("a login token is stored in clear")
	}

	// Logging out ends the token.
	if resp := ts.do(t, token, http.MethodPost, "/api/v1/auth/logout", nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp := ts.do(t, token, http.MethodGet, ts.zonesPath(), nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("token still works after logout: %d", resp.StatusCode)
	}
}

func (ts *testServer) zonesPath() string {
	return "/api/v1/communities/" + itoa(ts.CommunityID) + "/zones"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestRolesAndCommunityScope(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	other, err := postgres.CreateCommunity(ctx, ts.DB, "别的小区", "")
	if err != nil {
		t.Fatal(err)
	}
	ts.addAccount(t, "other-committee", staff.RoleCommittee, &other)
	cid := itoa(ts.CommunityID)

	cases := []struct {
		name, user, method, path string
		body                     any
		want                     int
	}{
		{"no token", "", "GET", ts.zonesPath(), nil, http.StatusUnauthorized},
		{"own estate", "committee", "GET", ts.zonesPath(), nil, http.StatusOK},
		{"volunteer reads zones", "volunteer", "GET", ts.zonesPath(), nil, http.StatusOK},
		{"other estate is invisible", "other-committee", "GET", ts.zonesPath(), nil, http.StatusNotFound},
		{"other estate users", "other-committee", "POST", "/api/v1/communities/" + cid + "/users",
			map[string]string{"username": "intruder", "password": "12345678", "role": "volunteer"}, http.StatusNotFound},
		{"volunteer cannot add users", "volunteer", "POST", "/api/v1/communities/" + cid + "/users",
			map[string]string{"username": "v3", "password": "12345678", "role": "volunteer"}, http.StatusForbidden},
		{"committee cannot create estates", "committee", "POST", "/api/v1/communities", map[string]string{"name": "x"}, http.StatusForbidden},
		{"committee cannot create residents' accounts", "committee", "POST", "/api/v1/communities/" + cid + "/users",
			map[string]string{"username": "r2", "password": "12345678", "role": "residents_committee"}, http.StatusForbidden},
		{"committee adds a volunteer", "committee", "POST", "/api/v1/communities/" + cid + "/users",
			map[string]string{"username": "v3", "password": "12345678", "role": "volunteer"}, http.StatusCreated},
		{"duplicate username", "committee", "POST", "/api/v1/communities/" + cid + "/users",
			map[string]string{"username": "v3", "password": "12345678", "role": "volunteer"}, http.StatusConflict},
		{"bad role", "committee", "POST", "/api/v1/communities/" + cid + "/users",
			map[string]string{"username": "v4", "password": "12345678", "role": "owner"}, http.StatusUnprocessableEntity},
		{"admin creates an estate", "admin", "POST", "/api/v1/communities", map[string]string{"name": "新小区", "address": "浦东"}, http.StatusCreated},
		{"estate needs a name", "admin", "POST", "/api/v1/communities", map[string]string{"name": " "}, http.StatusUnprocessableEntity},
		{"admin does not read the roll", "admin", "GET", ts.zonesPath(), nil, http.StatusForbidden},
	}
	tokens := map[string]string{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			token := ""
			if tc.user != "" {
				if tokens[tc.user] == "" {
					tokens[tc.user] = ts.login(t, tc.user)
				}
				token = tokens[tc.user]
			}
			var e apiError
			resp := ts.do(t, token, tc.method, tc.path, tc.body, &e)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d (%+v)", resp.StatusCode, tc.want, e)
			}
			if resp.StatusCode >= 400 && (e.Error.Code == "" || e.Error.Message == "") {
				t.Errorf("error body lacks code or message: %+v", e)
			}
		})
	}

	var audited int
	ts.DB.Get(&audited, `SELECT count(*) FROM audit_entries WHERE action = 'user.create' AND subject = 'v3'`)
	if audited != 1 {
		t.Errorf("user.create audited %d times, want 1", audited)
	}
}

const goodRoll = "楼栋,单元,房号,区域,楼层,建筑面积,面积来源,业主,证件号,电话,开发商持有\n" +
	"1,1,101,多层,1,89.35,不动产登记簿,张三,310101196001011234,13812340000,否\n" +
	"1,1,102,多层,1,90.10,不动产登记簿,张三,310101196001011234,13812340000,否\n" +
	"30,1,101,高层,1,120,竣工测绘,,,,是\n" +
	"30,1,102,高层,1,120.5,竣工测绘,,,,是\n" +
	"30,1,201,高层,2,99.99,销售合同,李四,310101197001011234,13900001111,否\n"

func TestRollImportOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	token := ts.login(t, "committee")
	path := "/api/v1/communities/" + itoa(ts.CommunityID) + "/roll"

	var summary postgres.RollSummary
	resp := ts.upload(t, token, path, "roll.csv", []byte(goodRoll), &summary)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d", resp.StatusCode)
	}
	// Zhang San's two units are one person; the developer's two are one.
	if summary.Units != 5 || summary.Persons != 3 || summary.Zones != 2 || summary.Added != 5 {
		t.Fatalf("summary %+v", summary)
	}
	var zones postgres.EstateStats
	if resp := ts.do(t, token, http.MethodGet, ts.zonesPath(), nil, &zones); resp.StatusCode != http.StatusOK {
		t.Fatalf("zones: %d", resp.StatusCode)
	}
	if len(zones.Zones) != 2 {
		t.Fatalf("zones %+v", zones)
	}

	// A bad file changes nothing and names the row and column.
	bad := strings.Replace(goodRoll, "99.99", "99.999", 1)
	var e apiError
	resp = ts.upload(t, token, path, "roll.csv", []byte(bad), &e)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad roll: %d", resp.StatusCode)
	}
	var problems []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(e.Error.Details, &problems); err != nil || len(problems) != 1 || problems[0].Row != 6 || problems[0].Column != "建筑面积" {
		t.Fatalf("problems %s (%v)", e.Error.Details, err)
	}
	resp = ts.upload(t, token, path, "roll.pdf", []byte("%PDF-1.4 not a roll"), &e)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("wrong type: %d", resp.StatusCode)
	}
	resp = ts.upload(t, token, path, "roll.csv", bytes.Repeat([]byte("x"), 22<<20), &e)
	if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize: %d", resp.StatusCode)
	}
	var units int
	ts.DB.Get(&units, `SELECT count(*) FROM units`)
	if units != 5 {
		t.Errorf("%d units after refused imports, want 5", units)
	}

	// Floors and areas out of range are refused with their row; the
	// estate's zones still answer.
	for _, tc := range []struct{ from, to string }{
		{"30,1,201,高层,2,", "30,1,201,高层,3000000000,"},
		{"99.99", "92233720368547758.07"},
		{"99.99", "100000.01"},
	} {
		resp = ts.upload(t, token, path, "roll.csv", []byte(strings.Replace(goodRoll, tc.from, tc.to, 1)), &e)
		problems = nil
		if err := json.Unmarshal(e.Error.Details, &problems); resp.StatusCode != http.StatusUnprocessableEntity ||
			err != nil || len(problems) != 1 || problems[0].Row != 6 {
			t.Errorf("%s: %d %s", tc.to, resp.StatusCode, e.Error.Details)
		}
		if resp := ts.do(t, token, http.MethodGet, ts.zonesPath(), nil, &zones); resp.StatusCode != http.StatusOK {
			t.Fatalf("zones after %s: %d", tc.to, resp.StatusCode)
		}
	}
	hostile, err := rolltest.FarColumnXLSX(1000)
	if err != nil {
		t.Fatal(err)
	}
	resp = ts.upload(t, token, path, "roll.xlsx", hostile, &e)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(e.Error.Message, "more than 64 columns") {
		t.Errorf("XLSX with a cell in column XFD: %d %s", resp.StatusCode, e.Error.Message)
	}

	// Volunteers may not import.
	if resp := ts.upload(t, ts.login(t, "volunteer"), path, "roll.csv", []byte(goodRoll), nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("volunteer import: %d", resp.StatusCode)
	}
}
