package api_test

import (
	"encoding/json"
	"fmt"
	"gongjue/locale"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// useVerification registers and activates rules of procedure asking for
// online verification by method, so the votes opened next freeze it.
func (e *voteEstate) useVerification(t *testing.T, method string) {
	t.Helper()
	status, version, refusal := e.registerProcedure(t, e.committee, fmt.Sprintf(`{"online_verification": %q}`, method), []byte("%PDF-1.4 议事规则"))
	if status != http.StatusCreated {
		t.Fatalf("registering rules with %s verification: %d %+v", method, status, refusal)
	}
	if status := e.activate(t, e.committee, version); status != http.StatusOK {
		t.Fatalf("activating rules version %d: %d", version, status)
	}
}

// ballotVerification is the verification a ballot's GET shows.
type ballotVerification struct {
	Cast *struct {
		At      time.Time           `json:"at"`
		Channel string              `json:"channel"`
		Receipt string              `json:"receipt"`
		Choices map[string][]string `json:"choices"`
	} `json:"cast"`
	Verification struct {
		Method      string     `json:"method"`
		Passed      bool       `json:"passed"`
		LockedUntil *time.Time `json:"locked_until"`
	} `json:"verification"`
}

func (e *voteEstate) viewBallot(t *testing.T, token string) ballotVerification {
	t.Helper()
	var v ballotVerification
	if r := e.do(t, "", http.MethodGet, "/api/v1/ballots/"+token, nil, &v); r.StatusCode != http.StatusOK {
		t.Fatalf("GET ballot: %d", r.StatusCode)
	}
	return v
}

func (e *voteEstate) verify(t *testing.T, token string, body map[string]string) (*http.Response, apiError) {
	t.Helper()
	var ae apiError
	r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token+"/verify", body, &ae)
	return r, ae
}

// TestIDNumberVerification walks the id_number flow of §5.2 through the
// API: casting is refused before the verification, a wrong ID refused, the
// fifth wrong one locks the ballot, the right one passes once the lock
// ends, and the cast records which verification passed and when.
func TestIDNumberVerification(t *testing.T) {
	e := newVoteEstate(t)
	e.useVerification(t, "id_number")
	c, ballots := e.openNow(t)
	b := ballots[0]
	token := e.token(b)
	right := e.idNumbers[b.Unit]

	if v := e.viewBallot(t, token); v.Verification.Method != "id_number" || v.Verification.Passed || v.Cast != nil {
		t.Fatalf("before verification: %+v", v)
	}
	var ae apiError
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token, map[string]any{"choices": c.choices()}, &ae); r.StatusCode != http.StatusForbidden ||
		ae.Error.Code != "verification_required" || !strings.Contains(ae.Error.Message, "身份证号") {
		t.Fatalf("cast before verification: %d %+v", r.StatusCode, ae.Error)
	}
	if e.casts(t) != 0 {
		t.Fatal("counted without verification")
	}
	if r, ae := e.verify(t, token, map[string]string{"id_number": right[:17]}); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "bad_id_number" || !strings.Contains(ae.Error.Message, "18 位") {
		t.Fatalf("a 17-character ID: %d %+v", r.StatusCode, ae.Error)
	}
	badCheck := right[:17] + map[bool]string{true: "1", false: "0"}[right[17] == '0']
	if r, ae := e.verify(t, token, map[string]string{"id_number": badCheck}); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "bad_id_number" || !strings.Contains(ae.Error.Message, "校验位") {
		t.Fatalf("a wrong check character: %d %+v", r.StatusCode, ae.Error)
	}
	// Another owner's valid number: wrong, four tries left… then locked.
	other := e.idNumbers[ballots[1].Unit]
	for left := 4; left >= 1; left-- {
		r, ae := e.verify(t, token, map[string]string{"id_number": other})
		var d struct {
			TriesLeft int `json:"tries_left"`
		}
		json.Unmarshal(ae.Error.Details, &d)
		if r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "wrong_id_number" || d.TriesLeft != left {
			t.Fatalf("wrong ID, %d left: %d %+v", left, r.StatusCode, ae.Error)
		}
	}
	before := time.Now()
	r, ae := e.verify(t, token, map[string]string{"id_number": other})
	var locked struct {
		LockedUntil time.Time `json:"locked_until"`
	}
	json.Unmarshal(ae.Error.Details, &locked)
	if r.StatusCode != http.StatusTooManyRequests || ae.Error.Code != "verification_locked" || r.Header.Get("Retry-After") == "" ||
		locked.LockedUntil.Before(before.Add(15*time.Minute-5*time.Second)) || locked.LockedUntil.After(time.Now().Add(15*time.Minute+5*time.Second)) {
		t.Fatalf("fifth wrong ID: %d %+v %s", r.StatusCode, ae.Error, ae.Error.Details)
	}
	until := locale.Minute(locked.LockedUntil)
	if !strings.Contains(ae.Error.Message, until) {
		t.Errorf("the lock-out does not say until when (%s): %s", until, ae.Error.Message)
	}
	if r, ae := e.verify(t, token, map[string]string{"id_number": right}); r.StatusCode != http.StatusTooManyRequests || ae.Error.Code != "verification_locked" {
		t.Fatalf("the right ID while locked: %d %+v", r.StatusCode, ae.Error)
	}
	if _, body := pageGet(t, e, "/v/"+token); !strings.Contains(body, until) || strings.Contains(body, `id="id_number"`) {
		t.Errorf("the page of a locked ballot does not say until when, or still asks:\n%s", body)
	}
	// Fifteen minutes later (the lock moved into the past), the right
	// number — with a lower-case x where it has one — passes.
	e.DB.MustExec(`UPDATE ballot_verifications SET locked_until = now() - interval '1 second'`)
	if r, ae := e.verify(t, token, map[string]string{"id_number": " " + strings.ToLower(right) + " "}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("the right ID: %d %+v", r.StatusCode, ae.Error)
	}
	if v := e.viewBallot(t, token); !v.Verification.Passed {
		t.Fatalf("after verification: %+v", v.Verification)
	}
	var out struct{ Receipt string }
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token, map[string]any{"choices": c.choices()}, &out); r.StatusCode != http.StatusCreated {
		t.Fatalf("cast after verification: %d", r.StatusCode)
	}
	var rec struct {
		Verification string    `db:"verification"`
		VerifiedAt   time.Time `db:"verified_at"`
	}
	if err := e.DB.Get(&rec, `SELECT verification, verified_at FROM casts WHERE unit_id = $1`, b.Unit); err != nil ||
		rec.Verification != "id_number" || rec.VerifiedAt.Before(before) {
		t.Fatalf("the cast record: %+v %v", rec, err)
	}
	// The pass that cast shows no choice afterwards: whoever holds the
	// phone next sees only that the unit voted. Verifying again shows them;
	// once that pass expires, nobody.
	if v := e.viewBallot(t, token); v.Cast == nil || v.Cast.Receipt != out.Receipt || v.Cast.Choices != nil {
		t.Fatalf("the view right after casting: %+v", v.Cast)
	}
	if r, ae := e.verify(t, token, map[string]string{"id_number": right}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("verifying again: %d %+v", r.StatusCode, ae.Error)
	}
	if v := e.viewBallot(t, token); v.Cast == nil || len(v.Cast.Choices) != 3 {
		t.Fatalf("the verified owner's view: %+v", v.Cast)
	}
	e.DB.MustExec(`UPDATE ballot_verifications SET passed_at = now() - interval '31 minutes'`)
	if v := e.viewBallot(t, token); v.Cast == nil || v.Cast.Choices != nil || v.Verification.Passed {
		t.Fatalf("after the pass expired: %+v %+v", v.Cast, v.Verification)
	}
}

// TestNoOwnerKeyVotesOnPaper: a unit without an ID number on the roll is
// told to vote on paper, with the committee's address.
func TestNoOwnerKeyVotesOnPaper(t *testing.T) {
	e := newVoteEstate(t)
	e.useVerification(t, "id_number")
	_, ballots := e.openNow(t)
	b := ballots[2]
	e.DB.MustExec(`UPDATE units SET owner_key = '' WHERE id = $1`, b.Unit)
	r, ae := e.verify(t, e.token(b), map[string]string{"id_number": e.idNumbers[b.Unit]})
	if r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "vote_on_paper" || !strings.Contains(ae.Error.Message, "纸质票") ||
		!strings.Contains(ae.Error.Message, "测试小区") {
		t.Fatalf("verify without an owner key: %d %+v", r.StatusCode, ae.Error)
	}
	if _, body := pageGet(t, e, "/v/"+e.token(b)); !strings.Contains(body, `id="verify-paper"`) || strings.Contains(body, `id="id_number"`) {
		t.Errorf("the page does not send the owner to paper:\n%s", body)
	}
}

var outboxCode = regexp.MustCompile(`(\d{6})\n$`)

// lastCode is the last code the development SMS sender wrote.
func (e *voteEstate) lastCode(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(e.SMSOutbox)
	if err != nil {
		t.Fatal(err)
	}
	m := outboxCode.FindStringSubmatch(string(data))
	if m == nil {
		t.Fatalf("no code in the outbox:\n%s", data)
	}
	return m[1]
}

// TestSMSVerification walks the sms flow through the API with the
// development sender: no cast before it, send limits, a wrong code, the
// right one, and the cast recording it.
func TestSMSVerification(t *testing.T) {
	e := newVoteEstate(t)
	e.useVerification(t, "sms")
	c, ballots := e.openNow(t)
	token := e.token(ballots[0])
	var ae apiError
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token, map[string]any{"choices": c.choices()}, &ae); r.StatusCode != http.StatusForbidden || ae.Error.Code != "verification_required" {
		t.Fatalf("cast before verification: %d %+v", r.StatusCode, ae.Error)
	}
	if r, ae := e.verify(t, token, map[string]string{"sms_code": "123456"}); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "no_code" {
		t.Fatalf("a code before any was sent: %d %+v", r.StatusCode, ae.Error)
	}
	if r, ae := e.verify(t, token, map[string]string{"id_number": e.idNumbers[ballots[0].Unit]}); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "verification_not_used" {
		t.Fatalf("an ID number for an SMS vote: %d %+v", r.StatusCode, ae.Error)
	}
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token+"/sms", nil, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("send: %d", r.StatusCode)
	}
	code := e.lastCode(t)
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token+"/sms", nil, &ae); r.StatusCode != http.StatusTooManyRequests || ae.Error.Code != "sms_too_soon" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("a second code within the minute: %d %+v", r.StatusCode, ae.Error)
	}
	wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1000000)
	if r, ae := e.verify(t, token, map[string]string{"sms_code": wrong}); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "wrong_code" {
		t.Fatalf("a wrong code: %d %+v", r.StatusCode, ae.Error)
	}
	if r, ae := e.verify(t, token, map[string]string{"sms_code": "12a456"}); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "bad_code" {
		t.Fatalf("a malformed code: %d %+v", r.StatusCode, ae.Error)
	}
	if r, ae := e.verify(t, token, map[string]string{"sms_code": code}); r.StatusCode != http.StatusNoContent {
		t.Fatalf("the right code: %d %+v", r.StatusCode, ae.Error)
	}
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token, map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
		t.Fatalf("cast after verification: %d", r.StatusCode)
	}
	var method string
	if e.DB.Get(&method, `SELECT verification FROM casts WHERE unit_id = $1`, ballots[0].Unit); method != "sms" {
		t.Errorf("the cast recorded verification %q", method)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPhonePageVerification walks the id_number step of the phone page:
// the ballot is not shown before it, a wrong number is refused naming what
// is wrong with the number echoed masked, the right one opens the ballot.
func TestPhonePageVerification(t *testing.T) {
	e := newVoteEstate(t)
	e.useVerification(t, "id_number")
	c, ballots := e.openNow(t)
	b := ballots[0]
	path := "/v/" + e.token(b)
	resp, body := pageGet(t, e, path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `inputmode="numeric"`) || strings.Contains(body, `id="ballot-form"`) {
		t.Fatalf("the page before verification: %d\n%s", resp.StatusCode, body)
	}
	m := c.Matters
	form := url.Values{"step": {"cast"}, fmt.Sprintf("m%d", m[0].ID): {"agree"}, fmt.Sprintf("m%d", m[1].ID): {"蒂森"}, fmt.Sprintf("m%d", m[2].ID): {"", "王五"}}
	if resp, body := formPost(t, e, path, form); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "身份证号") || e.casts(t) != 0 {
		t.Fatalf("casting on the page before verification: %d\n%s", resp.StatusCode, body)
	}
	other := e.idNumbers[ballots[1].Unit]
	resp, body = formPost(t, e, path, url.Values{"step": {"verify"}, "id_number": {other}})
	masked := other[:3] + "***********" + other[14:]
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "与业主名册不符") || !strings.Contains(body, masked) || strings.Contains(body, other) {
		t.Fatalf("a wrong number on the page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = formPost(t, e, path, url.Values{"step": {"verify"}, "id_number": {e.idNumbers[b.Unit]}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="ballot-form"`) {
		t.Fatalf("after the right number: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := formPost(t, e, path, form); resp.StatusCode != http.StatusCreated || !strings.Contains(body, "王五") {
		t.Fatalf("casting after verification: %d\n%s", resp.StatusCode, body)
	}
	// Reloaded: 您已投票, no choice, and the step that would show them.
	resp, body = pageGet(t, e, path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "您已投票") || strings.Contains(body, "王五") || !strings.Contains(body, `id="verify-form"`) {
		t.Fatalf("the reloaded page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = formPost(t, e, path, url.Values{"step": {"verify"}, "id_number": {e.idNumbers[b.Unit]}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "您已投票") || !strings.Contains(body, "王五") || !strings.Contains(body, "蒂森") {
		t.Fatalf("the voted page after verifying again: %d\n%s", resp.StatusCode, body)
	}
}

// TestReprintSkipsVotedUnits: the packet of a stairwell leaves out the
// unit that voted, says how many it left out, and the audit names the
// units printed; a stairwell that all voted prints nothing.
func TestReprintSkipsVotedUnits(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	var voted string
	for _, b := range ballots {
		if strings.HasPrefix(b.Unit, "2-1-") {
			voted = b.Unit
			if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(b), map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
				t.Fatalf("cast: %d", r.StatusCode)
			}
			break
		}
	}
	resp := e.do(t, e.volunteer, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf?building=2&entrance=1", c.ID), nil, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Ballot-Pages") != "5" || resp.Header.Get("X-Ballots-Skipped-Voted") != "1" {
		t.Fatalf("reprint: %d, %s pages, %s skipped", resp.StatusCode, resp.Header.Get("X-Ballot-Pages"), resp.Header.Get("X-Ballots-Skipped-Voted"))
	}
	var detail struct {
		Units   []string `json:"units"`
		Skipped int      `json:"skipped_voted"`
	}
	var raw []byte
	if err := e.DB.Get(&raw, `SELECT detail FROM audit_entries WHERE action = 'ballots.print' AND account_id IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(raw, &detail)
	if len(detail.Units) != 5 || detail.Skipped != 1 || strings.Contains(strings.Join(detail.Units, ","), voted) {
		t.Errorf("audit of the printing: %s", raw)
	}
	// Vote every other unit of the stairwell: nothing is left to print.
	for _, b := range ballots {
		if strings.HasPrefix(b.Unit, "2-1-") && b.Unit != voted {
			e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(b), map[string]any{"choices": c.choices()}, nil)
		}
	}
	var ae apiError
	if r := e.do(t, e.volunteer, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf?building=2&entrance=1", c.ID), nil, &ae); r.StatusCode != http.StatusConflict || ae.Error.Code != "all_voted" {
		t.Errorf("a stairwell that all voted: %d %+v", r.StatusCode, ae.Error)
	}
}
