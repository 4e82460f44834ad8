package api_test

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongjue/locale"
	"gongjue/quorum"
	"gongjue/tally"
)

// TestPagesAndNoticeShowEqualFigures renders the console's result page, the
// public verification page and the signed notice (pdftotext) for the same
// closed vote: each must print the same figures with the same rounding
// (half up, two decimals), the same verdict sentence (DESIGN §7), and the
// words of §3.2 for choice and election matters under a zone veto.
func TestPagesAndNoticeShowEqualFigures(t *testing.T) {
	ts := newTestServer(t)
	e := ts.estate(t)
	// Not everyone votes, so the shares are not round numbers.
	e.CastStandardOf(t, e.Units[:len(e.Units)-3])
	e.EndVotingPeriod(t)
	id := itoa(e.ID())
	committee := ts.login(t, "committee")
	var closed resultBody
	if resp := ts.do(t, committee, http.MethodPost, "/api/v1/consultations/"+id+"/close", map[string]int{"notice_period_days": 7}, &closed); resp.StatusCode != http.StatusOK {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	noticeID := signNotice(t, ts, id)

	code, pdf := ts.get(t, "", "/api/v1/consultations/"+id+"/notice.pdf")
	if code != http.StatusOK {
		t.Fatalf("notice.pdf: %d", code)
	}
	b := newBrowser(t, ts)
	b.login("committee")
	resp, consolePage := b.get("/console/consultations/" + id + "/result")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("console result page: %d", resp.StatusCode)
	}
	code, verifyPage := ts.get(t, "", "/verify/"+noticeID)
	if code != http.StatusOK {
		t.Fatalf("verification page: %d", code)
	}
	renderings := map[string]string{
		"notice":       strings.Join(strings.Fields(pdfText(t, pdf)), ""), // lines may break anywhere
		"console":      html.UnescapeString(consolePage),
		"verification": html.UnescapeString(string(verifyPage)),
	}

	// What every rendering must show, from the frozen result itself.
	var approveResult quorum.Result
	if err := json.Unmarshal(closed.Matters[0].Result, &approveResult); err != nil {
		t.Fatal(err)
	}
	o := approveResult.Overall
	if o.Participating == o.Eligible || o.Participating.Headcount == 0 {
		t.Fatalf("the test needs a partial turnout: %+v", o)
	}
	want := []string{locale.Verdict(approveResult.Passed, o.ParticipationMet).ZH}
	figures := func(part, whole quorum.Tally) {
		want = append(want,
			locale.Count(int64(part.Headcount)), locale.Area(int64(part.Area)),
			locale.Percent(int64(part.Headcount), int64(whole.Headcount)), locale.Percent(int64(part.Area), int64(whole.Area)))
	}
	figures(o.Participating, o.Eligible)
	figures(o.Agree, o.Participating)
	figures(o.Oppose, o.Participating)
	figures(o.Abstain, o.Participating)
	var choice tally.ChoiceResult
	if err := json.Unmarshal(closed.Matters[1].Result, &choice); err != nil {
		t.Fatal(err)
	}
	for _, opt := range choice.Options {
		figures(opt.Overall.Agree, opt.Overall.Participating)
	}
	// The estate votes under all-zones: its election says the veto does
	// not apply.
	want = append(want, locale.ElectionNoVeto.ZH)
	for name, text := range renderings {
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("the %s lacks %q", name, w)
			}
		}
		for _, never := range []string{"未决", "undecided", "Undecided"} {
			if strings.Contains(text, never) {
				t.Errorf("the %s says %q", name, never)
			}
		}
	}
	// A choice matter's ballots for the other options are 选其他选项.
	if !strings.Contains(renderings["console"], locale.OtherOption.ZH) {
		t.Errorf("the console result page does not label the other options %q", locale.OtherOption.ZH)
	}

	// The English pages say the same in English only.
	_, consoleEN := b.get("/console/consultations/" + id + "/result?lang=en")
	_, verifyEN := ts.get(t, "", "/verify/"+noticeID+"?lang=en")
	verdict := locale.Verdict(approveResult.Passed, o.ParticipationMet)
	for name, text := range map[string]string{"console": html.UnescapeString(consoleEN), "verification": html.UnescapeString(string(verifyEN))} {
		for _, w := range []locale.Text{verdict, locale.ElectionNoVeto, locale.Abstain(true)} {
			if !strings.Contains(text, w.EN) || strings.Contains(text, w.ZH) {
				t.Errorf("the English %s page lacks %q or shows %q", name, w.EN, w.ZH)
			}
		}
	}
}

// An election under a zone veto says on the phone ballot that the veto
// does not apply (DESIGN §3.2); without a veto it says nothing of it.
func TestBallotPageSaysElectionsTakeNoVeto(t *testing.T) {
	e := newVoteEstate(t)
	req := consultationJSON(nil, time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	_, plain := e.open(t, req)
	req["veto"] = map[string]any{"mode": "zone-rejection"}
	_, vetoed := e.open(t, req)
	if _, body := pageGet(t, e, "/v/"+e.token(vetoed[0])); !strings.Contains(body, locale.ElectionNoVeto.ZH) {
		t.Errorf("the ballot page under a veto lacks %q", locale.ElectionNoVeto.ZH)
	}
	if _, body := pageGet(t, e, "/v/"+e.token(vetoed[0])+"?lang=en"); !strings.Contains(body, html.EscapeString(locale.ElectionNoVeto.EN)) || strings.Contains(body, locale.ElectionNoVeto.ZH) {
		t.Errorf("the English ballot page under a veto lacks %q, or shows the Chinese", locale.ElectionNoVeto.EN)
	}
	if _, body := pageGet(t, e, "/v/"+e.token(plain[0])); strings.Contains(body, locale.ElectionNoVeto.ZH) {
		t.Error("the ballot page without a veto speaks of it")
	}
}
