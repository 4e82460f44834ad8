package api

// Result notices (公示): two approvals, two signatures (DESIGN §7).

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/staff"
)

// approveRequest is the body of POST …/notice/approve.
type approveRequest struct {
	Passphrase string `json:"passphrase"`
}

// approveNotice answers POST /api/v1/consultations/{id}/notice/approve
// {passphrase}: the account's body (owners' committee or residents'
// committee) approves the notice, opening its signing key with its
// passphrase; the approval completing the pair signs it. A body approving
// again changes nothing (added: false).
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
	var req approveRequest // an empty body gives no passphrase
	if c.Request.ContentLength != 0 {
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
	}
	acct := account(c)
	st, err := notice.Approve(c.Request.Context(), s.DB, s.Keys, s.PublicURL, id, acct, req.Passphrase, time.Now())
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

// passphraseRequest is the body of PUT /api/v1/communities/{cid}/signing/{body}.
type passphraseRequest struct {
	Passphrase    string `json:"passphrase"`
	OldPassphrase string `json:"old_passphrase"`
}

// setSigningPassphrase answers PUT /api/v1/communities/{cid}/signing/{body}
// {passphrase, old_passphrase?} for that body's accounts: the body's signing
// key is sealed under the new passphrase. Without old_passphrase a body
// that already has one gets a new key and certificate (a lost passphrase is
// never recovered).
func (s *Server) setSigningPassphrase(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	body := c.Param("body")
	if body != staff.BodyCommittee && body != staff.BodyResidents {
		return errNotFound
	}
	acct := account(c)
	if acct.Role != body {
		return errorf(http.StatusForbidden, "forbidden", "只有该机构的账号可以设置其签名口令 / only the body's own accounts set its signing passphrase")
	}
	var req passphraseRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	rekeyed, err := notice.SetPassphrase(c.Request.Context(), s.DB, s.Keys, cid, acct, req.Passphrase, req.OldPassphrase, time.Now())
	if errors.Is(err, notice.ErrWrongPassphrase) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "wrong_passphrase",
			Message: "原签名口令不正确 / the old passphrase is wrong", Details: []fieldProblem{{"old_passphrase", "口令不正确 / wrong passphrase"}}}
	}
	if err != nil {
		return err
	}
	key, err := notice.KeyStatus(c.Request.Context(), s.DB, cid, body)
	if err != nil {
		return err
	}
	if err := s.audit(c, cid, "signing.passphrase", body, gin.H{"new_key": rekeyed, "cert_sha256": key.CertSHA256}); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"body": body, "new_key": rekeyed, "key": key})
	return nil
}

// noticeLayout reads ?layout= of a notice PDF.
func noticeLayout(c *gin.Context) (string, error) {
	switch l := c.DefaultQuery("layout", postgres.LayoutFull); l {
	case postgres.LayoutFull, postgres.LayoutA4Poster, postgres.LayoutA3Poster:
		return l, nil
	}
	return "", invalid("layout 须为 a4-poster 或 a3-poster / layout must be a4-poster or a3-poster", []fieldProblem{{"layout", "a4-poster | a3-poster"}})
}

// noticePreview answers GET /api/v1/consultations/{id}/notice/preview.pdf:
// the notice as it would be signed now, unsigned and watermarked 草稿 /
// DRAFT, for the bodies to read before approving.
func (s *Server) noticePreview(c *gin.Context) error {
	id, err := s.estateConsultation(c)
	if err != nil {
		return err
	}
	layout, err := noticeLayout(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	pdf, err := notice.Preview(ctx, s.DB, s.PublicURL, id, layout, time.Now())
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="notice-%d-draft.pdf"`, id))
	c.Header("Cache-Control", "no-store")
	writePDF(c, pdf)
	return nil
}

// objectionRequest is the body of POST …/objections.
type objectionRequest struct {
	RaisedBy string `json:"raised_by"`
	RaisedAt string `json:"raised_at"` // RFC 3339, or a form's 2006-01-02T15:04 in China time
	Content  string `json:"content"`
}

// recordObjection answers POST /api/v1/consultations/{id}/objections
// {raised_by, raised_at, content}: the committee records an objection to a
// signed notice (异议); it is listed on the verification page.
func (s *Server) recordObjection(c *gin.Context) error {
	id, err := tallyID(c)
	if err != nil {
		return err
	}
	var req objectionRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	n, err := postgres.GetNotice(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if err := checkCommunity(c, n.CommunityID); err != nil {
		return err
	}
	if !n.Signed() {
		return errorf(http.StatusConflict, "notice_unsigned", "公告尚未签署公示，不能登记异议 / the notice is not posted yet; objections are recorded once it is signed")
	}
	req.RaisedBy, req.Content = strings.TrimSpace(req.RaisedBy), strings.TrimSpace(req.Content)
	var problems []fieldProblem
	if n := utf8.RuneCountInString(req.RaisedBy); n == 0 || n > 200 {
		problems = append(problems, fieldProblem{"raised_by", "须填写提出人（1至200字）/ who raised it: 1 to 200 characters"})
	}
	if n := utf8.RuneCountInString(req.Content); n == 0 || n > 4000 {
		problems = append(problems, fieldProblem{"content", "须填写异议内容（1至4000字）/ what it says: 1 to 4000 characters"})
	}
	raisedAt, err := parseFormTime(req.RaisedAt)
	if err != nil || raisedAt.After(time.Now().Add(time.Minute)) || raisedAt.Before(n.SignedAt.Time.Add(-24*time.Hour)) {
		problems = append(problems, fieldProblem{"raised_at", "须为公示之后、不晚于现在的时间 / when it was raised: after posting, not in the future (RFC 3339 or 2006-01-02T15:04)"})
	}
	if len(problems) > 0 {
		return invalid("异议内容不完整 / the objection is incomplete", problems)
	}
	acct := account(c)
	oid, err := postgres.InsertObjection(ctx, s.DB, n.CommunityID, id, req.RaisedBy, raisedAt, req.Content, acct.ID)
	if err != nil {
		return err
	}
	if err := s.audit(c, n.CommunityID, "notice.objection", strconv.FormatInt(id, 10), gin.H{"objection": oid}); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"objection_id": oid})
	return nil
}

// noticeStatus answers GET /api/v1/consultations/{id}/notice for the
// estate's staff: the approvals so far and whether the notice is signed.
func (s *Server) noticeStatus(c *gin.Context) error {
	id, err := s.estateConsultation(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	st, err := notice.GetStatus(ctx, s.DB, id)
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
	layout, err := noticeLayout(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	var pdf []byte
	if layout == postgres.LayoutFull {
		pdf, err = postgres.SignedNoticePDF(ctx, s.DB, id)
	} else {
		pdf, err = postgres.SignedPosterPDF(ctx, s.DB, id, layout)
	}
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
		// The public learns which bodies approved, never who: usernames are
		// staff's business.
		bodies := []string{}
		for _, a := range st.Approvals {
			bodies = append(bodies, a.Body)
		}
		return &Error{Status: http.StatusConflict, Code: "notice_unsigned",
			Message: fmt.Sprintf("公告尚未经业主委员会和居民委员会双方审核签署（已审核 %d/2）/ the notice is not signed until both the owners' committee and the residents' committee approve (%d of 2 so far)",
				len(st.Approvals), len(st.Approvals)),
			Details: gin.H{"approved_by": bodies}}
	}
	if err != nil {
		return err
	}
	n, err := postgres.GetNotice(ctx, s.DB, id)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`inline; filename="notice-%d-%s-%s.pdf"`, id, n.ID, layout))
	c.Header("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256(pdf)))
	writePDF(c, pdf)
	return nil
}

// estateConsultation is the consultation of the path's id, provided it
// belongs to the estate of the account asking.
func (s *Server) estateConsultation(c *gin.Context) (int64, error) {
	id, err := tallyID(c)
	if err != nil {
		return 0, err
	}
	info, err := postgres.GetClosingInfo(c.Request.Context(), s.DB, id)
	if err != nil {
		return 0, err
	}
	return id, checkCommunity(c, info.CommunityID)
}
