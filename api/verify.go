package api

// The public verification page of a result notice (DESIGN §7), which the
// QR code on the paper notice opens.

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/secret"
	"gongjue/tally"
	"gongjue/templates"
)

// verifyPage is the data of templates/verify.html.
type verifyPage struct {
	page
	V          *notice.Verification
	Doc        *tally.Document
	Number     string // the notice number as printed
	Matters    []verifyMatter
	PDFURL     string
	PosterURLs [2]string // A4, A3
	JSONURL    string
	LogURL     string
}

// verifyMatter is one matter's figures, exactly as the notice prints them.
type verifyMatter struct {
	notice.MatterFigures
	Passed bool
}

// verify answers GET /verify/{notice}: every check of the notice and every
// figure it prints, for people (?format=json gives the same as JSON).
func (s *Server) verify(c *gin.Context) {
	p := verifyPage{page: newPage(c)}
	v, err := notice.Verify(c.Request.Context(), s.DB, c.Param("notice"), time.Now())
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
	for i := range v.Objections { // the public sees who objected masked
		v.Objections[i].RaisedBy = secret.MaskName(v.Objections[i].RaisedBy)
	}
	if c.Query("format") == "json" {
		c.JSON(http.StatusOK, gin.H{"ok": v.OK(), "verification": v})
		return
	}
	p.V, p.Doc = v, v.Result
	p.Number = postgres.FormatNoticeNumber(v.NoticeID)
	p.PDFURL = fmt.Sprintf("/api/v1/consultations/%d/notice.pdf", v.ConsultationID)
	p.PosterURLs = [2]string{p.PDFURL + "?layout=" + postgres.LayoutA4Poster, p.PDFURL + "?layout=" + postgres.LayoutA3Poster}
	p.JSONURL = "/verify/" + v.NoticeID + "/result.json"
	p.LogURL = fmt.Sprintf("/log/%d", v.ConsultationID)
	figures := v.Figures
	if p.Lang == templates.English {
		figures = notice.Figures(v.Result, true)
	}
	for i, fig := range figures {
		p.Matters = append(p.Matters, verifyMatter{MatterFigures: fig, Passed: v.Result.Matters[i].Passed()})
	}
	s.render(c, http.StatusOK, "verify", p)
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
