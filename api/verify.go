package api

// The public verification page of a result notice (DESIGN §7), which the
// QR code on the paper notice opens.

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"gongjue/locale"
	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/tally"
	"gongjue/templates"
)

// verifyPage is the data of templates/verify.html.
type verifyPage struct {
	page
	V       *notice.Verification
	Doc     *tally.Document
	Matters []verifyMatter
	PDFURL  string
	JSONURL string
	LogURL  string
}

// verifyMatter is one matter's verdict in a line, with its turnout.
type verifyMatter struct {
	Title   string
	Verdict string
	Passed  bool
	Rows    []conFigureRow
	NoVeto  string // an election's sentence that the zone veto does not apply
	Explain string
}

// verify answers GET /verify/{notice}: every check of the notice, for
// people (?format=json gives the same as JSON).
func (s *Server) verify(c *gin.Context) {
	p := verifyPage{page: newPage(c)}
	v, err := notice.Verify(c.Request.Context(), s.DB, c.Param("notice"))
	if errors.Is(err, postgres.ErrNotFound) {
		if c.Query("format") == "json" {
			writeError(c, errNotFound)
			return
		}
		s.renderError(c, http.StatusNotFound, templates.T(p.Lang, "verify.unknown"))
		return
	}
	if err != nil {
		if c.Query("format") == "json" {
			writeError(c, err)
			return
		}
		slog.ErrorContext(c.Request.Context(), "verifying a notice", "err", err)
		s.renderError(c, http.StatusInternalServerError, templates.T(p.Lang, "receipt.error"))
		return
	}
	if c.Query("format") == "json" {
		c.JSON(http.StatusOK, gin.H{"ok": v.OK(), "verification": v})
		return
	}
	p.V, p.Doc = v, v.Result
	p.PDFURL = fmt.Sprintf("/api/v1/consultations/%d/notice.pdf", v.ConsultationID)
	p.JSONURL = "/verify/" + v.NoticeID + "/result.json"
	p.LogURL = fmt.Sprintf("/log/%d", v.ConsultationID)
	veto := v.Result.Consultation.Veto
	for i := range v.Result.Matters {
		m := &v.Result.Matters[i]
		vm := verifyMatter{Title: m.Title, Passed: m.Passed(), Verdict: say(p.Lang, notice.Verdict(v.Result, m)),
			Rows: verifyRows(p.page, m), NoVeto: conElectionNoVeto(p.page, veto, m.Kind)}
		if r := m.Approve(); r != nil {
			vm.Explain = templates.Pick(p.Lang, r.Explanation.ZH, r.Explanation.EN)
		}
		p.Matters = append(p.Matters, vm)
	}
	s.render(c, http.StatusOK, "verify", p)
}

// verifyRows are the figures the notice prints for a matter, in its order:
// eligible and participating, then agree, oppose and abstain, or each
// option's or candidate's support, as shares of the participants.
func verifyRows(p page, m *tally.Matter) []conFigureRow {
	o, ok := m.Turnout()
	if !ok {
		return nil
	}
	rows := conOutcomeRows(p, m.Kind, &o)
	if r := m.Approve(); r != nil {
		return rows
	}
	rows = rows[:2]
	support := func(name string, t quorum.Tally) {
		rows = append(rows, conFigureRow{Label: name, Headcount: t.Headcount, Area: t.Area,
			HeadPct: locale.Percent(int64(t.Headcount), int64(o.Participating.Headcount)), AreaPct: locale.Percent(int64(t.Area), int64(o.Participating.Area))})
	}
	switch r := m.Result.(type) {
	case *tally.ChoiceResult:
		for _, name := range m.Options {
			if or := r.Options[name]; or != nil {
				support(name, or.Overall.Agree)
			}
		}
		if len(m.Options) > 0 && r.Options[m.Options[0]] != nil {
			support(say(p.Lang, locale.AbstainInclSpoiled), r.Options[m.Options[0]].Overall.Abstain)
		}
	case *tally.ElectionResult:
		for _, name := range m.Options {
			if cr := r.Candidates[name]; cr != nil {
				support(name, cr.Overall.Agree)
			}
		}
	}
	return rows
}

// verifyResultJSON answers GET /verify/{notice}/result.json: the frozen
// result's stored bytes exactly, so anyone can hash them and compare with
// the SHA-256 printed on the notice. Served once the notice is signed.
func (s *Server) verifyResultJSON(c *gin.Context) error {
	ctx := c.Request.Context()
	n, err := postgres.NoticeByPublicID(ctx, s.DB, c.Param("notice"))
	if err != nil {
		return err
	}
	if !n.Signed() {
		return errNotFound
	}
	res, err := postgres.GetResult(ctx, s.DB, n.ConsultationID)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="result-%d.json"`, n.ConsultationID))
	c.Data(http.StatusOK, "application/json; charset=utf-8", res.JSON)
	return nil
}
