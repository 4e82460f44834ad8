package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongjue/internal/testtool"
)

// TestProceduresConsole: the committee registers a version of the rules of
// procedure on its page — a threshold looser than Article 278 refused next
// to its field, then a good one — activates it and sees it listed as
// active with its settings explained; a volunteer sees the list without the
// form or the activate button. In Chinese and English, at desktop and
// phone sizes.
func TestProceduresConsole(t *testing.T) {
	site := startSite(t)
	root, shot := startWalk(t)
	original := filepath.Join(t.TempDir(), "rules.pdf")
	if err := os.WriteFile(original, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	version := 0
	for _, w := range []struct {
		name, lang string
		phone      bool
		words      map[string]string
	}{
		{"desktop-zh", "zh", false, procedureWords["zh"]},
		{"phone-zh", "zh", true, procedureWords["zh"]},
		{"desktop-en", "en", false, procedureWords["en"]},
		{"phone-en", "en", true, procedureWords["en"]},
	} {
		com := newPerson(t, root, "committee-"+w.name, site.URL, shot)
		if w.phone {
			com.asPhone()
		}
		com.login("committee", password)
		com.open("/console?lang="+w.lang, "nav")
		com.do("following the nav to the rules", chromedp.Click(chromedp.CSS(`nav a[href="/console/procedures"]`)),
			chromedp.WaitVisible(chromedp.CSS("#procedure-form")))
		if w.phone {
			com.meetsPhoneSizes("the rules of procedure page (" + w.name + ")")
			com.checkLayout("the rules of procedure page (" + w.name + ")")
		}

		major := `#procedure-form fieldset[data-field="settings.thresholds.major"]`
		com.do("a major approval looser than Article 278",
			chromedp.SetUploadFiles(chromedp.CSS("#procedure-original"), []string{original}),
			chromedp.SendKeys(chromedp.CSS(`input[data-field="settings.thresholds.major.approval.area"]`), "1/2"),
			chromedp.Click(chromedp.CSS("#procedure-submit")))
		com.expect(major+" + .field-error", w.words["looser"])
		shot.take(com, "procedures-refused-"+w.name)
		com.noForeignScript(w.lang == "en", "the refused form")

		com.eval("a strict enough approval", `document.querySelector('input[data-field="settings.thresholds.major.approval.area"]').value = '4/5'`)
		com.do("follow the majority, no objection days changed",
			chromedp.Click(chromedp.CSS(`fieldset[data-key="nonresponse"] input[value='"delivered-follow-majority"']`)),
			chromedp.SendKeys(chromedp.CSS("#notice_days"), "10"),
			chromedp.Click(chromedp.CSS("#procedure-submit")))
		version++
		item := "#procedure-" + strconv.Itoa(version)
		com.awaitReload(item+" .procedure-state", w.words["draft"])
		com.expect(item+` li[data-key="nonresponse"]`, w.words["follow"])
		com.expect(item+` li[data-key="thresholds.major"]`, w.words["four-fifths"])
		com.expect(item+` li[data-key="spoiled"] .procedure-default`, w.words["default"])
		com.expect(item+` li[data-key="notice_days"]`, "10")

		com.eval("accepting the confirmation", `window.confirm = function (q) { sessionStorage.asked = q; return true; }`)
		com.do("activating the draft", chromedp.Click(chromedp.CSS(item+" button.activate")))
		com.awaitReload(item+" .procedure-state", w.words["active"])
		com.expect(item, w.words["activated"], "committee")
		if asked := com.evalString("the question", `sessionStorage.asked || ''`); !strings.Contains(asked, w.words["later"]) {
			t.Errorf("%s: activating asked %q, not that only votes opened later apply it", com.name, asked)
		}
		if version > 1 {
			com.expect("#procedure-"+strconv.Itoa(version-1)+" .procedure-state", w.words["superseded"])
		}
		shot.take(com, "procedures-active-"+w.name)
		if w.phone {
			com.meetsPhoneSizes("the rules of procedure page with versions (" + w.name + ")")
			com.checkLayout("the rules of procedure page with versions (" + w.name + ")")
		}
		com.noForeignScript(w.lang == "en", "the page with versions")

		vol := newPerson(t, root, "volunteer-"+w.name, site.URL, shot)
		vol.login("volunteer1", password)
		vol.open("/console/procedures?lang="+w.lang, item)
		vol.expect(item+" .procedure-state", w.words["active"])
		if vol.exists("#procedure-form") || vol.exists("button.activate") {
			t.Errorf("%s: a volunteer is offered to register or activate", vol.name)
		}
	}
}

var procedureWords = map[string]map[string]string{
	"zh": {"looser": "宽松", "draft": "草稿", "active": "生效", "superseded": "已废止", "default": "默认",
		"four-fifths": "五分之四以上", "follow": "送达但未投票的业主视为同意已投票业主的多数意见", "activated": "启用于", "later": "之后开始的表决"},
	"en": {"looser": "looser than Article 278", "draft": "draft", "active": "active", "superseded": "superseded", "default": "default",
		"four-fifths": "at least 4/5", "follow": "deemed to follow the majority", "activated": "Activated", "later": "votes opened later"},
}

// noForeignScript fails when the rules page shows the other language,
// names, file types and the originals' hashes aside.
func (p *person) noForeignScript(english bool, where string) {
	p.t.Helper()
	page := p.evalString(where, `document.documentElement.outerHTML`)
	hashes := evalValue[[]string](p, "the originals' hashes", `[...document.querySelectorAll('code.hash')].map(n => n.textContent)`)
	allowed := append(hashes, "English", "中文", "共决测试小区", "上海市测试路 1 号", "committee", "SHA-256", "PDF", "JPEG", "PNG", "QR", "SMS", "ID")
	if foreign := testtool.ForeignScript(english, page, allowed...); len(foreign) > 0 {
		p.t.Errorf("%s: %s shows the other language: %q", p.name, where, foreign)
	}
}
