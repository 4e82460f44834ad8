package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

func (p *person) exists(selector string) bool {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q) !== null`, selector)))
	if err != nil {
		p.fail("looking for "+selector, err)
	}
	return ok
}

func TestDeliveryLedgerInTheConsole(t *testing.T) {
	site := startSite(t)
	vote, _ := openVoteWith(t, site, rollCSV(), `{}`, voteBody())
	ledger := fmt.Sprintf("/console/consultations/%d/deliveries", vote)
	records := func() int {
		var n int
		if err := site.DB.Get(&n, `SELECT count(*) FROM deliveries`); err != nil {
			t.Fatal(err)
		}
		return n
	}

	root := startBrowser(t, context.Background())
	shot := newShots(t)

	// A building leader's three receipts of stairwell 1-1, entered by a
	// volunteer at a desk; one without its recipient refuses them all.
	v1 := newPerson(t, root, "volunteer1", site.URL, shot)
	v1.login("volunteer1", password)
	v1.open(ledger, "#delivery-counts")
	v1.expect("#delivery-counts", "已送达", "未送达", "已投票")
	v1.do("choosing stairwell 1-1", chromedp.Click(chromedp.CSS(`#delivery-counts a[href$="building=1&entrance=1"]`)), chromedp.WaitVisible(chromedp.CSS("#bulk-form")))
	row := func(unit string) string { return `#bulk-form tr[data-unit="` + unit + `"] ` }
	v1.do("ticking three receipts",
		chromedp.Click(chromedp.CSS(row("1-1-101")+".bulk-pick")), chromedp.SendKeys(chromedp.CSS(row("1-1-101")+".bulk-recipient"), "业主本人"),
		chromedp.Click(chromedp.CSS(row("1-1-102")+".bulk-pick")), chromedp.SendKeys(chromedp.CSS(row("1-1-102")+".bulk-recipient"), "业主之女 王芳"),
		chromedp.Click(chromedp.CSS(row("1-1-201")+".bulk-pick")),
		chromedp.Click(chromedp.CSS("#bulk-submit")))
	v1.expect("#bulk-form .form-error", "1-1-201", "签收人")
	if n := records(); n != 0 {
		t.Fatalf("a refused stairwell recorded %d deliveries", n)
	}
	shot.take(v1, "deliveries-bulk-refused")
	v1.do("naming the third recipient", chromedp.SendKeys(chromedp.CSS(row("1-1-201")+".bulk-recipient"), "业主配偶 李梅"),
		chromedp.Click(chromedp.CSS("#bulk-submit")), chromedp.WaitVisible(chromedp.CSS(`#done-note[data-kind="recorded"]`)))
	v1.expect("#unit-1-1-201", "已登记，待核验", "业主配偶 李梅", "volunteer1")
	if n := records(); n != 3 {
		t.Fatalf("%d deliveries recorded, want 3", n)
	}
	if v1.exists("#verify-all") {
		t.Error("the recorder is offered to verify their own records")
	}

	// A second volunteer, on a phone in English, rejects one with its
	// reason and verifies the rest at once.
	v2 := newPerson(t, root, "volunteer2", site.URL, shot)
	v2.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	v2.login("volunteer2", password)
	v2.open(ledger+"?building=1&entrance=1&lang=en", "#verify-all")
	v2.expect("#verifiable-count", "3")
	v2.expect("main", "Delivery ledger", "recorded, awaiting check", "Received by")
	if strings.ContainsAny(v2.text("main"), "已待核验送达签收") {
		t.Errorf("the English ledger shows Chinese: %s", v2.text("main"))
	}
	v2.meetsPhoneSizes("the delivery ledger (English)")
	shot.take(v2, "deliveries-phone-english")
	v2.do("opening the rejection", chromedp.Click(chromedp.CSS("#unit-1-1-201 .reject-box summary")),
		chromedp.Click(chromedp.CSS("#unit-1-1-201 .reject-form button[type=submit]")))
	v2.expect("#unit-1-1-201 .reject-form .form-error", "reason")
	v2.do("rejecting with a reason", chromedp.SendKeys(chromedp.CSS("#unit-1-1-201 .reject-form input[name=reason]"), "the receipt is of another flat"),
		chromedp.Click(chromedp.CSS("#unit-1-1-201 .reject-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(`#done-note[data-kind="rejected"]`)))
	v2.expect("#unit-1-1-201", "rejected", "the receipt is of another flat")
	v2.expect("#verifiable-count", "2")
	v2.do("verifying the stairwell", chromedp.Click(chromedp.CSS("#verify-all")), chromedp.WaitVisible(chromedp.CSS(`#done-note[data-kind="verified"]`)))
	v2.expect("#unit-1-1-101", "delivered (checked)")
	v2.expect("#unit-1-1-102", "delivered (checked)")
	if v2.exists("#verify-all") {
		t.Error("verify-all is still offered with nothing left to verify")
	}

	// The recorder adds the signed receipt's photo; a text file is refused.
	dir := t.TempDir()
	receipt, notImage := filepath.Join(dir, "签收单.png"), filepath.Join(dir, "note.txt")
	os.WriteFile(receipt, []byte("\x89PNG\r\n\x1a\n签收单"), 0o644)
	os.WriteFile(notImage, []byte("not an image"), 0o644)
	v1.open(ledger+"?building=1&entrance=1", "#unit-1-1-101 .photo-form")
	v1.do("uploading a text file", chromedp.SetUploadFiles(chromedp.CSS("#unit-1-1-101 .photo-form input[type=file]"), []string{notImage}),
		chromedp.Click(chromedp.CSS("#unit-1-1-101 .photo-form button[type=submit]")))
	v1.expect("#unit-1-1-101 .photo-form .form-error", "PNG")
	v1.do("uploading the receipt", chromedp.SetUploadFiles(chromedp.CSS("#unit-1-1-101 .photo-form input[type=file]"), []string{receipt}),
		chromedp.Click(chromedp.CSS("#unit-1-1-101 .photo-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(`#done-note[data-kind="photo"]`)))
	v1.expect("#unit-1-1-101", "有照片")
	shot.take(v1, "deliveries-desk")

	// The committee sees delivered / not delivered / voted on the
	// consultation page, and the delivery column on the printed list.
	com := newPerson(t, root, "committee", site.URL, shot)
	com.login("committee", password)
	com.open(fmt.Sprintf("/console/consultations/%d", vote), "#delivery-turnout")
	com.expect(`#delivery-turnout tr[data-zone="多层"]`, "12", "2", "10")
	com.open(fmt.Sprintf("/console/consultations/%d?lang=en", vote), "#delivery-turnout")
	com.expect("#turnout", "Delivered and voted", "Not delivered", "Delivery ledger")
	if english := strings.NewReplacer("多层", "", "别墅", "", "商铺", "").Replace(com.text("#delivery-turnout")); regexp.MustCompile(`\p{Han}`).MatchString(english) {
		t.Errorf("the English turnout shows Chinese beyond zone names: %s", english)
	}
	com.open(fmt.Sprintf("/console/consultations/%d/deliveries?building=1&entrance=1&lang=zh", vote), "#ledger")

	// The same ledger in Chinese on a phone.
	phone := newPerson(t, root, "committee-phone", site.URL, shot)
	phone.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	phone.login("committee", password)
	phone.open(ledger+"?building=1&entrance=1&lang=zh", "#ledger")
	phone.expect("#unit-1-1-101", "已核验送达", "签收人：业主本人", "有照片")
	phone.meetsPhoneSizes("the delivery ledger (Chinese)")
	shot.take(phone, "deliveries-phone-chinese")

	com.open(fmt.Sprintf("/console/consultations/%d/missing?building=1&entrance=1", vote), "table.missing")
	com.expect(`table.missing tr[data-unit="1-1-101"] td.delivery`, "当面签收 · 已核验送达")
	com.expect(`table.missing tr[data-unit="1-1-201"] td.delivery`, "已驳回")
	com.expect(`table.missing tr[data-unit="1-1-202"] td.delivery`, "未送达")
	com.expect("table.missing thead", "签收人签字", "日期")
	if _, err := chromedp.Call(com.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	ruled, err := chromedp.Run(com.ctx, chromedp.Evaluate[string](`(() => { const td = document.querySelector('table.missing td.sign-col');
	  const s = getComputedStyle(td); return s.borderLeftStyle + ' ' + Math.round(td.getBoundingClientRect().height) + ' ' +
	  getComputedStyle(document.querySelector('form.filter')).display; })()`))
	if err != nil {
		t.Fatal(err)
	}
	var style string
	var height int
	var filter string
	fmt.Sscan(ruled, &style, &height, &filter)
	if style != "solid" || height < 36 || filter != "none" {
		t.Errorf("printed, the signing cell is %q (want boxed, tall enough to sign, the filter hidden)", ruled)
	}
	shot.take(com, "missing-print")
}
