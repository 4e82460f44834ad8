package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gongjue/api"
	"gongjue/ledger"
	"gongjue/locale"
	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/staff"
	"gongjue/tally/tallytest"
)

// estate builds the tallytest estate in the test server's community, with
// its accounts, and an open consultation.
func (ts *testServer) estate(t *testing.T) *tallytest.Estate {
	t.Helper()
	acct := func(username string) staff.Account {
		var a staff.Account
		if err := ts.DB.Get(&a, `SELECT id, community_id, username, role FROM accounts WHERE username = $1`, username); err != nil {
			t.Fatal(err)
		}
		return a
	}
	return tallytest.New(t, ts.DB, ts.Keys, tallytest.Options{
		CommunityID: ts.CommunityID,
		Accounts: tallytest.Accounts{
			Committee: acct("committee"), Committee2: acct("committee2"), Residents: acct("residents"),
			Volunteer1: acct("volunteer"), Volunteer2: acct("volunteer2"),
		},
	})
}

// get fetches a path and returns the status and body.
func (ts *testServer) get(t *testing.T, token, path string) (int, []byte) {
	t.Helper()
	resp := ts.do(t, token, http.MethodGet, path, nil, nil)
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

type resultBody struct {
	ResultSHA256 string `json:"result_sha256"`
	Consultation struct {
		ID int64 `json:"id"`
	} `json:"consultation"`
	ClosedAt string `json:"closed_at"`
	Matters  []struct {
		ID     int64           `json:"id"`
		Title  string          `json:"title"`
		Kind   string          `json:"kind"`
		Rules  json.RawMessage `json:"rules"`
		Result json.RawMessage `json:"result"`
	} `json:"matters"`
	Checkpoint struct {
		Size int64  `json:"size"`
		Hash string `json:"hash"`
	} `json:"checkpoint"`
}

// TestCloseApproveSignVerify is the whole life of a result: close, the
// stored result against package quorum's verdict, two approvals, the signed
// notice checked by poppler's tools, the verification page, and the log.
func TestCloseApproveSignVerify(t *testing.T) {
	ts := newTestServer(t)
	e := ts.estate(t)
	// Half the ballots, a checkpoint, then the rest.
	e.CastStandardOf(t, e.Units[:9])
	early, _, err := postgres.SequenceAll(context.Background(), ts.DB, ts.Keys, ts.CommunityID, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	e.CastStandardOf(t, e.Units[9:])
	id := itoa(e.ID())
	committee, committee2 := ts.login(t, "committee"), ts.login(t, "committee2")
	residents, volunteer := ts.login(t, "residents"), ts.login(t, "volunteer")

	if code, _ := ts.get(t, committee, "/api/v1/consultations/"+id+"/result"); code != http.StatusConflict {
		t.Errorf("result before closing: %d, want 409", code)
	}
	for _, tok := range []string{residents, volunteer, ""} {
		if resp := ts.do(t, tok, http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("close by a non-committee account: %d", resp.StatusCode)
		}
	}
	e.EndVotingPeriod(t)
	var closed resultBody
	resp := ts.do(t, committee, http.MethodPost, "/api/v1/consultations/"+id+"/close", map[string]int{"notice_period_days": 10}, &closed)
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("close: %d %s", resp.StatusCode, body)
	}
	closedBody, _ := io.ReadAll(resp.Body)
	if resp := ts.do(t, committee, http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("second close: %d, want 409", resp.StatusCode)
	}

	// The approve matter's verdict, computed here with package quorum.
	var ballots []quorum.Ballot
	for unit, cs := range e.Choices(0) {
		c, _ := quorum.ParseChoice(cs[0])
		ballots = append(ballots, quorum.Ballot{Unit: unit, Choice: c})
	}
	want, err := quorum.Evaluate(&quorum.Scenario{Rule: quorum.OrdinaryRule, Veto: quorum.Veto{Mode: quorum.VetoAllZones}, Units: e.QuorumUnits(), Ballots: ballots})
	if err != nil {
		t.Fatal(err)
	}
	var got quorum.Result
	if err := json.Unmarshal(closed.Matters[0].Result, &got); err != nil {
		t.Fatal(err)
	}
	if got.Passed != want.Passed || got.Overall != want.Overall || got.WhatIf != want.WhatIf || len(got.Zones) != 3 {
		t.Errorf("approve matter:\n got %+v\nwant %+v", got, want)
	}
	for name, z := range want.Zones {
		if g := got.Zones[name]; g == nil || g.Outcome != z.Outcome || g.Vetoed != z.Vetoed {
			t.Errorf("zone %s: got %+v, want %+v", name, g, z)
		}
	}
	if closed.Matters[1].Kind != "choice" || closed.Matters[2].Kind != "election" || closed.Checkpoint.Size != int64(len(e.Cast)) {
		t.Errorf("result: %+v", closed)
	}

	// The result is for staff until the notice is signed, and never changes.
	if code, _ := ts.get(t, "", "/api/v1/consultations/"+id+"/result"); code != http.StatusUnauthorized {
		t.Errorf("anonymous result before the notice: %d, want 401", code)
	}
	if code, body := ts.get(t, volunteer, "/api/v1/consultations/"+id+"/result"); code != http.StatusOK || !bytes.Equal(body, closedBody) {
		t.Errorf("result fetched again: %d, changed %v", code, !bytes.Equal(body, closedBody))
	}

	// No notice before both bodies approve; one body approving twice is one approval.
	pdfPath := "/api/v1/consultations/" + id + "/notice.pdf"
	if code, _ := ts.get(t, "", pdfPath); code != http.StatusConflict {
		t.Errorf("notice.pdf before approvals: %d, want 409", code)
	}
	var st struct {
		NoticeID  string `json:"notice_id"`
		Added     bool   `json:"added"`
		Signed    bool   `json:"signed"`
		PDFSHA256 string `json:"pdf_sha256"`
		Approvals []struct {
			Body string `json:"body"`
		} `json:"approvals"`
	}
	approve := "/api/v1/consultations/" + id + "/notice/approve"
	if resp := ts.do(t, volunteer, http.MethodPost, approve, nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("approval by a volunteer: %d", resp.StatusCode)
	}
	// Before any approval both bodies read the exact draft.
	previewPath := "/api/v1/consultations/" + id + "/notice/preview.pdf"
	if code, _ := ts.get(t, volunteer, previewPath); code != http.StatusForbidden {
		t.Errorf("preview for a volunteer: %d, want 403", code)
	}
	for _, tok := range []string{committee, residents} {
		code, draft := ts.get(t, tok, previewPath)
		if code != http.StatusOK || !bytes.HasPrefix(draft, []byte("%PDF")) {
			t.Fatalf("preview: %d", code)
		}
		text := pdfText(t, draft)
		if !strings.Contains(text, "草稿") || !strings.Contains(text, "DRAFT") || !strings.Contains(text, "第二百七十八条") {
			t.Errorf("the preview lacks the watermark or the notice's text:\n%s", text)
		}
		if sigs := pdfsig(t, draft); len(sigs) != 0 {
			t.Errorf("the preview carries %d signatures", len(sigs))
		}
	}
	// Each body seals its key under its passphrase; approving needs it.
	passphrases := map[string]string{committee: "业委会的签名口令", residents: "居委会 signing words"}
	for tok, body := range map[string]string{committee: "committee", residents: "residents_committee"} {
		signing := fmt.Sprintf("/api/v1/communities/%d/signing/%s", ts.CommunityID, body)
		if resp := ts.do(t, volunteer, http.MethodPut, signing, map[string]string{"passphrase": "whatever-long"}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a volunteer sets the %s passphrase: %d", body, resp.StatusCode)
		}
		if resp := ts.do(t, tok, http.MethodPut, signing, map[string]string{"passphrase": "short"}, nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a short passphrase: %d, want 422", resp.StatusCode)
		}
		if resp := ts.do(t, tok, http.MethodPut, signing, map[string]string{"passphrase": passphrases[tok]}, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("setting the %s passphrase: %d", body, resp.StatusCode)
		}
	}
	var audited int
	ts.DB.Get(&audited, `SELECT count(*) FROM audit_entries WHERE action = 'signing.passphrase'`)
	if audited != 2 {
		t.Errorf("%d passphrase changes audited, want 2", audited)
	}
	for _, bad := range []any{nil, map[string]string{"passphrase": ""}, map[string]string{"passphrase": "not the passphrase"}} {
		var refusal struct {
			Error struct{ Code string } `json:"error"`
		}
		if resp := ts.do(t, committee, http.MethodPost, approve, bad, &refusal); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("approval with %v: %d, want 422", bad, resp.StatusCode)
		}
		ts.do(t, committee, http.MethodGet, "/api/v1/consultations/"+id+"/notice", nil, &st)
		if len(st.Approvals) != 0 {
			t.Fatalf("approval with %v was recorded: %+v", bad, st)
		}
	}
	ts.do(t, committee, http.MethodPost, approve, map[string]string{"passphrase": passphrases[committee]}, &st)
	if !st.Added || st.Signed {
		t.Fatalf("first approval: %+v", st)
	}
	ts.do(t, committee2, http.MethodPost, approve, nil, &st)
	if st.Added || st.Signed || len(st.Approvals) != 1 {
		t.Fatalf("the committee approving twice: %+v", st)
	}
	if code, body := ts.get(t, "", pdfPath); code != http.StatusConflict || !strings.Contains(string(body), `"approved_by":["committee"]`) ||
		strings.Contains(string(body), "username") || strings.Contains(string(body), "account_id") {
		t.Errorf("notice.pdf after one body's approval: %d %s (the public learns which body approved, not who)", code, body)
	}
	ts.do(t, residents, http.MethodPost, approve, map[string]string{"passphrase": passphrases[residents]}, &st)
	if !st.Added || !st.Signed || len(st.Approvals) != 2 || st.NoticeID == "" {
		t.Fatalf("second body's approval: %+v", st)
	}

	// The signed notice: two valid signatures, the last over the whole file.
	code, pdf := ts.get(t, "", pdfPath)
	if code != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("notice.pdf: %d", code)
	}
	sigs := pdfsig(t, pdf)
	if len(sigs) != 2 {
		t.Fatalf("pdfsig: %d signatures", len(sigs))
	}
	for i, s := range sigs {
		if !strings.Contains(s, "Signature is Valid") {
			t.Errorf("signature %d not valid:\n%s", i+1, s)
		}
	}
	if !strings.Contains(sigs[0], "业主委员会") || !strings.Contains(sigs[1], "居民委员会") {
		t.Errorf("signers in the wrong order:\n%s\n%s", sigs[0], sigs[1])
	}
	if !strings.Contains(sigs[1], "Total document signed") {
		t.Errorf("the last signature does not cover the whole file:\n%s", sigs[1])
	}
	text := pdfText(t, pdf)
	o := want.Overall
	verdict := "表决结果：" + locale.Verdict(want.Passed, o.ParticipationMet).ZH
	for _, s := range []string{locale.Count(int64(o.Participating.Headcount)), locale.Area(int64(o.Participating.Area)), verdict, "公示期：10日", postgres.FormatNoticeNumber(st.NoticeID), "第二百七十八条"} {
		if !strings.Contains(text, s) {
			t.Errorf("notice text lacks %q", s)
		}
	}
	for _, u := range e.Units {
		if strings.Contains(text, u.OwnerName) {
			t.Errorf("the notice shows the owner name %q", u.OwnerName)
		}
	}
	bad := bytes.Clone(pdf)
	at := bytes.Index(bad, []byte("/Producer"))
	bad[at+2] ^= 0x01
	for i, s := range pdfsig(t, bad) {
		if strings.Contains(s, "Signature is Valid") {
			t.Errorf("signature %d valid after a byte was flipped", i+1)
		}
	}

	// The posters are signed the same way; the full notice and both posters
	// print every figure the verification page shows.
	var verification struct {
		Verification struct {
			Figures []notice.MatterFigures `json:"figures"`
		} `json:"verification"`
	}
	ts.do(t, "", http.MethodGet, "/verify/"+st.NoticeID+"?format=json", nil, &verification)
	_, verifyHTML := ts.get(t, "", "/verify/"+st.NoticeID)
	figures := figureTexts(verification.Verification.Figures)
	if len(verification.Verification.Figures) != 3 || len(figures) < 30 {
		t.Fatalf("verification figures: %+v", verification.Verification.Figures)
	}
	texts := map[string]string{"full": text}
	for _, layout := range []string{"a4-poster", "a3-poster"} {
		code, poster := ts.get(t, "", pdfPath+"?layout="+layout)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", layout, code)
		}
		sigs := pdfsig(t, poster)
		if len(sigs) != 2 || !strings.Contains(sigs[0], "Signature is Valid") || !strings.Contains(sigs[1], "Signature is Valid") || !strings.Contains(sigs[1], "Total document signed") {
			t.Errorf("%s: want two valid signatures:\n%s", layout, strings.Join(sigs, "\n---\n"))
		}
		if pages := pdfPages(t, poster); pages != 1 {
			t.Errorf("%s has %d pages, want 1", layout, pages)
		}
		texts[layout] = pdfText(t, poster)
	}
	for _, f := range figures {
		if !strings.Contains(string(verifyHTML), html.EscapeString(f)) {
			t.Errorf("the verification page lacks %q", f)
		}
		for layout, tx := range texts {
			if !strings.Contains(strings.Join(strings.Fields(tx), ""), strings.Join(strings.Fields(f), "")) {
				t.Errorf("%s lacks the figure %q", layout, f)
			}
		}
	}
	if code, _ := ts.get(t, "", pdfPath+"?layout=poster"); code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown layout: %d, want 422", code)
	}

	// The QR code opens the verification page, which shows it all good.
	qr := qrCodes(t, pdf)
	verifyURL := "http://gongjue.test/verify/" + st.NoticeID
	if !slices.Contains(qr, verifyURL) {
		t.Errorf("QR codes %q, want %s", qr, verifyURL)
	}
	code, page := ts.get(t, "", "/verify/"+st.NoticeID)
	if code != http.StatusOK || !strings.Contains(string(page), "公告真实有效") || !strings.Contains(string(page), st.PDFSHA256) {
		t.Errorf("verification page: %d\n%s", code, page)
	}
	var v struct {
		OK bool `json:"ok"`
	}
	ts.do(t, "", http.MethodGet, "/verify/"+st.NoticeID+"?format=json", nil, &v)
	if !v.OK {
		t.Error("verification JSON is not ok")
	}
	if code, page := ts.get(t, "", "/verify/"+st.NoticeID+"?lang=en"); code != http.StatusOK || !strings.Contains(string(page), "Authentic") {
		t.Errorf("English verification page: %d", code)
	}
	if code, raw := ts.get(t, "", "/verify/"+st.NoticeID+"/result.json"); code != http.StatusOK || !strings.Contains(string(page), fmt.Sprintf("%x", sha256Bytes(raw))) {
		t.Errorf("result.json: %d, or its hash is not on the page", code)
	}

	// After the notice, the result is public — and still the same bytes,
	// also from a second server on the same database (a restart).
	if code, body := ts.get(t, "", "/api/v1/consultations/"+id+"/result"); code != http.StatusOK || !bytes.Equal(body, closedBody) {
		t.Errorf("public result: %d, changed %v", code, !bytes.Equal(body, closedBody))
	}
	srv2, err := api.New(api.Config{DB: ts.DB, Keys: ts.Keys, PublicURL: "http://gongjue.test"})
	if err != nil {
		t.Fatal(err)
	}
	second := httptest.NewServer(srv2)
	defer second.Close()
	r2, err := http.Get(second.URL + "/api/v1/consultations/" + id + "/result")
	if err != nil {
		t.Fatal(err)
	}
	body2, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	if !bytes.Equal(body2, closedBody) {
		t.Error("the result differs after a restart")
	}

	// The log: the checkpoint is the final one, and receipts prove inclusion.
	var cp ledger.Checkpoint
	ts.do(t, "", http.MethodGet, "/log/"+id+"/checkpoint", nil, &cp)
	if cp.Size != closed.Checkpoint.Size {
		t.Errorf("log checkpoint size %d, result's %d", cp.Size, closed.Checkpoint.Size)
	}
	vkey, err := postgres.LogVerifierKey(context.Background(), ts.DB, ts.CommunityID)
	if err != nil {
		t.Fatal(err)
	}
	for unit, receipt := range e.Receipts {
		var p ledger.InclusionProof
		if resp := ts.do(t, "", http.MethodGet, "/log/"+id+"/proof?receipt="+receipt, nil, &p); resp.StatusCode != http.StatusOK {
			t.Fatalf("proof for %s: %d", unit, resp.StatusCode)
		}
		if err := p.Verify(vkey); err != nil || p.Checkpoint.Hash != cp.Hash {
			t.Errorf("proof for %s: %v", unit, err)
		}
	}
	var cons ledger.ConsistencyProof
	if resp := ts.do(t, "", http.MethodGet, fmt.Sprintf("/log/%s/consistency?old=%d&new=%d", id, early.Size, cp.Size), nil, &cons); resp.StatusCode != http.StatusOK {
		t.Errorf("consistency: %d", resp.StatusCode)
	} else if err := cons.Verify(vkey); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
	receipt := e.Receipts["1-1-101"]
	if code, page := ts.get(t, "", "/log/"+id+"?receipt="+receipt); code != http.StatusOK || !strings.Contains(string(page), "已记入公开日志") || !strings.Contains(string(page), "1-1-101") {
		t.Errorf("receipt page: %d\n%s", code, page)
	} else if strings.Contains(string(page), "蒂森") || strings.Contains(string(page), tallytest.Candidate1) || strings.Contains(string(page), "网上投票") {
		t.Errorf("the receipt page shows how the unit voted:\n%s", page)
	}
	if code, page := ts.get(t, "", "/log/"+id+"?receipt=ABCD"); code != http.StatusOK || !strings.Contains(string(page), "回执码格式有误") {
		t.Errorf("receipt page with a bad code: %d", code)
	}
	if resp := ts.do(t, "", http.MethodGet, "/log/"+id+"/proof?receipt=0000-0000-0000-0000-0000-0000-0000", nil, nil); resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusNotFound {
		t.Errorf("proof for a made-up receipt: %d", resp.StatusCode)
	}
}

func TestResultIsPrivateToTheEstate(t *testing.T) {
	ts := newTestServer(t)
	e := ts.estate(t)
	e.CastStandard(t)
	id := itoa(e.ID())
	other, err := postgres.CreateCommunity(context.Background(), ts.DB, "别的小区", "")
	if err != nil {
		t.Fatal(err)
	}
	ts.addAccount(t, "other-committee", staff.RoleCommittee, &other)
	outsider := ts.login(t, "other-committee")
	if resp := ts.do(t, outsider, http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("close by another estate's committee: %d, want 404", resp.StatusCode)
	}
	e.EndVotingPeriod(t)
	ts.do(t, ts.login(t, "committee"), http.MethodPost, "/api/v1/consultations/"+id+"/close", nil, nil)
	if code, _ := ts.get(t, outsider, "/api/v1/consultations/"+id+"/result"); code != http.StatusNotFound {
		t.Errorf("result for another estate's committee: %d, want 404", code)
	}
	if resp := ts.do(t, outsider, http.MethodPost, "/api/v1/consultations/"+id+"/notice/approve", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("approval by another estate's committee: %d, want 404", resp.StatusCode)
	}
}

func TestExtendAPI(t *testing.T) {
	ts := newTestServer(t)
	e := ts.estate(t)
	e.CastOnline(t, "1-1-101", tallytest.StandardVotes["1-1-101"])
	id := itoa(e.ID())
	committee := ts.login(t, "committee")
	path := "/api/v1/consultations/" + id + "/extend"
	newClose := e.Consultation.ClosesAt.AddDate(0, 0, 14)
	if resp := ts.do(t, ts.login(t, "residents"), http.MethodPost, path, map[string]any{"closes_at": newClose}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("extension by the residents' committee: %d", resp.StatusCode)
	}
	var fail apiError
	if resp := ts.do(t, committee, http.MethodPost, path, map[string]any{"closes_at": "next Friday"}, &fail); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(fail.Error.Details), "closes_at") {
		t.Errorf("an unreadable closing time: %d %+v", resp.StatusCode, fail)
	}
	// A browser form's datetime-local value is China time.
	if resp := ts.do(t, committee, http.MethodPost, path, map[string]any{"closes_at": e.Consultation.ClosesAt.AddDate(0, 5, 0).In(locale.China).Format("2006-01-02T15:04")}, &fail); resp.StatusCode != http.StatusConflict || fail.Error.Code != "extension_refused" {
		t.Errorf("extension by five months: %d %+v", resp.StatusCode, fail)
	}
	var rec struct {
		ClosesAt string `json:"closes_at"`
	}
	if resp := ts.do(t, committee, http.MethodPost, path, map[string]any{"closes_at": newClose}, &rec); resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("extension: %d %s", resp.StatusCode, body)
	}
	c, _ := postgres.GetConsultation(context.Background(), ts.DB, e.ID())
	if !c.ClosesAt.Equal(newClose) {
		t.Errorf("closes at %v, want %v", c.ClosesAt, newClose)
	}
}

func pdfsig(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "signed.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("pdfsig", path).CombinedOutput()
	parts := regexp.MustCompile(`(?m)^Signature #\d+:`).Split(string(out), -1)
	return parts[1:]
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	os.WriteFile(path, pdf, 0o644)
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

// qrCodes reads the QR codes of every page of a PDF with pdftoppm and
// zbarimg.
func qrCodes(t *testing.T, pdf []byte) []string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.pdf")
	os.WriteFile(path, pdf, 0o644)
	if out, err := exec.Command("pdftoppm", "-r", "100", "-png", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var codes []string
	for _, p := range pages {
		out, _ := exec.Command("zbarimg", "-q", "--raw", p).Output()
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				codes = append(codes, l)
			}
		}
	}
	return codes
}

func sha256Bytes(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// TestCloseGuardsOverHTTP: a close before the closing time with ballots
// uncounted, and one while a paper entry awaits confirmation, are 409s
// saying why; the second lists the entry.
func TestCloseGuardsOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	e := ts.estate(t)
	e.CastStandard(t)
	path := "/api/v1/consultations/" + itoa(e.ID()) + "/close"
	committee := ts.login(t, "committee")
	var refusal apiError
	if resp := ts.do(t, committee, http.MethodPost, path, nil, &refusal); resp.StatusCode != http.StatusConflict ||
		refusal.Error.Code != "close_early" || !strings.Contains(refusal.Error.Message, "4 ballots are not counted") {
		t.Fatalf("early close: %d %+v", resp.StatusCode, refusal.Error)
	}
	entry := e.EnterPaper(t, "2-1-103", tallytest.StandardVotes["1-1-101"])
	e.EndVotingPeriod(t)
	refusal = apiError{}
	if resp := ts.do(t, committee, http.MethodPost, path, nil, &refusal); resp.StatusCode != http.StatusConflict || refusal.Error.Code != "paper_pending" {
		t.Fatalf("close with a paper entry pending: %d %+v", resp.StatusCode, refusal.Error)
	}
	var listed []struct {
		EntryID   int64  `json:"entry_id"`
		Unit      string `json:"unit"`
		EnteredBy string `json:"entered_by"`
		EnteredAt string `json:"entered_at"`
	}
	if err := json.Unmarshal(refusal.Error.Details, &listed); err != nil || len(listed) != 1 || listed[0].EntryID != entry ||
		listed[0].Unit != "2-1-103" || listed[0].EnteredBy != "volunteer" || listed[0].EnteredAt == "" {
		t.Fatalf("pending entries listed as %s (%v)", refusal.Error.Details, err)
	}
	if resp := ts.do(t, ts.login(t, "volunteer2"), http.MethodPost, "/api/v1/paper/"+itoa(entry)+"/confirm", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	if resp := ts.do(t, committee, http.MethodPost, path, nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("close once the entry is confirmed: %d", resp.StatusCode)
	}
}

// figureTexts lists every figure of the verification's matters as one
// string each (a zone cell's headcount and area apart).
func figureTexts(figs []notice.MatterFigures) []string {
	var out []string
	for _, m := range figs {
		out = append(out, m.Title, m.Verdict)
		for _, r := range m.Rows {
			out = append(out, r.Label, r.Headcount, r.HeadcountPct, r.Area, r.AreaPct)
		}
		for _, z := range m.Zones {
			out = append(out, z.Zone)
			for _, cell := range []string{z.Eligible, z.Participating, z.Agree, z.Oppose, z.Abstain, z.Verdict} {
				out = append(out, strings.Split(cell, "\n")...)
			}
		}
	}
	return out
}

// pdfPages counts a PDF's pages with poppler's pdfinfo.
func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v: %s", err, out)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo: no page count:\n%s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
