package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gongjue/ballot"
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/procedure"
	"gongjue/quorum"
	"gongjue/tally"
	"gongjue/templates"
)

// consoleConsultationRow is a consultation in the overview's list.
type consoleConsultationRow struct {
	ID        int64
	Title     string
	State     string
	StateName string
	ScopeText string
	Period    string
	Round     int
	Ballots   int
	Cast      int
}

func (s *Server) consoleConsultationRows(c *gin.Context, d consoleData) ([]consoleConsultationRow, error) {
	list, err := postgres.ListConsultations(c.Request.Context(), s.DB, d.Community.ID)
	if err != nil {
		return nil, err
	}
	var rows []consoleConsultationRow
	for _, k := range list {
		rows = append(rows, consoleConsultationRow{
			ID: k.ID, Title: k.Title, State: string(k.State), StateName: conStateName(d.page, k.State),
			ScopeText: k.Scope.Describe(d.Lang == "en"),
			Period:    conFormatTime(k.OpensAt) + " — " + conFormatTime(k.ClosesAt),
			Round:     k.Round, Ballots: k.Ballots, Cast: k.Cast,
		})
	}
	return rows, nil
}

func conStateName(p page, st ballot.State) string {
	switch st {
	case ballot.Draft:
		return conPickText(p, "草稿（未开始）", "draft (not open)")
	case ballot.Open:
		return conPickText(p, "投票中", "voting")
	case ballot.Closed:
		return conPickText(p, "已截止，待公示", "closed, notice pending")
	case ballot.Noticed:
		return conPickText(p, "已公示", "notice signed")
	}
	return string(st)
}

func conLogTemplateError(c *gin.Context, name string, err error) {
	slog.ErrorContext(c.Request.Context(), "rendering fragment", "template", name, "err", err)
}

// ---- The scope figures: the thresholds a scope implies, computed here so
// the page's script never does the legal arithmetic.

// conScopeFigures is the answer of GET /console/scope.
type conScopeFigures struct {
	Scope     string                   `json:"scope"`
	Units     int                      `json:"units"`
	Headcount int                      `json:"headcount"`
	Area      string                   `json:"area"`
	Summary   string                   `json:"summary"`
	Empty     bool                     `json:"empty"`
	Zones     []conZoneFigures         `json:"zones"`
	Rules     map[string]conRuleFigure `json:"rules"`
}

type conZoneFigures struct {
	Name          string       `json:"name"`
	Units         int          `json:"units"`
	Headcount     int          `json:"headcount"`
	Area          string       `json:"area"`
	Participation conThreshold `json:"participation"`
	Text          string       `json:"text"`
}

type conRuleFigure struct {
	Name string `json:"name"`
	// Rule is the rule's four fractions, which a custom rule starts from.
	Rule          quorum.Rule  `json:"rule"`
	Participation conThreshold `json:"participation"`
	Approval      conThreshold `json:"approval"`
}

// conRuleFigureOf is what rule asks of a population of total's area and
// headcount: participation, then agreement at exactly that participation.
func conRuleFigureOf(p page, name string, rule quorum.Rule, t postgres.ZoneStats) conRuleFigure {
	part := conParticipationThreshold(p, rule.Participation, t.Area, int64(t.Headcount))
	minArea, _ := quorum.ParseArea(part.MinArea)
	return conRuleFigure{
		Name: name, Rule: rule, Participation: part,
		Approval: conApprovalThreshold(p, rule.Approval, minArea, part.MinHeadcount),
	}
}

// conPresets are the rule conPresets the console offers, in order.
var conPresets = []quorum.Category{quorum.Ordinary, quorum.Major}

func conPresetName(p page, c quorum.Category) string {
	if c == quorum.Major {
		return conPickText(p, "重大事项（双四分之三）：筹集维修资金、改建重建（如加装电梯）、改变共有部分用途或利用其经营", "Major matter (three quarters): raising the maintenance fund, rebuilding (e.g. adding an elevator), changing the use of common parts")
	}
	return conPickText(p, "一般事项（双过半）：议事规则、管理规约、选举业委会、选聘物业、使用维修资金等", "Ordinary matter (more than half): rules of procedure, management statute, electing the committee, hiring the property company, using the maintenance fund")
}

// scopeFiguresFor is the figures of scope under the thresholds th of the
// rules of procedure that apply (frozen, or what opening would freeze).
func (s *Server) scopeFiguresFor(c *gin.Context, p page, cid int64, scope ballot.Scope, th procedure.Thresholds) (conScopeFigures, error) {
	stats, err := postgres.ScopeStats(c.Request.Context(), s.DB, cid, scope)
	if err != nil {
		return conScopeFigures{}, err
	}
	t := stats.Total
	f := conScopeFigures{
		Scope: scope.Describe(p.Lang == "en"), Units: t.Units, Headcount: t.Headcount, Area: conFormatArea(t.Area),
		Empty: t.Units == 0, Rules: map[string]conRuleFigure{},
	}
	if f.Empty {
		f.Summary = conPickText(p, "这个范围内没有房屋，请换一个范围。", "No unit of the roll is in this scope: choose another.")
	} else {
		f.Summary = conPickText(p,
			fmt.Sprintf("%s：共 %s 套房屋，%s 人，专有面积 %s m²", f.Scope, conGroupDigits(t.Units), conGroupDigits(t.Headcount), f.Area),
			fmt.Sprintf("%s: %s units, %s owners, %s m² of exclusive area", f.Scope, conGroupDigits(t.Units), conGroupDigits(t.Headcount), f.Area))
	}
	for _, preset := range conPresets {
		f.Rules[string(preset)] = conRuleFigureOf(p, conPresetName(p, preset), th.Of(preset), t)
	}
	// Every preset asks the same participation, so one line per zone says
	// what a veto zone must reach on its own.
	for _, z := range stats.Zones {
		th := conParticipationThreshold(p, quorum.OrdinaryRule.Participation, z.Area, int64(z.Headcount))
		f.Zones = append(f.Zones, conZoneFigures{Name: z.Name, Units: z.Units, Headcount: z.Headcount, Area: conFormatArea(z.Area),
			Participation: th, Text: z.Name + conPickText(p, "：", ": ") + th.Text})
	}
	return f, nil
}

// consoleRule answers GET /console/rule?category=&rules=&zone=&building=&entrance=
// with what a matter's custom rule asks of the scope, or 422 naming what is
// malformed in it or looser than the estate's rules of procedure allow: the
// same checks creating the consultation makes.
func (s *Server) consoleRule(c *gin.Context) error {
	d, err := s.newConsoleData(c, "")
	if err != nil {
		return err
	}
	scope := ballot.Scope{Zone: strings.TrimSpace(c.Query("zone")), Building: strings.TrimSpace(c.Query("building")), Entrance: strings.TrimSpace(c.Query("entrance"))}
	category := quorum.Category(c.Query("category"))
	if _, err := category.Rule(); err != nil {
		const msg = "未知类别，应为 ordinary 或 major / unknown category: want ordinary or major"
		return invalid(msg, []ballot.Problem{{Field: "category", Message: msg}})
	}
	raw := json.RawMessage(c.Query("rules"))
	rule, err := quorum.ParseRule(raw)
	if err != nil || len(raw) == 0 || raw[0] != '{' {
		msg := fmt.Sprintf("自定义规则须为四个分数，写作 N/D 或 >N/D / a custom rule is four fractions written N/D or >N/D (%v)", err)
		return invalid(msg, []ballot.Problem{{Field: "rules", Message: msg}})
	}
	active, err := postgres.ActiveProcedure(c.Request.Context(), s.DB, d.Community.ID)
	if err != nil {
		return err
	}
	k := ballot.Consultation{Matters: []ballot.Matter{{Category: category, Rules: raw}}}
	if ps := ballot.CheckThresholds(&k, active.Settings.Thresholds); len(ps) > 0 {
		return invalid(ps[0].Message, ps)
	}
	stats, err := postgres.ScopeStats(c.Request.Context(), s.DB, d.Community.ID, scope)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, conRuleFigureOf(d.page, conPickText(d.page, "自定义规则", "Custom rule"), rule, stats.Total))
	return nil
}

// consoleScope answers GET /console/scope?zone=&building=&entrance= with
// the scope's figures and the thresholds each preset implies for it.
func (s *Server) consoleScope(c *gin.Context) error {
	d, err := s.newConsoleData(c, "")
	if err != nil {
		return err
	}
	scope := ballot.Scope{Zone: strings.TrimSpace(c.Query("zone")), Building: strings.TrimSpace(c.Query("building")), Entrance: strings.TrimSpace(c.Query("entrance"))}
	rules, err := postgres.ActiveProcedure(c.Request.Context(), s.DB, d.Community.ID)
	if err != nil {
		return err
	}
	f, err := s.scopeFiguresFor(c, d.page, d.Community.ID, scope, rules.Settings.Thresholds)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, f)
	return nil
}

// ---- New consultation.

type conVetoModeView struct {
	Mode        string
	Name        string
	Explanation string
}

type conPresetView struct {
	Value string
	Name  string
}

type conBuildingView struct {
	Building  string
	Zones     string // its zones, comma separated
	Entrances []string
}

type newConsultationData struct {
	consoleData
	Zones     postgres.EstateStats
	Buildings []conBuildingView
	VetoModes []conVetoModeView
	// ElectionNoVeto is what the preview says of an election under a veto.
	ElectionNoVeto string
	Presets        []conPresetView
	OpensAt        string // datetime-local values, China time
	ClosesAt       string
	Figures        conScopeFigures      // of the whole estate, for the first view
	Draft          *ballot.Consultation // the draft being edited, if any
	Previous       *ballot.Consultation // the closed round a next round follows, if any
	Initial        *ballot.Consultation // what the form starts from: the draft or the previous round
	Round          int                  // the next round's number
	// Rules says which rules of procedure opening would freeze, and
	// RuleLines what each of their settings does.
	Rules     string
	RuleLines []string
}

func (s *Server) consoleNewConsultation(c *gin.Context) {
	d, err := s.newConsoleData(c, "new")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	ctx := c.Request.Context()
	data := newConsultationData{consoleData: d}
	if data.Zones, err = postgres.ListZones(ctx, s.DB, d.Community.ID); err != nil {
		s.consolePageError(c, err)
		return
	}
	if len(data.Zones.Zones) == 0 {
		s.renderError(c, http.StatusConflict, conPickText(d.page,
			"还没有业主名册，无法发起表决。请先在“概况”页面导入名册。",
			"There is no owner roll yet, so no vote can start. Import the roll on the Overview page first."))
		return
	}
	entrances, err := postgres.ListEntrances(ctx, s.DB, d.Community.ID)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	data.Buildings = conBuildingViews(entrances)
	for _, m := range quorum.VetoModes {
		data.VetoModes = append(data.VetoModes, conVetoModeView{Mode: string(m), Name: say(d.Lang, locale.VetoModeName(string(m))), Explanation: say(d.Lang, locale.VetoModeExplained(string(m)))})
	}
	data.ElectionNoVeto = say(d.Lang, locale.ElectionNoVeto)
	for _, p := range conPresets {
		data.Presets = append(data.Presets, conPresetView{Value: string(p), Name: conPresetName(d.page, p)})
	}
	now := time.Now().In(locale.China)
	opens := now.Truncate(time.Minute)
	closes := time.Date(now.Year(), now.Month(), now.Day()+14, 18, 0, 0, 0, locale.China)
	data.OpensAt, data.ClosesAt = opens.Format("2006-01-02T15:04"), closes.Format("2006-01-02T15:04")
	scope := ballot.Scope{}
	if id := c.Query("draft"); id != "" {
		c.Params = append(c.Params, gin.Param{Key: "id", Value: id})
		k, err := s.consoleConsultationFor(c, d)
		if err != nil {
			s.consolePageError(c, err)
			return
		}
		if k.State != ballot.Draft {
			s.renderError(c, http.StatusConflict, conPickText(d.page, "这项表决已经开始，不能再修改。", "This vote has started and can no longer be changed."))
			return
		}
		data.Draft, data.Initial, scope = k, k, k.Scope
		data.OpensAt = k.OpensAt.In(locale.China).Format("2006-01-02T15:04")
		data.ClosesAt = k.ClosesAt.In(locale.China).Format("2006-01-02T15:04")
	} else if id := c.Query("previous"); id != "" {
		// A next round (DESIGN §3.4): the roll and scope carry over, and
		// the form starts from the previous round's matters.
		c.Params = append(c.Params, gin.Param{Key: "id", Value: id})
		k, err := s.consoleConsultationFor(c, d)
		if err != nil {
			s.consolePageError(c, err)
			return
		}
		if k.State != ballot.Closed && k.State != ballot.Noticed {
			s.renderError(c, http.StatusConflict, conPickText(d.page, "上一轮尚未截止，不能发起下一轮。", "The previous round has not closed: no next round yet."))
			return
		}
		data.Previous, data.Initial, data.Round, scope = k, k, k.Round+1, k.Scope
	}
	// What opening would freeze: the preview states it, and the thresholds
	// the scope's figures imply are its.
	rules, err := postgres.ActiveProcedure(ctx, s.DB, d.Community.ID)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	data.Rules = rules.Sentence(d.Lang == "en")
	for _, l := range procedure.Explain(rules.Settings, rules.Defaults) {
		data.RuleLines = append(data.RuleLines, conPickText(d.page, l.ZH, l.EN))
	}
	if data.Figures, err = s.scopeFiguresFor(c, d.page, d.Community.ID, scope, rules.Settings.Thresholds); err != nil {
		s.consolePageError(c, err)
		return
	}
	s.render(c, http.StatusOK, "console_new", data)
}

// conBuildingViews groups entrances by building, in natural order.
func conBuildingViews(entrances []postgres.Entrance) []conBuildingView {
	byName := map[string]*conBuildingView{}
	zones := map[string][]string{}
	var order []string
	for _, e := range entrances {
		b := byName[e.Building]
		if b == nil {
			b = &conBuildingView{Building: e.Building}
			byName[e.Building] = b
			order = append(order, e.Building)
		}
		if !slices.Contains(b.Entrances, e.Entrance) {
			b.Entrances = append(b.Entrances, e.Entrance)
		}
		if !slices.Contains(zones[e.Building], e.Zone) {
			zones[e.Building] = append(zones[e.Building], e.Zone)
		}
	}
	slices.SortFunc(order, ballot.CompareNatural)
	out := make([]conBuildingView, 0, len(order))
	for _, name := range order {
		b := byName[name]
		slices.SortFunc(b.Entrances, ballot.CompareNatural)
		b.Zones = strings.Join(zones[name], ",")
		out = append(out, *b)
	}
	return out
}

// ---- The consultation page: its matters and thresholds, the live turnout,
// the ballot packets, the missing units, and opening and closing.

type consultationData struct {
	consoleData
	C          *ballot.Consultation
	StateName  string
	ScopeText  string
	VetoText   string
	Matters    []conMatterPlan
	Turnout    *conTurnoutView
	Buildings  []conBuildingView
	Figures    conScopeFigures
	Created    bool
	Opened     bool
	OpenFailed bool
	PacketURL  string
	Extension  *conExtensionView // the extend button's section, for the committee of an open vote
}

// conExtensionView says whether the committee may extend the vote now and
// why (DESIGN §3.4), with the form's bounds when it may.
type conExtensionView struct {
	Allowed  bool
	Why      string
	Min, Max string // the datetime-local bounds of the new closing time
}

// conExtension is the extend section of an open vote.
func conExtension(p page, st tally.ExtensionStatus) *conExtensionView {
	part, elig := st.Participating(), st.Eligible()
	turnout := conPickText(p, "目前参与：面积 ", "Taking part so far: area ") + locale.Percent(int64(part.Area), int64(elig.Area)) +
		conPickText(p, "，人数 ", ", headcount ") + locale.Percent(int64(part.Headcount), int64(elig.Headcount)) + conPickText(p, "。", ".")
	v := &conExtensionView{Allowed: st.Allowed()}
	switch {
	case st.HalfTookPart:
		v.Why = turnout + conPickText(p, "已有半数参与，须按现状计票，不能延期。", " Half have taken part: the vote is decided as it stands and cannot be extended.")
	case st.AtLimit():
		v.Why = conPickText(p, "已延期至三个月的上限（", "The extensions have reached the three-month limit (") + locale.Minute(st.Limit) + conPickText(p, "），不能再延期。", "): no further extension.")
	case st.TooEarly():
		v.Why = turnout + conPickText(p, "延期须在截止时决定：自 ", " An extension is decided at the deadline: from ") + locale.Minute(st.WindowFrom) + conPickText(p, " 起（截止前 24 小时内）可以延期。", " (within 24 hours of the closing time).")
	default:
		v.Why = turnout + conPickText(p, "参与不足半数，可以延期；所有延期合计不超过原截止时间后三个月（", " Fewer than half have taken part, so the vote may be extended; all extensions together end by three months after the original closing time (") + locale.Minute(st.Limit) + conPickText(p, "）。", ").")
	}
	const local = "2006-01-02T15:04"
	v.Min, v.Max = st.ClosesAt.In(locale.China).Add(time.Minute).Format(local), st.Limit.In(locale.China).Format(local)
	return v
}

// conMatterPlan is a matter as put to the vote, with what it needs.
type conMatterPlan struct {
	Position    int
	Title       string
	Description string
	KindText    string
	RuleText    string
	NoVeto      string // an election's sentence that the zone veto does not apply
	Need        string
	NeedApprove string
}

// conTurnoutView is the live participation, overall and per zone.
type conTurnoutView struct {
	ID        int64
	Lang      templates.Lang
	Target    string // "三分之二以上"
	Overall   conTurnoutLine
	Zones     []conTurnoutLine
	Counts    postgres.CastCounts
	Voted     int
	UpdatedAt string
	// Delivery is delivered / not delivered / voted overall and per zone
	// (§5.1); the ledger page has them per building and entrance.
	Delivery      postgres.DeliveryTurnout
	DeliveryZones []conDeliveryZone
}

type conDeliveryZone struct {
	Name string
	postgres.DeliveryFigures
}

// conTurnoutLine is one population's participation against its targets, by
// area and by headcount, laid out for an SVG bar 1000 units wide.
type conTurnoutLine struct {
	Lang                 templates.Lang
	Overall              bool
	Name                 string
	HoldsVeto            bool
	Area, AreaWhole      quorum.Area
	Head, HeadWhole      int
	AreaPct, HeadPct     string
	AreaW, HeadW         int
	AreaMet, HeadMet     bool
	AreaTarget, HeadTarg int // where the target line is drawn
	AreaNeed, HeadNeed   string
}

func (s *Server) consoleConsultationFor(c *gin.Context, d consoleData) (*ballot.Consultation, error) {
	id, err := tallyID(c)
	if err != nil {
		return nil, err
	}
	k, err := postgres.GetConsultation(c.Request.Context(), s.DB, id)
	if err != nil {
		return nil, err
	}
	if k.CommunityID != d.Community.ID {
		return nil, errNotFound
	}
	return k, nil
}

// consoleConsultationPage starts a page about the consultation of the
// path's id, which must be of the console's estate; it has answered with
// the error page when ok is false.
func (s *Server) consoleConsultationPage(c *gin.Context) (d consoleData, k *ballot.Consultation, ok bool) {
	d, err := s.newConsoleData(c, "")
	if err == nil {
		k, err = s.consoleConsultationFor(c, d)
	}
	if err != nil {
		s.consolePageError(c, err)
		return d, nil, false
	}
	return d, k, true
}

func (s *Server) consoleConsultation(c *gin.Context) {
	d, k, ok := s.consoleConsultationPage(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var err error
	data := consultationData{consoleData: d, C: k, StateName: conStateName(d.page, k.State),
		ScopeText: k.Scope.Describe(d.Lang == "en"), VetoText: conVetoText(d.page, k.Veto),
		Created: c.Query("created") != "", Opened: c.Query("opened") != "", OpenFailed: c.Query("open_failed") != "",
		PacketURL: fmt.Sprintf("/api/v1/consultations/%d/ballots.pdf", k.ID)}
	if data.Figures, err = s.scopeFiguresFor(c, d.page, d.Community.ID, k.Scope, k.Procedure.Settings.Thresholds); err != nil {
		s.consolePageError(c, err)
		return
	}
	if k.State != ballot.Draft {
		if data.Turnout, err = s.conTurnoutView(c, d.page, k); err != nil {
			s.consolePageError(c, err)
			return
		}
		if c.Query("fragment") == "turnout" {
			s.consoleFragment(c, "console_consultation", "console_turnout", data.Turnout)
			return
		}
	}
	if k.State == ballot.Open && d.IsCommittee() {
		st, err := tally.ExtensionStatusOf(ctx, s.DB, d.Community.ID, k.ID, string(k.State), k.ClosesAt, time.Now())
		if err != nil {
			s.consolePageError(c, err)
			return
		}
		data.Extension = conExtension(d.page, st)
	}
	for _, m := range k.Matters {
		rule, err := k.RuleOf(&m)
		if err != nil {
			s.consolePageError(c, err)
			return
		}
		plan := conMatterPlan{Position: m.Position, Title: m.Title, Description: m.Description,
			KindText: conKindText(d.page, string(m.Kind), string(m.Category), m.Options, m.Seats), RuleText: conRuleText(d.page, rule),
			NoVeto: conElectionNoVeto(d.page, k.Veto, string(m.Kind))}
		area, head := quorum.Area(0), int64(0)
		if data.Turnout != nil {
			area, head = data.Turnout.Overall.AreaWhole, int64(data.Turnout.Overall.HeadWhole)
		} else {
			area, _ = quorum.ParseArea(strings.ReplaceAll(data.Figures.Area, ",", ""))
			head = int64(data.Figures.Headcount)
		}
		part := conParticipationThreshold(d.page, rule.Participation, area, head)
		minArea, _ := quorum.ParseArea(part.MinArea)
		plan.Need = part.Text
		plan.NeedApprove = conApprovalThreshold(d.page, rule.Approval, minArea, part.MinHeadcount).Text
		data.Matters = append(data.Matters, plan)
	}
	entrances, err := postgres.ListEntrances(ctx, s.DB, d.Community.ID)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	var inScope []postgres.Entrance
	for _, e := range entrances {
		if (k.Scope.Zone == "" || e.Zone == k.Scope.Zone) && (k.Scope.Building == "" || e.Building == k.Scope.Building) &&
			(k.Scope.Entrance == "" || e.Entrance == k.Scope.Entrance) {
			inScope = append(inScope, e)
		}
	}
	data.Buildings = conBuildingViews(inScope)
	s.render(c, http.StatusOK, "console_consultation", data)
}

// conTurnoutView computes the live participation with the tally's own
// aggregation, so the page shows exactly what closing would count.
func (s *Server) conTurnoutView(c *gin.Context, p page, k *ballot.Consultation) (*conTurnoutView, error) {
	ctx := c.Request.Context()
	in, err := tally.LoadTurnout(ctx, s.DB, k.CommunityID, k.ID)
	if err != nil {
		return nil, err
	}
	rule := quorum.OrdinaryRule
	if len(k.Matters) > 0 {
		if r, err := k.RuleOf(&k.Matters[0]); err == nil {
			rule = r
		}
	}
	counts, err := postgres.CountCasts(ctx, s.DB, k.CommunityID, k.ID)
	if err != nil {
		return nil, err
	}
	v := &conTurnoutView{ID: k.ID, Lang: p.Lang, Counts: counts, Voted: counts.Online + counts.Paper + counts.Proxy,
		Target:    conFractionText(p, rule.Participation.Area),
		UpdatedAt: time.Now().In(locale.China).Format("15:04:05")}
	if v.Delivery, err = postgres.CountDeliveries(ctx, s.DB, k.CommunityID, k.ID); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(v.Delivery.Zones)) {
		v.DeliveryZones = append(v.DeliveryZones, conDeliveryZone{name, v.Delivery.Zones[name]})
	}
	if len(in.Units) == 0 {
		return v, nil
	}
	res, err := quorum.Evaluate(in.TurnoutScenario(rule, k.Veto))
	if err != nil {
		return nil, err
	}
	v.Overall = conTurnoutLineOf(p, conPickText(p, "全体", "Overall"), res.Overall, rule.Participation)
	v.Overall.Overall = true
	for _, name := range slices.Sorted(maps.Keys(res.Zones)) {
		line := conTurnoutLineOf(p, name, res.Zones[name].Outcome, rule.Participation)
		line.HoldsVeto = k.Veto.Mode != quorum.VetoNone && k.Veto.Mode != "" && (len(k.Veto.Zones) == 0 || slices.Contains(k.Veto.Zones, name))
		v.Zones = append(v.Zones, line)
	}
	return v, nil
}

func conTurnoutLineOf(p page, name string, o quorum.Outcome, t quorum.Threshold) conTurnoutLine {
	l := conTurnoutLine{Lang: p.Lang, Name: name,
		Area: o.Participating.Area, AreaWhole: o.Eligible.Area,
		Head: o.Participating.Headcount, HeadWhole: o.Eligible.Headcount,
	}
	l.AreaPct = locale.Percent(int64(l.Area), int64(l.AreaWhole))
	l.HeadPct = locale.Percent(int64(l.Head), int64(l.HeadWhole))
	l.AreaW = conBarWidth(int64(l.Area), int64(l.AreaWhole), 1000)
	l.HeadW = conBarWidth(int64(l.Head), int64(l.HeadWhole), 1000)
	l.AreaMet = t.Area.Reached(int64(l.Area), int64(l.AreaWhole))
	l.HeadMet = t.Headcount.Reached(int64(l.Head), int64(l.HeadWhole))
	l.AreaTarget = int(1000 * t.Area.Num / max(t.Area.Den, 1))
	l.HeadTarg = int(1000 * t.Headcount.Num / max(t.Headcount.Den, 1))
	minArea := quorum.Area(minimumReaching(t.Area, int64(l.AreaWhole)))
	minHead := minimumReaching(t.Headcount, int64(l.HeadWhole))
	l.AreaNeed = conPickText(p, "需"+conFractionText(p, t.Area)+"（≥ "+conFormatArea(minArea)+" m²）", "needs "+conFractionText(p, t.Area)+" (≥ "+conFormatArea(minArea)+" m²)")
	l.HeadNeed = conPickText(p, "需"+conFractionText(p, t.Headcount)+"（≥ "+conGroupDigits(minHead)+" 人）", "needs "+conFractionText(p, t.Headcount)+" (≥ "+conGroupDigits(minHead)+" owners)")
	return l
}

// consoleTurnout answers the turnout part of the page, which the page's
// script re-reads every ten seconds.
func (s *Server) consoleTurnout(c *gin.Context) {
	c.Request.URL.RawQuery = "fragment=turnout"
	s.consoleConsultation(c)
}

type missingData struct {
	consoleData
	C         *ballot.Consultation
	Groups    []postgres.MissingGroup
	Total     int
	Buildings []conBuildingView
	Building  string
	Entrance  string
	Printed   string
}

// consoleMissing lists the units that have not voted, by building and
// entrance, for door-to-door rounds; it prints one stairwell per block.
func (s *Server) consoleMissing(c *gin.Context) {
	d, k, ok := s.consoleConsultationPage(c)
	if !ok {
		return
	}
	data := missingData{consoleData: d, C: k, Building: strings.TrimSpace(c.Query("building")), Entrance: strings.TrimSpace(c.Query("entrance")),
		Printed: locale.Minute(time.Now())}
	ctx := c.Request.Context()
	all, err := postgres.MissingUnits(ctx, s.DB, d.Community.ID, k.ID, "", "")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	var entrances []postgres.Entrance
	for _, g := range all {
		entrances = append(entrances, postgres.Entrance{Building: g.Building, Entrance: g.Entrance, Units: len(g.Units)})
		if (data.Building == "" || g.Building == data.Building) && (data.Entrance == "" || g.Entrance == data.Entrance) {
			data.Groups = append(data.Groups, g)
			data.Total += len(g.Units)
		}
	}
	data.Buildings = conBuildingViews(entrances)
	s.render(c, http.StatusOK, "console_missing", data)
}
