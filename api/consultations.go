package api

// Consultations (DESIGN §5, §8): create, list, read and edit drafts, open
// them (issuing the ballots), print the ballot packet, follow turnout.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/tally"
)

// decodeStrict reads a JSON body into v, refusing unknown fields (a
// misspelt "closes_at" must not silently become "no closing time") and
// anything after the object.
func decodeStrict(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return badRequest("请求体为空，应为 JSON 对象 / empty body: want a JSON object")
		}
		return badRequest("请求格式错误 / malformed JSON: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("JSON 对象之后还有多余内容 / unexpected data after the JSON object")
	}
	return nil
}

// consultationParam reads :id and returns the consultation, answering 404
// for another estate's.
func (s *Server) consultationParam(c *gin.Context) (*ballot.Consultation, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, errNotFound
	}
	k, err := postgres.GetConsultation(c.Request.Context(), s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := checkCommunity(c, k.CommunityID); err != nil {
		return nil, err
	}
	return k, nil
}

func problemsError(ps ballot.Problems) *Error {
	msg := "表决信息有误 / the consultation has problems"
	if len(ps) == 1 {
		msg = ps[0].Field + ": " + ps[0].Message
	}
	return invalid(msg, ps)
}

// checkDraft checks a consultation as the committee wrote it, on its own
// and against the estate's roll, taking over the previous round's scope
// when it follows one and names none.
func (s *Server) checkDraft(c *gin.Context, cid int64, d *ballot.DraftRequest) (ballot.Consultation, error) {
	ctx := c.Request.Context()
	round := 1
	var ps ballot.Problems
	if d.PreviousID != nil && *d.PreviousID > 0 {
		prev, err := postgres.GetPreviousRound(ctx, s.DB, cid, *d.PreviousID)
		switch {
		case errors.Is(err, postgres.ErrNotFound):
			ps.Add("previous_id", "本小区没有编号为 %d 的表决 / no consultation %d in this estate", *d.PreviousID, *d.PreviousID)
		case err != nil:
			return ballot.Consultation{}, err
		case prev.State != ballot.Closed && prev.State != ballot.Noticed:
			ps.Add("previous_id", "上一轮尚未截止 / the previous round has not closed")
		default:
			round = prev.Round + 1
			if d.Scope == nil {
				scope := prev.Scope
				d.Scope = &scope
			}
		}
	}
	k, more := d.Check(time.Now())
	ps = append(ps, more...)
	k.Round = round
	if len(ps) == 0 {
		facts, err := postgres.ScopeFacts(ctx, s.DB, cid, k.Scope)
		if err != nil {
			return k, err
		}
		ps = append(ps, ballot.CheckEstate(&k, facts)...)
		active, err := postgres.ActiveProcedure(ctx, s.DB, cid)
		if err != nil {
			return k, err
		}
		ps = append(ps, ballot.CheckThresholds(&k, active.Settings.Thresholds)...)
	}
	if len(ps) > 0 {
		return k, problemsError(ps)
	}
	return k, nil
}

// createConsultation answers POST /api/v1/communities/{cid}/consultations.
func (s *Server) createConsultation(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	var req ballot.DraftRequest
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	k, err := s.checkDraft(c, cid, &req)
	if err != nil {
		return err
	}
	id, err := postgres.CreateConsultation(c.Request.Context(), s.DB, cid, &k, account(c).ID)
	if err != nil {
		return err
	}
	if err := s.audit(c, cid, "consultation.create", strconv.FormatInt(id, 10), gin.H{"title": k.Title}); err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"id": id})
	return nil
}

// listConsultations answers GET /api/v1/communities/{cid}/consultations.
func (s *Server) listConsultations(c *gin.Context) error {
	cid, err := communityParam(c)
	if err != nil {
		return err
	}
	list, err := postgres.ListConsultations(c.Request.Context(), s.DB, cid)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"consultations": list})
	return nil
}

// getConsultation answers GET /api/v1/consultations/{id}.
func (s *Server) getConsultation(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, k)
	return nil
}

var errNotDraft = errorf(http.StatusConflict, "not_draft", "表决已开始，不能再修改 / the consultation has been opened and can no longer be edited")

// updateConsultation answers PATCH /api/v1/consultations/{id}: the fields
// given replace the draft's (matters, when given, replace all matters),
// and the whole is checked again as at creation.
func (s *Server) updateConsultation(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	if k.State != ballot.Draft {
		return errNotDraft
	}
	var patch map[string]json.RawMessage
	if err := decodeStrict(c, &patch); err != nil {
		return err
	}
	d := k.AsDraft()
	for key, raw := range patch {
		var target any
		switch key {
		case "title":
			target = &d.Title
		case "description":
			target = &d.Description
		case "scope":
			d.Scope = nil
			target = &d.Scope
		case "veto":
			d.Veto = nil
			target = &d.Veto
		case "opens_at":
			target = &d.OpensAt
		case "closes_at":
			target = &d.ClosesAt
		case "previous_id":
			d.PreviousID = nil
			target = &d.PreviousID
		case "matters":
			d.Matters = nil
			target = &d.Matters
		default:
			return badRequest(fmt.Sprintf("未知字段 %q / unknown field %q", key, key))
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(target); err != nil {
			return badRequest(fmt.Sprintf("字段 %s 格式错误 / malformed %s: %v", key, key, err))
		}
	}
	upd, err := s.checkDraft(c, k.CommunityID, &d)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	if err := postgres.UpdateDraft(ctx, s.DB, k.CommunityID, k.ID, &upd); errors.Is(err, postgres.ErrNotDraft) {
		return errNotDraft
	} else if err != nil {
		return err
	}
	if err := s.audit(c, k.CommunityID, "consultation.update", strconv.FormatInt(k.ID, 10), gin.H{"fields": len(patch)}); err != nil {
		return err
	}
	k, err = postgres.GetConsultation(ctx, s.DB, k.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, k)
	return nil
}

// openConsultation answers POST /api/v1/consultations/{id}/open: one
// ballot per unit in scope, issued in one transaction. The answer lists the
// ballots with their links; the links (tokens) are not kept in clear, but
// the packet can be printed again at any time.
func (s *Server) openConsultation(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	issued, err := postgres.OpenConsultation(c.Request.Context(), s.DB, s.Keys, k.CommunityID, k.ID)
	var looser *postgres.LooserRulesError
	switch {
	case errors.As(err, &looser):
		return problemsError(looser.Problems)
	case errors.Is(err, postgres.ErrNotDraft):
		return errorf(http.StatusConflict, "not_draft", "表决已开始，选票已发出 / the consultation is already open: its ballots were issued")
	case err != nil:
		return err
	}
	type issuedOut struct {
		Unit string `json:"unit"`
		Code string `json:"code"`
		URL  string `json:"url"`
	}
	out := make([]issuedOut, len(issued))
	for i, b := range issued {
		out[i] = issuedOut{Unit: b.UnitID, Code: ballot.FormatCode(b.Code), URL: ballot.BallotURL(s.PublicURL, b.Token)}
	}
	if err := s.audit(c, k.CommunityID, "consultation.open", strconv.FormatInt(k.ID, 10), gin.H{"ballots": len(issued)}); err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{
		"id":      k.ID,
		"state":   ballot.Open,
		"count":   len(issued),
		"ballots": out,
		"packet":  fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf", k.ID),
	})
	return nil
}

var errNotOpened = errorf(http.StatusConflict, "not_open", "表决尚未开始发票（仍为草稿）/ the consultation is still a draft: no ballots yet")

// ballotPacket answers GET /api/v1/consultations/{id}/ballots.pdf, the
// ballot packet, narrowed by ?building= and &entrance=, of the units that
// have not voted. The packet holds every ballot's token: it is never
// cached, and every printing is audited with the units printed.
func (s *Server) ballotPacket(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	if k.State == ballot.Draft {
		return errNotOpened
	}
	ctx := c.Request.Context()
	building, entrance := strings.TrimSpace(c.Query("building")), strings.TrimSpace(c.Query("entrance"))
	bs, voted, err := postgres.PacketBallots(ctx, s.DB, s.Keys, k.CommunityID, k.ID, building, entrance)
	if err != nil {
		return err
	}
	if len(bs) == 0 && voted > 0 {
		return errorf(http.StatusConflict, "all_voted", fmt.Sprintf("这些房屋（%d 户）均已投票，已投票房屋的选票不再打印 / all %d units asked for have voted: ballots of units that voted are not printed again", voted, voted))
	}
	if len(bs) == 0 {
		return errorf(http.StatusNotFound, "no_ballots", fmt.Sprintf("没有符合条件的选票（楼栋 %q 单元 %q）/ no ballot of building %q entrance %q", building, entrance, building, entrance))
	}
	estate, err := postgres.GetCommunity(ctx, s.DB, k.CommunityID)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	pages, err := ballot.WritePacket(&buf, ballot.Packet{Estate: estate.Name, Consultation: k, PublicURL: s.PublicURL}, bs)
	if err != nil {
		return err
	}
	if err := s.audit(c, k.CommunityID, "ballots.print", strconv.FormatInt(k.ID, 10),
		gin.H{"building": building, "entrance": entrance, "ballots": len(bs), "pages": pages, "units": packetUnits(bs), "skipped_voted": voted}); err != nil {
		return err
	}
	name := fmt.Sprintf("ballots-%d", k.ID)
	for _, part := range []string{building, entrance} {
		if part != "" {
			name += "-" + asciiName(part)
		}
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
	c.Header("X-Ballot-Pages", strconv.Itoa(pages))
	c.Header("X-Ballots-Skipped-Voted", strconv.Itoa(voted))
	writePDF(c, buf.Bytes())
	return nil
}

// packetUnits lists the units a packet was printed for, for the audit.
func packetUnits(bs []ballot.PacketBallot) []string {
	units := make([]string, len(bs))
	for i, b := range bs {
		units[i] = b.UnitID
	}
	return units
}

// asciiName keeps the letters and digits of a name for a file name.
func asciiName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

// participationTarget is the turnout a consultation aims at: the strictest
// participation fractions among its matters' rules (Article 278's 2/3 and
// 2/3 unless an estate's rules ask for more).
func participationTarget(k *ballot.Consultation) quorum.Rule {
	rule := quorum.OrdinaryRule
	for i, m := range k.Matters {
		r, err := k.RuleOf(&m)
		if err != nil {
			continue
		}
		if i == 0 || r.Participation.Area.AtLeastAsStrictAs(rule.Participation.Area) {
			rule.Participation.Area = r.Participation.Area
		}
		if i == 0 || r.Participation.Headcount.AtLeastAsStrictAs(rule.Participation.Headcount) {
			rule.Participation.Headcount = r.Participation.Headcount
		}
	}
	return rule
}

// turnoutFigures is the participation of one population.
type turnoutFigures struct {
	Eligible         quorum.Tally `json:"eligible"`
	Participating    quorum.Tally `json:"participating"`
	AreaPercent      string       `json:"area_percent"`
	HeadcountPercent string       `json:"headcount_percent"`
	AreaMet          bool         `json:"area_met"`
	HeadcountMet     bool         `json:"headcount_met"`
	ParticipationMet bool         `json:"participation_met"`
	// Needed is how much more must take part to reach the targets.
	Needed quorum.Tally `json:"needed"`
	Veto   *bool        `json:"holds_veto,omitempty"`
}

func figuresOf(o quorum.Outcome, t quorum.Threshold) turnoutFigures {
	f := turnoutFigures{
		Eligible: o.Eligible, Participating: o.Participating,
		AreaPercent:      locale.PercentNumber(int64(o.Participating.Area), int64(o.Eligible.Area)),
		HeadcountPercent: locale.PercentNumber(int64(o.Participating.Headcount), int64(o.Eligible.Headcount)),
		AreaMet:          t.Area.Reached(int64(o.Participating.Area), int64(o.Eligible.Area)),
		HeadcountMet:     t.Headcount.Reached(int64(o.Participating.Headcount), int64(o.Eligible.Headcount)),
		ParticipationMet: o.ParticipationMet,
	}
	f.Needed.Area = quorum.Area(max(0, minimumReaching(t.Area, int64(o.Eligible.Area))-int64(o.Participating.Area)))
	f.Needed.Headcount = int(max(0, minimumReaching(t.Headcount, int64(o.Eligible.Headcount))-int64(o.Participating.Headcount)))
	return f
}

// turnoutResponse is GET /api/v1/consultations/{id}/turnout.
type turnoutResponse struct {
	Consultation struct {
		ID       int64        `json:"id"`
		Title    string       `json:"title"`
		State    ballot.State `json:"state"`
		OpensAt  time.Time    `json:"opens_at"`
		ClosesAt time.Time    `json:"closes_at"`
	} `json:"consultation"`
	Target  quorum.Threshold          `json:"target"`
	Overall turnoutFigures            `json:"overall"`
	Zones   map[string]turnoutFigures `json:"zones"`
	Counts  postgres.CastCounts       `json:"counts"`
	// Delivery is delivered / not yet delivered / voted overall, per zone,
	// building and entrance (§5.1).
	Delivery postgres.DeliveryTurnout `json:"delivery"`
	Missing  []postgres.MissingGroup  `json:"missing,omitempty"`
	At       time.Time                `json:"at"`
}

// turnout answers GET /api/v1/consultations/{id}/turnout: participation
// overall and per zone, by area and headcount against the targets, counted
// by the quorum package from the tally's own aggregation; with ?missing=1
// the units that have not voted, by building and entrance (narrowed by
// ?building= and &entrance=); with ?format=print the same list as a page
// to print for a door-to-door round.
func (s *Server) turnout(c *gin.Context) error {
	k, err := s.consultationParam(c)
	if err != nil {
		return err
	}
	if k.State == ballot.Draft {
		return errNotOpened
	}
	ctx := c.Request.Context()
	in, err := tally.LoadTurnout(ctx, s.DB, k.CommunityID, k.ID)
	if err != nil {
		return err
	}
	rule := participationTarget(k)
	res, err := quorum.Evaluate(in.TurnoutScenario(rule, k.Veto))
	if err != nil {
		return err
	}
	var out turnoutResponse
	out.Consultation.ID, out.Consultation.Title, out.Consultation.State = k.ID, k.Title, k.State
	out.Consultation.OpensAt, out.Consultation.ClosesAt = k.OpensAt, k.ClosesAt
	out.Target = rule.Participation
	out.Overall = figuresOf(res.Overall, rule.Participation)
	out.Zones = map[string]turnoutFigures{}
	for name, z := range res.Zones {
		f := figuresOf(z.Outcome, rule.Participation)
		if k.Veto.Mode != quorum.VetoNone {
			holds := z.HoldsVeto
			f.Veto = &holds
		}
		out.Zones[name] = f
	}
	if out.Counts, err = postgres.CountCasts(ctx, s.DB, k.CommunityID, k.ID); err != nil {
		return err
	}
	if out.Delivery, err = postgres.CountDeliveries(ctx, s.DB, k.CommunityID, k.ID); err != nil {
		return err
	}
	out.At = time.Now()
	print := c.Query("format") == "print"
	if c.Query("missing") == "1" || print {
		building, entrance := strings.TrimSpace(c.Query("building")), strings.TrimSpace(c.Query("entrance"))
		if out.Missing, err = postgres.MissingUnits(ctx, s.DB, k.CommunityID, k.ID, building, entrance); err != nil {
			return err
		}
		if print {
			estate, err := postgres.GetCommunity(ctx, s.DB, k.CommunityID)
			if err != nil {
				return err
			}
			s.renderMissing(c, estate.Name, k, &out, building, entrance)
			return nil
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}
