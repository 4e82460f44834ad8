package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongjue/idnumber"
	"gongjue/internal/testtool"
)

// verificationIDs are the ID numbers of three flats' owners, valid, the
// first ending in X.
var verificationIDs = func() map[string]string {
	ids := map[string]string{}
	for i, unit := range []string{"1-1-101", "1-1-102", "1-1-201"} {
		for seq := 0; ; seq++ {
			body := fmt.Sprintf("31011519750607%02d%d", i, seq)
			if c := idnumber.CheckChar(body); (i == 0) == (c == 'X') {
				ids[unit] = body + string(c)
				break
			}
		}
	}
	return ids
}()

// verificationRoll is the roll of those three flats, with mobile phones.
func verificationRoll() string {
	var b strings.Builder
	b.WriteString("楼栋,单元,房号,区域,楼层,建筑面积,业主,证件号,电话\n")
	for i, room := range []string{"101", "102", "201"} {
		fmt.Fprintf(&b, "1,1,%s,多层,%c,90.00,业主%d,%s,1390000000%d\n", room, room[0], i, verificationIDs["1-1-"+room], i)
	}
	return b.String()
}

// apiCall is a JSON request as the committee's tools make it; it must
// succeed.
func apiCall(t *testing.T, base, token, method, path string, body any, out any) {
	t.Helper()
	var rd bytes.Buffer
	if body != nil {
		json.NewEncoder(&rd).Encode(body)
	}
	req, _ := http.NewRequest(method, base+path, &rd)
	req.Header.Set("Content-Type", "application/json")
	if resp := testtool.Send(t, req, token, out); resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
	}
}

// apiUpload posts a file as the multipart field "file"; it must succeed.
func apiUpload(t *testing.T, base, token, path, filename string, content []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if resp := testtool.Send(t, req, token, nil); resp.StatusCode >= 300 {
		t.Fatalf("uploading %s to %s: %d", filename, path, resp.StatusCode)
	}
}

// importRoll imports a roll file through the API as the committee.
func importRoll(t *testing.T, s *site, token, csv string) {
	t.Helper()
	apiUpload(t, s.URL, token, fmt.Sprintf("/api/v1/communities/%d/roll", s.CommunityID), "roll.csv", []byte(csv))
}

// voteBody is a one-matter vote, open from a minute ago for an hour.
func voteBody() map[string]any {
	return map[string]any{
		"title": "是否同意更换门禁系统", "opens_at": time.Now().Add(-time.Minute).Format(time.RFC3339),
		"closes_at": time.Now().Add(time.Hour).Format(time.RFC3339),
		"matters":   []map[string]any{{"title": "是否同意更换门禁系统", "kind": "approve", "rules": "ordinary"}},
	}
}

// openVerifiedVote imports the roll, opens a one-matter vote asking for
// method and returns each unit's ballot link.
func openVerifiedVote(t *testing.T, s *site, method string) map[string]string {
	t.Helper()
	_, links := openVote(t, s, fmt.Sprintf(`{"online_verification": %q}`, method))
	return links
}

// openVote opens voteBody's one-matter vote on the verification roll under
// rules of procedure with settings, returning its id and each unit's
// ballot link.
func openVote(t *testing.T, s *site, settingsJSON string) (int64, map[string]string) {
	t.Helper()
	id, ballots := openVoteWith(t, s, verificationRoll(), settingsJSON, voteBody())
	links := map[string]string{}
	for unit, b := range ballots {
		links[unit] = b.URL
	}
	return id, links
}

// onPhone is an owner's phone (390×844) on a ballot link.
func onPhone(t *testing.T, root context.Context, s *site, shot *shots, name, link string) *person {
	t.Helper()
	owner := newPerson(t, root, name, s.URL, shot)
	owner.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	owner.do("opening the ballot", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#vote-verify")))
	return owner
}

// typeID types an ID number into the verification step, submits it and
// waits for the next page.
func (owner *person) typeID(id string) {
	owner.t.Helper()
	owner.eval("marking the page", `document.body.dataset.stale = '1'; document.querySelector('#id_number').value = ''`)
	owner.do("typing the ID number", chromedp.SendKeys(chromedp.CSS("#id_number"), id), chromedp.Click(chromedp.CSS("#verify-submit")))
	owner.waitReloaded()
}

// TestOwnerVerificationOnThePhone walks §5.2 on the phone page in Chromium:
// the id_number step — a cast refused before it, a wrong number, the
// lock-out after five, the right number (ending in x), the cast — and a
// reload showing 您已投票 without the choice; then the sms step with the
// development sender.
func TestOwnerVerificationOnThePhone(t *testing.T) {
	s := startSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	root := startBrowser(t, ctx)
	shot := newShots(t)
	links := openVerifiedVote(t, s, "id_number")

	owner := onPhone(t, root, s, shot, "owner-id", links["1-1-101"])
	owner.expect("#vote-verify", "核验业主身份", "身份证号")
	if mode, err := chromedp.Run(owner.ctx, chromedp.AttributeValue(chromedp.CSS("#id_number"), "inputmode")); err != nil || mode.Value != "numeric" {
		t.Fatalf("the ID field's keypad: %q %v", mode.Value, err)
	}
	shot.take(owner, "verify-id-phone")
	// A cast posted before the verification is refused.
	status, err := chromedp.Run(owner.ctx, chromedp.Evaluate[int](`fetch(location.pathname, {method: 'POST',
		headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'step=cast'}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != http.StatusForbidden {
		t.Fatalf("casting before verification: %d %v", status, err)
	}
	// Another owner's number: refused, echoed masked, four tries left.
	wrong := verificationIDs["1-1-102"]
	owner.typeID(wrong)
	owner.expect("#verify-error", "与业主名册不符", "4")
	owner.expect("#verify-typed", wrong[:3]+"***********"+wrong[14:])
	shot.take(owner, "verify-id-wrong")
	owner.typeID(wrong[:10])
	owner.expect("#verify-error", "18 位", "10 位")
	for i := 0; i < 4; i++ {
		owner.typeID(wrong)
	}
	owner.expect("#verify-error", "锁定至")
	owner.expect("#verify-locked", "后再试")
	if n, _ := chromedp.Run(owner.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#id_number').length`)); n != 0 {
		t.Fatal("a locked ballot still asks for the ID number")
	}
	shot.take(owner, "verify-id-locked")
	// Fifteen minutes later (moved into the past), the right number.
	s.DB.MustExec(`UPDATE ballot_verifications SET locked_until = now() - interval '1 second'`)
	owner.do("reopening", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#id_number")))
	owner.do("typing the right number", chromedp.SendKeys(chromedp.CSS("#id_number"), strings.ToLower(verificationIDs["1-1-101"])),
		chromedp.Click(chromedp.CSS("#verify-submit")), chromedp.WaitVisible(chromedp.CSS("#ballot-form")))
	owner.chooseAndCast([]string{"反对"})
	shot.take(owner, "verified-receipt-phone")
	owner.do("reloading", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#vote-voted")))
	owner.expect("#vote-voted", "您已投票", "在线投票")
	if text := owner.text("main"); strings.Contains(text, "反对") {
		t.Fatalf("the reloaded page shows the choice:\n%s", text)
	}
	shot.take(owner, "voted-reload-phone")
	var method string
	if err := s.DB.Get(&method, `SELECT verification FROM casts WHERE unit_id = '1-1-101'`); err != nil || method != "id_number" {
		t.Fatalf("the cast recorded %q, %v", method, err)
	}

	// ---- SMS: a second vote, the code read from the development outbox.
	links = openVerifiedVote(t, s, "sms")
	owner2 := onPhone(t, root, s, shot, "owner-sms", links["1-1-102"])
	owner2.do("asking for a code", chromedp.Click(chromedp.CSS("#verify-send")), chromedp.WaitVisible(chromedp.CSS("#verify-sent")))
	owner2.expect("#verify-sent", "139****0001")
	data, err := os.ReadFile(s.SMSOutbox)
	m := regexp.MustCompile(`139\*+0001 (\d{6})\n$`).FindSubmatch(data)
	if err != nil || m == nil {
		t.Fatalf("the outbox: %q %v", data, err)
	}
	shot.take(owner2, "verify-sms-phone")
	owner2.do("typing the code", chromedp.SendKeys(chromedp.CSS("#sms_code"), string(m[1])),
		chromedp.Click(chromedp.CSS("#verify-submit")), chromedp.WaitVisible(chromedp.CSS("#ballot-form")))
	owner2.chooseAndCast([]string{"同意"})
	if err := s.DB.Get(&method, `SELECT k.verification FROM casts k JOIN consultations c ON c.id = k.consultation_id
		WHERE k.unit_id = '1-1-102' AND c.procedure_settings->>'online_verification' = 'sms'`); err != nil || method != "sms" {
		t.Fatalf("the SMS cast recorded %q, %v", method, err)
	}
}
