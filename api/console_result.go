package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/staff"
	"gongjue/tally"
)

// The results page: every matter's verdict with its explanation, the zone
// table with the veto outcome and what-if, and the notice workflow —
// approval by the owners' committee, countersignature by the residents'
// committee, then the signed PDF.

type resultData struct {
	consoleData
	ID          int64
	Doc         *tally.Document
	ResultSHA   string
	ScopeText   string
	VetoText    string
	Matters     []conMatterView
	Notice      *notice.Status
	Committee   *postgres.Approval
	Residents   *postgres.Approval
	CanApprove  bool
	ApproveText string
	ConfirmText string
	VerifyURL   string
	PDFURL      string
}

// conMatterView is one matter's verdict, ready to show.
type conMatterView struct {
	Position    int
	Title       string
	Description string
	KindText    string
	RuleText    string
	Passed      bool
	Verdict     string
	Summary     string // the verdict's reason in one sentence
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
	data.ScopeText = conScopeText(d.page, doc.Consultation.Scope)
	data.VetoText = conVetoText(d.page, doc.Consultation.Veto)
	for i := range doc.Matters {
		data.Matters = append(data.Matters, s.conMatterView(d.page, doc, &doc.Matters[i]))
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
		data.VerifyURL = "/verify/" + st.NoticeID
	}
	s.render(c, http.StatusOK, "console_result", data)
}

func (s *Server) conMatterView(p page, doc *tally.Document, m *tally.Matter) conMatterView {
	v := conMatterView{Position: m.Position, Title: m.Title, Description: m.Description, Passed: m.Passed()}
	v.KindText = conKindText(p, m.Kind, m.Category, m.Options, m.Seats)
	v.RuleText = conRuleText(p, m.Rule)
	veto := doc.Consultation.Veto
	switch {
	case m.Approve() != nil:
		r := m.Approve()
		v.Overall = &r.Overall
		v.Explanation = conPickText(p, r.Explanation.ZH, r.Explanation.EN)
		if len(r.Zones) > 1 || veto.Mode != quorum.VetoNone && veto.Mode != "" {
			v.Zones = conZoneViews(veto, r)
		}
		v.WhatIf = conWhatIfText(p, veto.Mode, r.WhatIf)
		v.Verdict = conVerdictWord(p, r.Passed)
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
		if r.Decided {
			v.Verdict = conPickText(p, "选定："+r.Winner, "chosen: "+r.Winner)
		} else {
			v.Verdict = conPickText(p, "未决（没有选项达到表决要求，可发起下一轮）", "undecided (no option met the rule; a next round may follow)")
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
		elected := strings.Join(r.Elected, "、")
		switch {
		case len(r.Elected) == 0:
			v.Verdict = conPickText(p, "无人当选", "nobody elected")
		case r.Vacant > 0:
			v.Verdict = conPickText(p, fmt.Sprintf("当选：%s（%d 席空缺）", elected, r.Vacant), fmt.Sprintf("elected: %s (%d seats vacant)", strings.Join(r.Elected, ", "), r.Vacant))
		default:
			v.Verdict = conPickText(p, "当选："+elected, "elected: "+strings.Join(r.Elected, ", "))
		}
	}
	v.Rows = conOutcomeRows(p, v.Overall)
	for i := range v.Options {
		v.Options[i].Rows = conOutcomeRows(p, &v.Options[i].Outcome)
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

func conVerdictWord(p page, passed bool) string {
	if passed {
		return conPickText(p, "通过", "passed")
	}
	return conPickText(p, "未通过", "not passed")
}

// conKindText says what a matter asks and under which Article 278 category.
func conKindText(p page, kind string, category string, options []string, seats int) string {
	cat := conPickText(p, "一般事项", "ordinary matter")
	if category == string(quorum.Major) {
		cat = conPickText(p, "重大事项", "major matter")
	}
	switch kind {
	case tally.KindChoice:
		return conPickText(p, "选择事项 · "+cat+" · 选项："+strings.Join(options, "、"), "choice · "+cat+" · options: "+strings.Join(options, ", "))
	case tally.KindElection:
		return conPickText(p, fmt.Sprintf("选举事项 · %s · 应选 %d 名 · 候选人：%s", cat, seats, strings.Join(options, "、")),
			fmt.Sprintf("election · %s · %d seats · candidates: %s", cat, seats, strings.Join(options, ", ")))
	}
	return conPickText(p, "同意 / 反对 / 弃权 · "+cat, "agree / oppose / abstain · "+cat)
}

// conRuleText states a rule's four fractions in words.
func conRuleText(p page, r quorum.Rule) string {
	return conPickText(p,
		fmt.Sprintf("参与表决：面积 %s 且人数 %s；同意：参与面积 %s 且参与人数 %s", conFractionText(r.Participation.Area), conFractionText(r.Participation.Headcount), conFractionText(r.Approval.Area), conFractionText(r.Approval.Headcount)),
		fmt.Sprintf("participation: area %s and owners %s; agreement: participating area %s and participating owners %s", conFractionText(r.Participation.Area), conFractionText(r.Participation.Headcount), conFractionText(r.Approval.Area), conFractionText(r.Approval.Headcount)))
}

// conVetoModeTexts name each veto mode and explain it in a sentence.
var conVetoModeTexts = map[quorum.VetoMode][4]string{
	quorum.VetoNone: {"无分区否决", "no zone veto",
		"只看全体业主的结果；各区的结果列出来供参考，不影响表决结果。",
		"Only the estate-wide result counts; each zone's result is shown for information and changes nothing."},
	quorum.VetoAllZones: {"各区均须通过", "every veto zone must pass",
		"全体通过之外，每个有否决权的区域自己也必须达到参与和同意的比例；任何一个区域未通过（包括参与不足），整个事项就不通过。",
		"Besides the estate-wide result, every veto zone must itself reach the participation and agreement thresholds; if any one of them fails — even by low turnout — the matter fails."},
	quorum.VetoZoneRejection: {"分区否决", "zone rejection",
		"有否决权的区域只有在“主动反对”时才否决：该区参与达到比例，并且反对票达到同意所需的比例。参与不足的区域不会否决。",
		"A veto zone blocks only by actively rejecting: its own participation is met and its opposing votes reach the agreement thresholds. A zone with low turnout does not block."},
}

func conVetoModeName(p page, m quorum.VetoMode) string {
	if m == "" {
		m = quorum.VetoNone
	}
	t := conVetoModeTexts[m]
	return conPickText(p, t[0], t[1])
}

func conVetoText(p page, v quorum.Veto) string {
	s := conVetoModeName(p, v.Mode)
	if v.Mode != "" && v.Mode != quorum.VetoNone {
		if len(v.Zones) > 0 {
			s += conPickText(p, "；有否决权的区域："+strings.Join(v.Zones, "、"), "; veto zones: "+strings.Join(v.Zones, ", "))
		} else {
			s += conPickText(p, "；全部区域有否决权", "; every zone holds a veto")
		}
	}
	return s
}

func conWhatIfText(p page, mode quorum.VetoMode, w quorum.WhatIf) string {
	if mode == "" {
		mode = quorum.VetoNone
	}
	verdicts := map[quorum.VetoMode]bool{quorum.VetoNone: w.None, quorum.VetoAllZones: w.AllZones, quorum.VetoZoneRejection: w.ZoneRejection}
	var parts []string
	for _, m := range quorum.VetoModes {
		if m != mode {
			parts = append(parts, conVetoModeName(p, m)+conPickText(p, "：", ": ")+conVerdictWord(p, verdicts[m]))
		}
	}
	return conPickText(p, "如采用其他否决方式 —— ", "Under the other veto modes — ") + strings.Join(parts, conPickText(p, "；", "; "))
}

func conScopeText(p page, s tally.Scope) string {
	var parts []string
	if s.Zone != "" {
		parts = append(parts, conPickText(p, s.Zone+" 区", "zone "+s.Zone))
	}
	if s.Building != "" {
		parts = append(parts, conPickText(p, s.Building+" 幢", "building "+s.Building))
	}
	if s.Entrance != "" {
		parts = append(parts, conPickText(p, s.Entrance+" 单元", "entrance "+s.Entrance))
	}
	if len(parts) == 0 {
		return conPickText(p, "全小区", "whole estate")
	}
	return strings.Join(parts, conPickText(p, " ", ", "))
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
func conOutcomeRows(p page, o *quorum.Outcome) []conFigureRow {
	if o == nil {
		return nil
	}
	share := func(label string, t, of quorum.Tally, strong bool) conFigureRow {
		return conFigureRow{Label: label, Headcount: t.Headcount, Area: t.Area, Strong: strong,
			HeadPct: conPercentOf(int64(t.Headcount), int64(of.Headcount)), AreaPct: conPercentOf(int64(t.Area), int64(of.Area))}
	}
	return []conFigureRow{
		{Label: conPickText(p, "应参与（全体）", "eligible"), Headcount: o.Eligible.Headcount, Area: o.Eligible.Area},
		share(conPickText(p, "已参与", "took part"), o.Participating, o.Eligible, true),
		share(conPickText(p, "同意", "agree"), o.Agree, o.Participating, false),
		share(conPickText(p, "反对", "oppose"), o.Oppose, o.Participating, false),
		share(conPickText(p, "弃权（含废票）", "abstain (incl. spoiled)"), o.Abstain, o.Participating, false),
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
		return conPickText(p, "未通过：参与表决的面积或人数没有达到要求。", "Not passed: too little of the area or too few owners took part.")
	case !r.Overall.ApprovalMet:
		return conPickText(p, "未通过：同意的面积或人数没有达到要求。", "Not passed: agreement fell short in area or in owners.")
	case len(vetoed) > 0:
		return conPickText(p, "全体达到了要求，但「"+strings.Join(vetoed, "」「")+"」区行使否决，因此未通过。",
			"The estate as a whole met the rule, but zone "+strings.Join(vetoed, ", ")+" vetoed it, so it did not pass.")
	}
	return conVerdictWord(p, r.Passed)
}
