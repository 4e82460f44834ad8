package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	qrcode "github.com/skip2/go-qrcode"

	"gongjue/postgres"
	"gongjue/procedure"
)

// aidsRoll is six flats, one per walk of the test and spares.
const aidsRoll = "楼栋,单元,房号,区域,楼层,建筑面积,业主\n" +
	"1,1,101,多层,1,90.01,业主甲\n1,1,102,多层,1,88.50,业主乙\n1,1,201,多层,2,90.01,业主丙\n" +
	"1,1,202,多层,2,88.50,业主丁\n1,1,301,多层,3,90.01,业主戊\n1,1,302,多层,3,88.50,业主己\n"

// aidsTitle has a run without a break opportunity, which a card must wrap.
const aidsTitle = "是否同意使用专项维修资金更换1号楼至3号楼全部电梯（预算编号WX2026000123456789ABCDEFGH）"

// openedBallot is a ballot as opening a vote lists it.
type openedBallot struct{ Unit, Code, URL string }

// openVoteWith imports roll, registers and activates rules of procedure of
// settings (§3.6 JSON), creates the consultation and opens it, returning
// its id and its ballots by unit.
func openVoteWith(t *testing.T, s *site, roll, settings string, consultation map[string]any) (int64, map[string]openedBallot) {
	t.Helper()
	var login struct{ Token string }
	apiCall(t, s.URL, "", http.MethodPost, "/api/v1/auth/login", map[string]string{"username": "committee", "password": password}, &login)
	importRoll(t, s, login.Token, roll)
	var created struct{ ID int64 }
	apiCall(t, s.URL, login.Token, http.MethodPost, fmt.Sprintf("/api/v1/communities/%d/consultations", s.CommunityID), consultation, &created)
	// The rules of procedure, frozen when the vote opens.
	activateRules(t, s, settings)
	var opened struct{ Ballots []openedBallot }
	apiCall(t, s.URL, login.Token, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/open", created.ID), nil, &opened)
	out := map[string]openedBallot{}
	for _, b := range opened.Ballots {
		out[b.Unit] = b
	}
	return created.ID, out
}

// activateRules registers settings as the estate's rules of procedure and
// activates them, as the committee does before opening a vote.
func activateRules(t *testing.T, s *site, settings string) {
	t.Helper()
	var committee int64
	if err := s.DB.Get(&committee, `SELECT id FROM accounts WHERE username = 'committee'`); err != nil {
		t.Fatal(err)
	}
	parsed, defaulted, err := procedure.Parse([]byte(settings))
	if err != nil {
		t.Fatal(err)
	}
	version, err := postgres.CreateProcedure(context.Background(), s.DB, s.CommunityID, parsed, defaulted, []byte("%PDF-1.4 议事规则"), "application/pdf", committee)
	if err == nil {
		err = postgres.ActivateProcedure(context.Background(), s.DB, s.CommunityID, version, committee)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// openAidsVote opens a vote with an explanation, a long-titled matter and
// an election whose candidates are not in code-point order.
func openAidsVote(t *testing.T, s *site) (int64, map[string]openedBallot) {
	t.Helper()
	return openVoteWith(t, s, aidsRoll, `{}`, map[string]any{
		"title": "2026 年电梯更新表决", "description": "更换方案及报价已张贴在各单元门厅，业主可到物业服务中心查阅。",
		"opens_at": time.Now().Add(-time.Minute).Format(time.RFC3339), "closes_at": time.Now().Add(time.Hour).Format(time.RFC3339),
		"matters": []map[string]any{
			{"title": aidsTitle, "kind": "approve", "rules": "ordinary"},
			{"title": "选举电梯更新监督小组成员", "kind": "election", "rules": "ordinary", "options": []string{"钱七", "王五", "赵六"}, "seats": 2},
		},
	})
}

// evalValue runs JavaScript in the page and returns its value.
func evalValue[T any](p *person, what, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// layoutJS lists matter titles running past their card and unit ids or
// areas split across lines.
const layoutJS = `(() => {
  const bad = [];
  for (const l of document.querySelectorAll('fieldset legend, .vote-summary-title')) {
    const box = l.closest('fieldset, .vote-card, main').getBoundingClientRect();
    if (l.getBoundingClientRect().right > box.right + 0.5 || l.scrollWidth > l.clientWidth + 1) bad.push('title past its card: ' + l.innerText.slice(0, 30));
  }
  for (const f of document.querySelectorAll('fieldset')) {
    const card = f.parentElement.closest('.card, .vote-card, form, main').getBoundingClientRect();
    if (f.getBoundingClientRect().right > card.right + 0.5) bad.push('card past its box: ' + f.innerText.slice(0, 30));
  }
  for (const n of document.querySelectorAll('.nowrap')) {
    const tops = new Set([...n.getClientRects()].map(r => Math.round(r.top)));
    if (tops.size > 1) bad.push('split across lines: ' + n.innerText);
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) bad.push('the page scrolls sideways: ' + document.documentElement.scrollWidth);
  return bad;
})()`

func (p *person) checkLayout(step string) {
	p.t.Helper()
	bad := evalValue[[]string](p, "layout of "+step, layoutJS)
	if len(bad) > 0 {
		p.t.Errorf("%s: %s:\n  %s", p.name, step, strings.Join(bad, "\n  "))
	}
}

// checkPage checks a step's layout and sizes and takes its screenshot.
func (p *person) checkPage(step, shotName string) {
	p.t.Helper()
	p.checkLayout(step)
	p.meetsPhoneSizes(step)
	p.shot.take(p, shotName)
}

// speechStub records what the page asks the browser to say: headless
// Chromium has no voices to hear.
const speechStub = `window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: {
  speak: function (u) { window.__spoken.push({ text: u.text, lang: u.lang }); },
  cancel: function () {}, getVoices: function () { return []; } } });`

type aidsWalk struct {
	lang, query string
	phone       bool
	unit        string
	want        struct {
		explanation, next, confirm, done, candidates, readLang, image, fileName, paperFound, paperVoted, conflict string
	}
}

// TestPhoneAidsAndPaperDesk walks the owner's phone page and the paper
// desk in Chinese and English, on a phone (390×844) and a desktop: the
// explanation shown, titles inside their cards, unit ids and areas whole,
// the text size remembered, the ballot read aloud, candidates in the
// ballot's order on confirm and receipt, the receipt saved as a picture or
// sent to oneself; at the desk, a code's unit shown before entering, a
// unit that voted online warned of, and conflicting entries flagged. Every
// page is measured against the vote page's sizes.
func TestPhoneAidsAndPaperDesk(t *testing.T) {
	s := startSite(t)
	id, ballots := openAidsVote(t, s)
	root := startBrowser(t, context.Background())
	shot := newShots(t)
	zh := aidsWalk{lang: "zh", query: ""}
	zh.want.explanation, zh.want.next, zh.want.confirm, zh.want.done = "更换方案及报价已张贴", "下一步", "请核对您的选择", "投票成功"
	zh.want.candidates, zh.want.readLang, zh.want.image, zh.want.fileName = "钱七、王五", "zh-CN", "保存回执图片", "共决回执"
	zh.want.paperFound, zh.want.paperVoted, zh.want.conflict = "这张选票属于房屋", "投票（在线投票），这张纸质票不会计入", "冲突：同一房屋还有 1 条待确认的录入"
	en := aidsWalk{lang: "en", query: "?lang=en"}
	en.want.explanation, en.want.next, en.want.confirm, en.want.done = "更换方案及报价已张贴", "Next", "Please check your choices", "Your vote is counted"
	en.want.candidates, en.want.readLang, en.want.image, en.want.fileName = "钱七, 王五", "en-GB", "Save the receipt as a picture", "gongjue-receipt"
	en.want.paperFound, en.want.paperVoted, en.want.conflict = "This ballot belongs to unit", "(online): this paper ballot will not count", "Conflict: 1 other entries await confirmation"
	walks := []aidsWalk{zh, en, zh, en}
	for i, unit := range []string{"1-1-101", "1-1-102", "1-1-201", "1-1-202"} {
		walks[i].unit = unit
		walks[i].phone = i < 2
	}
	for _, w := range walks {
		size := "desktop"
		if w.phone {
			size = "phone"
		}
		name := w.lang + "-" + size
		t.Run(name, func(t *testing.T) {
			b := ballots[w.unit]
			owner := newPerson(t, root, "owner-"+name, s.URL, shot)
			if w.phone {
				owner.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
			}
			if _, err := chromedp.Call(owner.ctx, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: speechStub}); err != nil {
				t.Fatal(err)
			}
			owner.do("opening the ballot", chromedp.Navigate(b.URL+w.query), chromedp.WaitVisible(chromedp.CSS("#ballot-form")))
			owner.expect("#vote-intro", w.want.explanation)
			owner.expect("#vote-unit", w.unit)
			owner.expect("main", map[bool]string{true: "90.01 m²", false: "88.50 m²"}[strings.HasSuffix(w.unit, "1")], "WX2026000123456789ABCDEFGH")
			owner.checkPage("the ballot", "aids-ballot-"+name)

			// The largest text, remembered on a reload.
			owner.do("largest text", chromedp.Click(chromedp.CSS(`[data-text-size="3"]`)))
			owner.do("reloading", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#ballot-form")))
			fontSize := evalValue[string](owner, "reading the text size", `getComputedStyle(document.documentElement).fontSize`)
			if fontSize != "26px" {
				t.Errorf("the text size is not remembered: %s", fontSize)
			}
			owner.checkPage("the ballot in the largest text", "aids-ballot-largest-"+name)
			owner.do("normal text", chromedp.Click(chromedp.CSS(`[data-text-size="1"]`)))

			// Read aloud: the whole ballot, in the page's language.
			owner.do("read aloud", chromedp.Click(chromedp.CSS("#vote-read")))
			spoken := evalValue[[]struct{ Text, Lang string }](owner, "what was said", `window.__spoken`)
			said := ""
			for _, u := range spoken {
				if u.Lang != w.want.readLang {
					t.Errorf("read aloud in %q, not %q", u.Lang, w.want.readLang)
				}
				said += u.Text + "\n"
			}
			for _, want := range []string{"2026 年电梯更新表决", w.unit, w.want.explanation, "选举电梯更新监督小组成员", "王五"} {
				if !strings.Contains(said, want) {
					t.Errorf("read aloud without %q:\n%s", want, said)
				}
			}

			// Candidates ticked out of the ballot's order come back in it.
			owner.eval("choosing", `(function () {
				const fs = document.querySelectorAll('#ballot-form fieldset');
				fs[0].querySelector('input').click();
				const pick = n => [...fs[1].querySelectorAll('label')].find(l => l.innerText.trim() === n).querySelector('input').click();
				pick('王五'); pick('钱七');
			})()`)
			owner.expect("#vote-next", w.want.next)
			owner.do("next", chromedp.Click(chromedp.CSS("#vote-next")), chromedp.WaitVisible(chromedp.CSS("#vote-cast")))
			owner.expect("main", w.want.confirm)
			owner.expect(".vote-summary", w.want.candidates)
			owner.checkPage("the confirmation", "aids-confirm-"+name)
			owner.do("casting", chromedp.Click(chromedp.CSS("#vote-cast")), chromedp.WaitVisible(chromedp.CSS("#receipt")))
			owner.expect("main", w.want.done)
			owner.expect("#vote-recorded", w.want.candidates)
			owner.checkPage("the receipt", "aids-receipt-"+name)

			// The receipt kept: a picture, and a message to oneself.
			receipt := owner.text("#receipt")
			owner.expect("#receipt-keep", w.want.image)
			img := owner.download("the receipt picture", "#receipt-image")
			if pic, err := png.Decode(bytes.NewReader(img)); err != nil || pic.Bounds().Dx() < 700 || pic.Bounds().Dy() < 300 {
				t.Errorf("the receipt picture: %v (%d bytes)", err, len(img))
			}
			send := evalValue[struct {
				Share bool
				Mail  string
				SMS   string
			}](owner, "the message", `({ share: !document.getElementById('receipt-share').hidden, mail: document.getElementById('receipt-mail').href, sms: document.getElementById('receipt-sms').href })`)
			if !send.Share && (!strings.HasPrefix(send.Mail, "mailto:") || !strings.Contains(send.Mail, receipt) || !strings.HasPrefix(send.SMS, "sms:") || !strings.Contains(send.SMS, receipt)) {
				t.Errorf("no way to send the receipt %s to oneself: %+v", receipt, send)
			}
			if strings.Contains(send.Mail, "%E7%8E%8B%E4%BA%94") { // 王五
				t.Errorf("the message carries the choices: %s", send.Mail)
			}

			// The paper desk: the voted unit warned of, another unit's code
			// shown with its unit, conflicting entries flagged.
			vol := newPerson(t, root, "volunteer-"+name, s.URL, shot)
			if w.phone {
				vol.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
			}
			vol.login("volunteer1", password)
			vol.open(fmt.Sprintf("/console/consultations/%d/paper%s", id, w.query), "#paper-form")
			vol.do("typing the voted unit's code", chromedp.SendKeys(chromedp.CSS("#paper-ref"), b.Code+"\t"))
			vol.expect("#paper-unit", w.want.paperFound, w.unit, w.want.paperVoted)
			shot.take(vol, "aids-paper-voted-"+name)
			other := ballots[map[string]string{"zh": "1-1-301", "en": "1-1-302"}[w.lang]]
			enter := func() {
				vol.eval("clearing", `document.getElementById('paper-ref').value = ''`)
				vol.do("typing another code", chromedp.SendKeys(chromedp.CSS("#paper-ref"), other.Code+"\t"))
				vol.expect("#paper-unit", w.want.paperFound, other.Unit)
			}
			enter()
			vol.checkPage("the paper desk", "aids-paper-found-"+name)
			if w.phone {
				// Two entries of one unit: the queue flags them.
				for range 2 {
					enter()
					vol.do("a spoiled ballot", chromedp.Click(chromedp.CSS("#paper-spoiled")),
						chromedp.SetValue(chromedp.CSS("#spoiled-reason"), "unreadable"), chromedp.Click(chromedp.CSS("#paper-submit")),
						chromedp.WaitVisible(chromedp.CSS("#paper-ok")))
				}
				vol.expectWithin(15*time.Second, "#paper-queue", w.want.conflict)
				vol.meetsPhoneSizes("the paper desk's queue")
				shot.take(vol, "aids-paper-conflict-"+name)
			}
		})
	}
}

// qrVideo writes a Y4M video whose frames show a QR code of text, for
// Chromium's fake camera.
func qrVideo(t *testing.T, text string) string {
	t.Helper()
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	const w, h, side = 640, 480, 400
	code := q.Image(side)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	for range 10 {
		buf.WriteString("FRAME\n")
		for y := range h {
			for x := range w {
				luma := byte(255)
				if cx, cy := x-(w-side)/2, y-(h-side)/2; cx >= 0 && cy >= 0 && cx < side && cy < side {
					r, _, _, _ := code.At(cx, cy).RGBA()
					luma = byte(r >> 8)
				}
				buf.WriteByte(luma)
			}
		}
		buf.Write(bytes.Repeat([]byte{128}, w*h/2)) // no colour: U and V planes
	}
	file := filepath.Join(t.TempDir(), "qr.y4m")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestPaperDeskCamera: a volunteer's phone scans a returned ballot's QR
// code with the camera (Chromium's fake camera showing the code; its
// browser has no BarcodeDetector, so jsQR decodes) and the desk shows the
// unit before the choices are entered, in Chinese and English.
func TestPaperDeskCamera(t *testing.T) {
	s := startSite(t)
	id, ballots := openAidsVote(t, s)
	b := ballots["1-1-301"]
	root := startBrowser(t, context.Background(),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", qrVideo(t, b.URL)))
	shot := newShots(t)
	for _, lang := range []struct{ query, scan, found string }{
		{"", "用相机扫描二维码", "这张选票属于房屋"},
		{"?lang=en", "Scan the QR code with the camera", "This ballot belongs to unit"},
	} {
		vol := newPerson(t, root, "volunteer-camera"+lang.query, s.URL, shot)
		vol.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
		vol.login("volunteer1", password)
		vol.open(fmt.Sprintf("/console/consultations/%d/paper%s", id, lang.query), "#paper-form")
		vol.expect("#paper-camera", lang.scan)
		vol.do("scanning", chromedp.Click(chromedp.CSS("#paper-camera-button")))
		vol.expectWithin(20*time.Second, "#paper-unit", lang.found)
		vol.expect("#paper-unit", b.Unit)
		if got := vol.value("#paper-ref"); got != b.URL {
			t.Errorf("the scan typed %q, not the ballot's link %q", got, b.URL)
		}
		if shown := evalValue[bool](vol, "the camera closed", `!document.getElementById('paper-video').hidden`); shown {
			t.Error("the camera stays on after the scan")
		}
		vol.meetsPhoneSizes("the paper desk after a scan")
		shot.take(vol, "paper-camera-scan"+lang.query)
	}
}
