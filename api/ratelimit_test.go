package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gongjue/api"
	"gongjue/ballot"
	"gongjue/ledger"
)

// unknownToken is a well-formed ballot token that names no ballot (real
// tokens are random; this one is all z but its end); n makes each one
// different.
func unknownToken(n int) string {
	return strings.Repeat("z", ballot.TokenLen-3) + string(rune('a'+n/676%26)) + string(rune('a'+n/26%26)) + string(rune('a'+n%26))
}

// refusals sends n requests, each answered either failing (the status of
// a failed attempt) or 429 with Retry-After, and returns how many were 429.
func refusals(t *testing.T, n, failing int, send func(i int) *http.Response) int {
	t.Helper()
	refused := 0
	for i := range n {
		resp := send(i)
		switch resp.StatusCode {
		case http.StatusTooManyRequests:
			refused++
			var ae apiError
			if json.NewDecoder(resp.Body).Decode(&ae); ae.Error.Code != "rate_limited" || resp.Header.Get("Retry-After") == "" {
				t.Errorf("attempt %d: 429 %q, Retry-After %q", i, ae.Error.Code, resp.Header.Get("Retry-After"))
			}
		case failing:
		default:
			t.Errorf("attempt %d: %d, want %d or 429", i, resp.StatusCode, failing)
		}
	}
	return refused
}

// guess sends n look-ups of unknown tokens from one address (with the
// given X-Forwarded-For, when not empty) and returns how many answered 429.
func guess(t *testing.T, e *voteEstate, from string, n int) int {
	t.Helper()
	return refusals(t, n, http.StatusNotFound, func(i int) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/ballots/"+unknownToken(i), nil)
		if from != "" {
			req.Header.Set("X-Forwarded-For", from)
		}
		return e.send(t, req, "", nil)
	})
}

// TestOwnersBehindOneAddressAllVote: 200 owners behind one address (every
// test request comes from 127.0.0.1), half through the API and half through
// the phone page with its confirmation step, all vote within a minute while
// someone at the same address guesses tokens; nobody of them gets 429, the
// guesser does, and the committee can still log in from there.
func TestOwnersBehindOneAddressAllVote(t *testing.T) {
	e := newVoteEstateOn(newTestServer(t), t, 25) // 200 units
	c, ballots := e.openNow(t)
	if len(ballots) != 200 {
		t.Fatalf("%d ballots", len(ballots))
	}
	m := c.Matters
	form := url.Values{fmt.Sprintf("m%d", m[0].ID): {"agree"}, fmt.Sprintf("m%d", m[1].ID): {"蒂森"}, fmt.Sprintf("m%d", m[2].ID): {"", "赵六"}}

	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	work := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range work {
				token := e.token(ballots[i])
				if i%2 == 0 {
					if r := e.do(t, "", http.MethodGet, "/api/v1/ballots/"+token, nil, nil); r.StatusCode != http.StatusOK {
						fail("owner %d: GET ballot: %d", i, r.StatusCode)
						continue
					}
					if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+token, map[string]any{"choices": c.choices()}, nil); r.StatusCode != http.StatusCreated {
						fail("owner %d: POST ballot: %d", i, r.StatusCode)
					}
					continue
				}
				path := "/v/" + token
				if r, _ := pageGet(t, e, path); r.StatusCode != http.StatusOK {
					fail("owner %d: ballot page: %d", i, r.StatusCode)
					continue
				}
				f := url.Values{"step": {"confirm"}}
				for k, v := range form {
					f[k] = v
				}
				if r, _ := formPost(t, e, path, f); r.StatusCode != http.StatusOK {
					fail("owner %d: confirmation: %d", i, r.StatusCode)
					continue
				}
				f.Set("step", "cast")
				if r, _ := formPost(t, e, path, f); r.StatusCode != http.StatusCreated {
					fail("owner %d: cast: %d", i, r.StatusCode)
				}
			}
		})
	}
	var refused int
	var pageRefusal *http.Response
	var pageBody string
	wg.Go(func() {
		refused = guess(t, e, "", 40)
		// Straight on, while the address is out of look-ups: on the
		// owner's page the refusal is a page, not JSON.
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/v/"+unknownToken(999), nil)
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		pageRefusal = e.send(t, req, "", nil)
		pageBody, _ = readAll(pageRefusal)
	})
	for i := range ballots {
		work <- i
	}
	close(work)
	wg.Wait()
	if elapsed := time.Since(start); elapsed > time.Minute {
		t.Errorf("200 owners took %v", elapsed)
	}
	for _, f := range failures {
		t.Error(f)
	}
	if n := e.casts(t); n != 200 {
		t.Errorf("%d of 200 ballots counted", n)
	}
	if refused < 20 {
		t.Errorf("only %d of 40 guesses refused", refused)
	}
	if pageRefusal.StatusCode != http.StatusTooManyRequests || !strings.HasPrefix(pageRefusal.Header.Get("Content-Type"), "text/html") || !strings.Contains(pageBody, "请求太频繁") {
		t.Errorf("a guess on the phone page: %d %s", pageRefusal.StatusCode, pageRefusal.Header.Get("Content-Type"))
	}
	// The guesser's failures do not touch staff login.
	e.login(t, "committee")
}

// TestLoginBruteForceThrottled: wrong passwords for one account are soon
// refused with 429, and then so is the right one — while another account
// logs in from the same address.
func TestLoginBruteForceThrottled(t *testing.T) {
	ts := newTestServer(t)
	refused := refusals(t, 15, http.StatusUnauthorized, func(i int) *http.Response {
		return ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "committee", "password": fmt.Sprint("guess", i)}, nil)
	})
	if refused == 0 {
		t.Fatal("15 wrong passwords in a row, none refused")
	}
	if r := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "committee", "password": testPassword}, nil); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password while the account is throttled: %d", r.StatusCode)
	}
	// The login form is throttled the same way, as a page.
	b := newBrowser(t, ts)
	if r, body := b.loginForm(url.Values{"username": {"committee"}, "password": {testPassword}}); r.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "请求太频繁") {
		t.Errorf("login form while throttled: %d", r.StatusCode)
	}
	ts.login(t, "residents")
}

// TestForwardedForOnlyFromTrustedProxies: behind a trusted proxy each
// owner's own address (X-Forwarded-For) has its own allowance of failed
// look-ups; from anyone else the header is ignored.
func TestForwardedForOnlyFromTrustedProxies(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		t.Run(fmt.Sprint("trusted=", trusted), func(t *testing.T) {
			var cfg api.Config
			if trusted {
				cfg.TrustedProxies = []string{"127.0.0.1/32"}
			}
			e := newVoteEstateOn(newTestServerWith(t, cfg), t, 1)
			e.openNow(t)
			if refused := guess(t, e, "203.0.113.7", 15); refused == 0 {
				t.Fatal("15 guesses from one address, none refused")
			}
			refused := guess(t, e, "203.0.113.8", 3)
			if trusted && refused != 0 {
				t.Errorf("another owner behind the proxy is refused %d of 3 look-ups", refused)
			}
			if !trusted && refused != 3 {
				t.Errorf("an untrusted X-Forwarded-For escaped the limit: %d of 3 refused", refused)
			}
		})
	}
}

// TestReceiptGuessingThrottled: looking up receipts that match nothing is
// soon refused from that address, while an owner there still checks their
// own receipt, on the page and through the API.
func TestReceiptGuessingThrottled(t *testing.T) {
	e := newVoteEstateOn(newTestServer(t), t, 1)
	c, ballots := e.openNow(t)
	var cast struct{ Receipt string }
	if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(ballots[0]), map[string]any{"choices": c.choices()}, &cast); r.StatusCode != http.StatusCreated {
		t.Fatalf("casting: %d", r.StatusCode)
	}
	proof := fmt.Sprintf("/log/%d/proof?receipt=", c.ID)
	refused := refusals(t, 15, http.StatusNotFound, func(int) *http.Response {
		return e.do(t, "", http.MethodGet, proof+ledger.Receipt(ledger.NewSalt()), nil, nil)
	})
	if refused == 0 {
		t.Fatal("15 unknown receipts from one address, none refused")
	}
	if code, _ := e.get(t, "", fmt.Sprintf("/log/%d?receipt=%s", c.ID, ledger.Receipt(ledger.NewSalt()))); code != http.StatusTooManyRequests {
		t.Errorf("another unknown receipt on the page: %d", code)
	}
	if r := e.do(t, "", http.MethodGet, proof+cast.Receipt, nil, nil); r.StatusCode == http.StatusTooManyRequests {
		t.Error("the owner's own receipt is refused through the API")
	}
	if code, _ := e.get(t, "", fmt.Sprintf("/log/%d?receipt=%s", c.ID, cast.Receipt)); code != http.StatusOK {
		t.Errorf("the owner's own receipt on the page: %d", code)
	}
}

// TestPaperCodeGuessingThrottled: a volunteer entering ballot codes that
// name no ballot is soon refused, per account: another volunteer at the
// same desk is not, and a real code still goes through.
func TestPaperCodeGuessingThrottled(t *testing.T) {
	e := newVoteEstateOn(newTestServer(t), t, 1)
	c, ballots := e.openNow(t)
	paper := fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID)
	unknown := map[string]any{"ballot_code": "0000-0000", "spoiled": true}
	refused := refusals(t, 15, http.StatusUnprocessableEntity, func(int) *http.Response {
		return e.do(t, e.volunteer, http.MethodPost, paper, unknown, nil)
	})
	if refused == 0 {
		t.Fatal("15 unknown ballot codes, none refused")
	}
	if r := e.do(t, e.volunteer2, http.MethodPost, paper, unknown, nil); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("another volunteer's unknown code: %d", r.StatusCode)
	}
	if r := e.do(t, e.volunteer, http.MethodPost, paper, map[string]any{"ballot_code": ballots[0].Code, "spoiled": true, "spoiled_reason": "unreadable"}, nil); r.StatusCode != http.StatusCreated {
		t.Errorf("a real code from the throttled volunteer: %d", r.StatusCode)
	}
}

// TestLoginSprayThrottledPerAddress: one address trying a password on many
// usernames at once is refused after a burst, though no account saw more
// than one try.
func TestLoginSprayThrottledPerAddress(t *testing.T) {
	ts := newTestServer(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 40 {
		wg.Go(func() {
			r := ts.do(t, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": fmt.Sprint("user", i), "password": "123456"}, nil)
			mu.Lock()
			codes[r.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	// The bucket holds 30 and refills slowly (a few may refill while
	// bcrypt runs); everything else is 429.
	if codes[http.StatusTooManyRequests] < 5 || codes[http.StatusTooManyRequests]+codes[http.StatusUnauthorized] != 40 {
		t.Errorf("40 usernames from one address at once: %v", codes)
	}
}
