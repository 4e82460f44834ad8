package api

// Result notices (公示): two approvals, two signatures (DESIGN §7).

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/notice"
	"gongjue/postgres"
)

// approveNotice answers POST /api/v1/consultations/{id}/notice/approve: the
// account's body (owners' committee or residents' committee) approves the
// notice; the approval completing the pair signs it. A body approving again
// changes nothing (added: false).
func (s *Server) approveNotice(c *gin.Context) error {
	id, err := tallyID(c)
	if err != nil {
		return err
	}
	info, err := postgres.GetClosingInfo(c.Request.Context(), s.DB, id)
	if err != nil {
		return err
	}
	if err := checkCommunity(c, info.CommunityID); err != nil {
		return err
	}
	acct := account(c)
	st, err := notice.Approve(c.Request.Context(), s.DB, s.Keys, s.PublicURL, id, acct, time.Now())
	if err != nil {
		return err
	}
	if st.Added {
		if err := s.audit(c, *acct.CommunityID, "notice.approve", strconv.FormatInt(id, 10), gin.H{"body": acct.Role, "signed": st.Signed}); err != nil {
			return err
		}
	}
	c.JSON(http.StatusOK, st)
	return nil
}

// noticeStatus answers GET /api/v1/consultations/{id}/notice for the
// estate's staff: the approvals so far and whether the notice is signed.
func (s *Server) noticeStatus(c *gin.Context) error {
	id, err := tallyID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	info, err := postgres.GetClosingInfo(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if err := checkCommunity(c, info.CommunityID); err != nil {
		return err
	}
	st, err := notice.GetStatus(ctx, s.DB, id)
	if errors.Is(err, notice.ErrNotClosed) {
		return errNoResultYet
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

// noticePDF answers GET /api/v1/consultations/{id}/notice.pdf: the signed
// notice, for anyone, once both bodies have approved.
func (s *Server) noticePDF(c *gin.Context) error {
	id, err := tallyID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	pdf, err := postgres.SignedNoticePDF(ctx, s.DB, id)
	if errors.Is(err, postgres.ErrNotFound) {
		st, serr := notice.GetStatus(ctx, s.DB, id)
		switch {
		case errors.Is(serr, notice.ErrNotClosed):
			if _, ierr := postgres.GetClosingInfo(ctx, s.DB, id); ierr == nil {
				return errNoResultYet
			}
			return errNotFound
		case serr != nil:
			return serr
		}
		return &Error{Status: http.StatusConflict, Code: "notice_unsigned",
			Message: fmt.Sprintf("公告尚未经业主委员会和居民委员会双方审核签署（已审核 %d/2）/ the notice is not signed until both the owners' committee and the residents' committee approve (%d of 2 so far)",
				len(st.Approvals), len(st.Approvals)),
			Details: st.Approvals}
	}
	if err != nil {
		return err
	}
	n, err := postgres.GetNotice(ctx, s.DB, id)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="notice-%d-%s.pdf"`, id, n.ID))
	c.Header("ETag", fmt.Sprintf(`"%x"`, n.PDFSHA256))
	c.Data(http.StatusOK, "application/pdf", pdf)
	return nil
}
