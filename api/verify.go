package api

// The public verification page of a result notice (DESIGN §7), which the
// QR code on the paper notice opens.

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

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
	Turnout quorum.Outcome
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
	english := p.Lang == templates.English
	for i := range v.Result.Matters {
		m := &v.Result.Matters[i]
		vm := verifyMatter{Title: m.Title, Passed: m.Passed(), Verdict: verdictLine(m, english)}
		vm.Turnout, _ = m.Turnout()
		if r := m.Approve(); r != nil {
			vm.Explain = templates.Pick(p.Lang, r.Explanation.ZH, r.Explanation.EN)
		}
		p.Matters = append(p.Matters, vm)
	}
	s.render(c, http.StatusOK, "verify", p)
}

// verdictLine states a matter's verdict in one line.
func verdictLine(m *tally.Matter, english bool) string {
	pick := func(zh, en string) string {
		if english {
			return en
		}
		return zh
	}
	switch r := m.Result.(type) {
	case *quorum.Result:
		if r.Passed {
			return pick("通过", "Passed")
		}
		return pick("未通过", "Not passed")
	case *tally.ChoiceResult:
		if r.Decided {
			return pick("选定「"+r.Winner+"」", "Chosen: "+r.Winner)
		}
		return pick("未决", "Undecided")
	case *tally.ElectionResult:
		names := strings.Join(r.Elected, pick("、", ", "))
		if names == "" {
			names = pick("无", "none")
		}
		return pick(fmt.Sprintf("应选%d名，当选：%s", r.Seats, names), fmt.Sprintf("%d seats; elected: %s", r.Seats, names))
	}
	return ""
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
