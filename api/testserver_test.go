package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"gongjue/api"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/secret"
	"gongjue/staff"
)

func init() { postgres.PasswordCost = bcrypt.MinCost } // logins in tests need not be slow

// testServer is a real server on a throwaway database, with one estate and
// an account of each role.
type testServer struct {
	*httptest.Server
	DB          *postgres.DB
	Keys        *secret.Keys
	CommunityID int64
}

// testPassword is every test account's password.
const testPassword = "correct horse battery"

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	db, _ := pgtest.New(t)
	keys := &secret.Keys{}
	keys.Master[0] = 42
	ts := &testServer{DB: db, Keys: keys}
	srv, err := api.New(api.Config{DB: db, Keys: keys, PublicURL: "http://gongjue.test"})
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx := context.Background()
	ts.CommunityID, err = postgres.CreateCommunity(ctx, db, "测试小区", "上海")
	if err != nil {
		t.Fatal(err)
	}
	ts.addAccount(t, "admin", staff.RolePlatformAdmin, nil)
	for _, a := range []struct{ name, role string }{
		{"committee", staff.RoleCommittee},
		{"committee2", staff.RoleCommittee},
		{"residents", staff.RoleResidentsCommittee},
		{"volunteer", staff.RoleVolunteer},
		{"volunteer2", staff.RoleVolunteer},
	} {
		ts.addAccount(t, a.name, a.role, &ts.CommunityID)
	}
	return ts
}

func (ts *testServer) addAccount(t *testing.T, username, role string, cid *int64) {
	t.Helper()
	if _, err := postgres.CreateAccount(context.Background(), ts.DB, username, testPassword, role, cid); err != nil {
		t.Fatal(err)
	}
}

// login returns a bearer token for the account.
func (ts *testServer) login(t *testing.T, username string) string {
	t.Helper()
	var out struct{ Token string }
	resp := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": username, "password": testPassword}, &out)
	if resp.StatusCode != http.StatusOK || out.Token == "" {
		t.Fatalf("login %s: status %d", username, resp.StatusCode)
	}
	return out.Token
}

// do sends a JSON request (body nil for none) with an optional bearer token
// and decodes a JSON answer into out (when not nil).
func (ts *testServer) do(t *testing.T, token, method, path string, body, out any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return ts.send(t, req, token, out)
}

// upload posts a file as the multipart field "file".
func (ts *testServer) upload(t *testing.T, token, path, filename string, content []byte, out any) *http.Response {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	w.Close()
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return ts.send(t, req, token, out)
}

func (ts *testServer) send(t *testing.T, req *http.Request, token string, out any) *http.Response {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", req.Method, req.URL.Path, data, err)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp
}

// apiError is the error body of DESIGN §8.
type apiError struct {
	Error struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	} `json:"error"`
}
