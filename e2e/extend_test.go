package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongjue/locale"
)

// TestExtendFromTheConsole: at its deadline, with fewer than half taking
// part, the committee extends an open vote from its page, which says why it
// may; after the extension the page says from when the next one may be
// decided. At desktop and phone sizes, in Chinese and English.
func TestExtendFromTheConsole(t *testing.T) {
	site := startSite(t)
	openVerifiedVote(t, site, "none")
	var id int64
	if err := site.DB.Get(&id, `SELECT id FROM consultations ORDER BY id DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	root, shot := startWalk(t)
	for _, w := range []struct {
		name, lang     string
		phone          bool
		allowed, early string
	}{
		{"desktop-zh", "zh", false, "参与不足半数，可以延期", "延期须在截止时决定"},
		{"phone-zh", "zh", true, "参与不足半数，可以延期", "延期须在截止时决定"},
		{"desktop-en", "en", false, "Fewer than half have taken part, so the vote may be extended", "An extension is decided at the deadline"},
		{"phone-en", "en", true, "Fewer than half have taken part, so the vote may be extended", "An extension is decided at the deadline"},
	} {
		if _, err := site.DB.Exec(`UPDATE consultations SET closes_at = now() + interval '1 hour' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		com := newPerson(t, root, "committee-"+w.name, site.URL, shot)
		if w.phone {
			com.asPhone()
		}
		com.login("committee", password)
		page := fmt.Sprintf("/console/consultations/%d?lang=%s", id, w.lang)
		com.open(page, "#extend")
		com.expect("#extend-why", w.allowed, "0%")
		if w.phone {
			com.meetsPhoneSizes("the vote's page with its extend button (" + w.name + ")")
		}
		shot.take(com, "extend-allowed-"+w.name)
		newClose := time.Now().Add(49 * time.Hour).In(locale.China).Format("2006-01-02T15:04")
		com.eval("choosing the new closing time", `document.getElementById('extend-closes').value = '`+newClose+`'`)
		com.eval("marking the page", `window.beforeExtending = true`)
		com.do("extending", chromedp.Click(chromedp.CSS("#extend-submit")), chromedp.Sleep(2*time.Second),
			chromedp.WaitVisible(chromedp.CSS("#extend")))
		com.do("the page reloaded", chromedp.PollFunction[chromedp.Void](`() => !window.beforeExtending`, chromedp.WithPollingTimeout(stepTimeout)))
		com.expect("#extend-why", w.early)
		com.expect("main", newClose[11:]) // the page shows the new closing time
		shot.take(com, "extend-too-early-"+w.name)
	}
	var n int
	if err := site.DB.Get(&n, `SELECT count(*) FROM audit_entries WHERE action = 'consultation.extend'`); err != nil || n != 4 {
		t.Fatalf("%d extensions audited, want 4 (%v)", n, err)
	}
}
