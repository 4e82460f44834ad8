package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/ledger"
	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/tally"
)

// Error is an API error, written as DESIGN §8's
// {"error": {"code", "message", "details"}}.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Common errors. Messages are Chinese first, English after.
var (
	errUnauthenticated = errorf(http.StatusUnauthorized, "unauthenticated", "请先登录 / login required")
	errForbidden       = errorf(http.StatusForbidden, "forbidden", "无权执行此操作 / your role may not do this")
	errNotFound        = errorf(http.StatusNotFound, "not_found", "未找到 / not found")
)

func invalid(message string, details any) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: message, Details: details}
}

func badRequest(message string) *Error {
	return errorf(http.StatusBadRequest, "bad_request", message)
}

// handle adapts a handler that returns an error: *Error values are written
// as they are, ErrNotFound becomes 404, anything else is logged and hidden
// behind a 500.
func handle(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		err := fn(c)
		if err == nil {
			return
		}
		writeError(c, err)
	}
}

func writeError(c *gin.Context, err error) {
	apiErr := apiError(err)
	if apiErr == nil {
		slog.ErrorContext(c.Request.Context(), "internal error", "route", c.FullPath(), "err", err)
		apiErr = errorf(http.StatusInternalServerError, "internal", "服务器内部错误 / internal error")
	}
	c.AbortWithStatusJSON(apiErr.Status, gin.H{"error": apiErr})
}

// domainErrors is the one table that turns the refusals of the layers
// below into API errors: status, code and words. An error whose answer
// depends on the request (which field, which entry) is mapped where it
// occurs, into an *Error.
var domainErrors = []struct {
	err error
	api *Error
}{
	{postgres.ErrNotFound, errNotFound},
	{postgres.ErrEmptyScope, invalid("表决范围内没有房屋，无法发出选票 / no unit is in scope: no ballot to issue", nil)},
	{postgres.ErrDeadlinePassed, invalid("截止时间已过，请先修改截止时间 / the closing time has passed: edit it first",
		[]ballot.Problem{{Field: "closes_at", Message: "is in the past"}})},
	{postgres.ErrSameAccount, errorf(http.StatusForbidden, "same_account", "录入人不能确认或退回自己录入的选票，请由另一账号核对 / the account that entered a paper ballot cannot decide it: another account must check it")},
	{tally.ErrAlreadyClosed, errClosedAlready},
	{tally.ErrNotOpen, errNeverOpened},
	{tally.ErrTooEarly, errorf(http.StatusConflict, "too_early", "延期须在截止前24小时内或截止后计票前决定 / a vote is extended only at its deadline (within 24 hours before it, or after it until closed)")},
	{notice.ErrNotClosed, errNoResultYet},
	{notice.ErrNotABody, errForbidden},
	{ledger.ErrPending, errorf(http.StatusConflict, "pending", "选票已计入，正在写入公开日志，请稍后再查 / the ballot is counted and will be in the log shortly; try again in a minute")},
}

// apiError is err as the API answers it, or nil when err is no caller's
// doing (an internal error).
func apiError(err error) *Error {
	var apiErr *Error
	var dup *postgres.AlreadyCastError
	var we *ballot.WindowError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &dup):
		return alreadyCast(dup)
	case errors.As(err, &we):
		return windowError(we, nil)
	case errors.As(err, &tooLarge):
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "请求过大 / request body too large")
	}
	for _, d := range domainErrors {
		if errors.Is(err, d.err) {
			return d.api
		}
	}
	return nil
}

// alreadyCastMessage says when and how a unit that has a counted ballot
// voted.
func alreadyCastMessage(e *postgres.AlreadyCastError) string {
	return fmt.Sprintf("房屋 %s 已于 %s 以%s方式投票，不能再次投票 / unit %s already voted at %s (%s)",
		e.UnitID, ballot.FormatTime(e.At), channelZH(e.Channel), e.UnitID, ballot.FormatTime(e.At), e.Channel)
}

// duplicateNote is the note kept with a paper entry rejected at
// confirmation because the unit had voted meanwhile.
func duplicateNote(e *postgres.AlreadyCastError) string {
	return fmt.Sprintf("重复：该房屋已于 %s 以%s方式投票 / duplicate: the unit voted at %s (%s)",
		ballot.FormatTime(e.At), channelZH(e.Channel), ballot.FormatTime(e.At), e.Channel)
}

func channelZH(c ballot.Channel) string {
	switch c {
	case ballot.Online:
		return "在线"
	case ballot.Proxy:
		return "委托代理纸质票"
	}
	return "纸质票"
}
