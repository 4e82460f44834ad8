package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/procedure"
	"gongjue/quorum"
	"gongjue/staff"
	"gongjue/tally"
	"gongjue/templates"
)

// The results page: every matter's verdict with its explanation, the zone
// table with the veto outcome and what-if, and the notice workflow —
// approval by the owners' committee, countersignature by the residents'
// committee, then the signed PDF.

type resultData struct {
	consoleData
	ID        int64
	Doc       *tally.Document
	ResultSHA string
	ScopeText string
	VetoText  string
	// Rules is the rules of procedure the result was decided under (the
	// version and hash, or the no-version sentence) and Counting how they
	// count unreturned and spoiled ballots; both empty for a result frozen
	// before the rules were recorded with it.
	Rules       string
	Counting    []string
	Matters     []conMatterView
	NextRound   bool // the committee may launch a next round: a matter did not pass
	Notice      *notice.Status
	Committee   *postgres.Approval
	Residents   *postgres.Approval
	CanApprove  bool
	ApproveText string
	ConfirmText string
	VerifyURL   string
	PDFURL      string
	// PreviewURL is the unsigned draft each body reads before approving.
	PreviewURL string
	// Key is how the viewing body's signing key is kept (nil for a volunteer).
	Key        *notice.BodyKey
	SigningURL string // PUT: set or change the body's passphrase
	Objections []postgres.Objection
}

// conMatterView is one matter's verdict, ready to show.
type conMatterView struct {
	Position    int
	Title       string
	Description string
	KindText    string
	RuleText    string
	Passed      bool
	Kind        string
	Verdict     string
	Summary     string // the verdict's reason in one sentence
	NoVeto      string // an election's sentence that the zone veto does not apply
	Why         string // why a choice's leading option was vetoed (notice.MatterFigures)
	Deemed      string // whom owners deemed to take part followed
	Explanation string
	Overall     *quorum.Outcome
	Rows        []conFigureRow
	Zones       []conZoneView
	WhatIf      string
	Options     []conOptionView
}

// conZoneView is one zone's line of a verdict.
type conZoneView struct {
	Name      string
	Outcome   quorum.Outcome
	HoldsVeto bool
	Vetoed    bool
}

// conOptionView is one option or candidate of a choice or an election.
type conOptionView struct {
	Name        string
	Outcome     quorum.Outcome
	Passed      bool
	Won         bool
	Rows        []conFigureRow
	Explanation string
	Zones       []conZoneView
}

func (s *Server) consoleResult(c *gin.Context) {
	d, err := s.newConsoleData(c, "")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	id, err := tallyID(c)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	ctx := c.Request.Context()
	info, err := postgres.GetClosingInfo(ctx, s.DB, id)
	if err == nil && info.CommunityID != d.Community.ID {
		err = postgres.ErrNotFound
	}
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	stored, err := postgres.GetResult(ctx, s.DB, id)
	if errors.Is(err, postgres.ErrNotFound) {
		s.renderError(c, http.StatusConflict, conPickText(d.page,
			"这项表决尚未截止计票，还没有结果。业委会在表决页面点击“截止并计票”后即可查看结果。",
			"This vote has not been closed yet, so there is no result. Once the owners' committee closes it on the vote's page, the result appears here."))
		return
	}
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	doc, err := tally.Decode(stored.JSON)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	data := resultData{consoleData: d, ID: id, Doc: doc, ResultSHA: fmt.Sprintf("%x", stored.SHA256)}
	if p := doc.Consultation.Procedure; p != nil {
		data.Rules = p.Sentence(d.Lang == templates.English)
		for _, l := range procedure.Explain(p.Settings, p.Defaults) {
			if l.Key == "nonresponse" || l.Key == "spoiled" {
				data.Counting = append(data.Counting, conPickText(d.page, l.ZH, l.EN))
			}
		}
	}
	data.ScopeText = say(d.Lang, locale.Scope(doc.Consultation.Scope.Zone, doc.Consultation.Scope.Building, doc.Consultation.Scope.Entrance))
	data.VetoText = conVetoText(d.page, doc.Consultation.Veto)
	// The notice's figures say why a choice was vetoed and whom deemed
	// owners followed: the console says the same.
	figs := notice.Figures(doc, d.Lang == templates.English)
	for i := range doc.Matters {
		v := s.conMatterView(d.page, doc, &doc.Matters[i])
		v.Why, v.Deemed = figs[i].Why, figs[i].Deemed
		data.Matters = append(data.Matters, v)
		data.NextRound = data.NextRound || (d.IsCommittee() && !v.Passed)
	}
	st, err := notice.GetStatus(ctx, s.DB, id)
	if err != nil && !errors.Is(err, notice.ErrNotClosed) {
		s.consolePageError(c, err)
		return
	}
	if st != nil {
		data.Notice = st
		for i := range st.Approvals {
			switch st.Approvals[i].Body {
			case staff.RoleCommittee:
				data.Committee = &st.Approvals[i]
			case staff.RoleResidentsCommittee:
				data.Residents = &st.Approvals[i]
			}
		}
		switch {
		case st.Signed:
		case d.IsCommittee() && data.Committee == nil:
			data.CanApprove = true
			data.ApproveText = conPickText(d.page, "业委会审核通过，同意公示", "Approve the notice for the owners' committee")
			data.ConfirmText = conPickText(d.page, "确认已核对本页结果，以业主委员会名义同意公示？审核后不能撤回。", "Approve this notice for the owners' committee? The approval cannot be withdrawn.")
		case d.IsResidents() && data.Residents == nil:
			data.CanApprove = true
			data.ApproveText = conPickText(d.page, "居委会会签，同意公示", "Countersign the notice for the residents' committee")
			data.ConfirmText = conPickText(d.page, "确认已核对本页结果，以居民委员会名义会签公示？会签后不能撤回。", "Countersign this notice for the residents' committee? This cannot be withdrawn.")
		}
		data.PDFURL = fmt.Sprintf("/api/v1/consultations/%d/notice.pdf", id)
		data.PreviewURL = fmt.Sprintf("/api/v1/consultations/%d/notice/preview.pdf", id)
		data.VerifyURL = "/verify/" + st.NoticeID
		if d.IsCommittee() || d.IsResidents() {
			key, err := notice.KeyStatus(ctx, s.DB, doc.Consultation.CommunityID, d.Account.Role)
			if err != nil {
				s.consolePageError(c, err)
				return
			}
			data.Key = &key
			data.SigningURL = fmt.Sprintf("/api/v1/communities/%d/signing/%s", doc.Consultation.CommunityID, d.Account.Role)
		}
		if st.Signed {
			if data.Objections, err = postgres.Objections(ctx, s.DB, doc.Consultation.CommunityID, id); err != nil {
				s.consolePageError(c, err)
				return
			}
		}
	}
	s.render(c, http.StatusOK, "console_result", data)
}

func (s *Server) conMatterView(p page, doc *tally.Document, m *tally.Matter) conMatterView {
	veto := doc.Consultation.Veto
	v := conMatterView{Position: m.Position, Title: m.Title, Description: m.Description, Passed: m.Passed(), Kind: m.Kind,
		Verdict: say(p.Lang, notice.Verdict(doc, m)), NoVeto: conElectionNoVeto(p, veto, m.Kind)}
	v.KindText = conKindText(p, m.Kind, m.Category, m.Options, m.Seats)
	v.RuleText = conRuleText(p, m.Rule)
	switch {
	case m.Approve() != nil:
		r := m.Approve()
		v.Overall = &r.Overall
		v.Explanation = conPickText(p, r.Explanation.ZH, r.Explanation.EN)
		if len(r.Zones) > 1 || veto.Mode != quorum.VetoNone && veto.Mode != "" {
			v.Zones = conZoneViews(veto, r)
		}
		v.WhatIf = say(p.Lang, notice.WhatIf(veto.Mode, r.WhatIf))
		v.Summary = conVerdictReason(p, r, veto)
	case m.Choice() != nil:
		r := m.Choice()
		for _, name := range m.Options {
			or := r.Options[name]
			if or == nil {
				continue
			}
			o := conOptionView{Name: name, Outcome: or.Overall, Passed: or.Passed, Won: r.Decided && r.Winner == name,
				Explanation: conPickText(p, or.Explanation.ZH, or.Explanation.EN), Zones: conZoneViews(veto, or)}
			v.Options = append(v.Options, o)
			if v.Overall == nil {
				ov := or.Overall
				v.Overall = &ov
			}
		}
	case m.Election() != nil:
		r := m.Election()
		for _, name := range m.Options {
			cr := r.Candidates[name]
			if cr == nil {
				continue
			}
			o := conOptionView{Name: name, Outcome: cr.Overall, Passed: cr.Passed, Won: cr.Elected,
				Explanation: conPickText(p, cr.Explanation.ZH, cr.Explanation.EN), Zones: conZoneViews(veto, &cr.Result)}
			v.Options = append(v.Options, o)
			if v.Overall == nil {
				ov := cr.Overall
				v.Overall = &ov
			}
		}
	}
	v.Rows = conOutcomeRows(p, m.Kind, v.Overall, doc.SpoiledAbstain())
	if m.Approve() == nil && len(v.Rows) > 2 {
		// A choice or an election shows its turnout here; each option's
		// support is in the options table, each against its own others.
		v.Rows = v.Rows[:2]
	}
	for i := range v.Options {
		v.Options[i].Rows = conOutcomeRows(p, m.Kind, &v.Options[i].Outcome, doc.SpoiledAbstain())
	}
	return v
}

func conZoneViews(veto quorum.Veto, r *quorum.Result) []conZoneView {
	var out []conZoneView
	for name, z := range r.Zones {
		holds := veto.Mode != "" && veto.Mode != quorum.VetoNone && (len(veto.Zones) == 0 || slices.Contains(veto.Zones, name))
		out = append(out, conZoneView{Name: name, Outcome: z.Outcome, HoldsVeto: holds, Vetoed: z.Vetoed})
	}
	slices.SortFunc(out, func(a, b conZoneView) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// conElectionNoVeto is the sentence an election carries under a zone veto,
// or "".
func conElectionNoVeto(p page, veto quorum.Veto, kind string) string {
	if t := ballot.ElectionNoVeto(veto, kind); t != nil {
		return say(p.Lang, *t)
	}
	return ""
}

// conKindText says what a matter asks and under which Article 278 category.
func conKindText(p page, kind string, category string, options []string, seats int) string {
	return say(p.Lang, locale.Kind(kind, options, seats)) + " · " + say(p.Lang, locale.Category(category))
}

// conRuleText states a rule's four fractions in words.
func conRuleText(p page, r quorum.Rule) string {
	return conPickText(p,
		fmt.Sprintf("参与表决：面积%s且人数%s；同意：参与面积%s且参与人数%s", conFractionText(p, r.Participation.Area), conFractionText(p, r.Participation.Headcount), conFractionText(p, r.Approval.Area), conFractionText(p, r.Approval.Headcount)),
		fmt.Sprintf("participation: %s of the area and %s of the owners; agreement: %s of the participating area and %s of the participating owners", conFractionText(p, r.Participation.Area), conFractionText(p, r.Participation.Headcount), conFractionText(p, r.Approval.Area), conFractionText(p, r.Approval.Headcount)))
}

func conVetoText(p page, v quorum.Veto) string {
	return say(p.Lang, locale.Veto(string(v.Mode), v.Zones))
}

// conFigureRow is one line of a turnout or verdict table.
type conFigureRow struct {
	Label     string
	Headcount int
	Area      quorum.Area
	HeadPct   string
	AreaPct   string
	Strong    bool
}

// conOutcomeRows lays out an outcome: eligible, participating (share of the
// eligible), then agree, oppose and abstain (shares of the participants).
func conOutcomeRows(p page, kind string, o *quorum.Outcome, spoiledAbstain bool) []conFigureRow {
	if o == nil {
		return nil
	}
	share := func(label string, t, of quorum.Tally, strong bool) conFigureRow {
		return conFigureRow{Label: label, Headcount: t.Headcount, Area: t.Area, Strong: strong,
			HeadPct: locale.Percent(int64(t.Headcount), int64(of.Headcount)), AreaPct: locale.Percent(int64(t.Area), int64(of.Area))}
	}
	agree, oppose := locale.AgreeOppose(kind)
	return []conFigureRow{
		{Label: say(p.Lang, locale.Eligible), Headcount: o.Eligible.Headcount, Area: o.Eligible.Area},
		share(say(p.Lang, locale.Participating), o.Participating, o.Eligible, true),
		share(say(p.Lang, agree), o.Agree, o.Participating, false),
		share(say(p.Lang, oppose), o.Oppose, o.Participating, false),
		share(say(p.Lang, locale.Abstain(spoiledAbstain)), o.Abstain, o.Participating, false),
	}
}

// conVerdictReason says in one sentence why an approve matter passed or
// failed: participation, agreement, or a zone's veto.
func conVerdictReason(p page, r *quorum.Result, veto quorum.Veto) string {
	var vetoed []string
	for _, z := range conZoneViews(veto, r) {
		if z.Vetoed {
			vetoed = append(vetoed, z.Name)
		}
	}
	switch {
	case r.Passed && veto.Mode != "" && veto.Mode != quorum.VetoNone:
		return conPickText(p, "通过：参与和同意都达到了要求，有否决权的区域均未否决。", "Passed: participation and agreement both met the rule, and no veto zone blocked it.")
	case r.Passed:
		return conPickText(p, "通过：参与和同意都达到了要求。", "Passed: participation and agreement both met the rule.")
	case !r.Overall.ParticipationMet:
		return conPickText(p, "参与表决的面积或人数没有达到要求，未形成有效决定。", "Too little of the area or too few owners took part, so no valid decision was made.")
	case !r.Overall.ApprovalMet:
		return conPickText(p, "表决未通过：同意的面积或人数没有达到要求。", "Not passed: agreement fell short in area or in owners.")
	case len(vetoed) > 0:
		return conPickText(p, "表决未通过：全体达到了要求，但「"+strings.Join(vetoed, "」「")+"」区行使否决。",
			"Not passed: the estate as a whole met the rule, but zone "+strings.Join(vetoed, ", ")+" vetoed it.")
	}
	return say(p.Lang, locale.Verdict(r.Passed, r.Overall.ParticipationMet))
}
