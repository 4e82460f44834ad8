package e2e

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongjue/internal/testtool"
	"gongjue/postgres"
	"gongjue/staff"
)

// TestAdminEstatesPage: the platform admin logs in, lands on the estates
// page and creates an estate with its first committee account — at desktop
// and phone sizes, in Chinese and English — a refused form naming the
// field in the page's language; the committee account then logs in to the
// new estate. On a phone the page meets the vote page's sizes.
func TestAdminEstatesPage(t *testing.T) {
	s := startSite(t)
	if _, err := postgres.CreateAccount(context.Background(), s.DB, "admin", password, staff.RolePlatformAdmin, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	root := startBrowser(t, ctx)
	_, file, _, _ := runtime.Caller(0)
	shot := &shots{t: t, dir: filepath.Join(filepath.Dir(file), "..", "out", "e2e-admin")}
	if err := os.RemoveAll(shot.dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(shot.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots: %s", shot.dir)

	for _, c := range []struct {
		english, phone           bool
		estate, username         string
		heading, submit, refusal string
	}{
		{false, false, "春晖花园", "chunhui", "新建小区", "创建小区和账号", "密码至少 8 个字符"},
		{true, false, "Riverside Gardens", "riverside", "Add an estate", "Create the estate and account", "at least 8 characters"},
		{false, true, "桂花苑", "guihua", "新建小区", "创建小区和账号", "密码至少 8 个字符"},
		{true, true, "Osmanthus Court", "osmanthus", "Add an estate", "Create the estate and account", "at least 8 characters"},
	} {
		lang := map[bool]string{false: "zh", true: "en"}[c.english]
		size := map[bool]string{false: "desktop", true: "phone"}[c.phone]
		admin := newPerson(t, root, "admin-"+lang+"-"+size, s.URL, shot)
		if c.phone {
			admin.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
		}
		admin.open("/login?lang="+lang, "#username")
		admin.login("admin", password)
		if loc := admin.location(); !strings.HasSuffix(loc, "/console/estates") {
			t.Fatalf("%s: the admin landed on %s", admin.name, loc)
		}
		admin.expect("main", c.heading, c.submit)
		shot.take(admin, "estates-"+lang+"-"+size)

		admin.do("filling the form with a short password",
			chromedp.SendKeys(chromedp.CSS("#estate-name"), c.estate),
			chromedp.SendKeys(chromedp.CSS("#estate-address"), "No. 8"),
			chromedp.SendKeys(chromedp.CSS("#estate-username"), c.username),
			chromedp.SendKeys(chromedp.CSS("#estate-password"), "short"),
			chromedp.Click(chromedp.CSS("#estate-submit")))
		admin.expect("#estate-form", c.refusal)
		shot.take(admin, "refused-"+lang+"-"+size)
		admin.eval("clearing the password", `document.querySelector('#estate-password').value = ''`)
		admin.do("a good password",
			chromedp.SendKeys(chromedp.CSS("#estate-password"), "first-password-2026"),
			chromedp.Click(chromedp.CSS("#estate-submit")))
		admin.awaitReload("#estates", c.estate)
		shot.take(admin, "created-"+lang+"-"+size)

		page := admin.evalString("the page", `document.documentElement.outerHTML`)
		allowed := []string{"English", "中文", "admin", "No. 8", "共决测试小区", "上海市测试路 1 号", "春晖花园", "桂花苑", "Riverside Gardens", "Osmanthus Court", c.username}
		if foreign := testtool.ForeignScript(c.english, page, allowed...); len(foreign) > 0 {
			t.Errorf("%s: the page shows the other language: %q", admin.name, foreign)
		}
		if c.phone {
			admin.meetsPhoneSizes("the estates page")
		}

		committee := newPerson(t, root, "committee-"+c.username, s.URL, nil)
		committee.login(c.username, "first-password-2026")
		committee.expect("body", c.estate)
	}
}

// evalString runs JavaScript in the page and returns its string result.
func (p *person) evalString(what, js string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// awaitReload waits for a page the last action reloads to show text in
// selector; reading while it navigates is tried again.
func (p *person) awaitReload(selector, text string) {
	p.t.Helper()
	js := `(() => { const n = document.querySelector(` + "`" + selector + "`" + `); return n ? n.innerText : ''; })()`
	for deadline := time.Now().Add(stepTimeout); ; time.Sleep(200 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		cancel()
		if err == nil && strings.Contains(v, text) {
			return
		}
		if time.Now().After(deadline) {
			p.fail("waiting for "+text+" in "+selector+" after the reload", err)
		}
	}
}
