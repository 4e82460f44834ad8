package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/postgres"
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
	var apiErr *Error
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &apiErr):
	case errors.Is(err, postgres.ErrNotFound):
		apiErr = errNotFound
	case errors.As(err, &tooLarge):
		apiErr = errorf(http.StatusRequestEntityTooLarge, "too_large", "请求过大 / request body too large")
	default:
		slog.ErrorContext(c.Request.Context(), "internal error", "route", c.FullPath(), "err", err)
		apiErr = errorf(http.StatusInternalServerError, "internal", "服务器内部错误 / internal error")
	}
	c.AbortWithStatusJSON(apiErr.Status, gin.H{"error": apiErr})
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
