package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/ledger"
	"gongjue/locale"
	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/secret"
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
	errUnauthenticated  = errorf(http.StatusUnauthorized, "unauthenticated", "请先登录 / login required")
	errForbidden        = errorf(http.StatusForbidden, "forbidden", "无权执行此操作 / your role may not do this")
	errNotFound         = errorf(http.StatusNotFound, "not_found", "未找到 / not found")
	errMethodNotAllowed = errorf(http.StatusMethodNotAllowed, "method_not_allowed", "不支持的请求方法 / method not allowed")
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
	apiErr := answer(c, err)
	c.AbortWithStatusJSON(apiErr.Status, gin.H{"error": apiErr})
}

// answer is what the caller is told of err, JSON or page alike: its API
// error, 503 when the database cannot be reached (DESIGN §5.5), and
// otherwise a logged 500 that says nothing of the cause.
func answer(c *gin.Context, err error) *Error {
	if apiErr := apiError(err); apiErr != nil {
		return apiErr
	}
	if databaseUnavailable(err) {
		return unavailableError(c, err)
	}
	slog.ErrorContext(c.Request.Context(), "internal error", "route", c.FullPath(), "err", err)
	return errInternal
}

var errInternal = errorf(http.StatusInternalServerError, "internal", "服务器内部错误，请稍后再试 / internal error, try again later")

// domainErrors is the one table that turns the refusals of the layers
// below into API errors: status, code and words. An error whose answer
// depends on the request (which field, which entry) is mapped where it
// occurs, into an *Error.
var domainErrors = []struct {
	err error
	api *Error
}{
	{postgres.ErrNotFound, errNotFound},
	{postgres.ErrDeactivated, errorf(http.StatusForbidden, "account_deactivated", "该账号已停用，请联系业委会 / this account is deactivated: ask the committee")},
	{postgres.ErrPasswordTooShort, invalid(fmt.Sprintf("密码至少 %d 个字符 / the password needs at least %d characters", postgres.MinPasswordLen, postgres.MinPasswordLen),
		[]fieldProblem{{"password", fmt.Sprintf("至少 %d 个字符 / at least %d characters", postgres.MinPasswordLen, postgres.MinPasswordLen)}})},
	{postgres.ErrEmptyScope, invalid("表决范围内没有房屋，无法发出选票 / no unit is in scope: no ballot to issue", nil)},
	{postgres.ErrDeadlinePassed, invalid("截止时间已过，请先修改截止时间 / the closing time has passed: edit it first",
		[]ballot.Problem{{Field: "closes_at", Message: "is in the past"}})},
	{postgres.ErrSameAccount, errorf(http.StatusForbidden, "same_account", "录入人不能确认或退回自己录入的选票，请由另一账号核对 / the account that entered a paper ballot cannot decide it: another account must check it")},
	{tally.ErrAlreadyClosed, errClosedAlready},
	{tally.ErrNotOpen, errNeverOpened},
	{tally.ErrTooEarly, errorf(http.StatusConflict, "too_early", "延期须在截止前24小时内或截止后计票前决定 / a vote is extended only at its deadline (within 24 hours before it, or after it until closed)")},
	{notice.ErrNotClosed, errNoResultYet},
	{notice.ErrNotABody, errForbidden},
	{notice.ErrPassphraseRequired, invalid("请输入本机构的签名口令 / the body's signing passphrase is required", []fieldProblem{{"passphrase", "必须填写 / required"}})},
	{notice.ErrWrongPassphrase, &Error{Status: http.StatusUnprocessableEntity, Code: "wrong_passphrase",
		Message: fmt.Sprintf("签名口令不正确，未签署任何内容（%d 分钟内最多可试 %d 次）/ wrong signing passphrase; nothing was signed (at most %d tries in %d minutes)",
			int(postgres.SigningTriesWindow.Minutes()), postgres.SigningTries, postgres.SigningTries, int(postgres.SigningTriesWindow.Minutes())),
		Details: []fieldProblem{{"passphrase", "口令不正确 / wrong passphrase"}}}},
	{notice.ErrTooManyTries, errorf(http.StatusTooManyRequests, "too_many_tries",
		fmt.Sprintf("签名口令错误次数过多，请 %d 分钟后再试 / too many wrong signing passphrases; try again in %d minutes",
			int(postgres.SigningTriesWindow.Minutes()), int(postgres.SigningTriesWindow.Minutes())))},
	{notice.ErrNoSigningKey, errorf(http.StatusConflict, "no_signing_key", "本机构尚未设置签名口令，请先设置（PUT /api/v1/communities/{cid}/signing/{body}）/ this body has no signing key yet: set its signing passphrase first")},
	{notice.ErrOtherMustApproveAgain, errorf(http.StatusConflict, "other_body_must_approve_again", "本机构换用了新的签名密钥，请另一方重新审核后再会签 / this body's signing key changed since the other body approved: the other body approves again first")},
	{notice.ErrOtherNoSigningKey, errorf(http.StatusConflict, "other_body_no_signing_key", "另一方机构尚未设置签名口令，请其先设置后再审核 / the other body has not set its signing passphrase yet; it must do so before the notice can be approved")},
	{secret.ErrPassphraseTooShort, invalid(fmt.Sprintf("签名口令至少 %d 个字符 / the passphrase needs at least %d characters", secret.MinPassphraseRunes, secret.MinPassphraseRunes),
		[]fieldProblem{{"passphrase", fmt.Sprintf("至少 %d 个字符 / at least %d characters", secret.MinPassphraseRunes, secret.MinPassphraseRunes)}})},
	{postgres.ErrNotEnteringAccount, errorf(http.StatusForbidden, "not_entering_account", "原件只能由录入这张选票的账号上传 / only the account that entered the paper ballot uploads its originals")},
	{postgres.ErrOriginalExists, errorf(http.StatusConflict, "original_exists", "这张选票的此项原件已上传；如有误，请退回此录入并重新录入 / this original is already attached; if it is wrong, reject the entry and enter the ballot again")},
	{postgres.ErrNotProxyEntry, invalid("此录入没有委托代理人，无需委托书 / this entry has no proxy: no authorisation to attach", []fieldProblem{{"kind", "仅委托投票需要委托书 / authorisation only for a proxy entry"}})},
	{postgres.ErrProxiesNotAllowed, invalid("本次表决的议事规则不允许委托投票 / the consultation's rules of procedure do not allow proxies", []fieldProblem{{"proxy", "不允许委托 / proxies not allowed"}})},
	{postgres.ErrAuthorisationMissing, invalid("议事规则要求附上签名的授权委托书扫描件，请先上传（kind=authorisation）/ the rules of procedure require the signed authorisation: upload its scan first (kind=authorisation)", []fieldProblem{{"authorisation", "须附签名的授权委托书 / signed authorisation scan required"}})},
	{ledger.ErrPending, errorf(http.StatusConflict, "pending", "选票已计入，正在写入公开日志，请稍后再查 / the ballot is counted and will be in the log shortly; try again in a minute")},
}

// apiError is err as the API answers it, or nil when err is no caller's
// doing (an internal error).
func apiError(err error) *Error {
	var apiErr *Error
	var dup *postgres.AlreadyCastError
	var we *ballot.WindowError
	var tooLarge *http.MaxBytesError
	var early *tally.EarlyCloseError
	var pending *tally.PendingPaperError
	var proxyCap *postgres.ProxyCapError
	switch {
	case errors.As(err, &proxyCap):
		units := strings.Join(proxyCap.Units, "、")
		return &Error{Status: http.StatusUnprocessableEntity, Code: "proxy_limit",
			Message: fmt.Sprintf("该代理人已代理 %d 户（%s），议事规则规定每位代理人最多代理 %d 户 / this proxy already represents %d units (%s); the rules of procedure allow at most %d",
				len(proxyCap.Units), units, proxyCap.Max, len(proxyCap.Units), strings.Join(proxyCap.Units, ", "), proxyCap.Max),
			Details: []fieldProblem{{"proxy", fmt.Sprintf("每位代理人最多 %d 户 / at most %d units per proxy", proxyCap.Max, proxyCap.Max)}}}
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &dup):
		return alreadyCast(dup)
	case errors.As(err, &we):
		return windowError(we, nil)
	case errors.As(err, &tooLarge):
		return errorf(http.StatusRequestEntityTooLarge, "too_large", "请求过大 / request body too large")
	case errors.As(err, &early):
		return &Error{Status: http.StatusConflict, Code: "close_early", Message: early.Error(),
			Details: gin.H{"closes_at": early.ClosesAt, "uncounted": early.Uncounted}}
	case errors.As(err, &pending):
		entries := make([]gin.H, len(pending.Entries))
		for i, e := range pending.Entries {
			at := locale.Minute(e.EnteredAt)
			entries[i] = gin.H{"entry_id": e.ID, "unit": e.UnitID, "entered_by": e.EnteredByName, "entered_at": e.EnteredAt,
				"message": fmt.Sprintf("第 %d 号录入：房屋 %s，%s 于 %s 录入 / entry %d: unit %s, entered by %s at %s",
					e.ID, e.UnitID, e.EnteredByName, at, e.ID, e.UnitID, e.EnteredByName, at)}
		}
		return &Error{Status: http.StatusConflict, Code: "paper_pending", Message: pending.Error(), Details: entries}
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
	ch := locale.Channel(string(e.Channel))
	return fmt.Sprintf("房屋 %s 已于 %s 投票（%s），不能再次投票 / unit %s already voted at %s (%s)",
		e.UnitID, locale.Minute(e.At), ch.ZH, e.UnitID, locale.Minute(e.At), ch.EN)
}

// duplicateNote is the note kept with a paper entry rejected at
// confirmation because the unit had voted meanwhile.
func duplicateNote(e *postgres.AlreadyCastError) string {
	ch := locale.Channel(string(e.Channel))
	return fmt.Sprintf("重复：该房屋已于 %s 投票（%s）/ duplicate: the unit voted at %s (%s)",
		locale.Minute(e.At), ch.ZH, locale.Minute(e.At), ch.EN)
}
