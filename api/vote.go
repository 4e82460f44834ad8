package api

// The owner's voting page, /v/{token} (DESIGN §5): large type, Simplified
// Chinese by default with an English switch, no login and no script. GET
// shows the ballot; POST with step=confirm shows the choices to confirm;
// POST with step=cast counts them and shows the receipt. And the printable
// list of units still to visit, for a building leader's round.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/templates"
)

// voteOption is one box of a matter on the page.
type voteOption struct {
	Value   string
	Label   string
	Checked bool
}

// voteMatter is one matter on the page.
type voteMatter struct {
	ID          int64
	Field       string // the form field: m{ID}
	Number      int
	Title       string
	Description string
	Kind        ballot.Kind
	Seats       int
	Options     []voteOption
	Error       string
	Chosen      []string // labels of the chosen values (confirmation, receipt)
	Values      []string // the chosen values (hidden fields of the confirmation)
}

// votePage is the data of vote.html, vote_confirm.html and vote_done.html.
type votePage struct {
	page
	Action     string // the form's action: /v/{token}
	Estate     string
	Title      string
	Intro      string
	Unit       string
	Place      string
	Zone       string
	Area       string
	Code       string
	ClosesAt   string
	OpensAt    string
	Matters    []voteMatter
	HasErrors  bool
	Message    string // why the ballot cannot be cast, or that it was cast before
	Done       bool   // just cast
	Cast       *postgres.CastRecord
	CastAt     string
	Channel    string
	Receipt    string
	VerifyURL  string
	NotYetOpen bool
}

func voteChoiceLabel(lang templates.Lang, m *ballot.Matter, v string) string {
	switch v {
	case ballot.Agree, ballot.Oppose, ballot.Abstain, ballot.Spoiled:
		return templates.T(lang, "vote.choice."+v)
	}
	return v
}

func voteChannelLabel(lang templates.Lang, ch ballot.Channel) string {
	return templates.T(lang, "vote.channel."+string(ch))
}

// newVotePage lays out a ballot with the chosen values checked.
func newVotePage(c *gin.Context, v *postgres.BallotView, chosen ballot.Input, problems ballot.Problems) votePage {
	p := newPage(c)
	k := &v.Consultation
	vp := votePage{
		page:     p,
		Action:   c.Request.URL.Path,
		Estate:   v.Estate,
		Title:    k.Title,
		Intro:    k.Description,
		Unit:     v.UnitID,
		Place:    placeText(p.Lang, v.Place),
		Zone:     v.Zone,
		Area:     v.Area.String(),
		Code:     ballot.FormatCode(v.Code),
		ClosesAt: ballot.FormatTime(k.ClosesAt),
		OpensAt:  ballot.FormatTime(k.OpensAt),
	}
	errs := map[string]string{}
	for _, pr := range problems {
		errs[pr.Field] = pr.Message
	}
	for i := range k.Matters {
		m := &k.Matters[i]
		key := strconv.FormatInt(m.ID, 10)
		vm := voteMatter{ID: m.ID, Field: "m" + key, Number: i + 1, Title: m.Title, Description: m.Description,
			Kind: m.Kind, Seats: m.Seats, Error: errs["choices."+key]}
		var values []string
		switch m.Kind {
		case ballot.Approve:
			values = []string{ballot.Agree, ballot.Oppose, ballot.Abstain}
		case ballot.Choice:
			values = append(append([]string{}, m.Options...), ballot.Abstain)
		default: // an election: choosing nobody abstains
			values = m.Options
		}
		picked := map[string]bool{}
		for _, x := range chosen[key] {
			picked[x] = true
		}
		for _, x := range values {
			vm.Options = append(vm.Options, voteOption{Value: x, Label: voteChoiceLabel(p.Lang, m, x), Checked: picked[x]})
		}
		for _, x := range chosen[key] {
			if x != "" {
				vm.Chosen = append(vm.Chosen, voteChoiceLabel(p.Lang, m, x))
				vm.Values = append(vm.Values, x)
			}
		}
		if m.Kind == ballot.Election && len(vm.Chosen) == 0 {
			vm.Chosen = []string{templates.T(p.Lang, "vote.election.blank")}
		}
		if vm.Error != "" {
			vp.HasErrors = true
		}
		vp.Matters = append(vp.Matters, vm)
	}
	if len(problems) > 0 {
		vp.HasErrors = true
	}
	return vp
}

func placeText(lang templates.Lang, pl ballot.Place) string {
	if lang == templates.English {
		return fmt.Sprintf("Building %s, entrance %s, room %s", pl.Building, pl.Entrance, pl.Room)
	}
	return fmt.Sprintf("%s幢 %s单元 %s室", pl.Building, pl.Entrance, pl.Room)
}

// withCast adds a counted ballot to the page.
func (vp *votePage) withCast(v *postgres.BallotView, r *postgres.CastRecord) {
	vp.Cast = r
	vp.CastAt = ballot.FormatTime(r.At)
	vp.Channel = voteChannelLabel(vp.Lang, r.Channel)
	vp.Receipt = r.Receipt
	if r.Receipt != "" {
		vp.VerifyURL = fmt.Sprintf("/log/%d?receipt=%s", v.Consultation.ID, r.Receipt)
	}
	chosen := ballot.AsInput(r.Choices)
	for i := range vp.Matters {
		m := &vp.Matters[i]
		m.Chosen, m.Values = nil, nil
		for _, x := range chosen[strconv.FormatInt(m.ID, 10)] {
			if x == ballot.Abstain && m.Kind == ballot.Election {
				x = ""
			}
			if x != "" {
				m.Chosen = append(m.Chosen, voteChoiceLabel(vp.Lang, v.Consultation.Matter(m.ID), x))
			}
		}
		if len(m.Chosen) == 0 {
			m.Chosen = []string{templates.T(vp.Lang, "vote.election.blank")}
		}
	}
}

// voteBallot finds the page's ballot, or renders why not and returns nil.
func (s *Server) voteBallot(c *gin.Context) *postgres.BallotView {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Robots-Tag", "noindex")
	p := newPage(c)
	token, err := ballot.ParseToken(c.Param("token"))
	if err != nil {
		s.renderError(c, http.StatusBadRequest, templates.T(p.Lang, "vote.bad_link"))
		return nil
	}
	v, err := postgres.BallotByToken(c.Request.Context(), s.DB, token)
	if errors.Is(err, postgres.ErrNotFound) {
		s.renderError(c, http.StatusNotFound, templates.T(p.Lang, "vote.unknown"))
		return nil
	}
	if err != nil {
		writePageError(s, c, err)
		return nil
	}
	k := &v.Consultation
	var we *ballot.WindowError
	if err := ballot.CheckWindow(k.State, k.OpensAt, k.ClosesAt, v.Now); errors.As(err, &we) {
		vp := newVotePage(c, v, nil, nil)
		if we.Reason == "closed" {
			vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.closed"), ballot.FormatTime(k.ClosesAt))
			if k.ClosedAt != nil && k.ClosedAt.Before(k.ClosesAt) {
				vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.closed"), ballot.FormatTime(*k.ClosedAt))
			}
		} else {
			vp.NotYetOpen = true
			vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.not_open"), ballot.FormatTime(k.OpensAt))
		}
		if v.Cast != nil {
			vp.withCast(v, v.Cast)
		}
		s.render(c, http.StatusForbidden, "vote_done", vp)
		return nil
	}
	if v.Cast != nil {
		vp := newVotePage(c, v, nil, nil)
		vp.withCast(v, v.Cast)
		vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.already"), vp.CastAt, vp.Channel)
		status := http.StatusOK
		if c.Request.Method == http.MethodPost {
			status = http.StatusConflict
		}
		s.render(c, status, "vote_done", vp)
		return nil
	}
	return v
}

func writePageError(s *Server, c *gin.Context, err error) {
	if apiErr := apiError(err); apiErr != nil {
		s.renderError(c, apiErr.Status, apiErr.Message)
		return
	}
	writeError(c, err) // logs it, answers 500
}

// votePage answers GET /v/{token}.
func (s *Server) votePage(c *gin.Context) {
	v := s.voteBallot(c)
	if v == nil {
		return
	}
	s.render(c, http.StatusOK, "vote", newVotePage(c, v, nil, nil))
}

// formChoices reads the ballot form: m{ID} fields, several for an
// election; empty values (the election's hidden field) are dropped but
// keep the matter present.
func formChoices(c *gin.Context, matters []ballot.Matter) ballot.Input {
	in := ballot.Input{}
	for _, m := range matters {
		key := strconv.FormatInt(m.ID, 10)
		values, ok := c.GetPostFormArray("m" + key)
		if !ok {
			continue
		}
		var kept []string
		for _, x := range values {
			if x != "" {
				kept = append(kept, x)
			}
		}
		if len(kept) == 0 && m.Kind != ballot.Election {
			continue
		}
		in[key] = kept
	}
	return in
}

// voteSubmit answers POST /v/{token}: step=confirm shows the choices to
// confirm, step=edit goes back to the ballot, step=cast counts them.
func (s *Server) voteSubmit(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBallotBody)
	if err := c.Request.ParseForm(); err != nil {
		s.renderError(c, http.StatusRequestEntityTooLarge, templates.T(newPage(c).Lang, "vote.bad_form"))
		return
	}
	v := s.voteBallot(c)
	if v == nil {
		return
	}
	k := &v.Consultation
	in := formChoices(c, k.Matters)
	step := c.PostForm("step")
	if step == "edit" {
		s.render(c, http.StatusOK, "vote", newVotePage(c, v, in, nil))
		return
	}
	sel, problems := ballot.CheckChoices(in, k.Matters, false)
	if len(problems) > 0 {
		vp := newVotePage(c, v, in, problems)
		s.render(c, http.StatusUnprocessableEntity, "vote", vp)
		return
	}
	if step != "cast" {
		s.render(c, http.StatusOK, "vote_confirm", newVotePage(c, v, in, nil))
		return
	}
	cast, err := postgres.CastOnline(c.Request.Context(), s.DB, k.CommunityID, k.ID, v.UnitID, sel)
	var dup *postgres.AlreadyCastError
	var we *ballot.WindowError
	switch {
	case errors.As(err, &dup):
		vp := newVotePage(c, v, nil, nil)
		vp.Message = fmt.Sprintf(templates.T(vp.Lang, "vote.already"), ballot.FormatTime(dup.At), voteChannelLabel(vp.Lang, dup.Channel))
		s.render(c, http.StatusConflict, "vote_done", vp)
		return
	case errors.As(err, &we):
		s.renderError(c, http.StatusForbidden, we.Error())
		return
	case err != nil:
		writePageError(s, c, err)
		return
	}
	vp := newVotePage(c, v, nil, nil)
	vp.Done = true
	vp.withCast(v, &postgres.CastRecord{At: cast.At, Channel: ballot.Online, Choices: sel, Receipt: cast.Receipt})
	s.render(c, http.StatusCreated, "vote_done", vp)
}

// missingPage is the data of vote_missing.html.
type missingPage struct {
	page
	Estate     string
	Title      string
	ClosesAt   string
	Printed    string
	Narrowed   string
	Overall    turnoutFigures
	Target     quorum.Threshold
	Groups     []postgres.MissingGroup
	Units      int
	ConsultURL string
}

// renderMissing shows the units still to visit as a page to print: one
// section per building and entrance, each unit with a box to tick.
func (s *Server) renderMissing(c *gin.Context, estate string, k *ballot.Consultation, t *turnoutResponse, building, entrance string) {
	p := newPage(c)
	mp := missingPage{page: p, Estate: estate, Title: k.Title, ClosesAt: ballot.FormatTime(k.ClosesAt),
		Printed: ballot.FormatTime(t.At), Overall: t.Overall, Target: t.Target, Groups: t.Missing,
		ConsultURL: fmt.Sprintf("/console/consultations/%d", k.ID)}
	if building != "" || entrance != "" {
		mp.Narrowed = ballot.Scope{Building: building, Entrance: entrance}.Describe(p.Lang == templates.English)
	}
	for _, g := range t.Missing {
		mp.Units += len(g.Units)
	}
	s.render(c, http.StatusOK, "vote_missing", mp)
}
