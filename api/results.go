package api

// Closing, frozen results and extensions (DESIGN §7, §8, §3.4).

import (
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/staff"
	"gongjue/tally"
)

// tallyID reads the :id parameter.
func tallyID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// sessionAccount returns the account of the request's session, if it has one; a
// public endpoint uses it to show staff more than the public.
func (s *Server) sessionAccount(c *gin.Context) (*staff.Account, error) {
	token, _ := sessionToken(c)
	if token == "" {
		return nil, nil
	}
	acct, _, err := postgres.AccountBySession(c.Request.Context(), s.DB, token)
	if errors.Is(err, postgres.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &acct, nil
}

type closeRequest struct {
	NoticePeriodDays int `json:"notice_period_days"`
}

var (
	errClosedAlready = errorf(http.StatusConflict, "already_closed", "表决已截止计票，结果已冻结 / the vote is already closed and its result frozen")
	errNeverOpened   = errorf(http.StatusConflict, "not_open", "表决尚未开始，不能截止 / the consultation has not been opened")
	errNoResultYet   = errorf(http.StatusConflict, "not_closed", "表决尚未截止，尚无结果 / the vote is not closed yet: no result")
)

// closeConsultation answers POST /api/v1/consultations/{id}/close: the
// committee freezes the tally. The answer is the frozen result.
func (s *Server) closeConsultation(c *gin.Context) error {
	id, err := tallyID(c)
	if err != nil {
		return err
	}
	var req closeRequest
	if c.Request.ContentLength != 0 {
		if err := c.ShouldBindJSON(&req); err != nil && !errors.Is(err, io.EOF) {
			return badRequest("请求格式错误 / malformed JSON: " + err.Error())
		}
	}
	if req.NoticePeriodDays < 0 || req.NoticePeriodDays > 90 {
		return invalid("公示期须为1至90日 / notice_period_days must be 1 to 90", []fieldProblem{{"notice_period_days", "1 to 90"}})
	}
	acct := account(c)
	res, err := tally.Close(c.Request.Context(), s.DB, s.Keys, id, tally.CloseOptions{By: &acct, NoticePeriodDays: req.NoticePeriodDays})
	if err != nil {
		return err
	}
	if err := s.audit(c, res.CommunityID, "consultation.close", strconv.FormatInt(id, 10),
		gin.H{"result_sha256": hex.EncodeToString(res.SHA256), "checkpoint_size": res.CheckpointSize}); err != nil {
		return err
	}
	writeResult(c, res)
	return nil
}

// writeResult answers with a frozen result: the stored canonical JSON
// exactly as hashed, with "result_sha256" added as its first member.
func writeResult(c *gin.Context, r postgres.StoredResult) {
	body := make([]byte, 0, len(r.JSON)+100)
	body = append(body, `{"result_sha256":"`...)
	body = hex.AppendEncode(body, r.SHA256)
	body = append(body, `",`...)
	body = append(body, r.JSON[1:]...)
	c.Header("ETag", `"`+hex.EncodeToString(r.SHA256)+`"`)
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// result answers GET /api/v1/consultations/{id}/result: the frozen result,
// for the estate's staff once closed and for anyone once the notice is
// signed.
func (s *Server) result(c *gin.Context) error {
	id, err := tallyID(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	res, err := postgres.GetResult(ctx, s.DB, id)
	if errors.Is(err, postgres.ErrNotFound) {
		// Say "not closed" only to the estate's staff.
		if info, ierr := postgres.GetClosingInfo(ctx, s.DB, id); ierr == nil {
			if acct, verr := s.sessionAccount(c); verr == nil && acct != nil && mayViewUnpublished(acct, info.CommunityID) {
				return errNoResultYet
			}
		}
		return errNotFound
	}
	if err != nil {
		return err
	}
	if res.State != "noticed" {
		acct, err := s.sessionAccount(c)
		if err != nil {
			return err
		}
		if acct == nil {
			return errorf(http.StatusUnauthorized, "unauthenticated", "公告签署前，结果仅供本小区工作人员查看，请先登录 / until the notice is signed the result is for the estate's staff: log in")
		}
		if !mayViewUnpublished(acct, res.CommunityID) {
			return errNotFound
		}
	}
	writeResult(c, res)
	return nil
}

// mayViewUnpublished reports whether a staff account may see estate cid's unpublished
// results.
func mayViewUnpublished(acct *staff.Account, cid int64) bool {
	return acct.Role == staff.RolePlatformAdmin || acct.InCommunity(cid)
}

type extendRequest struct {
	ClosesAt string `json:"closes_at"` // RFC 3339, or a form's 2006-01-02T15:04 in China time
}

// parseFormTime reads a time as the API takes it: RFC 3339, or a browser
// form's datetime-local value (2006-01-02T15:04), which is China time.
func parseFormTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02T15:04", s, locale.China)
	}
	return t, err
}

// extend answers POST /api/v1/consultations/{id}/extend: the committee
// extends a vote that missed participation at its deadline (DESIGN §3.4).
func (s *Server) extend(c *gin.Context) error {
	id, err := tallyID(c)
	if err != nil {
		return err
	}
	var req extendRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		return badRequest("请求格式错误，closes_at 如 2026-06-30T18:00:00+08:00 / malformed JSON: " + err.Error())
	}
	closesAt, err := parseFormTime(req.ClosesAt)
	if err != nil {
		return invalid("请填写新的截止时间，如 2026-06-30T18:00:00+08:00 / closes_at is required, e.g. 2026-06-30T18:00:00+08:00",
			[]fieldProblem{{"closes_at", "须为 RFC 3339 或 2006-01-02T15:04 / RFC 3339 or 2006-01-02T15:04"}})
	}
	rec, err := tally.Extend(c.Request.Context(), s.DB, id, account(c), closesAt, time.Now())
	var inputErr *quorum.InputError
	switch {
	case errors.As(err, &inputErr):
		return &Error{Status: http.StatusConflict, Code: "extension_refused",
			Message: "不符合延期条件 / the vote may not be extended: " + inputErr.Problem,
			Details: []fieldProblem{{Field: "closes_at", Message: inputErr.Problem}}}
	case err != nil:
		return err
	}
	acct := account(c)
	if err := s.audit(c, *acct.CommunityID, "consultation.extend", strconv.FormatInt(id, 10), rec); err != nil {
		return err
	}
	c.JSON(http.StatusOK, rec)
	return nil
}
