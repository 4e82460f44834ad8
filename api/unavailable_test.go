package api_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"gongjue/api"
	"gongjue/postgres"
)

// dbProxy forwards TCP connections to PostgreSQL until cut, when it drops
// every connection and refuses new ones: the database going away.
type dbProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newDBProxy(t *testing.T, target string) *dbProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{ln: ln, target: target}
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, client, server)
			p.mu.Unlock()
			go func() { io.Copy(server, client); server.Close() }()
			go func() { io.Copy(client, server); client.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *dbProxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// TestDatabaseGoneAway: with the database unreachable the API answers 503
// database_unavailable with Retry-After, and the owner's page answers an
// HTML page saying the vote may not have been recorded — never JSON, never
// "internal error".
func TestDatabaseGoneAway(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	token := e.token(ballots[0])

	// A second server on the same database, through a proxy that is cut.
	var dbName string
	if err := e.DB.Get(&dbName, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(os.Getenv("DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newDBProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	u.Path = "/" + dbName
	db, err := postgres.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := api.New(api.Config{DB: db, Keys: e.Keys, PublicURL: "http://gongjue.test"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	if resp, err := http.Get(hs.URL + "/api/v1/ballots/" + token); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("before the cut: %v %v", resp, err)
	}
	proxy.cut()

	other := &testServer{Server: hs, DB: e.DB, Keys: e.Keys}
	for _, path := range []string{"/api/v1/ballots/" + token, "/api/v1/ballots/" + unknownToken(1)} {
		var ae apiError
		resp := other.do(t, "", http.MethodGet, path, nil, &ae)
		if resp.StatusCode != http.StatusServiceUnavailable || ae.Error.Code != "database_unavailable" || resp.Header.Get("Retry-After") == "" {
			t.Errorf("GET %s: %d %+v, Retry-After %q", path, resp.StatusCode, ae.Error, resp.Header.Get("Retry-After"))
		}
	}
	var ae apiError
	if resp := other.do(t, "", http.MethodPost, "/api/v1/ballots/"+token, map[string]any{"choices": c.choices()}, &ae); resp.StatusCode != http.StatusServiceUnavailable || ae.Error.Code != "database_unavailable" {
		t.Errorf("casting: %d %+v", resp.StatusCode, ae.Error)
	}

	pages := []*http.Request{}
	for _, lang := range []string{"", "?lang=en"} {
		r, _ := http.NewRequest(http.MethodGet, hs.URL+"/v/"+token+lang, nil)
		pages = append(pages, r)
	}
	cast := url.Values{"step": {"cast"}}
	for k, v := range c.choices() {
		if s, ok := v.(string); ok {
			cast.Set("m"+k, s)
		}
	}
	r, _ := http.NewRequest(http.MethodPost, hs.URL+"/v/"+token, strings.NewReader(cast.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	pages = append(pages, r)
	for i, req := range pages {
		resp := other.send(t, req, "", nil)
		body, _ := readAll(resp)
		want := "您的投票可能没有记录"
		if i == 1 {
			want = "your vote may not have been recorded"
		}
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			resp.Header.Get("Retry-After") == "" || !strings.Contains(body, want) || strings.Contains(body, "internal") {
			t.Errorf("%s %s: %d %s, Retry-After %q\n%s", req.Method, req.URL, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), body)
		}
	}
	if _, err := db.Exec(`SELECT 1`); err == nil {
		t.Fatal("the database is still reachable")
	}
}
