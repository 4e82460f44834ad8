package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log destination the server's goroutines share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSecretsNeverInClear logs in, opens a vote, opens a ballot's page and
// casts through the API, then looks for the password, the login token, the
// ballot token and the owners' ID numbers in everything the server logged
// and in every row of every table.
func TestSecretsNeverInClear(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	ballotToken := e.token(ballots[0])
	if r, _ := pageGet(t, e, "/v/"+ballotToken); r.StatusCode != http.StatusOK {
		t.Fatalf("ballot page: %d", r.StatusCode)
	}
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+ballotToken, map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("cast: %d", r.StatusCode)
	}
	if !strings.Contains(logs.String(), "/v/:token") {
		t.Fatalf("the requests were not logged where the test looks:\n%s", logs.String())
	}

	secrets := map[string]string{
		"password": testPassword, "login token": e.committee, "ballot token": ballotToken,
		"ID number": "ID1111", "another ID number": "ID2232",
	}
	var tables []string
	if err := e.DB.Select(&tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`); err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, table := range tables {
		var rows string
		if err := e.DB.Get(&rows, `SELECT coalesce(string_agg(t::text, E'\n'), '') FROM "`+table+`" t`); err != nil {
			t.Fatal(err)
		}
		dump.WriteString(rows)
	}
	if !strings.Contains(dump.String(), ballots[0].Unit) {
		t.Fatal("the database dump lacks the ballot's unit: the test reads the wrong database")
	}
	for what, s := range secrets {
		if strings.Contains(logs.String(), s) {
			t.Errorf("the %s is in the log", what)
		}
		if strings.Contains(dump.String(), s) {
			t.Errorf("the %s is stored in clear", what)
		}
	}
}
