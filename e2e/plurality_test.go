package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPluralityChoiceMatter: a choice matter may be put by plurality, the
// form saying it is advisory; a major matter put so is refused next to the
// control; an ordinary one is saved as plurality; at desktop and phone
// sizes, in Chinese and English.
func TestPluralityChoiceMatter(t *testing.T) {
	site := estateWithStricterRules(t)
	root, shot := startWalk(t)
	for _, w := range []struct {
		name, lang, advisory, refused, preview string
		phone                                  bool
	}{
		{"desktop-zh", "zh", "结果只供参考，不构成业主大会的决定", "重大事项不能以相对多数决定", "相对多数，仅作征询", false},
		{"phone-zh", "zh", "结果只供参考，不构成业主大会的决定", "重大事项不能以相对多数决定", "相对多数，仅作征询", true},
		{"desktop-en", "en", "The result is advisory only, not a decision of the owners' assembly", "a major matter cannot be decided by plurality", "plurality, advisory only", false},
		{"phone-en", "en", "The result is advisory only, not a decision of the owners' assembly", "a major matter cannot be decided by plurality", "plurality, advisory only", true},
	} {
		com := newVoteForm(t, root, site, shot, w.name, w.lang, w.phone)
		m := "#matters .matter-form:nth-child(1) "
		if com.exists(m + ".m-mode-box:not([hidden])") {
			t.Fatalf("%s: an approve matter offers plurality", w.name)
		}
		com.do("a choice matter by plurality",
			chromedp.SendKeys(chromedp.CSS("#c-title"), "小区绿化方案征询"),
			chromedp.SendKeys(chromedp.CSS(m+".m-title"), "您更喜欢哪个绿化方案"),
			chromedp.Click(chromedp.CSS(m+`.m-kinds input[value="choice"]`)),
			chromedp.WaitVisible(chromedp.CSS(m+".m-plurality")),
			chromedp.SendKeys(chromedp.CSS(m+".m-options"), "方案甲\n方案乙"),
			chromedp.Click(chromedp.CSS(m+".m-plurality")),
			chromedp.SetValue(chromedp.CSS(m+".m-rules"), "major"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#matters .m-rules').dispatchEvent(new Event('change', {bubbles: true}))`))
		com.expect(m+".m-mode-box", w.advisory)
		if w.phone {
			com.meetsPhoneSizes("a choice matter by plurality (" + w.name + ")")
		}
		shot.take(com, "plurality-"+w.name)
		com.do("saving a major matter by plurality", chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#draft-button")))
		com.expect("#preview", w.preview)
		com.do("refused", chromedp.Click(chromedp.CSS("#draft-button")), chromedp.WaitVisible(chromedp.CSS(m+".m-mode-box .field-error")))
		com.expect(m+".m-mode-box .field-error", w.refused)

		com.do("an ordinary matter by plurality", chromedp.SetValue(chromedp.CSS(m+".m-rules"), "ordinary"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#matters .m-rules').dispatchEvent(new Event('change', {bubbles: true}))`),
			chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#draft-button")),
			chromedp.Click(chromedp.CSS("#draft-button")), chromedp.WaitVisible(chromedp.CSS("#turnout, .crumbs")))
		var mode string
		if err := site.DB.QueryRow(`SELECT choice_mode FROM matters ORDER BY id DESC LIMIT 1`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "plurality" {
			t.Fatalf("%s: the matter saved has choice mode %q", w.name, mode)
		}
	}
}
