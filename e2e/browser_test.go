package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds every wait for an element or a text; the whole test
// has its own, larger bound.
const stepTimeout = 30 * time.Second

// chromiumPath finds Debian's chromium. A missing browser fails the test:
// the console is not tested without it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: the console's browser test needs Debian's chromium " +
		"(`make test` installs it with scripts/deps.sh; or: apt-get install chromium)")
	return ""
}

// startBrowser starts a headless Chromium with a fresh profile and returns
// the root context; every person then gets a browser context of their own
// (separate cookies) from newPerson. extra adds flags (a fake camera).
func startBrowser(t *testing.T, ctx context.Context, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx
}

// person is one person's browser: a tab in a browser context of its own.
type person struct {
	t    *testing.T
	name string
	ctx  context.Context
	base string
	shot *shots
}

func newPerson(t *testing.T, root context.Context, name, base string, shot *shots) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &person{t: t, name: name, ctx: ctx, base: base, shot: shot}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: opening a tab: %v", name, err)
	}
	// Committee members accept the confirmation dialogs of closing and
	// approving; the dialog text is checked in the page itself.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.confirm = function () { return true; };`}); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p.watchContentSecurityPolicy()
	return p
}

// watchContentSecurityPolicy fails the test when the browser refuses
// anything of a page under the server's Content-Security-Policy: every
// script, handler and style must come from /static/. The page reports each
// violation on the console (securitypolicyviolation events), and Chromium
// logs it too.
func (p *person) watchContentSecurityPolicy() {
	p.t.Helper()
	const report = `document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.documentURI);
});`
	if _, err := chromedp.Call(p.ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: report}); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	var mu sync.Mutex
	var violations []string
	err := chromedp.Listen(p.ctx, func(ev any) {
		var text string
		switch ev := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			for _, a := range ev.Args {
				text += string(a.Value) + " "
			}
		case *cdplog.EventEntryAdded:
			text = ev.Entry.Text
		}
		if strings.Contains(text, "CSP violation") || strings.Contains(text, "Content Security Policy") {
			mu.Lock()
			violations = append(violations, text)
			mu.Unlock()
		}
	})
	if err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
	p.t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, v := range violations {
			p.t.Errorf("%s: the Content-Security-Policy refused part of a page: %s", p.name, v)
		}
	})
}

// do runs actions, failing the test with what the page shows.
func (p *person) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(what, err)
	}
}

func (p *person) fail(what string, err error) {
	p.t.Helper()
	text := p.bodyText()
	if p.shot != nil {
		p.shot.take(p, "FAILED-"+p.name)
	}
	p.t.Fatalf("%s: %s: %v\n--- the page (%s) shows:\n%s", p.name, what, err, p.location(), text)
}

func (p *person) location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

func (p *person) bodyText() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	if r := []rune(text); len(r) > 3000 {
		text = string(r[:3000]) + " …"
	}
	return text
}

// open navigates to a path of the site and waits for the selector.
func (p *person) open(path, waitFor string) {
	p.t.Helper()
	p.do("opening "+path, chromedp.Navigate(p.base+path), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// expect waits until the element's visible text contains every text.
func (p *person) expect(selector string, texts ...string) {
	p.t.Helper()
	for _, text := range texts {
		ctx, cancel := context.WithTimeout(p.ctx, stepTimeout+5*time.Second)
		_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](
			`(sel, text) => { const n = document.querySelector(sel); return !!n && n.innerText.includes(text); }`,
			chromedp.WithPollingArgs(selector, text), chromedp.WithPollingTimeout(stepTimeout), chromedp.WithPollingInterval(100*time.Millisecond)))
		cancel()
		if err != nil {
			p.fail(fmt.Sprintf("waiting for %q in %s", text, selector), err)
		}
	}
}

// expectWithin is expect with a longer wait, for what a page refreshes on
// its own.
func (p *person) expectWithin(d time.Duration, selector, text string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, d+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.PollFunction[bool](
		`(sel, text) => { const n = document.querySelector(sel); return !!n && n.innerText.includes(text); }`,
		chromedp.WithPollingArgs(selector, text), chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(250*time.Millisecond)))
	if err != nil {
		p.fail(fmt.Sprintf("waiting up to %s for %q in %s", d, text, selector), err)
	}
}

// value reads an input's value.
func (p *person) value(selector string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(selector)))
	if err != nil {
		p.fail("reading "+selector, err)
	}
	return v
}

// text reads an element's visible text, trimmed.
func (p *person) text(selector string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		p.fail("reading "+selector, err)
	}
	return strings.TrimSpace(v)
}

// eval runs JavaScript in the page.
func (p *person) eval(what, js string) {
	p.t.Helper()
	p.do(what, chromedp.Evaluate[chromedp.Void](js))
}

// login logs in through the login form.
func (p *person) login(username, password string) {
	p.t.Helper()
	p.open("/login", "#username")
	p.do("logging in as "+username,
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#logout")))
}

// download clicks a link that downloads a file and returns the file's
// contents, as the browser saved it.
func (p *person) download(what, selector string) []byte {
	p.t.Helper()
	dir := p.t.TempDir()
	c := chromedp.FromContext(p.ctx)
	events := true
	if _, err := chromedp.CallBrowser(p.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, BrowserContextID: c.BrowserContextID,
		DownloadPath: dir, EventsEnabled: &events,
	}); err != nil {
		p.fail("allowing downloads", err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, 60*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	p.do("clicking "+what, chromedp.Click(chromedp.CSS(selector)))
	for ev, err := range progress {
		if err != nil {
			p.fail("downloading "+what, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				p.fail("reading the download of "+what, err)
			}
			return data
		case browser.DownloadProgressStateCanceled:
			p.fail("downloading "+what, errors.New("the download was cancelled"))
		}
	}
	p.fail("downloading "+what, errors.New("no download"))
	return nil
}

// shots saves numbered screenshots of the pages for review.
type shots struct {
	t   *testing.T
	dir string
	n   int
}

func newShots(t *testing.T) *shots {
	dir := os.Getenv("GONGJUE_E2E_OUT")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "out", "e2e")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshot directory: %v", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	for _, f := range old {
		os.Remove(f)
	}
	t.Logf("screenshots: %s", dir)
	return &shots{t: t, dir: dir}
}

// take saves a screenshot of the whole page.
func (s *shots) take(p *person, name string) {
	s.n++
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, strings.ReplaceAll(name, " ", "-")))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
	}
}
