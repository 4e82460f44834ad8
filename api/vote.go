package api

// The owner's voting page, /v/{token} (DESIGN §5): large type, Simplified
// Chinese by default with an English switch, no login, and no script needed
// (vote.js adds the text size, read-aloud and keeping the receipt). GET
// shows the ballot — after the owner verification the vote asks for, which
// POST with step=send_code and step=verify pass (§5.2); POST with
// step=confirm shows the choices to confirm; POST with step=cast counts
// them and shows the receipt, the only time the choices are shown to a
// holder who has not passed a verification. And the printable
// list of units still to visit, for a building leader's round.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/idnumber"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/secret"
	"gongjue/templates"
	"gongjue/verification"
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
	NoVeto      string   // an election's sentence that the zone veto does not apply
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
	Rules      string // which rules of procedure the vote follows (§3.6)
	// ShowChoices shows the cast choices: right after casting, or to a
	// holder who passed the vote's verification; never otherwise (§5).
	ShowChoices bool
	Verify      *verifyStep // the owner verification to pass first
	ResultURL   string      // a closed vote's signed result
}

// verifyStep is the owner verification step of the page (§5.2).
type verifyStep struct {
	Method       verification.Method
	Error        string // what was wrong with the last attempt
	Typed        string // the ID number typed, masked
	SentTo       string // the phone a code was just sent to, masked
	ValidMinutes int    // how long a code is valid
	LockedUntil  string
	PaperOnly    string // why this unit must vote on paper
	ForChoices   bool   // the unit has voted: passing shows its choices
}

// voteChoiceLabel names a choice code (agree …); options and candidates
// show as cast.
func voteChoiceLabel(lang templates.Lang, v string) string { return say(lang, locale.Choice(v)) }

func voteChannelLabel(lang templates.Lang, ch ballot.Channel) string {
	return say(lang, locale.Channel(string(ch)))
}

// inOptionOrder returns the chosen values in the order the ballot lists
// them, so the confirmation and the receipt name candidates alike whatever
// order they were ticked or stored in; a value the owner cannot tick (a
// paper ballot's spoiled) follows. An election's abstain (nobody ticked)
// is no choice and drops out.
func (m *voteMatter) inOptionOrder(values []string) []string {
	picked := map[string]bool{}
	for _, v := range values {
		picked[v] = true
	}
	var out []string
	for _, o := range m.Options {
		if picked[o.Value] {
			out = append(out, o.Value)
			delete(picked, o.Value)
		}
	}
	for _, v := range values {
		if picked[v] && v != "" && !(v == ballot.Abstain && m.Kind == ballot.Election) {
			out = append(out, v)
		}
	}
	return out
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
		ClosesAt: locale.Minute(k.ClosesAt),
		OpensAt:  locale.Minute(k.OpensAt),
	}
	errs := map[string]string{}
	for _, pr := range problems {
		errs[pr.Field] = locale.Bilingual(pr.Message).In(p.Lang == templates.English)
	}
	for i := range k.Matters {
		m := &k.Matters[i]
		key := strconv.FormatInt(m.ID, 10)
		vm := voteMatter{ID: m.ID, Field: "m" + key, Number: i + 1, Title: m.Title, Description: m.Description,
			Kind: m.Kind, Seats: m.Seats, Error: errs["choices."+key], NoVeto: conElectionNoVeto(p, k.Veto, string(m.Kind))}
		picked := map[string]bool{}
		for _, x := range chosen[key] {
			picked[x] = true
		}
		for _, x := range m.Marks() {
			vm.Options = append(vm.Options, voteOption{Value: x, Label: voteChoiceLabel(p.Lang, x), Checked: picked[x]})
		}
		for _, x := range vm.inOptionOrder(chosen[key]) {
			vm.Chosen = append(vm.Chosen, voteChoiceLabel(p.Lang, x))
			vm.Values = append(vm.Values, x)
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

// withCast adds a counted ballot to the page; its choices are shown only
// when showChoices.
func (vp *votePage) withCast(v *postgres.BallotView, r *postgres.CastRecord, showChoices bool) {
	vp.Cast = r
	vp.ShowChoices = showChoices
	vp.CastAt = locale.Minute(r.At)
	vp.Channel = voteChannelLabel(vp.Lang, r.Channel)
	vp.Receipt = r.Receipt
	if r.Receipt != "" {
		vp.VerifyURL = fmt.Sprintf("/log/%d?receipt=%s", v.Consultation.ID, r.Receipt)
	}
	chosen := ballot.AsInput(r.Choices)
	for i := range vp.Matters {
		m := &vp.Matters[i]
		m.Chosen, m.Values = nil, nil
		for _, x := range m.inOptionOrder(chosen[strconv.FormatInt(m.ID, 10)]) {
			m.Chosen = append(m.Chosen, voteChoiceLabel(vp.Lang, x))
		}
		if len(m.Chosen) == 0 {
			m.Chosen = []string{templates.T(vp.Lang, "vote.election.blank")}
		}
	}
}

// findVoteBallot finds the page's ballot and what its holder has proven,
// or renders why not and returns nil.
func (s *Server) findVoteBallot(c *gin.Context) (*postgres.BallotView, ownerStatus) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Robots-Tag", "noindex")
	p := newPage(c)
	token, err := ballot.ParseToken(c.Param("token"))
	if err != nil {
		s.renderError(c, http.StatusBadRequest, templates.T(p.Lang, "vote.bad_link"))
		return nil, ownerStatus{}
	}
	v, err := postgres.BallotByToken(c.Request.Context(), s.DB, token)
	if errors.Is(err, postgres.ErrNotFound) {
		s.renderError(c, http.StatusNotFound, templates.T(p.Lang, "vote.unknown"))
		return nil, ownerStatus{}
	}
	if err != nil {
		writePageError(s, c, err)
		return nil, ownerStatus{}
	}
	o, err := s.ownerStatus(c.Request.Context(), v)
	if err != nil {
		writePageError(s, c, err)
		return nil, ownerStatus{}
	}
	return v, o
}

// voteBallot finds the page's ballot when it can be cast now, or renders
// why not — the vote is not open, or the unit has voted — and returns nil.
func (s *Server) voteBallot(c *gin.Context) (*postgres.BallotView, ownerStatus) {
	v, o := s.findVoteBallot(c)
	if v == nil {
		return nil, o
	}
	p := newPage(c)
	k := &v.Consultation
	var we *ballot.WindowError
	if err := ballot.CheckWindow(k.State, k.OpensAt, k.ClosesAt, v.Now); errors.As(err, &we) {
		vp := newVotePage(c, v, nil, nil)
		if we.Reason == "closed" {
			vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.closed"), locale.Minute(k.ClosesAt))
			if k.ClosedAt != nil && k.ClosedAt.Before(k.ClosesAt) {
				vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.closed"), locale.Minute(*k.ClosedAt))
			}
			if n, err := postgres.GetNotice(c.Request.Context(), s.DB, k.ID); err == nil && n.Signed() {
				vp.ResultURL = "/verify/" + n.ID
			}
		} else {
			vp.NotYetOpen = true
			vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.not_open"), locale.Minute(k.OpensAt))
		}
		if v.Cast != nil {
			s.withVoted(c, &vp, v, o)
		}
		s.render(c, http.StatusForbidden, "vote_done", vp)
		return nil, o
	}
	if v.Cast != nil {
		vp := newVotePage(c, v, nil, nil)
		s.withVoted(c, &vp, v, o)
		vp.Message = fmt.Sprintf(templates.T(p.Lang, "vote.already"), vp.CastAt, vp.Channel)
		status := http.StatusOK
		if c.Request.Method == http.MethodPost {
			status = http.StatusConflict
		}
		s.render(c, status, "vote_done", vp)
		return nil, o
	}
	return v, o
}

// withVoted shows that the unit voted, when and how; its choices only to a
// holder who passed the vote's verification, and to others the step that
// would show them (none under none).
func (s *Server) withVoted(c *gin.Context, vp *votePage, v *postgres.BallotView, o ownerStatus) {
	vp.withCast(v, v.Cast, o.SeesChoices(v.Cast))
	if o.Asked() && !o.SeesChoices(v.Cast) {
		vp.Verify = s.verifyStepFor(c, v, o)
		vp.Verify.ForChoices = true
	}
}

// verifyStepFor lays out the verification step of a ballot not yet passed.
func (s *Server) verifyStepFor(c *gin.Context, v *postgres.BallotView, o ownerStatus) *verifyStep {
	lang := newPage(c).Lang
	st := &verifyStep{Method: o.Method, ValidMinutes: int(verification.CodeValidity.Minutes())}
	if o.State.Locked(o.Now) {
		st.LockedUntil = locale.Minute(o.State.LockedUntil)
		st.Error = lockedOut(o.State.LockedUntil).text(lang)
	}
	var r *refusal
	if _, err := s.ownerContact(c.Request.Context(), v, o.Method); errors.As(err, &r) {
		st.PaperOnly = r.text(lang)
	}
	return st
}

// writePageError shows err on the owner's page: never as JSON. When the
// database cannot be reached the owner is told the vote may not have been
// recorded and to come back in a minute (DESIGN §5.5).
func writePageError(s *Server, c *gin.Context, err error) {
	if databaseUnavailable(err) {
		unavailableError(c, err)
		s.renderError(c, http.StatusServiceUnavailable, templates.T(newPage(c).Lang, "vote.db_unavailable"))
		return
	}
	s.consolePageError(c, err)
}

// votePage answers GET /v/{token}: the ballot, or first the owner
// verification the vote asks for. Showing the page is an electronic
// delivery (§5.1) where the vote's rules count one.
func (s *Server) votePage(c *gin.Context) {
	v, o := s.voteBallot(c)
	if v == nil {
		return
	}
	if err := postgres.BallotOpened(c.Request.Context(), s.DB, v); err != nil {
		writePageError(s, c, err)
		return
	}
	vp := newVotePage(c, v, nil, nil)
	vp.Rules = v.Consultation.Procedure.Sentence(vp.Lang == templates.English)
	if !o.Passed {
		vp.Verify = s.verifyStepFor(c, v, o)
	}
	s.render(c, http.StatusOK, "vote", vp)
}

// voteVerify answers the page's verification steps: step=send_code sends an
// SMS code, step=verify checks the ID number or code typed. A pass sends
// the holder back to the ballot (or, when the unit voted, its choices).
func (s *Server) voteVerify(c *gin.Context, step string) {
	v, o := s.findVoteBallot(c)
	if v == nil {
		return
	}
	ctx := c.Request.Context()
	vp := newVotePage(c, v, nil, nil)
	st := s.verifyStepFor(c, v, o)
	var err error
	switch {
	case step == "send_code":
		st.SentTo, err = s.sendCode(ctx, v, o)
	case o.Method == verification.IDNumber:
		typed := c.PostForm("id_number")
		st.Typed = secret.MaskIDNumber(idnumber.Normalize(typed))
		err = s.checkIDNumber(ctx, v, o, typed)
	default:
		err = s.checkCode(ctx, v, o, c.PostForm("sms_code"))
	}
	var r *refusal
	switch {
	case errors.As(err, &r):
		st.Error = r.text(vp.Lang)
		if r.Code == "verification_locked" {
			st.LockedUntil = locale.Minute(r.RetryAt)
		}
		if v.Cast != nil {
			vp.withCast(v, v.Cast, false)
			st.ForChoices = true
		}
		vp.Verify = st
		page := "vote"
		if v.Cast != nil {
			page = "vote_done"
		}
		s.render(c, r.Status, page, vp)
	case err != nil:
		writePageError(s, c, err)
	case step == "send_code":
		vp.Verify = st
		s.render(c, http.StatusOK, "vote", vp)
	default:
		c.Redirect(http.StatusSeeOther, c.Request.URL.Path)
	}
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
	step := c.PostForm("step")
	if step == "verify" || step == "send_code" {
		s.voteVerify(c, step)
		return
	}
	v, o := s.voteBallot(c)
	if v == nil {
		return
	}
	if !o.Passed { // the ballot is not shown, let alone cast, before the verification
		vp := newVotePage(c, v, nil, nil)
		vp.Verify = s.verifyStepFor(c, v, o)
		vp.Verify.Error = verificationRequired(o.Method).text(vp.Lang)
		s.render(c, http.StatusForbidden, "vote", vp)
		return
	}
	k := &v.Consultation
	in := formChoices(c, k.Matters)
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
	cast, err := postgres.CastOnline(c.Request.Context(), s.DB, k.CommunityID, k.ID, v.UnitID, sel, o.Pass)
	var dup *postgres.AlreadyCastError
	var we *ballot.WindowError
	switch {
	case errors.As(err, &dup):
		vp := newVotePage(c, v, nil, nil)
		vp.Message = fmt.Sprintf(templates.T(vp.Lang, "vote.already"), locale.Minute(dup.At), voteChannelLabel(vp.Lang, dup.Channel))
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
	vp.withCast(v, &postgres.CastRecord{At: cast.At, Channel: ballot.Online, Choices: sel, Receipt: cast.Receipt}, true)
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
	mp := missingPage{page: p, Estate: estate, Title: k.Title, ClosesAt: locale.Minute(k.ClosesAt),
		Printed: locale.Minute(t.At), Overall: t.Overall, Target: t.Target, Groups: t.Missing,
		ConsultURL: fmt.Sprintf("/console/consultations/%d", k.ID)}
	if building != "" || entrance != "" {
		mp.Narrowed = ballot.Scope{Building: building, Entrance: entrance}.Describe(p.Lang == templates.English)
	}
	for _, g := range t.Missing {
		mp.Units += len(g.Units)
	}
	s.render(c, http.StatusOK, "vote_missing", mp)
}
