package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"gongjue/api"
	"gongjue/internal/testtool"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/secret"
	"gongjue/sms"
	"gongjue/staff"
)

func init() {
	postgres.PasswordCost = bcrypt.MinCost
	// The server's request log would bury the test's own messages.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

const password = "e2e-password-2026"

// The test estate: 多层 (building 1, two entrances of six flats, 90 m²
// each), 别墅 (four villas of 250 m²) and 商铺 (two shops of 60 m²): 18
// units, 18 owners, 2,200 m². Two thirds is 12 owners and 1,466.67 m²; the
// villas' own two thirds is 3 owners and 666.67 m².
func rollCSV() string {
	var b strings.Builder
	b.WriteString("楼栋,单元,房号,区域,楼层,建筑面积,面积来源,业主,证件号,电话,开发商持有\n")
	n := 0
	row := func(building, entrance, room, zone string, floor int, area string) {
		n++
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d,%s,不动产登记簿,业主%02d,1101011960010100%02d,139000000%02d,否\n",
			building, entrance, room, zone, floor, area, n, n, n)
	}
	for _, e := range []string{"1", "2"} {
		for floor := 1; floor <= 3; floor++ {
			for _, r := range []string{"01", "02"} {
				row("1", e, strconv.Itoa(floor)+r, "多层", floor, "90.00")
			}
		}
	}
	for _, v := range []string{"101", "102", "103", "104"} {
		row(v, "1", "101", "别墅", 1, "250.00")
	}
	row("50", "1", "101", "商铺", 1, "60.00")
	row("50", "1", "102", "商铺", 1, "60.00")
	return b.String()
}

// badRollCSV has three bad rows; nothing of it may be imported.
const badRollCSV = "楼栋,单元,房号,区域,楼层,建筑面积,开发商持有\n" +
	"1,1,101,多层,1,90.00,否\n" +
	"1,1,102,,1,90.00,否\n" +
	"1,1,201,多层,2,九十,否\n" +
	"1,1,202,多层,2,90.00,也许\n"

type site struct {
	URL         string
	DB          *postgres.DB
	CommunityID int64
	SMSOutbox   string // where the development SMS sender writes the codes
}

// startSite runs the real server on a throwaway database, listening on a
// real port so the QR codes of the ballots point at it.
func startSite(t *testing.T) *site {
	t.Helper()
	db, _ := pgtest.New(t)
	keys := &secret.Keys{}
	keys.Master[0] = 7
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	outbox := filepath.Join(t.TempDir(), "sms-outbox.txt")
	srv, err := api.New(api.Config{DB: db, Keys: keys, PublicURL: base, SMS: &sms.File{Path: outbox}})
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv}}
	hs.Start()
	t.Cleanup(hs.Close)
	ctx := context.Background()
	cid, err := postgres.CreateCommunity(ctx, db, "共决测试小区", "上海市测试路 1 号")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct{ name, role string }{
		{"committee", staff.RoleCommittee},
		{"residents", staff.RoleResidentsCommittee},
		{"volunteer1", staff.RoleVolunteer},
		{"volunteer2", staff.RoleVolunteer},
	} {
		if _, err := postgres.CreateAccount(ctx, db, a.name, password, a.role, &cid); err != nil {
			t.Fatal(err)
		}
	}
	return &site{URL: base, DB: db, CommunityID: cid, SMSOutbox: outbox}
}

// ballotSheet is one page of the ballot packet as a person reads it: the
// link of its QR code and the printed unit and ballot code.
type ballotSheet struct {
	URL  string
	Unit string
	Code string
}

var (
	sheetFooter = regexp.MustCompile(`共决 Gongjue · (\S+) · 选票码 (\S+)`)
	sheetLink   = regexp.MustCompile(`https?://\S+/v/[a-z2-7]{26}`)
)

// readPacket reads a ballot packet PDF: pdftotext gives every page's unit,
// ballot code and printed link; the QR codes of the pages of the units in
// scan are rendered with pdftoppm and decoded with zbarimg — as a building
// leader's phone would — and must hold the printed link.
func readPacket(t *testing.T, pdf []byte, scan ...string) map[string]ballotSheet {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "packet.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	sheets := map[string]ballotSheet{}
	page := map[string]int{}
	for i, pg := range strings.Split(string(text), "\f") {
		m := sheetFooter.FindStringSubmatch(pg)
		if m == nil {
			continue
		}
		sheets[m[1]] = ballotSheet{URL: sheetLink.FindString(pg), Unit: m[1], Code: m[2]}
		page[m[1]] = i + 1
	}
	type decoded struct {
		unit, url string
		err       error
	}
	results := make(chan decoded, len(scan))
	for _, unit := range scan {
		go func() {
			n, ok := page[unit]
			if !ok {
				results <- decoded{unit, "", fmt.Errorf("no page for unit %s", unit)}
				return
			}
			prefix := filepath.Join(dir, "unit-"+unit)
			if out, err := exec.Command("pdftoppm", "-f", strconv.Itoa(n), "-l", strconv.Itoa(n), "-r", "110", "-gray", "-png", "-singlefile",
				file, prefix).CombinedOutput(); err != nil {
				results <- decoded{unit, "", fmt.Errorf("pdftoppm: %v: %s", err, out)}
				return
			}
			qr, err := exec.Command("zbarimg", "-q", "--raw", prefix+".png").Output()
			results <- decoded{unit, strings.TrimSpace(string(qr)), err}
		}()
	}
	for range scan {
		r := <-results
		if r.err != nil {
			t.Fatalf("reading the QR code of unit %s: %v", r.unit, r.err)
		}
		if r.url == "" || r.url != sheets[r.unit].URL {
			t.Fatalf("unit %s: the QR code holds %q, the page prints %q", r.unit, r.url, sheets[r.unit].URL)
		}
	}
	return sheets
}

// castOnline votes for a unit through the ballot API, as an owner's phone
// app would; the test uses it for the owners who are not driven in the
// browser.
func castOnline(t *testing.T, base string, sheet ballotSheet, choices map[string]string) {
	t.Helper()
	token := sheet.URL[strings.LastIndex(sheet.URL, "/v/")+3:]
	body, _ := json.Marshal(map[string]any{"choices": choices})
	resp, err := http.Post(base+"/api/v1/ballots/"+token, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var e bytes.Buffer
		e.ReadFrom(resp.Body)
		t.Fatalf("casting unit %s: %d %s", sheet.Unit, resp.StatusCode, e.String())
	}
}

func TestConsoleEndToEnd(t *testing.T) {
	testtool.Need(t, "pdftoppm", "pdftotext", "pdfsig", "zbarimg")
	site := startSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root := startBrowser(t, ctx)
	shot := newShots(t)
	start := time.Now()
	defer func() { t.Logf("browser test took %s", time.Since(start).Round(time.Second)) }()
	last := start
	lap := func(what string) {
		now := time.Now()
		t.Logf("%6.1fs  %s", now.Sub(last).Seconds(), what)
		last = now
	}

	// ---- The owners' committee logs in and imports the roll.
	com := newPerson(t, root, "committee", site.URL, shot)
	com.open("/", "#username") // not logged in: the login page
	com.expect("h1", "登录共决")
	shot.take(com, "login")
	com.do("a wrong password", chromedp.SendKeys(chromedp.CSS("#username"), "committee"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password"), chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#login-error")))
	com.expect("#login-error", "用户名或密码错误")
	if v := com.value("#username"); v != "committee" {
		t.Fatalf("the refused login form lost the username: %q", v)
	}
	com.login("committee", password)
	com.expect("main", "共决测试小区", "还没有名册")

	dir := t.TempDir()
	bad, good := filepath.Join(dir, "roll-bad.csv"), filepath.Join(dir, "roll.csv")
	os.WriteFile(bad, []byte(badRollCSV), 0o644)
	os.WriteFile(good, []byte(rollCSV()), 0o644)
	com.do("uploading a bad roll", chromedp.SetUploadFiles(chromedp.CSS("#roll-file"), []string{bad}),
		chromedp.Click(chromedp.CSS("#roll-submit")), chromedp.WaitVisible(chromedp.CSS("#roll-form .form-error table")))
	com.expect("#roll-form .form-error", "未导入", "区域", "不能为空", "建筑面积", "开发商持有")
	shot.take(com, "roll-refused")
	com.do("uploading the roll", chromedp.SetUploadFiles(chromedp.CSS("#roll-file"), []string{good}),
		chromedp.Click(chromedp.CSS("#roll-submit")), chromedp.WaitVisible(chromedp.CSS("#roll-result")))
	com.expect("#roll-result", "名册已导入", "18")
	com.expect("#zones", "多层", "别墅", "商铺", "2,200.00")
	shot.take(com, "roll-imported")

	// A committee member adds a volunteer account; a short password is refused first.
	com.open("/console/accounts", "#account-form")
	com.do("a new account", chromedp.SendKeys(chromedp.CSS("#acc-username"), "volunteer3"),
		chromedp.SendKeys(chromedp.CSS("#acc-password"), "short"),
		chromedp.Click(chromedp.CSS("#account-submit")), chromedp.WaitVisible(chromedp.CSS("#account-form .form-error")))
	com.expect("#account-form .form-error", "账号信息有误")
	com.do("a longer password", chromedp.SendKeys(chromedp.CSS("#acc-password"), "-and-longer"),
		chromedp.Click(chromedp.CSS("#account-submit")), chromedp.WaitVisible(chromedp.CSS("#account-form .form-ok")))
	com.expect("#account-form .form-ok", "账号已创建：volunteer3")
	com.expect("#accounts", "volunteer3")
	shot.take(com, "accounts")
	com.open("/console", "#new-consultation")
	lap("roll imported")
	// ---- A new consultation: two matters, a veto for the villas.
	com.do("new consultation", chromedp.Click(chromedp.CSS("#new-consultation")), chromedp.WaitVisible(chromedp.CSS("#consultation-form")))
	com.expect("#scope-summary", "18 套房屋", "18 人", "2,200.00 m²")
	com.expect("#matters", "需面积三分之二以上（≥ 1,466.67 m²），且人数三分之二以上（≥ 12 人）")
	com.do("filling in the first matter",
		chromedp.SendKeys(chromedp.CSS("#c-description"), "请全体业主在截止前投票。"),
		chromedp.SendKeys(chromedp.CSS("#matters .matter-form:nth-child(1) .m-title"), "是否同意续聘物业公司"),
		chromedp.Click(chromedp.CSS("#add-matter")),
		chromedp.WaitVisible(chromedp.CSS("#matters .matter-form:nth-child(2) .m-title")),
		chromedp.SendKeys(chromedp.CSS("#matters .matter-form:nth-child(2) .m-title"), "是否同意加装电梯"),
		chromedp.SetValue(chromedp.CSS("#matters .matter-form:nth-child(2) .m-rules"), "major"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#matters .matter-form:nth-child(2) .m-rules').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.Click(chromedp.CSS(`input[name=veto_mode][value="all-zones"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#veto-zones input[value="别墅"]`)),
		chromedp.Click(chromedp.CSS(`#veto-zones input[value="别墅"]`)))
	com.expect("#matters .matter-form:nth-child(2)", "同意需参与面积四分之三以上")
	com.expect("#veto-zone-figures", "别墅：需面积三分之二以上（≥ 666.67 m²），且人数三分之二以上（≥ 3 人）")
	// Refused without a title: the form keeps everything else.
	com.do("preview", chromedp.Click(chromedp.CSS("#preview-button")), chromedp.WaitVisible(chromedp.CSS("#preview")))
	com.expect("#preview", "是否同意续聘物业公司", "是否同意加装电梯", "各区均须通过", "别墅")
	com.do("creating without a title", chromedp.Click(chromedp.CSS("#open-button")),
		chromedp.WaitVisible(chromedp.CSS("#consultation-form > .form-error")))
	com.expect("#consultation-form > .form-error", "必填")
	com.expect("#consultation-form", "表决标题：")
	if v := com.value("#matters .matter-form:nth-child(2) .m-title"); v != "是否同意加装电梯" {
		t.Fatalf("the refused form lost a matter's title: %q", v)
	}
	shot.take(com, "new-consultation-refused")
	com.do("adding the title", chromedp.SendKeys(chromedp.CSS("#c-title"), "2026 年业主大会表决"),
		chromedp.Click(chromedp.CSS("#preview-button")))
	com.expect("#preview", "2026 年业主大会表决")
	shot.take(com, "new-consultation-preview")
	com.do("creating and opening", chromedp.Click(chromedp.CSS("#open-button")), chromedp.WaitVisible(chromedp.CSS("#turnout")))
	com.expect("#consultation-state", "投票中")
	com.expect("#turnout", "已投票 0 / 18", "别墅", "有否决权")
	consultationURL := com.location()
	consultationPath := consultationURL[len(site.URL):]
	if i := strings.IndexByte(consultationPath, '?'); i >= 0 {
		consultationPath = consultationPath[:i]
	}
	id := consultationPath[strings.LastIndexByte(consultationPath, '/')+1:]
	shot.take(com, "consultation-open")

	lap("consultation opened")
	// ---- The ballot packet, read back as a building leader would.
	com.expect("#packet-unvoted", "只打印尚未投票的房屋")
	packet := com.download("the ballot packet", "#packet-all")
	sheets := readPacket(t, packet, "1-1-101", "1-1-102", "101-1-101", "102-1-101")
	if len(sheets) != 18 {
		t.Fatalf("the packet has %d ballots, want 18", len(sheets))
	}
	matterIDs := matterIDs(t, com, id)

	lap("packet read")
	// ---- Three owners vote on their phones.
	t.Run("owners", func(t *testing.T) {
		for i, v := range []struct {
			unit    string
			choices []string // the labels to tap, matter by matter
		}{
			{"1-1-101", []string{"同意", "同意"}},
			{"1-1-102", []string{"同意", "同意"}},
			{"101-1-101", []string{"反对", "同意"}},
		} {
			t.Run(v.unit, func(t *testing.T) {
				t.Parallel()
				ownerVotes(t, root, site.URL, shot, sheets[v.unit], v.choices, i == 0)
			})
		}
	})
	if t.Failed() {
		t.FailNow()
	}

	// The other owners vote online (outside the browser); 102-1-101 brings
	// a paper ballot and 104-1-101 and the shops do not vote.
	for unit, s := range sheets {
		switch {
		case unit == "1-1-101" || unit == "1-1-102" || unit == "101-1-101" || unit == "102-1-101":
		case strings.HasPrefix(unit, "1-"):
			castOnline(t, site.URL, s, map[string]string{matterIDs[0]: "agree", matterIDs[1]: "agree"})
		case unit == "103-1-101":
			castOnline(t, site.URL, s, map[string]string{matterIDs[0]: "agree", matterIDs[1]: "agree"})
		}
	}
	// The turnout refreshes itself: 14 online ballots, no reload.
	com.expectWithin(25*time.Second, "#turnout", "已投票 14 / 18")

	lap("turnout refreshed")
	// ---- A volunteer enters a paper ballot; a second one confirms it.
	vol1 := newPerson(t, root, "volunteer1", site.URL, shot)
	vol1.login("volunteer1", password)
	vol1.expect("main", "2026 年业主大会表决", "纸质票录入")
	vol1.open(consultationPath+"/paper", "#paper-form")
	paper := sheets["102-1-101"]
	// The scanner types the link and Enter; one matter is left out.
	vol1.do("scanning", chromedp.SendKeys(chromedp.CSS("#paper-ref"), paper.URL+"\n"),
		chromedp.Click(chromedp.CSS(`fieldset[data-matter="`+matterIDs[0]+`"] input[value="oppose"]`)),
		chromedp.Click(chromedp.CSS("#paper-submit")),
		chromedp.WaitVisible(chromedp.CSS("#paper-form .form-error")))
	vol1.expect("#paper-form .form-error", "未作选择", "是否同意加装电梯")
	if v := vol1.value("#paper-ref"); v != paper.URL {
		t.Fatalf("the refused paper entry lost the scanned ballot: %q", v)
	}
	shot.take(vol1, "paper-refused")
	vol1.do("completing the entry", chromedp.Click(chromedp.CSS(`fieldset[data-matter="`+matterIDs[1]+`"] input[value="agree"]`)),
		chromedp.Click(chromedp.CSS("#paper-submit")), chromedp.WaitVisible(chromedp.CSS("#paper-ok")))
	vol1.expect("#paper-ok", "已录入房屋 102-1-101", paper.Code)
	vol1.expect("#paper-queue", "102-1-101", "这张是您录入的")
	shot.take(vol1, "paper-entered")

	lap("paper entered")
	vol2 := newPerson(t, root, "volunteer2", site.URL, shot)
	vol2.login("volunteer2", password)
	vol2.open(consultationPath+"/paper", "#paper-queue")
	vol2.expect("#paper-queue", "102-1-101", "1. 是否同意续聘物业公司：反对", "2. 是否同意加装电梯：同意", "录入：volunteer1")
	shot.take(vol2, "paper-queue")
	vol2.do("confirming", chromedp.Click(chromedp.CSS("#paper-queue button.ok-button")))
	vol2.expect("#paper-queue", "没有待确认的纸质票", "已确认")

	lap("paper confirmed")
	// ---- The committee follows the turnout, prints the missing list and closes.
	com.expectWithin(25*time.Second, "#turnout", "已投票 15 / 18")
	com.expect("#turnout", "纸质选票 1")
	shot.take(com, "turnout")
	com.open(consultationPath+"/missing", "#missing-total")
	com.expect("main", "尚未投票 3 户", "104 幢", "50 幢", "业**")
	shot.take(com, "missing")
	com.open(consultationPath, "#close-consultation")
	// Three units have not voted and the period runs on: the close is refused.
	com.do("closing early", chromedp.Click(chromedp.CSS("#close-consultation")), chromedp.WaitVisible(chromedp.CSS(".error-message")))
	com.expect("main", "尚有 3 户未投票，不能提前截止")
	if _, err := site.DB.Exec(`UPDATE consultations SET closes_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	com.open(consultationPath, "#close-consultation")
	com.do("closing", chromedp.Click(chromedp.CSS("#close-consultation")), chromedp.WaitVisible(chromedp.CSS("#notice")))

	lap("closed")
	// ---- The result: the villas veto matter 1; matter 2 passes.
	com.expect("main", "表决结果", "事项 1：是否同意续聘物业公司", "事项 2：是否同意加装电梯")
	com.expect(".matter-result:nth-of-type(1) .verdict", "未通过")
	com.expect(".matter-result:nth-of-type(1)", "行使否决", "无分区否决：通过")
	if v := com.text(".matter-result:nth-of-type(2) .verdict"); v != "通过" {
		t.Fatalf("matter 2's verdict reads %q, want 通过", v)
	}
	shot.take(com, "result")
	// ---- Each body reads the draft and seals its key under its passphrase.
	com.expect("#notice-preview", "公示草稿")
	com.do("setting the committee's passphrase", chromedp.SendKeys(chromedp.CSS("#new-passphrase"), "committee seal words"),
		chromedp.Click(chromedp.CSS("#signing-submit")), chromedp.WaitVisible(chromedp.CSS("#approve-passphrase")))
	res := newPerson(t, root, "residents", site.URL, shot)
	res.login("residents", password)
	res.open(consultationPath+"/result", "#signing-form")
	res.do("setting the residents' committee's passphrase", chromedp.SendKeys(chromedp.CSS("#new-passphrase"), "residents seal words"),
		chromedp.Click(chromedp.CSS("#signing-submit")), chromedp.WaitVisible(chromedp.CSS("#approve-passphrase")))
	com.open(consultationPath+"/result", "#approve-passphrase")
	shot.take(com, "notice-preview")
	com.do("approving with a wrong passphrase", chromedp.SendKeys(chromedp.CSS("#approve-passphrase"), "not the words"),
		chromedp.Click(chromedp.CSS("#approve-notice")), chromedp.WaitVisible(chromedp.CSS("#approve-form .form-error:not([hidden])")))
	com.expect("#approve-form", "签名口令不正确")
	com.do("approving the notice", chromedp.SetValue(chromedp.CSS("#approve-passphrase"), "committee seal words"),
		chromedp.Click(chromedp.CSS("#approve-notice")), chromedp.WaitVisible(chromedp.CSS("#step-committee.done")))
	com.expect("#notice", "已审核", "等待中")

	lap("committee approved")
	res.open(consultationPath+"/result", "#approve-notice")
	res.expect("#approve-notice", "居委会会签")
	res.do("countersigning", chromedp.SendKeys(chromedp.CSS("#approve-passphrase"), "residents seal words"),
		chromedp.Click(chromedp.CSS("#approve-notice")), chromedp.WaitVisible(chromedp.CSS("#notice-signed")))
	res.expect("#notice", "已会签", "公示已签署")
	shot.take(res, "notice-signed")

	lap("countersigned")
	// ---- The signed notice downloads and both signatures verify.
	pdf := res.download("the notice", "#notice-download")
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("the notice download is not a PDF: %.60q", pdf)
	}
	file := filepath.Join(t.TempDir(), "notice.pdf")
	os.WriteFile(file, pdf, 0o644)
	out, err := exec.Command("pdfsig", file).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "Signature Validation: Signature is Valid."); n != 2 {
		t.Fatalf("pdfsig finds %d valid signatures, want 2:\n%s", n, out)
	}

	// The closed vote's phone page links to the signed result.
	voter := newPerson(t, root, "owner-after", site.URL, shot)
	voter.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	voter.do("opening a closed ballot", chromedp.Navigate(sheets["1-1-101"].URL), chromedp.WaitVisible(chromedp.CSS("#vote-result")))
	voter.do("following the result link", chromedp.Click(chromedp.CSS("#vote-result")), chromedp.WaitVisible(chromedp.CSS("main")))
	voter.expect("main", "是否同意加装电梯")
	if loc := voter.location(); !strings.Contains(loc, "/verify/") {
		t.Fatalf("the result link led to %s", loc)
	}

	lap("notice verified")
	// ---- The console in English, and logging out.
	com.open("/console?lang=en", "#consultations")
	com.expect("main", "Votes", "Zones and roll", "notice signed")
	shot.take(com, "overview-english")
	com.do("logging out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username")))
	com.open("/console", "#username") // the session has ended
}

// matterIDs reads the consultation's matter ids from the JSON API with the
// committee's session, as the console's script does.
func matterIDs(t *testing.T, p *person, id string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(`fetch('/api/v1/consultations/%s', {credentials: 'same-origin'})
		.then(r => r.json()).then(c => c.matters.map(m => String(m.id)))`, id), chromedp.EvalAwaitPromise))
	if err != nil || len(ids) != 2 {
		t.Fatalf("reading the matters: %v %v", ids, err)
	}
	return ids
}

// ownerVotes is an owner voting on a phone: the ballot's link, a choice per
// matter, the confirmation, the receipt.
func ownerVotes(t *testing.T, root context.Context, base string, shot *shots, sheet ballotSheet, choices []string, screenshots bool) {
	owner := newPerson(t, root, "owner-"+sheet.Unit, base, shot)
	owner.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	owner.do("opening the ballot", chromedp.Navigate(sheet.URL), chromedp.WaitVisible(chromedp.CSS("#ballot-form")))
	owner.expect("main", "2026 年业主大会表决", "是否同意续聘物业公司", "是否同意加装电梯", sheet.Unit)
	if screenshots {
		shot.take(owner, "owner-ballot-phone")
	}
	owner.chooseAndCast(choices)
	if screenshots {
		shot.take(owner, "owner-receipt-phone")
	}
	// Reloaded, the page says calmly that the unit voted, never how.
	owner.do("reloading", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#vote-voted")))
	owner.expect("#vote-voted", "您已投票")
	if text := owner.text("#vote-recorded"); strings.Contains(text, "同意") || strings.Contains(text, "反对") {
		t.Fatalf("the reloaded page shows the choices: %s", text)
	}
}

// chooseAndCast taps a label per matter on the open ballot, checks and
// confirms, and waits for the receipt showing the choices made.
func (owner *person) chooseAndCast(choices []string) {
	owner.t.Helper()
	for m, label := range choices {
		owner.eval("choosing "+label, fmt.Sprintf(`(function () {
			const fs = document.querySelectorAll('#ballot-form fieldset')[%d];
			const l = [...fs.querySelectorAll('label')].find(l => l.innerText.trim() === %q);
			l.querySelector('input').click();
		})()`, m, label))
	}
	owner.do("next", chromedp.Click(chromedp.CSS("#vote-next")), chromedp.WaitVisible(chromedp.CSS("#vote-cast")))
	owner.expect("main", "请核对您的选择")
	owner.do("confirming", chromedp.Click(chromedp.CSS("#vote-cast")), chromedp.WaitVisible(chromedp.CSS("#receipt")))
	owner.expect("main", "投票成功", "回执码")
	owner.expect("#vote-recorded", choices...)
}
