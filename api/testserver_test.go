package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"gongjue/api"
	"gongjue/internal/testtool"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/secret"
	"gongjue/sms"
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
	SMSOutbox   string // where the development SMS sender writes
}

// testPassword is every test account's password.
const testPassword = "correct horse battery"

// newTestServer is a test server on a fresh database. The server runs, as
// in production, as a role that owns nothing and holds only the grants of
// gongjue migrate --grant (DESIGN §9), so every API test also proves those
// grants suffice; ts.DB is that role's connection.
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServerWith(t, api.Config{})
}

// newTestServerWith is newTestServer with cfg's settings beyond the
// database, keys and public URL.
func newTestServerWith(t *testing.T, cfg api.Config) *testServer {
	t.Helper()
	db, url := pgtest.New(t)
	served, _ := pgtest.ServeRole(t, db, url)
	return newTestServerOn(t, served, cfg)
}

// newTestServerOn is a test server with cfg's settings on the database db.
func newTestServerOn(t *testing.T, db *postgres.DB, cfg api.Config) *testServer {
	t.Helper()
	keys := &secret.Keys{}
	keys.Master[0] = 42
	ts := &testServer{DB: db, Keys: keys, SMSOutbox: filepath.Join(t.TempDir(), "sms-outbox.txt")}
	cfg.DB, cfg.Keys, cfg.PublicURL, cfg.SMS = db, keys, "http://gongjue.test", &sms.File{Path: ts.SMSOutbox}
	srv, err := api.New(cfg)
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
	return testtool.Send(t, req, token, out)
}

// apiError is the error body of DESIGN §8.
type apiError struct {
	Error struct {
		Code    string          `json:"code"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	} `json:"error"`
}
