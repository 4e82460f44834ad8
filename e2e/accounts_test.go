package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"gongjue/postgres"
	"gongjue/staff"
)

// TestAccountsConsole: the committee resets a volunteer's password and
// deactivates another on the accounts page, at desktop and phone sizes, in
// Chinese and English; the volunteers are logged out at once.
func TestAccountsConsole(t *testing.T) {
	site := startSite(t)
	root, shot := startWalk(t)
	for _, w := range []struct {
		name, lang string
		phone      bool
		words      map[string]string
	}{
		{"desktop-zh", "zh", false, accountWords["zh"]},
		{"phone-zh", "zh", true, accountWords["zh"]},
		{"desktop-en", "en", false, accountWords["en"]},
		{"phone-en", "en", true, accountWords["en"]},
	} {
		reset, ended := "reset-"+w.name, "ended-"+w.name
		for _, name := range []string{reset, ended} {
			if _, err := postgres.CreateAccount(context.Background(), site.DB, name, password, staff.RoleVolunteer, &site.CommunityID); err != nil {
				t.Fatal(err)
			}
		}
		vol := newPerson(t, root, reset, site.URL, shot)
		vol.login(reset, password)

		com := newPerson(t, root, "committee-"+w.name, site.URL, shot)
		if w.phone {
			com.asPhone()
		}
		com.login("committee", password)
		com.open("/console/accounts?lang="+w.lang, "#accounts")
		row := `#accounts li[data-account="` + reset + `"]`
		com.expect(row, reset, w.words["active"])
		com.expect(`#accounts li[data-account="committee"]`, w.words["self"])
		com.expect(`#accounts li[data-account="residents"]`, w.words["residents"])
		if w.phone {
			com.meetsPhoneSizes("the accounts page (" + w.name + ")")
		}

		com.do("a short new password", chromedp.SendKeys(chromedp.CSS(row+" input[name=password]"), "short"),
			chromedp.Click(chromedp.CSS(row+" button[type=submit]")))
		com.expect(row+" .form-error", w.words["short"])
		com.eval("emptying the password", `document.querySelector('`+row+` input[name=password]').value = ''`)
		com.do("a new password", chromedp.SendKeys(chromedp.CSS(row+" input[name=password]"), "the new password 2026"),
			chromedp.Click(chromedp.CSS(row+" button[type=submit]")))
		com.expect(row+" .form-ok", w.words["reset"])
		shot.take(com, "accounts-reset-"+w.name)
		vol.open("/console", "#username") // logged out by the reset
		vol.login(reset, "the new password 2026")

		row = `#accounts li[data-account="` + ended + `"]`
		com.do("deactivating", chromedp.Click(chromedp.CSS(row+" button.danger")))
		com.expect(row, w.words["deactivated"])
		shot.take(com, "accounts-deactivated-"+w.name)
		if w.phone {
			com.meetsPhoneSizes("the accounts page after deactivating (" + w.name + ")")
		}
		gone := newPerson(t, root, ended, site.URL, shot)
		gone.open("/login?lang="+w.lang, "#username")
		gone.do("logging in deactivated", chromedp.SendKeys(chromedp.CSS("#username"), ended),
			chromedp.SendKeys(chromedp.CSS("#password"), password), chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#login-error")))
		gone.expect("#login-error", w.words["refused"])
	}
}

// accountWords are what the accounts page and the login say, per language.
var accountWords = map[string]map[string]string{
	"zh": {"active": "在用", "self": "您正在使用的账号", "residents": "由平台管理员办理", "short": "至少 8",
		"reset": "密码已重设", "deactivated": "已停用", "refused": "账号已停用"},
	"en": {"active": "active", "self": "the account you are using", "residents": "The platform admin", "short": "at least 8",
		"reset": "The password is reset", "deactivated": "deactivated", "refused": "deactivated"},
}
