package api

// The originals of paper ballots (DESIGN §5.3): the entering account
// attaches the scan of the ballot — and, for a proxy, of the signed
// authorisation — before the entry is confirmed; staff see them beside the
// entry.

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gongjue/postgres"
)

// originalKind reads the kind of original a request names: the ballot
// unless kind=authorisation.
func originalKind(c *gin.Context) (postgres.OriginalKind, error) {
	switch k := postgres.OriginalKind(c.DefaultPostForm("kind", c.DefaultQuery("kind", string(postgres.OriginalBallot)))); k {
	case postgres.OriginalBallot, postgres.OriginalAuthorisation:
		return k, nil
	}
	return "", invalid("kind 应为 ballot（选票）或 authorisation（授权委托书）/ kind must be ballot or authorisation", []fieldProblem{{"kind", "ballot 或 authorisation / ballot or authorisation"}})
}

// paperOriginal answers POST /api/v1/paper/{entry_id}/original: multipart
// "file" (JPEG, PNG or PDF by content, at most 10 MB) and optional "kind"
// → 201 {sha256}.
func (s *Server) paperOriginal(c *gin.Context) error {
	e, cid, err := s.paperEntryParam(c)
	if err != nil {
		return err
	}
	data, contentType, err := readEvidence(c, "file")
	if err != nil {
		return err
	}
	kind, err := originalKind(c)
	if err != nil {
		return err
	}
	sum, err := postgres.AddPaperOriginal(c.Request.Context(), s.DB, cid, e.ID, kind, data, contentType, account(c).ID)
	if err != nil {
		return decideError(err, e)
	}
	if err := s.audit(c, cid, "paper.original", strconv.FormatInt(e.ID, 10), gin.H{"unit": e.UnitID, "kind": kind, "sha256": sum}); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"entry_id": e.ID, "kind": kind, "sha256": sum})
	return nil
}

// paperOriginalFile answers GET /api/v1/paper/{entry_id}/original?kind=:
// the stored original, shown inline so that the confirmer sees it beside
// the entry.
func (s *Server) paperOriginalFile(c *gin.Context) error {
	e, cid, err := s.paperEntryParam(c)
	if err != nil {
		return err
	}
	kind, err := originalKind(c)
	if err != nil {
		return err
	}
	data, contentType, err := postgres.PaperOriginal(c.Request.Context(), s.DB, cid, e.ID, kind)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="paper-%d-%s%s"`, e.ID, kind, originalExtension[contentType]))
	c.Data(http.StatusOK, contentType, data)
	return nil
}
