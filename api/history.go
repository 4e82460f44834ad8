package api

// A unit's history (DESIGN §5.3): every vote that issued it a ballot, its
// delivery records, paper entries and counted ballot — the choices only
// when the committee opens the sealed record, which is audited and shown
// in the history.

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/postgres"
)

// unitHistory answers GET /api/v1/communities/{cid}/units/{unit}/history.
func (s *Server) unitHistory(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	unit := c.Param("unit")
	votes, err := postgres.UnitHistory(c.Request.Context(), s.DB, cid, unit)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"unit": unit, "consultations": votes})
	return nil
}

type openRequest struct {
	Reason string `json:"reason"`
}

// sealedMatter is one matter of an opened record: the codes as cast and
// their words.
type sealedMatter struct {
	MatterID int64         `json:"matter_id"`
	Title    string        `json:"title"`
	Choices  []string      `json:"choices"`
	Words    []locale.Text `json:"words"`
}

// openSealedRecord answers POST
// /api/v1/communities/{cid}/units/{unit}/history/{consultation}/open: the
// committee reads how the unit voted in a closed vote, giving a reason;
// the audit entry is written before the choices are answered.
func (s *Server) openSealedRecord(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	var req openRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Reason == "" || utf8.RuneCountInString(req.Reason) > maxNoteRunes {
		return invalid("请写明开启封存记录的理由（如争议编号、法院调查令）/ give the reason for opening the sealed record (a dispute, a court's order)",
			[]fieldProblem{{Field: "reason", Message: "required, at most 2000 characters"}})
	}
	id, err := strconv.ParseInt(c.Param("consultation"), 10, 64)
	if err != nil {
		return errNotFound
	}
	ctx := c.Request.Context()
	k, err := postgres.GetConsultation(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if k.CommunityID != cid {
		return errNotFound
	}
	if k.State != ballot.Closed && k.State != ballot.Noticed {
		return errorf(http.StatusConflict, "not_closed", "表决尚未结束，封存的表决记录不能开启 / the vote is not closed: its sealed records cannot be opened")
	}
	unit := c.Param("unit")
	ids, codes, err := postgres.SealedChoices(ctx, s.DB, cid, id, unit)
	if err != nil {
		return err
	}
	if err := s.audit(c, cid, postgres.AuditOpenSealed, unit, gin.H{"consultation": id, "reason": req.Reason}); err != nil {
		return err
	}
	matters := []sealedMatter{}
	for _, m := range k.Matters {
		sm := sealedMatter{MatterID: m.ID, Title: m.Title, Choices: []string{}, Words: []locale.Text{}}
		for i, mid := range ids {
			if mid == m.ID {
				sm.Choices, sm.Words = append(sm.Choices, codes[i]), append(sm.Words, locale.Choice(codes[i]))
			}
		}
		matters = append(matters, sm)
	}
	c.JSON(http.StatusOK, gin.H{"unit": unit, "consultation_id": id, "opened_by": account(c).Username, "matters": matters})
	return nil
}
