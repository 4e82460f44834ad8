package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gongjue/internal/testtool"
)

// printA4 prints the person's page as the browser prints it on A4 and
// returns each page's text, read back with pdftotext.
func (p *person) printA4(what string) []string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69})
	if err != nil {
		p.fail("printing "+what, err)
	}
	pdf := res.Data
	if decoded, err := base64.StdEncoding.DecodeString(string(pdf)); err == nil {
		pdf = decoded
	}
	file := filepath.Join(p.t.TempDir(), "print.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		p.t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		p.t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
}

// TestFiguresPagePrints: the result figures print on A4 with the first
// matter on page 1 (not the header alone), every calculation expanded and
// the notice's approval steps left out, in Chinese and English.
func TestFiguresPagePrints(t *testing.T) {
	testtool.Need(t, "pdftotext")
	site := startSite(t)
	id := closedVote(t, site, "1-1-101", "1-1-102")
	root, shot := startWalk(t)
	com := newPerson(t, root, "committee", site.URL, shot)
	com.login("committee", password)
	for _, w := range []struct{ lang, matter, workflow string }{{"zh", "事项 1", "公示须经业主委员会审核"}, {"en", "Matter 1", "The notice is approved by"}} {
		com.open(fmt.Sprintf("/console/consultations/%d/result?lang=%s", id, w.lang), ".matter-result")
		pages := com.printA4("the figures page")
		if !strings.Contains(pages[0], w.matter) {
			t.Errorf("%s: page 1 of %d printed holds no matter:\n%s", w.lang, len(pages), pages[0])
		}
		explanation, err := chromedp.Run(com.ctx, chromedp.Evaluate[string](`document.querySelector('.matter-result .explain-box .explain').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(pages, "\n")
		// The calculation's first line, as the page holds it, is printed.
		first := strings.TrimSpace(strings.SplitN(explanation, "\n", 2)[0])
		if first == "" || !strings.Contains(strings.Join(strings.Fields(all), ""), strings.Join(strings.Fields(first), "")) {
			t.Errorf("%s: the printed figures lack the calculation %q:\n%s", w.lang, first, all)
		}
		if strings.Contains(all, w.workflow) {
			t.Errorf("%s: the notice's approval steps are printed with the figures", w.lang)
		}
		if len(pages) > 2 {
			t.Errorf("%s: one matter of three units prints on %d A4 pages", w.lang, len(pages))
		}
		for i, p := range pages {
			t.Logf("%s page %d: %d characters: %.80q", w.lang, i+1, len(p), strings.Join(strings.Fields(p), " "))
		}
	}
}

// closedVote opens a one-matter vote of three units, casts agree for the
// units named, closes it and returns its id.
func closedVote(t *testing.T, site *site, agreeing ...string) int64 {
	t.Helper()
	links := openVerifiedVote(t, site, "none")
	var id, matter int64
	if err := site.DB.QueryRow(`SELECT c.id, m.id FROM consultations c JOIN matters m ON m.consultation_id = c.id ORDER BY c.id DESC LIMIT 1`).Scan(&id, &matter); err != nil {
		t.Fatal(err)
	}
	for _, unit := range agreeing {
		castOnline(t, site.URL, ballotSheet{URL: links[unit], Unit: unit}, map[string]string{fmt.Sprint(matter): "agree"})
	}
	if _, err := site.DB.Exec(`UPDATE consultations SET closes_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	apiCall(t, site.URL, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "committee", "password": password}, &login)
	apiCall(t, site.URL, login.Token, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/close", id), nil, nil)
	return id
}
