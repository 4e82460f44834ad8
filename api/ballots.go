package api

// Ballots (DESIGN §5, §8): the owner's ballot API, GET/POST
// /api/v1/ballots/{token}, and paper ballots entered by one account and
// confirmed by another.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/idnumber"
	"gongjue/postgres"
	"gongjue/verification"
)

// maxBallotBody bounds the body of a ballot: a few matters' choices.
const maxBallotBody = 64 << 10

// Errors of the owner's ballot endpoints. A malformed token and an unknown
// one are told apart — the form of a token is no secret — but neither says
// anything about any ballot.
func badToken(err error) *Error {
	return errorf(http.StatusBadRequest, "bad_token", "选票链接不完整或有误，请重新扫描选票上的二维码 / the ballot link is incomplete or wrong: scan the QR code again ("+err.Error()+")")
}

var errUnknownBallot = errorf(http.StatusNotFound, "unknown_ballot", "找不到这张选票，请核对链接或联系业主委员会 / no such ballot: check the link or ask the owners' committee")

// windowError turns a *ballot.WindowError into 403 voting_not_open or
// voting_closed, naming the time; for a closed vote, what the unit cast.
func windowError(we *ballot.WindowError, cast *postgres.CastRecord) *Error {
	code := "voting_not_open"
	if we.Reason == "closed" {
		code = "voting_closed"
	}
	e := errorf(http.StatusForbidden, code, we.Error())
	details := gin.H{"opens_at": we.OpensAt, "closes_at": we.ClosesAt}
	if cast != nil {
		details["cast"] = gin.H{"at": cast.At, "channel": cast.Channel}
	}
	e.Details = details
	return e
}

// alreadyCast is 409 naming when and how the unit voted.
func alreadyCast(e *postgres.AlreadyCastError) *Error {
	return &Error{Status: http.StatusConflict, Code: "already_cast", Message: alreadyCastMessage(e),
		Details: gin.H{"unit": e.UnitID, "at": e.At, "channel": e.Channel}}
}

// ballotFromToken reads :token and finds its ballot.
func (s *Server) ballotFromToken(c *gin.Context) (*postgres.BallotView, error) {
	token, err := ballot.ParseToken(c.Param("token"))
	if err != nil {
		return nil, badToken(err)
	}
	v, err := postgres.BallotByToken(c.Request.Context(), s.DB, token)
	if errors.Is(err, postgres.ErrNotFound) {
		return nil, errUnknownBallot
	}
	return v, err
}

// ballotMatter is a matter as the ballot API shows it.
type ballotMatter struct {
	ID          int64       `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Kind        ballot.Kind `json:"kind"`
	Options     []string    `json:"options,omitempty"`
	Seats       int         `json:"seats,omitempty"`
	Choices     []string    `json:"choices"` // what may be sent for it
}

type castOut struct {
	At      time.Time      `json:"at"`
	Channel ballot.Channel `json:"channel"`
	Choices ballot.Input   `json:"choices,omitempty"`
	Receipt string         `json:"receipt"`
}

// castView is the unit's counted ballot: when and how, with the choices
// only for a holder who passed the vote's verification (§5).
func castView(r *postgres.CastRecord, o ownerStatus) *castOut {
	if r == nil {
		return nil
	}
	out := &castOut{At: r.At, Channel: r.Channel, Receipt: r.Receipt}
	if o.SeesChoices(r) {
		out.Choices = ballot.AsInput(r.Choices)
	}
	return out
}

// verificationView is the ballot's verification as the API shows it.
func verificationView(o ownerStatus) gin.H {
	out := gin.H{"method": o.Method, "passed": o.Asked() && o.Passed}
	if o.State.Locked(o.Now) {
		out["locked_until"] = o.State.LockedUntil
	}
	return out
}

// getBallot answers GET /api/v1/ballots/{token}.
func (s *Server) getBallot(c *gin.Context) error {
	v, err := s.ballotFromToken(c)
	if err != nil {
		return err
	}
	k := &v.Consultation
	var we *ballot.WindowError
	if err := ballot.CheckWindow(k.State, k.OpensAt, k.ClosesAt, v.Now); errors.As(err, &we) {
		return windowError(we, v.Cast)
	}
	o, err := s.ownerStatus(c.Request.Context(), v)
	if err != nil {
		return err
	}
	matters := make([]ballotMatter, len(k.Matters))
	for i, m := range k.Matters {
		bm := ballotMatter{ID: m.ID, Title: m.Title, Description: m.Description, Kind: m.Kind, Options: m.Options, Seats: m.Seats}
		bm.Choices = m.Offered()
		matters[i] = bm
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{
		"consultation": gin.H{"id": k.ID, "title": k.Title, "description": k.Description, "estate": v.Estate,
			"scope": k.Scope, "round": k.Round},
		"unit":         gin.H{"id": v.UnitID, "building": v.Building, "entrance": v.Entrance, "room": v.Room, "floor": v.Floor, "zone": v.Zone, "area": v.Area},
		"code":         ballot.FormatCode(v.Code),
		"matters":      matters,
		"opens_at":     k.OpensAt,
		"closes_at":    k.ClosesAt,
		"cast":         castView(v.Cast, o),
		"verification": verificationView(o),
	})
	return nil
}

// choicesFromJSON reads {"MATTER_ID": "agree"} or, for an election,
// {"MATTER_ID": ["candidate", …]}.
func choicesFromJSON(raw map[string]json.RawMessage) (ballot.Input, ballot.Problems) {
	in := ballot.Input{}
	var ps ballot.Problems
	for k, v := range raw {
		var one string
		var many []string
		switch {
		case json.Unmarshal(v, &one) == nil:
			in[k] = []string{one}
		case json.Unmarshal(v, &many) == nil && many != nil:
			in[k] = many
		default:
			ps.Add("choices."+k, "应为一个选项或选项列表 / want a string, or a list of strings for an election")
		}
	}
	return in, ps
}

type castRequest struct {
	Choices map[string]json.RawMessage `json:"choices"`
}

// castBallot answers POST /api/v1/ballots/{token}: {"choices": {…}} →
// 201 {receipt}; 409 when the unit already voted.
func (s *Server) castBallot(c *gin.Context) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBallotBody)
	token, err := ballot.ParseToken(c.Param("token"))
	if err != nil {
		return badToken(err)
	}
	var req castRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	if req.Choices == nil {
		return invalid("缺少 choices / choices is required", []ballot.Problem{{Field: "choices", Message: "required"}})
	}
	in, ps := choicesFromJSON(req.Choices)
	if len(ps) > 0 {
		return invalid("选择有误 / invalid choices", ps)
	}
	if done, err := s.castFast(c, token, in); done {
		return err
	}
	// The slow path: find the ballot, then judge and count it, explaining
	// whatever is wrong.
	v, err := postgres.BallotByToken(c.Request.Context(), s.DB, token)
	if errors.Is(err, postgres.ErrNotFound) {
		return errUnknownBallot
	}
	if err != nil {
		return err
	}
	k := &v.Consultation
	var we *ballot.WindowError
	if err := ballot.CheckWindow(k.State, k.OpensAt, k.ClosesAt, v.Now); errors.As(err, &we) {
		return windowError(we, v.Cast)
	}
	if v.Cast != nil {
		return alreadyCast(&postgres.AlreadyCastError{UnitID: v.UnitID, At: v.Cast.At, Channel: v.Cast.Channel})
	}
	sel, ps := ballot.CheckChoices(in, k.Matters, false)
	if len(ps) > 0 {
		msg := "选择有误 / invalid choices"
		if len(ps) == 1 {
			msg = ps[0].Field + ": " + ps[0].Message
		}
		return invalid(msg, ps)
	}
	o, err := s.ownerStatus(c.Request.Context(), v)
	if err != nil {
		return err
	}
	if o.State.Locked(o.Now) {
		return lockedOut(o.State.LockedUntil).apiError(c)
	}
	if !o.Passed {
		return verificationRequired(o.Method).apiError(c)
	}
	cast, err := postgres.CastOnline(c.Request.Context(), s.DB, k.CommunityID, k.ID, v.UnitID, sel, o.Pass)
	if err != nil {
		return err
	}
	s.castCreated(c, k.ID, v.UnitID, cast)
	return nil
}

func (s *Server) castCreated(c *gin.Context, consultationID int64, unitID string, cast postgres.Cast) {
	c.JSON(http.StatusCreated, gin.H{"receipt": cast.Receipt, "cast_at": cast.At, "channel": ballot.Online, "unit": unitID,
		"verify": fmt.Sprintf("/log/%d?receipt=%s", consultationID, cast.Receipt)})
}

// castFast is the ballot API's fast path, one statement in the database:
// matter ids are unique across consultations, so the choices name the
// consultation; checked against its matters (cached: they never change
// once it is open), they are counted by postgres.CastByToken, which finds
// the ballot by its token in that consultation and casts it at once. It
// reports done when its answer stands — counted, or refused because the
// unit voted or the vote is not open — and leaves everything else
// (another consultation's token, unknown matters, bad choices) to the
// slow path, which explains it.
func (s *Server) castFast(c *gin.Context, token string, in ballot.Input) (bool, error) {
	ids := make([]int64, 0, len(in))
	for k := range in {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return false, nil
		}
		ids = append(ids, id)
	}
	ctx := c.Request.Context()
	consultationID, matters, ok := postgres.MattersOf(ctx, s.DB, ids)
	if ok { // a verified cast takes the slow path, which checks the pass
		method, err := postgres.OpenedVerification(ctx, s.DB, consultationID)
		ok = err == nil && method == verification.None
	}
	if !ok {
		return false, nil
	}
	sel, ps := ballot.CheckChoices(in, matters, false)
	if len(ps) > 0 {
		return false, nil
	}
	cast, unit, err := postgres.CastByToken(ctx, s.DB, token, consultationID, sel)
	switch {
	case errors.Is(err, postgres.ErrNotFound):
		return false, nil
	case err != nil:
		return true, err
	}
	s.castCreated(c, consultationID, unit, cast)
	return true, nil
}

// paperRequest is a returned paper ballot as a volunteer enters it: the
// ballot named by exactly one of ballot_code (typed), token, or scan (what a
// USB scanner types from the QR code: the ballot's URL); choices as in the
// ballot API, where "spoiled" (废票) is also accepted, or spoiled: true for
// a ballot spoiled as a whole; and the proxy (委托) when one voted.
type paperRequest struct {
	BallotCode string                     `json:"ballot_code"`
	Token      string                     `json:"token"`
	Scan       string                     `json:"scan"`
	Choices    map[string]json.RawMessage `json:"choices"`
	Spoiled    bool                       `json:"spoiled"`
	// SpoiledReason and Note say why a ballot spoiled as a whole is (§5.3).
	SpoiledReason postgres.SpoiledReason `json:"spoiled_reason"`
	Note          string                 `json:"note"`
	Proxy         *struct {
		Name          string `json:"name"`
		IDNumber      string `json:"id_number"`
		Authorisation string `json:"authorisation"`
	} `json:"proxy"`
}

// paperBallot finds the ballot a paper entry names, in consultation k.
func (s *Server) paperBallot(c *gin.Context, k *ballot.Consultation, req *paperRequest) (*postgres.BallotView, error) {
	given := 0
	for _, f := range []string{req.BallotCode, req.Token, req.Scan} {
		if strings.TrimSpace(f) != "" {
			given++
		}
	}
	if given != 1 {
		return nil, invalid("请扫描二维码或输入选票码（只填一项）/ give exactly one of ballot_code, token or scan",
			[]ballot.Problem{{Field: "ballot_code", Message: "give exactly one of ballot_code, token or scan"}})
	}
	var ref ballot.Reference
	var err error
	field := "ballot_code"
	switch {
	case req.BallotCode != "":
		ref.Code, err = ballot.ParseCode(req.BallotCode)
	case req.Token != "":
		field = "token"
		ref.Token, err = ballot.ParseToken(strings.TrimSpace(req.Token))
	default:
		field = "scan"
		ref, err = ballot.ParseReference(req.Scan)
	}
	if err != nil {
		return nil, invalid("无法识别的选票码或二维码 / not a ballot code or ballot QR code: "+err.Error(),
			[]ballot.Problem{{Field: field, Message: err.Error()}})
	}
	ctx := c.Request.Context()
	var v *postgres.BallotView
	if ref.Code != "" {
		v, err = postgres.BallotByCode(ctx, s.DB, k.CommunityID, k.ID, ref.Code)
	} else {
		v, err = postgres.BallotByToken(ctx, s.DB, ref.Token)
	}
	if errors.Is(err, postgres.ErrNotFound) || err == nil && v.Consultation.ID != k.ID {
		if err := s.failedCodeLookup(c); err != nil {
			return nil, err
		}
		return nil, invalid("本次表决没有这张选票，请核对选票码 / no such ballot in this consultation: check the code",
			[]ballot.Problem{{Field: field, Message: "no such ballot in this consultation"}})
	}
	return v, err
}

// enterPaper answers POST /api/v1/consultations/{id}/paper → 201
// {entry_id}; the entry counts only once another account confirms it.
func (s *Server) enterPaper(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	var req paperRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	var we *ballot.WindowError
	if err := ballot.CheckPaperWindow(k.State, k.OpensAt, k.ClosesAt, time.Now()); errors.As(err, &we) {
		return windowError(we, nil)
	}
	v, err := s.paperBallot(c, k, &req)
	if err != nil {
		return err
	}
	var sel []ballot.Selection
	switch {
	case req.Spoiled && req.Choices != nil:
		return invalid("整张废票不应再填选择 / a ballot spoiled as a whole has no choices", []ballot.Problem{{Field: "choices", Message: "must be absent when spoiled is true"}})
	case req.Spoiled:
		if !slices.Contains(postgres.SpoiledReasons, req.SpoiledReason) {
			return invalid("请选择废票原因：unreadable（无法辨认）、several_choices（多选）、unsigned（未签名）或 not_issued（非发放的选票）/ spoiled_reason must be unreadable, several_choices, unsigned or not_issued",
				[]ballot.Problem{{Field: "spoiled_reason", Message: "请选择废票原因 / one of unreadable, several_choices, unsigned, not_issued"}})
		}
		if utf8.RuneCountInString(req.Note) > 500 {
			return invalid("备注过长（最多 500 字）/ the note is too long (at most 500 characters)", []ballot.Problem{{Field: "note", Message: "最多 500 字 / at most 500 characters"}})
		}
		sel = ballot.SpoiledBallot(k.Matters)
	case req.SpoiledReason != "" || req.Note != "":
		return invalid("废票原因和备注只用于整张废票（spoiled: true）/ spoiled_reason and note go with spoiled: true", []ballot.Problem{{Field: "spoiled_reason", Message: "仅用于整张废票 / only with spoiled: true"}})
	case req.Choices == nil:
		return invalid("缺少 choices / choices is required (or spoiled: true)", []ballot.Problem{{Field: "choices", Message: "required"}})
	default:
		in, ps := choicesFromJSON(req.Choices)
		if len(ps) == 0 {
			sel, ps = ballot.CheckChoices(in, k.Matters, true)
		}
		if len(ps) > 0 {
			return invalid("选择有误 / invalid choices", ps)
		}
	}
	var proxyName, proxyAuth, proxyKey string
	if req.Proxy != nil {
		proxyName, proxyAuth = strings.TrimSpace(req.Proxy.Name), strings.TrimSpace(req.Proxy.Authorisation)
		var ps ballot.Problems
		if proxyName == "" {
			ps.Add("proxy.name", "请填写代理人姓名 / the proxy's name is required")
		}
		// Only the keyed hash is kept: it counts the proxy's units (§5).
		if id, err := idnumber.Parse(req.Proxy.IDNumber); err != nil {
			ps.Add("proxy.id_number", "代理人身份证号：%s", err.Error())
		} else {
			proxyKey = s.Keys.OwnerKey(id)
		}
		if utf8.RuneCountInString(proxyName) > 100 || utf8.RuneCountInString(proxyAuth) > 500 {
			ps.Add("proxy", "过长 / too long")
		}
		if len(ps) > 0 {
			return invalid("委托信息不全 / incomplete proxy", ps)
		}
	}
	acct := account(c)
	id, others, err := postgres.CreatePaperEntry(c.Request.Context(), s.DB, postgres.NewPaperEntry{
		CommunityID: k.CommunityID, ConsultationID: k.ID, UnitID: v.UnitID, Choices: sel,
		ProxyName: proxyName, ProxyAuthorisation: proxyAuth, ProxyKey: proxyKey, EnteredBy: acct.ID,
		SpoiledReason: req.SpoiledReason, SpoiledNote: strings.TrimSpace(req.Note),
	})
	if err != nil {
		return err
	}
	if err := s.audit(c, k.CommunityID, "paper.enter", strconv.FormatInt(id, 10), gin.H{"consultation": k.ID, "unit": v.UnitID}); err != nil {
		return err
	}
	out := gin.H{"entry_id": id, "unit": v.UnitID, "code": ballot.FormatCode(v.Code), "state": "pending",
		"choices": ballot.AsInput(sel)}
	if len(others) > 0 {
		out["other_pending"] = others
	}
	c.JSON(http.StatusCreated, out)
	return nil
}

// paperEntryOut is a paper entry as the queue shows it.
type paperEntryOut struct {
	postgres.PaperEntry
	Code    string         `json:"code"`
	Channel ballot.Channel `json:"channel"`
	Choices ballot.Input   `json:"choices"`
}

func paperOut(e postgres.PaperEntry) paperEntryOut {
	return paperEntryOut{PaperEntry: e, Code: ballot.FormatCode(e.Code), Channel: e.Channel(), Choices: ballot.AsInput(e.Choices)}
}

// listPaper answers GET /api/v1/consultations/{id}/paper?state=pending
// (the default; also confirmed, rejected or all): the confirmation queue.
func (s *Server) listPaper(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	state := c.DefaultQuery("state", "pending")
	switch state {
	case "pending", "confirmed", "rejected":
	case "all":
		state = ""
	default:
		return invalid("state 应为 pending、confirmed、rejected 或 all / state must be pending, confirmed, rejected or all", nil)
	}
	entries, err := postgres.ListPaperEntries(c.Request.Context(), s.DB, k.CommunityID, k.ID, state)
	if err != nil {
		return err
	}
	out := make([]paperEntryOut, len(entries))
	for i, e := range entries {
		out[i] = paperOut(e)
	}
	c.JSON(http.StatusOK, gin.H{"entries": out})
	return nil
}

// paperEntryParam reads :entry and returns the entry and its estate,
// answering 404 for another estate's.
func (s *Server) paperEntryParam(c *gin.Context) (postgres.PaperEntry, int64, error) {
	id, err := strconv.ParseInt(c.Param("entry"), 10, 64)
	if err != nil || id <= 0 {
		return postgres.PaperEntry{}, 0, errNotFound
	}
	e, cid, err := postgres.GetPaperEntry(c.Request.Context(), s.DB, id)
	if err != nil {
		return e, 0, err
	}
	return e, cid, checkCommunity(c, cid)
}

func decideError(err error, e postgres.PaperEntry) error {
	switch {
	case errors.Is(err, postgres.ErrDecided):
		return errorf(http.StatusConflict, "already_decided", fmt.Sprintf("该录入已处理（%s）/ the entry was already decided (%s)", e.State, e.State))
	}
	return err
}

// confirmPaper answers POST /api/v1/paper/{entry_id}/confirm: a second
// account confirms the entry and it is counted — unless the unit voted
// meanwhile, which rejects the entry as a duplicate and answers 409.
func (s *Server) confirmPaper(c *gin.Context) error {
	e, cid, err := s.paperEntryParam(c)
	if err != nil {
		return err
	}
	conf, err := postgres.ConfirmPaperEntry(c.Request.Context(), s.DB, cid, e.ID, account(c).ID, duplicateNote)
	auditErr := s.audit(c, cid, "paper.confirm", strconv.FormatInt(e.ID, 10), gin.H{"unit": e.UnitID, "counted": err == nil})
	if err != nil {
		if latest, _, gerr := postgres.GetPaperEntry(c.Request.Context(), s.DB, e.ID); gerr == nil {
			e = latest
		}
		return decideError(err, e)
	}
	if auditErr != nil {
		return auditErr
	}
	c.JSON(http.StatusOK, gin.H{"entry_id": e.ID, "unit": e.UnitID, "state": "confirmed", "channel": conf.Entry.Channel(), "cast_at": conf.Cast.At,
		"receipt": conf.Cast.Receipt}) // kept with the paper original: it proves the ballot in the log
	return nil
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

// rejectPaper answers POST /api/v1/paper/{entry_id}/reject {"reason"}: a
// second account rejects a pending entry; the unit may be entered again.
func (s *Server) rejectPaper(c *gin.Context) error {
	e, cid, err := s.paperEntryParam(c)
	if err != nil {
		return err
	}
	var req rejectRequest
	if c.Request.ContentLength != 0 {
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
	}
	reason := strings.TrimSpace(req.Reason)
	if utf8.RuneCountInString(reason) > 500 {
		return invalid("原因过长 / reason too long", []ballot.Problem{{Field: "reason", Message: "最多 500 字 / at most 500 characters"}})
	}
	if _, err := postgres.RejectPaperEntry(c.Request.Context(), s.DB, cid, e.ID, account(c).ID, reason); err != nil {
		return decideError(err, e)
	}
	if err := s.audit(c, cid, "paper.reject", strconv.FormatInt(e.ID, 10), gin.H{"unit": e.UnitID, "reason": reason}); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"entry_id": e.ID, "unit": e.UnitID, "state": "rejected"})
	return nil
}
