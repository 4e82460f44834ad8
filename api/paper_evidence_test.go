package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"gongjue/ledger"
	"gongjue/postgres"
)

// Small originals of each accepted type, recognised by their first bytes.
var (
	pngScan  = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)
	jpegScan = append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{2}, 64)...)
	pdfScan  = []byte("%PDF-1.4 委托书")
)

// enter posts a paper entry and returns its id, failing the test unless
// it is created.
func (e *voteEstate) enter(t *testing.T, consultation int64, body map[string]any) int64 {
	t.Helper()
	var entry struct {
		EntryID int64 `json:"entry_id"`
	}
	r := e.do(t, e.volunteer, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/paper", consultation), body, &entry)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("entering %v: %d", body, r.StatusCode)
	}
	return entry.EntryID
}

func (e *voteEstate) attach(t *testing.T, token string, entry int64, kind string, content []byte) (*http.Response, string, apiError) {
	t.Helper()
	var out struct {
		SHA256 string `json:"sha256"`
	}
	path := fmt.Sprintf("/api/v1/paper/%d/original", entry)
	if kind != "" {
		path += "?kind=" + kind
	}
	r := e.upload(t, token, path, "scan.bin", content, &out)
	var ae apiError
	if r.StatusCode >= 400 {
		r = e.upload(t, token, path, "scan.bin", content, &ae)
	}
	return r, out.SHA256, ae
}

// TestPaperOriginals: the entering account attaches a JPEG, PNG or PDF by
// content, before confirmation; anything else, too large or by another
// account is refused naming the problem; staff read it back.
func TestPaperOriginals(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	entry := e.enter(t, c.ID, map[string]any{"ballot_code": ballots[0].Code, "choices": c.choices()})
	for _, bad := range []struct {
		content []byte
		want    string
	}{
		{[]byte("GIF89a not a scan"), "只接受 PDF、PNG 或 JPEG"},
		{[]byte("plain text pretending to be a scan"), "only PDF, PNG or JPEG"},
		{append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 10<<20)...), "10 MB"},
	} {
		r, _, ae := e.attach(t, e.volunteer, entry, "", bad.content)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(ae.Error.Message, bad.want) {
			t.Errorf("%.12q: %d %+v", bad.content, r.StatusCode, ae)
		}
	}
	if r, _, ae := e.attach(t, e.volunteer2, entry, "", pngScan); r.StatusCode != http.StatusForbidden || ae.Error.Code != "not_entering_account" {
		t.Errorf("another account attaching: %d %+v", r.StatusCode, ae)
	}
	r, sum, _ := e.attach(t, e.volunteer, entry, "", jpegScan)
	want := sha256.Sum256(jpegScan)
	if r.StatusCode != http.StatusCreated || sum != hex.EncodeToString(want[:]) {
		t.Fatalf("attaching a JPEG: %d %s", r.StatusCode, sum)
	}
	if r, _, ae := e.attach(t, e.volunteer, entry, "", pngScan); r.StatusCode != http.StatusConflict || ae.Error.Code != "original_exists" {
		t.Errorf("a second original: %d %+v", r.StatusCode, ae)
	}
	if r, _, _ := e.attach(t, e.volunteer, entry, "authorisation", pdfScan); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an authorisation for an entry without proxy: %d", r.StatusCode)
	}
	code, body := e.get(t, e.volunteer2, fmt.Sprintf("/api/v1/paper/%d/original", entry))
	if code != http.StatusOK || !bytes.Equal(body, jpegScan) {
		t.Errorf("reading the original back: %d", code)
	}
	if code, _ := e.get(t, "", fmt.Sprintf("/api/v1/paper/%d/original", entry)); code != http.StatusUnauthorized {
		t.Errorf("the original without an account: %d", code)
	}
	var queue struct {
		Entries []struct {
			Original *struct {
				SHA256 string `json:"sha256"`
			} `json:"original"`
		} `json:"entries"`
	}
	e.do(t, e.volunteer2, http.MethodGet, fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID), nil, &queue)
	if len(queue.Entries) != 1 || queue.Entries[0].Original == nil || queue.Entries[0].Original.SHA256 != sum {
		t.Errorf("the queue does not show the original: %+v", queue)
	}
	if r := e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry), nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	if _, err := e.DB.Exec(`DELETE FROM paper_originals`); err == nil {
		t.Error("an original was deleted")
	}
	if r, _, ae := e.attach(t, e.volunteer, entry, "", pdfScan); r.StatusCode != http.StatusConflict || ae.Error.Code != "already_decided" {
		t.Errorf("attaching after confirmation: %d %+v", r.StatusCode, ae)
	}
}

// TestPaperDisputeWalk: a paper ballot entered with its scan, confirmed,
// the vote closed; the public proof of its receipt carries a record whose
// original is the scan's SHA-256 and which verifies against the signed
// checkpoint — and an online ballot's record has no original. Then the
// dispute: the unit's history names the scan (and a proxy's, its signed
// authorisation), which downloaded by the history's URL hashes to the
// history's SHA-256 and the log leaf's.
func TestPaperDisputeWalk(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	confirm := func(entry int64) string {
		t.Helper()
		var conf struct {
			Receipt string `json:"receipt"`
		}
		if r := e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry), nil, &conf); r.StatusCode != http.StatusOK || conf.Receipt == "" {
			t.Fatalf("confirm: %d %+v", r.StatusCode, conf)
		}
		return conf.Receipt
	}
	entry := e.enter(t, c.ID, map[string]any{"ballot_code": ballots[0].Code, "choices": c.choices()})
	_, sum, _ := e.attach(t, e.volunteer, entry, "", pngScan)
	paperReceipt := confirm(entry)
	proxied := e.enter(t, c.ID, proxyEntry(ballots[2].Code, c, "李四", proxyID))
	_, proxySum, _ := e.attach(t, e.volunteer, proxied, "", jpegScan)
	_, authSum, _ := e.attach(t, e.volunteer, proxied, "authorisation", pdfScan)
	proxyReceipt := confirm(proxied)
	var online struct {
		Receipt string `json:"receipt"`
	}
	e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(ballots[1]), map[string]any{"choices": c.choices()}, &online)
	if _, err := e.DB.Exec(`UPDATE consultations SET closes_at = now() - interval '1 millisecond' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/close", c.ID), nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("close: %d", r.StatusCode)
	}
	vkey, err := postgres.LogVerifierKey(context.Background(), e.DB, e.CommunityID)
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]string{} // receipt → the original its proven log leaf names
	for _, tc := range []struct {
		receipt, original string
	}{{paperReceipt, sum}, {proxyReceipt, proxySum}, {online.Receipt, ""}} {
		var p ledger.InclusionProof
		if r := e.do(t, "", http.MethodGet, fmt.Sprintf("/log/%d/proof?receipt=%s", c.ID, tc.receipt), nil, &p); r.StatusCode != http.StatusOK {
			t.Fatalf("proof: %d", r.StatusCode)
		}
		if err := p.Verify(vkey); err != nil {
			t.Fatalf("the proof does not verify: %v", err)
		}
		b, err := ledger.ParseRecord([]byte(p.Record))
		if err != nil {
			t.Fatal(err)
		}
		logged[tc.receipt] = hex.EncodeToString(b.Original)
		if logged[tc.receipt] != tc.original {
			t.Errorf("the logged record's original is %x, want %q:\n%s", b.Original, tc.original, p.Record)
		}
	}
	mismatches, err := postgres.AuditLedger(context.Background(), e.DB, c.ID)
	if err != nil || len(mismatches) > 0 {
		t.Errorf("audit: %v %+v", err, mismatches)
	}

	for _, tc := range []struct {
		unit, receipt, channel string
		scan, authorisation    []byte
	}{{ballots[0].Unit, paperReceipt, "paper", pngScan, nil}, {ballots[2].Unit, proxyReceipt, "proxy", jpegScan, pdfScan}} {
		var h struct {
			Consultations []struct {
				Cast *struct {
					Channel       string   `json:"channel"`
					Original      *scanRef `json:"original"`
					Authorisation *scanRef `json:"authorisation_scan"`
				} `json:"cast"`
			} `json:"consultations"`
		}
		if r := e.do(t, e.volunteer2, http.MethodGet, fmt.Sprintf("/api/v1/communities/%d/units/%s/history", e.CommunityID, tc.unit), nil, &h); r.StatusCode != http.StatusOK {
			t.Fatalf("history of %s: %d", tc.unit, r.StatusCode)
		}
		if len(h.Consultations) != 1 || h.Consultations[0].Cast == nil || h.Consultations[0].Cast.Channel != tc.channel || h.Consultations[0].Cast.Original == nil {
			t.Fatalf("the history of %s does not name the scan: %+v", tc.unit, h)
		}
		cast := h.Consultations[0].Cast
		if got := e.fetchScan(t, *cast.Original, tc.scan); got != logged[tc.receipt] {
			t.Errorf("%s: the history's scan hashes to %s, the log leaf names %s", tc.unit, got, logged[tc.receipt])
		}
		switch {
		case tc.authorisation == nil && cast.Authorisation != nil:
			t.Errorf("%s: an authorisation scan without a proxy: %+v", tc.unit, cast.Authorisation)
		case tc.authorisation != nil && cast.Authorisation == nil:
			t.Errorf("%s: the history lacks the proxy's authorisation scan", tc.unit)
		case tc.authorisation != nil:
			if got := e.fetchScan(t, *cast.Authorisation, tc.authorisation); got != authSum {
				t.Errorf("%s: the authorisation hashes to %s, uploaded as %s", tc.unit, got, authSum)
			}
		}
	}
}

// scanRef is an original as a unit's history names it.
type scanRef struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
}

// fetchScan downloads an original by the URL the history gives and
// returns its SHA-256, failing the test unless the bytes are want and
// both the hash and the content type are the history's.
func (e *voteEstate) fetchScan(t *testing.T, ref scanRef, want []byte) string {
	t.Helper()
	r := e.do(t, e.volunteer2, http.MethodGet, ref.URL, nil, nil)
	body, err := io.ReadAll(r.Body)
	if err != nil || r.StatusCode != http.StatusOK {
		t.Fatalf("downloading %s: %d %v", ref.URL, r.StatusCode, err)
	}
	sum := sha256.Sum256(body)
	got := hex.EncodeToString(sum[:])
	if !bytes.Equal(body, want) || got != ref.SHA256 || r.Header.Get("Content-Type") != ref.ContentType {
		t.Errorf("%s: %d bytes of %s hashing to %s; the history says %s, %s", ref.URL, len(body), r.Header.Get("Content-Type"), got, ref.SHA256, ref.ContentType)
	}
	return got
}

// TestSpoiledPaperBallots: a spoiled ballot needs a reason from the list;
// its reason and note are kept and it is counted as spoiled on every
// matter once confirmed.
func TestSpoiledPaperBallots(t *testing.T) {
	e := newVoteEstate(t)
	c, ballots := e.openNow(t)
	paper := fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID)
	for _, bad := range []map[string]any{
		{"ballot_code": ballots[0].Code, "spoiled": true},
		{"ballot_code": ballots[0].Code, "spoiled": true, "spoiled_reason": "ugly"},
		{"ballot_code": ballots[0].Code, "choices": c.choices(), "spoiled_reason": "unsigned"},
		{"ballot_code": ballots[0].Code, "spoiled": true, "spoiled_reason": "unsigned", "note": strings.Repeat("长", 501)},
	} {
		var ae apiError
		if r := e.do(t, e.volunteer, http.MethodPost, paper, bad, &ae); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Message == "" {
			t.Errorf("%v: %d %+v", bad["spoiled_reason"], r.StatusCode, ae)
		}
	}
	entry := e.enter(t, c.ID, map[string]any{"ballot_code": ballots[0].Code, "spoiled": true, "spoiled_reason": "several_choices", "note": "第一项同时勾选同意和反对"})
	var queue struct {
		Entries []struct {
			SpoiledReason string `json:"spoiled_reason"`
			SpoiledNote   string `json:"spoiled_note"`
		} `json:"entries"`
	}
	e.do(t, e.volunteer2, http.MethodGet, paper, nil, &queue)
	if len(queue.Entries) != 1 || queue.Entries[0].SpoiledReason != "several_choices" || queue.Entries[0].SpoiledNote != "第一项同时勾选同意和反对" {
		t.Fatalf("queue: %+v", queue)
	}
	if r := e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry), nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	var choices []string
	if err := e.DB.Select(&choices, `SELECT DISTINCT choice FROM cast_choices WHERE consultation_id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	var matters int
	e.DB.Get(&matters, `SELECT count(*) FROM cast_choices WHERE consultation_id = $1`, c.ID)
	if len(choices) != 1 || choices[0] != "spoiled" || matters != len(c.Matters) {
		t.Errorf("a spoiled ballot counts as %v on %d matters", choices, matters)
	}
}

// useProxyRules registers and activates rules of procedure with the given
// proxies setting, before a consultation opens.
func (e *voteEstate) useProxyRules(t *testing.T, proxies string) {
	t.Helper()
	status, version, refusal := e.registerProcedure(t, e.committee, `{"proxies": `+proxies+`}`, []byte("%PDF-1.4 议事规则"))
	if status != http.StatusCreated {
		t.Fatalf("registering rules: %d %+v", status, refusal)
	}
	if status := e.activate(t, e.committee, version); status != http.StatusOK {
		t.Fatalf("activating rules: %d", status)
	}
}

const proxyID = "11010519491231002X"

func proxyEntry(code string, c consultation, name, id string) map[string]any {
	return map[string]any{"ballot_code": code, "choices": c.choices(),
		"proxy": map[string]string{"name": name, "id_number": id, "authorisation": "委托书"}}
}

// TestProxiesNotAllowed: the frozen rules forbid proxies; the ID number is
// checked and never stored.
func TestProxiesNotAllowed(t *testing.T) {
	e := newVoteEstate(t)
	e.useProxyRules(t, `{"allowed": false}`)
	c, ballots := e.openNow(t)
	paper := fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID)
	var ae apiError
	if r := e.do(t, e.volunteer, http.MethodPost, paper, proxyEntry(ballots[0].Code, c, "李四", proxyID), &ae); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(ae.Error.Message, "不允许委托") {
		t.Errorf("a proxy where none is allowed: %d %+v", r.StatusCode, ae)
	}
	if r := e.do(t, e.volunteer, http.MethodPost, paper, proxyEntry(ballots[0].Code, c, "李四", "110105194912310021"), &ae); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Details == nil {
		t.Errorf("a wrong ID number: %d %+v", r.StatusCode, ae)
	}
}

// TestProxyCapAndAuthorisation: one proxy — by name or by ID-number hash —
// represents at most max_units units; confirmation needs the signed
// authorisation's scan; two confirmations racing for the last unit count
// one.
func TestProxyCapAndAuthorisation(t *testing.T) {
	e := newVoteEstate(t)
	e.useProxyRules(t, `{"allowed": true, "max_units": 1, "authorisation_required": true}`)
	c, ballots := e.openNow(t)
	paper := fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID)
	first := e.enter(t, c.ID, proxyEntry(ballots[0].Code, c, "李四", proxyID))
	var ae apiError
	confirm := func(entry int64) (*http.Response, apiError) {
		var ae apiError
		return e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry), nil, &ae), ae
	}
	if r, ae := confirm(first); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(ae.Error.Message, "授权委托书") {
		t.Fatalf("confirming without the authorisation: %d %+v", r.StatusCode, ae)
	}
	if r, _, ae := e.attach(t, e.volunteer, first, "authorisation", pdfScan); r.StatusCode != http.StatusCreated {
		t.Fatalf("attaching the authorisation: %d %+v", r.StatusCode, ae)
	}
	if r, ae := confirm(first); r.StatusCode != http.StatusOK {
		t.Fatalf("confirming with the authorisation: %d %+v", r.StatusCode, ae)
	}
	var stored int
	e.DB.Get(&stored, `SELECT count(*) FROM paper_entries WHERE proxy_key LIKE '%' || $1 || '%' OR proxy_authorisation LIKE '%' || $1 || '%'`, proxyID)
	if stored != 0 {
		t.Error("the proxy's ID number is stored")
	}
	// The same ID number under another name, the same name with another.
	for _, p := range [][2]string{{"李 四", " 110105 19491231002x"}, {"李四", "110101199003070038"}} {
		if r := e.do(t, e.volunteer, http.MethodPost, paper, proxyEntry(ballots[1].Code, c, p[0], p[1]), &ae); r.StatusCode != http.StatusUnprocessableEntity || ae.Error.Code != "proxy_limit" || !strings.Contains(ae.Error.Message, ballots[0].Unit) {
			t.Errorf("proxy %v over the cap: %d %+v", p, r.StatusCode, ae)
		}
	}
	// Two entries of one new proxy, both pending, race to be confirmed.
	var racing []int64
	for _, b := range ballots[2:4] {
		id := e.enter(t, c.ID, proxyEntry(b.Code, c, "赵六", "110101199003070038"))
		if r, _, _ := e.attach(t, e.volunteer, id, "authorisation", jpegScan); r.StatusCode != http.StatusCreated {
			t.Fatal("attaching")
		}
		racing = append(racing, id)
	}
	statuses := make(chan int, len(racing))
	var wg sync.WaitGroup
	for _, id := range racing {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _ := confirm(id)
			statuses <- r.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	counted := 0
	for s := range statuses {
		if s == http.StatusOK {
			counted++
		}
	}
	var proxies int
	e.DB.Get(&proxies, `SELECT count(*) FROM casts WHERE consultation_id = $1 AND channel = 'proxy' AND proxy_name = '赵六'`, c.ID)
	if counted != 1 || proxies != 1 {
		t.Errorf("racing confirmations counted %d (%d casts), want 1", counted, proxies)
	}
}
