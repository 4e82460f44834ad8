package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// estateWithStricterRules is a site whose roll is verificationRoll and
// whose active rules of procedure ask 3/4 participation of ordinary
// matters, stricter than Article 278's 2/3.
func estateWithStricterRules(t *testing.T) *site {
	t.Helper()
	s := startSite(t)
	var login struct{ Token string }
	apiCall(t, s.URL, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "committee", "password": password}, &login)
	importRoll(t, s, login.Token, verificationRoll())
	activateRules(t, s, `{"thresholds": {"ordinary": {"participation": {"area": "3/4", "headcount": "3/4"}, "approval": {"area": ">1/2", "headcount": ">1/2"}}}}`)
	return s
}

// newVoteForm is the committee on the new-vote form, in lang, on a phone
// or a desk.
func newVoteForm(t *testing.T, root context.Context, site *site, shot *shots, name, lang string, phone bool) *person {
	t.Helper()
	com := newPerson(t, root, "committee-"+name, site.URL, shot)
	if phone {
		com.asPhone()
	}
	com.login("committee", password)
	com.open("/console/consultations/new?lang="+lang, "#consultation-form")
	return com
}

// TestCustomRuleInTheNewVoteForm: a matter's custom rule starts from the
// estate's frozen thresholds, shows what it asks of the scope while typing,
// says next to the field when it is looser than the estate's rules (live,
// and as the API refuses it on saving), and is saved as written; at desktop
// and phone sizes, in Chinese and English.
func TestCustomRuleInTheNewVoteForm(t *testing.T) {
	site := estateWithStricterRules(t)
	root, shot := startWalk(t)
	for _, w := range []struct {
		name, lang, looser, ruleText string
		phone                        bool
	}{
		{"desktop-zh", "zh", "宽松", "需面积五分之四以上（≥ 216.00 m²），且人数四分之三以上（≥ 3 人）", false},
		{"phone-zh", "zh", "宽松", "需面积五分之四以上（≥ 216.00 m²），且人数四分之三以上（≥ 3 人）", true},
		{"desktop-en", "en", "looser", "needs at least 4/5 of the area (≥ 216.00 m²) and at least 3/4 of the owners (≥ 3 persons)", false},
		{"phone-en", "en", "looser", "needs at least 4/5 of the area (≥ 216.00 m²) and at least 3/4 of the owners (≥ 3 persons)", true},
	} {
		com := newVoteForm(t, root, site, shot, w.name, w.lang, w.phone)
		m := "#matters .matter-form:nth-child(1) "
		setField := func(what, selector, value string) {
			com.do(what, chromedp.SetValue(chromedp.CSS(m+selector), value),
				chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event('input', {bubbles: true})); document.querySelector(%q).dispatchEvent(new Event('change', {bubbles: true}))`, m+selector, m+selector)))
		}
		setField("choosing a custom rule", ".m-rules", "custom")
		com.do("the custom rule's fields", chromedp.WaitVisible(chromedp.CSS(m+`[data-rule="participation.area"]`)))
		if v := com.value(m + `[data-rule="participation.area"]`); v != "3/4" {
			t.Fatalf("%s: the custom rule starts from participation area %q, not the estate's 3/4", w.name, v)
		}
		// Article 278 allows 2/3; the estate's rules do not.
		setField("a participation looser than the estate's", `[data-rule="participation.area"]`, "2/3")
		com.expectWithin(5*time.Second, m+".t-error", w.looser)
		if w.phone {
			com.meetsPhoneSizes("the custom rule refused (" + w.name + ")")
		}
		shot.take(com, "custom-rule-looser-"+w.name)

		// Saving it anyway: the API's refusal lands under the rule's fields.
		com.do("titles", chromedp.SendKeys(chromedp.CSS("#c-title"), "议事规则表决"),
			chromedp.SendKeys(chromedp.CSS(m+".m-title"), "是否同意修订管理规约"),
			chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#draft-button")),
			chromedp.Click(chromedp.CSS("#draft-button")), chromedp.WaitVisible(chromedp.CSS(m+".m-custom-box + .field-error")))
		com.expect(m+".m-custom-box + .field-error", w.looser)

		setField("a participation stricter than the estate's", `[data-rule="participation.area"]`, "4/5")
		com.expectWithin(5*time.Second, m+".t-part", w.ruleText)
		if !com.exists(m + ".t-error[hidden]") {
			t.Fatalf("%s: the allowed custom rule still shows an error: %s", w.name, com.text(m+".t-error"))
		}
		if w.phone {
			com.meetsPhoneSizes("the custom rule (" + w.name + ")")
		}
		shot.take(com, "custom-rule-"+w.name)
		com.do("saving the draft", chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#draft-button")))
		com.expect("#preview", "4/5")
		com.do("saved", chromedp.Click(chromedp.CSS("#draft-button")), chromedp.WaitVisible(chromedp.CSS("#turnout, .crumbs")))
		var area, category string
		if err := site.DB.QueryRow(`SELECT rules->'participation'->>'area', category FROM matters ORDER BY id DESC LIMIT 1`).Scan(&area, &category); err != nil {
			t.Fatal(err)
		}
		if area != "4/5" || category != "ordinary" {
			t.Fatalf("%s: the matter saved has participation area %q, category %q", w.name, area, category)
		}
	}
}
