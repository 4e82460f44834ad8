package api

// Owner verification for online votes (DESIGN §5.2), shared by the ballot
// API (POST /api/v1/ballots/{token}/verify and /sms) and the phone page:
// what the vote asks for, what the ballot's holder has passed, and the
// refusals of an attempt in words for both.

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/idnumber"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/secret"
	"gongjue/templates"
	"gongjue/verification"
)

// ownerStatus is what the holder of a ballot has proven, by the vote's
// frozen online_verification.
type ownerStatus struct {
	Method verification.Method
	State  verification.State
	Now    time.Time
	Pass   verification.Pass
	Passed bool // Pass lets the holder cast, or see the choices cast
}

// Asked reports whether the vote asks for a verification at all.
func (o ownerStatus) Asked() bool { return o.Method != verification.None }

// SeesChoices reports whether the holder may see the choices of the unit's
// counted ballot: only after passing the vote's verification since it was
// cast — the pass that let the owner cast does not outlive the cast, so a
// phone passed on after voting shows no choice — and never under none.
func (o ownerStatus) SeesChoices(cast *postgres.CastRecord) bool {
	return o.Asked() && o.Passed && cast != nil && o.Pass.At.After(cast.At)
}

func (s *Server) ownerStatus(ctx context.Context, v *postgres.BallotView) (ownerStatus, error) {
	k := &v.Consultation
	m := v.Verification
	o := ownerStatus{Method: m}
	if m != verification.None {
		var err error
		if o.State, o.Now, err = postgres.BallotVerification(ctx, s.DB, k.CommunityID, k.ID, v.UnitID); err != nil {
			return o, err
		}
	}
	o.Pass, o.Passed = o.State.PassFor(m, o.Now)
	return o, nil
}

// refusal is a verification attempt or a cast that did not pass, in both
// languages: the API writes it as an *Error, the phone page in its own.
type refusal struct {
	Status  int
	Code    string
	ZH, EN  string
	Details gin.H
	RetryAt time.Time // when asking again can succeed, for Retry-After
	APIHint string    // what a program should call, for the API only
}

func (r *refusal) Error() string { return r.ZH + " / " + r.EN }

func (r *refusal) text(lang templates.Lang) string { return templates.Pick(lang, r.ZH, r.EN) }

// apiError is r for the API, with Retry-After when r names a time.
func (r *refusal) apiError(c *gin.Context) *Error {
	if !r.RetryAt.IsZero() {
		c.Header("Retry-After", strconv.Itoa(max(1, int(time.Until(r.RetryAt).Seconds()+0.999))))
	}
	return &Error{Status: r.Status, Code: r.Code, Message: r.Error() + r.APIHint, Details: r.Details}
}

func verificationRequired(m verification.Method) *refusal {
	zh, en := "本次表决须先输入业主身份证号核验身份，才能在线投票", "this vote asks the owner's ID number before an online ballot counts"
	if m == verification.SMS {
		zh, en = "本次表决须先用发到业主登记手机的短信验证码核验身份，才能在线投票", "this vote asks for the code sent by SMS to the owner's phone on the roll before an online ballot counts"
	}
	return &refusal{Status: http.StatusForbidden, Code: "verification_required", ZH: zh + "；也可投纸质票。", EN: en + "; or vote on paper.",
		Details: gin.H{"method": m}, APIHint: " (POST /api/v1/ballots/{token}/verify)"}
}

func wrongMethod(m verification.Method) *refusal {
	return &refusal{Status: http.StatusUnprocessableEntity, Code: "verification_not_used",
		ZH: fmt.Sprintf("本次表决不使用这种核验方式（本次：%s）", m), EN: fmt.Sprintf("this vote does not verify owners that way (it uses: %s)", m),
		Details: gin.H{"method": m}}
}

// paperOnly refuses online verification to a unit whose roll entry cannot
// be checked (no ID number or no phone on file): the owner votes on paper.
func paperOnly(estate postgres.Community, what string) *refusal {
	zhWhat, enWhat := "身份证号", "ID number"
	if what == "phone" {
		zhWhat, enWhat = "手机号", "mobile number"
	}
	where := strings.TrimSpace(estate.Name + " " + estate.Address)
	zh := fmt.Sprintf("业主名册中没有本房屋业主的%s，无法在线核验。请投纸质票：联系业主委员会（%s）或楼组长领取并交回纸质选票。", zhWhat, where)
	en := fmt.Sprintf("the roll holds no %s for this unit's owner, so it cannot be verified online. Please vote on paper: ask the owners' committee (%s) or your building leader for a paper ballot.", enWhat, where)
	return &refusal{Status: http.StatusUnprocessableEntity, Code: "vote_on_paper", ZH: zh, EN: en}
}

func lockedOut(until time.Time) *refusal {
	at := locale.Minute(until)
	return &refusal{Status: http.StatusTooManyRequests, Code: "verification_locked", RetryAt: until,
		ZH:      fmt.Sprintf("身份证号已连续输错 %d 次，本选票的在线投票已锁定至 %s（北京时间），届时可再试；也可投纸质票。", verification.MaxIDFailures, at),
		EN:      fmt.Sprintf("%d wrong ID numbers in a row: online voting with this ballot is locked until %s (China time); try again then, or vote on paper.", verification.MaxIDFailures, at),
		Details: gin.H{"locked_until": until}}
}

// attemptRefusal words the refusals of package verification.
func attemptRefusal(err error, what string) error {
	var wrong *verification.WrongError
	var locked *verification.LockedError
	var soon *verification.TooSoonError
	var none *verification.NoCodeError
	switch {
	case errors.As(err, &locked):
		return lockedOut(locked.Until)
	case errors.As(err, &wrong) && what == "id_number":
		return &refusal{Status: http.StatusUnprocessableEntity, Code: "wrong_id_number", Details: gin.H{"tries_left": wrong.Left},
			ZH: fmt.Sprintf("身份证号与业主名册不符，请核对后重新输入（还可试 %d 次）。", wrong.Left),
			EN: fmt.Sprintf("the ID number does not match the roll: check it and try again (%d tries left).", wrong.Left)}
	case errors.As(err, &wrong):
		return &refusal{Status: http.StatusUnprocessableEntity, Code: "wrong_code", Details: gin.H{"tries_left": wrong.Left},
			ZH: fmt.Sprintf("验证码不正确，请核对短信后重新输入（还可试 %d 次）。", wrong.Left),
			EN: fmt.Sprintf("the code is wrong: check the SMS and type it again (%d tries left).", wrong.Left)}
	case errors.As(err, &soon):
		at := locale.Minute(soon.RetryAt)
		return &refusal{Status: http.StatusTooManyRequests, Code: "sms_too_soon", RetryAt: soon.RetryAt, Details: gin.H{"retry_at": soon.RetryAt},
			ZH: fmt.Sprintf("验证码发送过于频繁（每分钟 1 条、每小时 %d 条），请于 %s 后再获取。", verification.MaxCodesHour, at),
			EN: fmt.Sprintf("codes are sent at most once a minute and %d times an hour: ask again after %s.", verification.MaxCodesHour, at)}
	case errors.As(err, &none) && none.Reason == "tries":
		return &refusal{Status: http.StatusTooManyRequests, Code: "code_void",
			ZH: fmt.Sprintf("验证码已输错 %d 次，已作废，请重新获取验证码。", verification.MaxCodeTries),
			EN: fmt.Sprintf("%d wrong tries: that code is void; ask for a new one.", verification.MaxCodeTries)}
	case errors.As(err, &none) && none.Reason == "expired":
		return &refusal{Status: http.StatusUnprocessableEntity, Code: "code_expired",
			ZH: fmt.Sprintf("验证码已过期（%d 分钟内有效），请重新获取。", int(verification.CodeValidity.Minutes())),
			EN: fmt.Sprintf("the code has expired (it is valid for %d minutes): ask for a new one.", int(verification.CodeValidity.Minutes()))}
	case errors.As(err, &none):
		return &refusal{Status: http.StatusUnprocessableEntity, Code: "no_code", ZH: "请先获取短信验证码。", EN: "ask for an SMS code first."}
	}
	return err
}

// codeSubject binds an SMS code's hash to its ballot.
func codeSubject(v *postgres.BallotView) string {
	return fmt.Sprintf("ballot/%d/%d/%s", v.Consultation.CommunityID, v.Consultation.ID, v.UnitID)
}

// ownerContact is the roll's entry for the ballot's unit, or the refusal
// sending its owner to paper when it lacks what method checks.
func (s *Server) ownerContact(ctx context.Context, v *postgres.BallotView, m verification.Method) (postgres.OwnerContact, error) {
	oc, err := postgres.UnitOwnerContact(ctx, s.DB, v.Consultation.CommunityID, v.UnitID)
	if err != nil && !errors.Is(err, postgres.ErrNotFound) { // a unit gone from the roll since has nothing to check
		return oc, err
	}
	missing := ""
	switch {
	case m == verification.IDNumber && oc.OwnerKey == "":
		missing = "id_number"
	case m == verification.SMS && oc.Phone == "":
		missing = "phone"
	}
	if missing == "" {
		return oc, nil
	}
	estate, err := postgres.GetCommunity(ctx, s.DB, v.Consultation.CommunityID)
	if err != nil {
		return oc, err
	}
	return oc, paperOnly(estate, missing)
}

// checkIDNumber verifies the owner by the ID number typed: its keyed hash
// against the unit's owner_key. The number is neither stored nor logged.
func (s *Server) checkIDNumber(ctx context.Context, v *postgres.BallotView, o ownerStatus, typed string) error {
	if o.Method != verification.IDNumber {
		return wrongMethod(o.Method)
	}
	if o.State.Locked(o.Now) {
		return lockedOut(o.State.LockedUntil)
	}
	id, err := idnumber.Parse(typed)
	var bad *idnumber.Error
	if errors.As(err, &bad) {
		return &refusal{Status: http.StatusUnprocessableEntity, Code: "bad_id_number", ZH: bad.ZH + "。", EN: bad.EN + ".",
			Details: gin.H{"field": "id_number"}}
	}
	oc, err := s.ownerContact(ctx, v, o.Method)
	if err != nil {
		return err
	}
	match := hmac.Equal([]byte(s.Keys.OwnerKey(id)), []byte(oc.OwnerKey))
	k := &v.Consultation
	err = postgres.UpdateVerification(ctx, s.DB, k.CommunityID, k.ID, v.UnitID, func(st *verification.State, now time.Time) error {
		return st.TryIDNumber(match, now)
	})
	return attemptRefusal(err, "id_number")
}

// sendCode sends a fresh SMS code to the unit's roll phone, within the
// send limits, and returns the phone masked.
func (s *Server) sendCode(ctx context.Context, v *postgres.BallotView, o ownerStatus) (string, error) {
	if o.Method != verification.SMS {
		return "", wrongMethod(o.Method)
	}
	oc, err := s.ownerContact(ctx, v, o.Method)
	if err != nil {
		return "", err
	}
	if s.SMS == nil {
		return "", &refusal{Status: http.StatusServiceUnavailable, Code: "sms_unavailable",
			ZH: "本系统未配置短信发送，请投纸质票或联系业主委员会。", EN: "this server sends no SMS: vote on paper or ask the owners' committee."}
	}
	code := verification.NewCode()
	hash := s.Keys.CodeHash(codeSubject(v), code)
	k := &v.Consultation
	err = postgres.UpdateVerification(ctx, s.DB, k.CommunityID, k.ID, v.UnitID, func(st *verification.State, now time.Time) error {
		return st.SendCode(hash, now)
	})
	if err != nil {
		return "", attemptRefusal(err, "sms")
	}
	if err := s.SMS.Send(ctx, oc.Phone, code); err != nil {
		slog.ErrorContext(ctx, "sending a verification code", "consultation", k.ID, "unit", v.UnitID, "err", err)
		return "", &refusal{Status: http.StatusBadGateway, Code: "sms_failed",
			ZH: "短信暂时发送失败，请一分钟后重试，或投纸质票。", EN: "the SMS could not be sent just now: try again in a minute, or vote on paper."}
	}
	return secret.MaskPhone(oc.Phone), nil
}

// checkCode verifies the owner by the SMS code typed.
func (s *Server) checkCode(ctx context.Context, v *postgres.BallotView, o ownerStatus, typed string) error {
	if o.Method != verification.SMS {
		return wrongMethod(o.Method)
	}
	code, ok := verification.ParseCode(typed)
	if !ok {
		return &refusal{Status: http.StatusUnprocessableEntity, Code: "bad_code", ZH: "验证码应为 6 位数字。", EN: "the code has 6 digits.",
			Details: gin.H{"field": "sms_code"}}
	}
	hash := s.Keys.CodeHash(codeSubject(v), code)
	k := &v.Consultation
	err := postgres.UpdateVerification(ctx, s.DB, k.CommunityID, k.ID, v.UnitID, func(st *verification.State, now time.Time) error {
		return st.TryCode(hash, now)
	})
	return attemptRefusal(err, "sms")
}

// apiRefusal writes a refusal as an API error.
func apiRefusal(c *gin.Context, err error) error {
	var r *refusal
	if errors.As(err, &r) {
		return r.apiError(c)
	}
	return err
}

type verifyRequest struct {
	IDNumber *string `json:"id_number"`
	SMSCode  *string `json:"sms_code"`
}

// verifyBallot answers POST /api/v1/ballots/{token}/verify {id_number} or
// {sms_code}: 204 when passed; 422 naming what is wrong; 429 when locked
// out or out of tries.
func (s *Server) verifyBallot(c *gin.Context) error {
	v, err := s.ballotFromToken(c)
	if err != nil {
		return err
	}
	var req verifyRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if (req.IDNumber == nil) == (req.SMSCode == nil) {
		return invalid("请只填 id_number 或 sms_code 其中一项 / give exactly one of id_number and sms_code",
			[]ballot.Problem{{Field: "id_number", Message: "give exactly one of id_number and sms_code"}})
	}
	ctx := c.Request.Context()
	o, err := s.ownerStatus(ctx, v)
	if err != nil {
		return err
	}
	if req.IDNumber != nil {
		err = s.checkIDNumber(ctx, v, o, *req.IDNumber)
	} else {
		err = s.checkCode(ctx, v, o, *req.SMSCode)
	}
	if err != nil {
		return apiRefusal(c, err)
	}
	c.Status(http.StatusNoContent)
	return nil
}

// sendBallotCode answers POST /api/v1/ballots/{token}/sms: 204 once the
// code is sent; 429 within the send limits.
func (s *Server) sendBallotCode(c *gin.Context) error {
	v, err := s.ballotFromToken(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	o, err := s.ownerStatus(ctx, v)
	if err != nil {
		return err
	}
	if _, err := s.sendCode(ctx, v, o); err != nil {
		return apiRefusal(c, err)
	}
	c.Status(http.StatusNoContent)
	return nil
}
