package api_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
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

// TestSecretsNeverInClear logs in, opens a vote verifying owners by ID
// number and one verifying them by SMS, opens a ballot's page, verifies the
// owners — a wrong ID number, the right one typed on the page, an SMS code
// — and casts through the API, then looks for the password, the login
// token, the ballot tokens, the owners' ID numbers and the SMS code in
// everything the server logged and in every row of every table.
func TestSecretsNeverInClear(t *testing.T) {
	var logs syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	e := newVoteEstate(t)
	e.useVerification(t, "id_number")
	c, ballots := e.openNow(t)
	ballotToken := e.token(ballots[0])
	if r, _ := pageGet(t, e, "/v/"+ballotToken); r.StatusCode != http.StatusOK {
		t.Fatalf("ballot page: %d", r.StatusCode)
	}
	if r, _ := e.verify(t, ballotToken, map[string]string{"id_number": e.idNumbers[ballots[5].Unit]}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong ID number: %d", r.StatusCode)
	}
	if r, _ := formPost(t, e, "/v/"+ballotToken, url.Values{"step": {"verify"}, "id_number": {e.idNumbers[ballots[0].Unit]}}); r.StatusCode != http.StatusOK {
		t.Fatalf("the right ID number on the page: %d", r.StatusCode)
	}
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+ballotToken, map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("cast: %d", r.StatusCode)
	}
	e.useVerification(t, "sms")
	smsVote, smsBallots := e.openNow(t)
	smsToken := e.token(smsBallots[1])
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+smsToken+"/sms", nil, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("send a code: %d", r.StatusCode)
	}
	code := e.lastCode(t)
	if r, _ := e.verify(t, smsToken, map[string]string{"sms_code": code}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("the SMS code: %d", r.StatusCode)
	}
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+smsToken, map[string]any{"choices": smsVote.choices()}, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("cast after SMS: %d", r.StatusCode)
	}
	if !strings.Contains(logs.String(), "/v/:token") {
		t.Fatalf("the requests were not logged where the test looks:\n%s", logs.String())
	}

	secrets := map[string]string{
		"password": testPassword, "login token": e.committee, "ballot token": ballotToken,
		"ID number": e.idNumbers[ballots[0].Unit], "wrong ID number": e.idNumbers[ballots[5].Unit],
		"another ID number": testIDNumber(2, 2, 3, 2), "second ballot token": smsToken,
		"SMS code's unkeyed hash": fmt.Sprintf("%x", sha256.Sum256([]byte(code))),
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
	// Six digits may turn up by chance inside a hash; stored as a value,
	// the code would stand between delimiters.
	if strings.Contains(logs.String(), code) {
		t.Error("the SMS code is in the log")
	}
	if regexp.MustCompile(`(^|[^0-9a-f])` + code + `([^0-9a-f]|$)`).MatchString(dump.String()) {
		t.Error("the SMS code is stored in clear")
	}
}
