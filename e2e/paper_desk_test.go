package e2e

import (
	"bytes"
	"context"
	"fmt"
	"gongjue/locale"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// scanFile writes a small real PNG, as a phone's photo of a ballot would
// be, and returns its path.
func scanFile(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for x := 0; x < 60; x++ {
		img.Set(x, 20, color.Black)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ballot-scan.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPaperDeskEvidence walks the paper desk in Chromium under rules that
// allow one unit per proxy and require the signed authorisation: a ballot
// entered with its scan, a spoiled one with its reason, a proxy's without
// the authorisation; the second volunteer sees the scan beside the entry,
// "无原件" beside the one without, the reason, and is refused confirming
// the proxy's entry until the authorisation is attached.
func TestPaperDeskEvidence(t *testing.T) {
	s := startSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root := startBrowser(t, ctx)
	shot := newShots(t)
	id, links := openVote(t, s, `{"proxies": {"allowed": true, "max_units": 1, "authorisation_required": true}}`)
	desk := fmt.Sprintf("/console/consultations/%d/paper", id)
	scan := scanFile(t)

	vol1 := newPerson(t, root, "volunteer1", s.URL, shot)
	vol1.login("volunteer1", password)
	vol1.open(desk, "#paper-form")
	vol1.do("entering 1-1-101 with its scan",
		chromedp.SendKeys(chromedp.CSS("#paper-ref"), links["1-1-101"]),
		chromedp.Click(chromedp.CSS(`#paper-choices input[value="agree"]`)),
		chromedp.SetUploadFiles(chromedp.CSS("#paper-scan"), []string{scan}),
		chromedp.Click(chromedp.CSS("#paper-submit")))
	vol1.expect("#paper-ok", "已录入房屋 1-1-101")
	vol1.do("entering 1-1-102 as spoiled",
		chromedp.SendKeys(chromedp.CSS("#paper-ref"), links["1-1-102"]),
		chromedp.Click(chromedp.CSS("#paper-spoiled")),
		chromedp.WaitVisible(chromedp.CSS("#spoiled-reason")),
		chromedp.SetValue(chromedp.CSS("#spoiled-reason"), "several_choices"),
		chromedp.SendKeys(chromedp.CSS("#spoiled-note"), "两项都勾了"),
		chromedp.Click(chromedp.CSS("#paper-submit")))
	vol1.expect("#paper-ok", "已录入房屋 1-1-102")
	vol1.do("entering 1-1-201 by a proxy",
		chromedp.SendKeys(chromedp.CSS("#paper-ref"), links["1-1-201"]),
		chromedp.Click(chromedp.CSS(`#paper-choices input[value="oppose"]`)),
		chromedp.Click(chromedp.CSS("#paper-proxy")),
		chromedp.WaitVisible(chromedp.CSS("#proxy-name")),
		chromedp.SendKeys(chromedp.CSS("#proxy-name"), "李四"),
		chromedp.SendKeys(chromedp.CSS("#proxy-id"), verificationIDs["1-1-102"]),
		chromedp.SendKeys(chromedp.CSS("#proxy-auth"), "委托书第 1 号"),
		chromedp.Click(chromedp.CSS("#paper-submit")))
	vol1.expect("#paper-ok", "已录入房屋 1-1-201")
	shot.take(vol1, "paper-evidence-entered")

	entry := map[string]int64{}
	rows, err := s.DB.Query(`SELECT unit_id, id FROM paper_entries WHERE consultation_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var unit string
		var e int64
		rows.Scan(&unit, &e)
		entry[unit] = e
	}
	rows.Close()
	var stored int
	s.DB.Get(&stored, `SELECT count(*) FROM paper_entries WHERE proxy_key = $1 OR proxy_authorisation LIKE '%' || $1 || '%'`, verificationIDs["1-1-102"])
	if len(entry) != 3 || stored != 0 {
		t.Fatalf("entries %v; the proxy's ID number stored %d times", entry, stored)
	}

	vol2 := newPerson(t, root, "volunteer2", s.URL, shot)
	vol2.login("volunteer2", password)
	vol2.open(desk, "#paper-queue")
	vol2.expect(fmt.Sprintf("#entry-%d", entry["1-1-101"]), "SHA-256")
	vol2.expect(fmt.Sprintf("#entry-%d", entry["1-1-102"]), "废票原因：一项勾选多个：两项都勾了", "无原件")
	vol2.expect(fmt.Sprintf("#entry-%d", entry["1-1-201"]), "委托代理人：李四", "无原件")
	loaded, err := chromedp.Run(vol2.ctx, chromedp.PollFunction[bool](fmt.Sprintf(
		`() => { const i = document.querySelector('#entry-%d .qe-original img'); return !!i && i.complete && i.naturalWidth === 60; }`, entry["1-1-101"]),
		chromedp.WithPollingTimeout(stepTimeout)))
	if err != nil || !loaded {
		t.Fatalf("the scan is not shown beside the entry: %v", err)
	}
	shot.take(vol2, "paper-evidence-queue")
	vol2.do("confirming the proxy's entry", chromedp.Click(chromedp.CSS(fmt.Sprintf("#entry-%d button.ok-button", entry["1-1-201"]))))
	vol2.expect(fmt.Sprintf("#entry-%d .form-error", entry["1-1-201"]), "授权委托书")
	// The entering volunteer attaches the authorisation from the queue;
	// then the proxy's ballot is confirmed.
	vol1.open(desk, fmt.Sprintf("#authorisation-%d", entry["1-1-201"]))
	vol1.do("attaching the authorisation",
		chromedp.SetUploadFiles(chromedp.CSS(fmt.Sprintf("#authorisation-%d", entry["1-1-201"])), []string{scan}),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#upload-authorisation-%d", entry["1-1-201"]))))
	vol1.expect(fmt.Sprintf("#entry-%d", entry["1-1-201"]), "授权委托书原件")
	vol2.open(desk, fmt.Sprintf("#entry-%d button.ok-button", entry["1-1-201"]))
	vol2.do("confirming the proxy's entry again", chromedp.Click(chromedp.CSS(fmt.Sprintf("#entry-%d button.ok-button", entry["1-1-201"]))))
	vol2.expect("#paper-queue", locale.Channel("proxy").ZH+" 1")
	vol2.do("confirming the scanned entry", chromedp.Click(chromedp.CSS(fmt.Sprintf("#entry-%d button.ok-button", entry["1-1-101"]))))
	vol2.expect("#paper-queue", locale.Channel("paper").ZH+" 1")
	var channel string
	if err := s.DB.Get(&channel, `SELECT channel FROM casts WHERE consultation_id = $1 AND unit_id = '1-1-101'`, id); err != nil || channel != "paper" {
		t.Fatalf("the confirmed entry: %q %v", channel, err)
	}
	if err := s.DB.Get(&channel, `SELECT channel FROM casts WHERE consultation_id = $1 AND unit_id = '1-1-201'`, id); err != nil || channel != "proxy" {
		t.Fatalf("the proxy's entry: %q %v", channel, err)
	}
}
