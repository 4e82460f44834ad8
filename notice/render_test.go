package notice

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongjue/internal/testtool"
	"gongjue/locale"
	"gongjue/quorum"
	"gongjue/tally"
)

// sampleDocument decides three matters (approve, choice, election) over a
// small estate of three zones.
func sampleDocument(t testing.TB) *tally.Document {
	t.Helper()
	var units []quorum.Unit
	zones := []string{"多层", "别墅", "高层"}
	for i := range 30 {
		units = append(units, quorum.Unit{ID: fmt.Sprintf("%d-1-%d01", i/10+1, i%10+1), Zone: zones[i/10], Area: quorum.Area(8000 + 137*i)})
	}
	var approve, choice, election []tally.MatterBallot
	for i, u := range units[:24] {
		c := []string{"agree", "agree", "oppose", "abstain"}[i%4]
		approve = append(approve, tally.MatterBallot{Unit: u.ID, Choices: []string{c}})
		choice = append(choice, tally.MatterBallot{Unit: u.ID, Choices: []string{[]string{"蒂森", "蒂森", "三菱"}[i%3]}})
		election = append(election, tally.MatterBallot{Unit: u.ID, Choices: []string{"张三", "李四"}[:1+i%2]})
	}
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, locale.China)
	d := &tally.Document{
		Consultation: tally.Consultation{
			ID: 7, CommunityID: 3, Community: "幸福花园", Address: "上海市浦东新区幸福路1号",
			Title: "加装电梯及续聘物业", Veto: quorum.Veto{Mode: quorum.VetoAllZones}, Round: 1,
			OpensAt: at, ClosesAt: at.AddDate(0, 0, 14),
		},
		ClosedAt: at.AddDate(0, 0, 14), ClosedBy: "committee",
		Checkpoint: tally.Checkpoint{Size: 24, VerifierKey: "gongjue.estate-3+1234abcd+AQID"},
		Matters: []tally.Matter{
			{ID: 1, Position: 1, Title: "续聘物业服务企业", Kind: tally.KindApprove, Category: "ordinary", Rules: json.RawMessage(`"ordinary"`), Rule: quorum.OrdinaryRule},
			{ID: 2, Position: 2, Title: "电梯品牌", Kind: tally.KindChoice, Category: "major", Rules: json.RawMessage(`"major"`), Rule: quorum.MajorRule, Options: []string{"蒂森", "三菱"}},
			{ID: 3, Position: 3, Title: "增补业委会委员", Kind: tally.KindElection, Category: "ordinary", Rules: json.RawMessage(`"ordinary"`), Rule: quorum.OrdinaryRule, Options: []string{"张三", "李四"}, Seats: 2},
		},
	}
	for i, bs := range [][]tally.MatterBallot{approve, choice, election} {
		if err := tally.Decide(&d.Matters[i], d.Consultation.Veto, quorum.Procedure{}, "", units, bs); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func sampleContent(t testing.TB) *Content {
	d := sampleDocument(t)
	data, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	d, err = tally.Decode(data) // render from the stored form, as the server does
	if err != nil {
		t.Fatal(err)
	}
	return &Content{
		NoticeID: "abcdefghijklmnop", Result: d, ResultSHA256: tally.Hash(data), PeriodDays: 7,
		From:      time.Date(2025, 3, 16, 10, 0, 0, 0, locale.China),
		VerifyURL: "http://gongjue.test/verify/abcdefghijklmnop",
		Signatures: [2]SignatureBlock{
			{Body: "幸福花园业主委员会", Signer: "wy1", At: time.Date(2025, 3, 15, 18, 0, 0, 0, locale.China), CertSHA256: strings.Repeat("ab", 32)},
			{Body: "幸福花园居民委员会", Signer: "jw", At: time.Date(2025, 3, 16, 10, 0, 0, 0, locale.China), CertSHA256: strings.Repeat("cd", 32)},
		},
	}
}

func TestRenderIsDeterministicAndReadable(t *testing.T) {
	c := sampleContent(t)
	pdf, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, again) {
		t.Error("rendering the same content twice gave different bytes")
	}
	if !bytes.Contains(pdf, []byte(Keywords(c.NoticeID, c.ResultSHA256))) {
		t.Error("the keywords (notice id and result hash) are not in the PDF as plain text")
	}
	text := pdfText(t, pdf)
	for _, want := range []string{
		"幸福花园业主大会", "表决结果公告", "加装电梯及续聘物业", "2025年3月1日 09:00",
		"依据《中华人民共和国民法典》第二百七十八条", "实际参与表决", "续聘物业服务企业",
		"公示期：7日，自2025年3月16日起至2025年3月22日止", c.ResultSHA256, c.VerifyURL,
		"各区均须通过", "如采用其他否决方式", "电梯品牌", "增补业委会委员",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("notice text lacks %q", want)
		}
	}
	r := c.Result.Matters[0].Approve()
	for _, want := range []string{locale.Count(int64(r.Overall.Participating.Headcount)), locale.Area(int64(r.Overall.Participating.Area)), "表决结果：" + Verdict(c.Result, &c.Result.Matters[0]).ZH} {
		if !strings.Contains(text, want) {
			t.Errorf("notice text lacks %q", want)
		}
	}
	if testing.Verbose() {
		os.WriteFile(filepath.Join(t.TempDir(), "notice.pdf"), pdf, 0o644)
	}
}

func TestQRCodeOpensVerificationPage(t *testing.T) {
	testtool.Need(t, "zbarimg")
	c := sampleContent(t)
	pdf, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "n.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftoppm", "-r", "100", "-png", path, filepath.Join(dir, "page")).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var found bool
	for _, p := range pages {
		out, _ := exec.Command("zbarimg", "-q", "--raw", p).Output()
		if strings.TrimSpace(string(out)) == c.VerifyURL {
			found = true
		}
	}
	if !found {
		t.Errorf("no page has a QR code reading %s", c.VerifyURL)
	}
}

func TestLegalBasis(t *testing.T) {
	custom := quorum.Rule{
		Participation: quorum.Threshold{Area: quorum.Fraction{Num: 3, Den: 4}, Headcount: quorum.Fraction{Num: 3, Den: 4}},
		Approval:      quorum.Threshold{Area: quorum.Fraction{Num: 1, Den: 2, Strict: true}, Headcount: quorum.Fraction{Num: 2, Den: 3, Strict: true}},
	}
	for _, tc := range []struct {
		rule quorum.Rule
		want []string
	}{
		{quorum.OrdinaryRule, []string{"第二百七十八条第二款", "面积占比三分之二以上", "面积过半数", "人数过半数"}},
		{quorum.MajorRule, []string{"第二百七十八条第二款", "四分之三以上"}},
		{custom, []string{"议事规则", "面积占比四分之三以上", "人数超过三分之二"}},
	} {
		got := LegalBasis(&tally.Matter{Kind: tally.KindApprove, Rule: tc.rule})
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("LegalBasis(%v) = %q, lacks %q", tc.rule, got, w)
			}
		}
	}
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

func TestRenderShowsExtensionAndLapse(t *testing.T) {
	c := sampleContent(t)
	orig := c.Result.Consultation.ClosesAt
	retable := orig.AddDate(1, 1, 0)
	c.Result.Extension = &tally.Extension{
		OriginalClosesAt: orig,
		Steps:            []tally.ExtensionStep{{From: orig, To: orig.AddDate(0, 1, 0), At: orig}},
		Lapsed:           true, RetableFrom: &retable,
	}
	// Participation missed on the first matter: it lapses.
	r := c.Result.Matters[0].Approve()
	r.Overall.ParticipationMet = false
	pdf, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"延期", "表决终止", "2025年4月15日", locale.DayZH(retable)} {
		if !strings.Contains(strings.ReplaceAll(text, "\n", ""), want) {
			t.Errorf("notice text lacks %q", want)
		}
	}
}
