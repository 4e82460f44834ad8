package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRollPageAndUnitHistory: the committee finds a unit on the roll page
// and corrects its phone; then, on a paper-voting unit's history page,
// reads who entered and confirmed the ballot without its choice, sees its
// scan inline with the SHA-256 (and, for a proxy's ballot, the signed
// authorisation's PDF linked with its hash), opens the sealed record with
// a reason, and sees the opening in the history.
func TestRollPageAndUnitHistory(t *testing.T) {
	s := startSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root := startBrowser(t, ctx)
	shot := newShots(t)
	links := openVerifiedVote(t, s, "none")
	var consultation, matter int64
	if err := s.DB.Get(&consultation, `SELECT max(id) FROM consultations`); err != nil {
		t.Fatal(err)
	}
	s.DB.Get(&matter, `SELECT id FROM matters WHERE consultation_id = $1`, consultation)
	token := func(user string) string {
		var login struct{ Token string }
		apiCall(t, s.URL, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": user, "password": password}, &login)
		return login.Token
	}
	link := links["1-1-102"]
	var entry struct {
		EntryID int64 `json:"entry_id"`
	}
	apiCall(t, s.URL, token("volunteer1"), http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/paper", consultation),
		map[string]any{"token": link[strings.LastIndex(link, "/")+1:], "choices": map[string]string{fmt.Sprint(matter): "oppose"}}, &entry)
	scan, err := os.ReadFile(scanFile(t))
	if err != nil {
		t.Fatal(err)
	}
	apiUpload(t, s.URL, token("volunteer1"), fmt.Sprintf("/api/v1/paper/%d/original", entry.EntryID), "ballot-scan.png", scan)
	apiCall(t, s.URL, token("volunteer2"), http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry.EntryID), nil, nil)
	// 1-1-101 votes by a proxy, its signed authorisation a PDF.
	proxied, authorisation := links["1-1-101"], []byte("%PDF-1.4 授权委托书")
	apiCall(t, s.URL, token("volunteer1"), http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/paper", consultation),
		map[string]any{"token": proxied[strings.LastIndex(proxied, "/")+1:], "choices": map[string]string{fmt.Sprint(matter): "agree"},
			"proxy": map[string]string{"name": "李四", "id_number": "11010519491231002X", "authorisation": "委托书"}}, &entry)
	apiUpload(t, s.URL, token("volunteer1"), fmt.Sprintf("/api/v1/paper/%d/original", entry.EntryID), "ballot-scan.png", scan)
	apiUpload(t, s.URL, token("volunteer1"), fmt.Sprintf("/api/v1/paper/%d/original?kind=authorisation", entry.EntryID), "authorisation.pdf", authorisation)
	apiCall(t, s.URL, token("volunteer2"), http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry.EntryID), nil, nil)
	s.DB.MustExec(`UPDATE consultations SET closes_at = now() - interval '1 millisecond' WHERE id = $1`, consultation)
	apiCall(t, s.URL, token("committee"), http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/close", consultation), nil, nil)

	p := newPerson(t, root, "committee", s.URL, shot)
	p.login("committee", password)
	p.open("/console/roll", "#find-unit")
	p.do("finding a unit", chromedp.SendKeys(chromedp.CSS("#find-unit"), "1-1-101"), chromedp.Click(chromedp.CSS("#find-submit")),
		chromedp.WaitVisible(chromedp.CSS("#unit-card")))
	p.expect("main", "只影响之后发起的表决")
	p.eval("marking the page", `document.body.dataset.stale = '1'`)
	p.do("correcting the phone", chromedp.SendKeys(chromedp.CSS("#fix-phone"), "13712349999"), chromedp.Click(chromedp.CSS("#fix-submit")))
	p.waitReloaded()
	p.expect("#unit-now", "137****9999")
	shot.take(p, "roll-unit-corrected")
	p.do("a wrong area", chromedp.SendKeys(chromedp.CSS("#fix-area"), "九十"), chromedp.Click(chromedp.CSS("#fix-submit")))
	p.expect("#unit-form .form-error", "无法识别面积")

	// A roll file that leaves a unit out asks first, naming it; confirmed,
	// the unit's ballots still keep it on the roll.
	partial := filepath.Join(t.TempDir(), "partial.csv")
	lines := strings.SplitAfter(verificationRoll(), "\n")
	os.WriteFile(partial, []byte(lines[0]+lines[1]+lines[2]), 0o644)
	p.open("/console", "#roll-form")
	p.do("uploading a partial roll", chromedp.SetUploadFiles(chromedp.CSS("#roll-file"), []string{partial}),
		chromedp.Click(chromedp.CSS("#roll-submit")), chromedp.WaitVisible(chromedp.CSS("#roll-form .form-error")))
	p.expect("#roll-form .form-error", "文件中没有现有的 1 套房屋（1-1-201）", "1 套已发出选票")
	shot.take(p, "roll-partial-asks")
	p.do("confirming the removal", chromedp.Click(chromedp.CSS("#roll-confirm-removals")), chromedp.Click(chromedp.CSS("#roll-submit")))
	p.expect("#roll-form .form-error", "房屋 1-1-201 已发出选票")
	var units int
	s.DB.Get(&units, `SELECT count(*) FROM units`)
	if units != 3 {
		t.Fatalf("%d units after the refused partial roll, want 3", units)
	}

	p.open("/console/units/1-1-102", "#vote-"+fmt.Sprint(consultation))
	p.expect(".cast", "纸质选票", "volunteer1", "volunteer2")
	p.expect(".history-vote", "从未开启")
	// The scan that was counted, shown inline with the hash the log holds.
	sum := sha256.Sum256(scan)
	p.expect(".cast .history-original", "SHA-256", hex.EncodeToString(sum[:]))
	if shown := p.evalString("the scan inline", `(() => { const i = document.querySelector('.history-original img');
		return !i ? 'no image' : i.complete && i.naturalWidth > 0 ? 'shown' : 'not loaded'; })()`); shown != "shown" {
		t.Errorf("the history's scan: %s", shown)
	}
	p.asPhone()
	p.checkPage("the unit's history with its scan", "unit-history-scan-phone")
	p.open("/console/units/1-1-101", "#vote-"+fmt.Sprint(consultation))
	authSum := sha256.Sum256(authorisation)
	p.expect(".cast", "李四", "委托书")
	p.expect(".cast .history-authorisation", "授权委托书原件 · PDF", hex.EncodeToString(authSum[:]))
	p.expect(".cast .history-original", hex.EncodeToString(sum[:]))
	p.checkPage("a proxy's history with the authorisation", "unit-history-proxy-phone")
	p.open("/console/units/1-1-102", "#vote-"+fmt.Sprint(consultation))
	if text := p.text("main"); strings.Contains(text, "反对") {
		t.Fatalf("the history shows the sealed choice:\n%s", text)
	}
	p.do("opening the sealed record", chromedp.SendKeys(chromedp.CSS(".open-sealed input[name=reason]"), "业主称未投反对票，调解"),
		chromedp.Click(chromedp.CSS(".open-sealed button[type=submit]")))
	p.expect(".sealed-result", "已记入审计", "反对")
	shot.take(p, "unit-history-opened")
	p.do("reloading", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".openings")))
	p.expect(".openings", "committee", "业主称未投反对票，调解")
}

// waitReloaded waits until a page marked stale (body data-stale) has been
// replaced by a fresh one that finished loading. A single poll is cut short
// when the page is replaced under it: it polls again until the new page is
// there.
func (p *person) waitReloaded() {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](`() => !!document.body && !document.body.dataset.stale && document.readyState === 'complete'`,
			chromedp.WithPollingInterval(50*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			p.fail("waiting for the page to reload", err)
		}
	}
}
