package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestNextRoundFromTheResult: a vote that did not pass offers the next
// round on its result page; the new-vote form starts from it as round 2
// with its matters, and the draft saved follows it (previous_id, round),
// at desktop and phone sizes, in Chinese and English.
func TestNextRoundFromTheResult(t *testing.T) {
	site := startSite(t)
	id := closedVote(t, site, "1-1-101") // one of three took part: not passed
	root, shot := startWalk(t)
	for _, w := range []struct {
		name, lang, note string
		phone            bool
	}{
		{"desktop-zh", "zh", "名册和表决范围沿用上一轮", false},
		{"phone-zh", "zh", "名册和表决范围沿用上一轮", true},
		{"desktop-en", "en", "the roll and scope carry over", false},
		{"phone-en", "en", "the roll and scope carry over", true},
	} {
		com := newPerson(t, root, "committee-"+w.name, site.URL, shot)
		if w.phone {
			com.asPhone()
		}
		com.login("committee", password)
		com.open(fmt.Sprintf("/console/consultations/%d/result?lang=%s", id, w.lang), "#next-round")
		if w.phone {
			com.meetsPhoneSizes("the result page (" + w.name + ")")
		}
		com.do("launching the next round", chromedp.Click(chromedp.CSS("#next-round-link")), chromedp.WaitVisible(chromedp.CSS("#next-round-note")))
		com.expect("#next-round-note", "2", "是否同意更换门禁系统", w.note)
		com.do("the form filled in", chromedp.PollFunction[chromedp.Void](`() => document.getElementById('c-title').value !== ''`, chromedp.WithPollingTimeout(10*time.Second)))
		if v := com.value("#c-title"); v != "是否同意更换门禁系统" {
			t.Fatalf("%s: the next round's form starts with title %q", w.name, v)
		}
		if v := com.value("#matters .m-title"); v != "是否同意更换门禁系统" {
			t.Fatalf("%s: the next round's first matter is %q", w.name, v)
		}
		if w.phone {
			com.meetsPhoneSizes("the next round's form (" + w.name + ")")
		}
		shot.take(com, "next-round-"+w.name)
		com.do("previewing", chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#draft-button")))
		com.do("saving the draft", chromedp.Click(chromedp.CSS("#draft-button")), chromedp.Sleep(time.Second),
			chromedp.WaitVisible(chromedp.CSS("#turnout, .crumbs")))
		var round, n int
		if err := site.DB.QueryRow(`SELECT max(round), count(*) FROM consultations WHERE previous_id = $1`, id).Scan(&round, &n); err != nil {
			t.Fatal(err)
		}
		if round != 2 || n == 0 {
			t.Fatalf("%s: the draft saved is round %d of %d following vote %d", w.name, round, n, id)
		}
	}
}
