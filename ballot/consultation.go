package ballot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gongjue/locale"
	"gongjue/procedure"
	"gongjue/quorum"
)

// Kind is what a matter asks (DESIGN.md §3.4).
type Kind string

// The kinds of matter.
const (
	Approve  Kind = "approve"  // 同意 / 反对 / 弃权
	Choice   Kind = "choice"   // pick one option
	Election Kind = "election" // approve up to Seats candidates
)

// State is where a consultation is in its life: draft → open → closed →
// noticed. Only a draft may be edited; only an open one has ballots that can
// be cast.
type State string

// The states of a consultation.
const (
	Draft   State = "draft"
	Open    State = "open"
	Closed  State = "closed"
	Noticed State = "noticed"
)

// Channel is how a counted ballot arrived.
type Channel string

// The channels of a counted ballot.
const (
	Online Channel = "online" // on the phone page or the ballot API
	Paper  Channel = "paper"  // a paper ballot entered and confirmed by two accounts
	Proxy  Channel = "proxy"  // a paper ballot cast by a named proxy (委托)
)

// Flag marks a matter as major under Article 278 whatever its wording.
type Flag string

// The flags that make a matter major.
const (
	RaiseFund   Flag = "raise_fund"   // 筹集建筑物及其附属设施的维修资金
	Rebuild     Flag = "rebuild"      // 改建、重建建筑物及其附属设施 (e.g. adding an elevator)
	CommonParts Flag = "common_parts" // 改变共有部分的用途或者利用共有部分从事经营活动
)

var flagNames = map[Flag]string{
	RaiseFund:   "筹集维修资金 / raising the maintenance fund",
	Rebuild:     "改建、重建 / rebuilding",
	CommonParts: "改变共有部分用途或利用共有部分经营 / changing the use of common parts",
}

// Scope is the part of the estate a consultation concerns: the whole estate
// (all empty), a zone, a building, or one entrance (stairwell) of a
// building. Zone and building may be combined.
type Scope struct {
	Zone     string `json:"zone,omitempty"`
	Building string `json:"building,omitempty"`
	Entrance string `json:"entrance,omitempty"`
}

// Whole reports whether the scope is the whole estate.
func (s Scope) Whole() bool { return s == Scope{} }

// Describe names the scope for people: 全小区, 高层区, 12幢 2单元.
func (s Scope) Describe(english bool) string {
	return locale.Scope(s.Zone, s.Building, s.Entrance).In(english)
}

// ElectionNoVeto is the sentence an election matter of a consultation
// under a zone veto carries wherever it is shown (DESIGN §3.2): elections
// take no veto. nil for other matters and for veto mode none.
func ElectionNoVeto(veto quorum.Veto, kind string) *locale.Text {
	if kind != string(Election) || veto.Mode == "" || veto.Mode == quorum.VetoNone {
		return nil
	}
	return &locale.ElectionNoVeto
}

// Matter is one question put to the vote.
type Matter struct {
	ID          int64           `json:"id"`
	Position    int             `json:"position"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Kind        Kind            `json:"kind"`
	Category    quorum.Category `json:"category"`
	Flags       []Flag          `json:"flags"`
	// Rules is a preset name ("ordinary", "major") or a custom rule object,
	// as quorum.ParseRule reads it.
	Rules      json.RawMessage   `json:"rules"`
	Options    []string          `json:"options,omitempty"` // choice options or election candidates
	Seats      int               `json:"seats,omitempty"`   // election only
	ChoiceMode quorum.ChoiceMode `json:"choice_mode,omitempty"`
}

// Rule decodes the matter's rule.
func (m *Matter) Rule() (quorum.Rule, error) { return quorum.ParseRule(m.Rules) }

// Consultation is a vote of the owners on one or more matters.
type Consultation struct {
	CommunityID int64       `json:"community_id"`
	ID          int64       `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Scope       Scope       `json:"scope"`
	Veto        quorum.Veto `json:"veto"`
	OpensAt     time.Time   `json:"opens_at"`
	ClosesAt    time.Time   `json:"closes_at"`
	PreviousID  *int64      `json:"previous_id,omitempty"`
	Round       int         `json:"round"`
	State       State       `json:"state"`
	CreatedAt   time.Time   `json:"created_at"`
	OpenedAt    *time.Time  `json:"opened_at,omitempty"`
	ClosedAt    *time.Time  `json:"closed_at,omitempty"`
	Matters     []Matter    `json:"matters"`
	// Procedure is the rules of procedure the consultation is decided
	// under: frozen when it opened; before that, what opening would freeze.
	Procedure procedure.Applied `json:"procedure"`
}

// RuleOf returns the rule matter m is decided by: a preset name means the
// estate's thresholds for that category as frozen in the consultation
// (§3.6), a custom rule is itself.
func (c *Consultation) RuleOf(m *Matter) (quorum.Rule, error) {
	var preset quorum.Category
	if err := json.Unmarshal(m.Rules, &preset); err == nil {
		if _, err := preset.Rule(); err != nil {
			return quorum.Rule{}, err
		}
		return c.Procedure.Settings.Thresholds.Of(preset), nil
	}
	return m.Rule()
}

// CheckThresholds checks every custom rule of c against the estate's own
// thresholds for its matter's category, which may be stricter than
// Article 278 (§3.6).
func CheckThresholds(c *Consultation, t procedure.Thresholds) Problems {
	var ps Problems
	for i := range c.Matters {
		m := &c.Matters[i]
		var preset string
		if json.Unmarshal(m.Rules, &preset) == nil {
			continue
		}
		r, err := m.Rule()
		if err != nil {
			continue // Check has reported it
		}
		if looser := r.LooserThanRule(t.Of(m.Category)); len(looser) > 0 {
			parts := locale.RuleParts(looser)
			ps.Add(fmt.Sprintf("matters[%d].rules", i), "比本小区议事规则对%s事项的要求宽松（%s）/ looser than the estate's rules of procedure allow for %s matters (%s)",
				categoryZH(m.Category), parts.ZH, m.Category, parts.EN)
		}
	}
	return ps
}

// Matter returns the matter with id, or nil.
func (c *Consultation) Matter(id int64) *Matter {
	for i := range c.Matters {
		if c.Matters[i].ID == id {
			return &c.Matters[i]
		}
	}
	return nil
}

// Problem names one thing wrong with a request: the field as the request
// wrote it (matters[1].rules) and what is wrong with it, in Chinese and
// English.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problems collects Problems.
type Problems []Problem

// Add records a problem.
func (ps *Problems) Add(field, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Limits on what a consultation may hold, so one request cannot fill the
// database or a ballot page.
const (
	MaxMatters        = 30
	MaxOptions        = 50
	MaxTitleRunes     = 200
	MaxTextRunes      = 20000
	MaxOptionRunes    = 100
	MaxScopeNameRunes = 50
)

// DraftRequest is a consultation as the committee writes it: POST
// /api/v1/communities/{cid}/consultations, and the whole of a PATCH.
type DraftRequest struct {
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Scope       *Scope        `json:"scope"` // nil: the whole estate, or the previous round's scope
	Veto        *quorum.Veto  `json:"veto"`  // nil: mode none
	OpensAt     time.Time     `json:"opens_at"`
	ClosesAt    time.Time     `json:"closes_at"`
	PreviousID  *int64        `json:"previous_id"`
	Matters     []MatterDraft `json:"matters"`
}

// MatterDraft is a matter as the committee writes it.
type MatterDraft struct {
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Kind        Kind              `json:"kind"`
	Rules       json.RawMessage   `json:"rules,omitempty"`    // absent: the category's preset
	Category    quorum.Category   `json:"category,omitempty"` // absent: major when flagged or ruled "major", else ordinary
	Flags       []Flag            `json:"flags,omitempty"`
	Options     []string          `json:"options,omitempty"`
	Seats       int               `json:"seats,omitempty"`
	ChoiceMode  quorum.ChoiceMode `json:"choice_mode,omitempty"`
}

// AsDraft turns a stored consultation back into the request that makes it,
// the base a PATCH is applied to.
func (c *Consultation) AsDraft() DraftRequest {
	d := DraftRequest{
		Title: c.Title, Description: c.Description, OpensAt: c.OpensAt, ClosesAt: c.ClosesAt,
		PreviousID: c.PreviousID,
	}
	scope, veto := c.Scope, c.Veto
	d.Scope, d.Veto = &scope, &veto
	for _, m := range c.Matters {
		d.Matters = append(d.Matters, MatterDraft{
			Title: m.Title, Description: m.Description, Kind: m.Kind, Rules: m.Rules,
			Category: m.Category, Flags: slices.Clone(m.Flags), Options: slices.Clone(m.Options),
			Seats: m.Seats, ChoiceMode: m.ChoiceMode,
		})
	}
	return d
}

// Check validates a draft on its own — everything that does not need the
// estate's roll — and returns the consultation it describes, normalised:
// texts trimmed, every matter's category decided, its rule checked against
// Article 278 and stored in canonical form. CheckEstate does the rest.
func (d *DraftRequest) Check(now time.Time) (Consultation, Problems) {
	var ps Problems
	c := Consultation{
		Title:       strings.TrimSpace(d.Title),
		Description: strings.TrimSpace(d.Description),
		OpensAt:     d.OpensAt,
		ClosesAt:    d.ClosesAt,
		PreviousID:  d.PreviousID,
		State:       Draft,
		Round:       1,
	}
	checkText(&ps, "title", c.Title, MaxTitleRunes, true)
	checkText(&ps, "description", c.Description, MaxTextRunes, false)
	switch {
	case d.OpensAt.IsZero():
		ps.Add("opens_at", "必填，如 2026-05-01T09:00:00+08:00 / required, e.g. 2026-05-01T09:00:00+08:00")
	case d.ClosesAt.IsZero():
		ps.Add("closes_at", "必填，如 2026-05-31T18:00:00+08:00 / required, e.g. 2026-05-31T18:00:00+08:00")
	case !d.ClosesAt.After(d.OpensAt):
		ps.Add("closes_at", "截止时间须晚于开始时间 / must be after opens_at")
	case !d.ClosesAt.After(now):
		ps.Add("closes_at", "截止时间已过 / is in the past")
	}
	if d.PreviousID != nil && *d.PreviousID <= 0 {
		ps.Add("previous_id", "无效的上一轮编号 / not a consultation id")
	}
	if d.Scope != nil {
		c.Scope = Scope{
			Zone:     strings.TrimSpace(d.Scope.Zone),
			Building: strings.TrimSpace(d.Scope.Building),
			Entrance: strings.TrimSpace(d.Scope.Entrance),
		}
		checkText(&ps, "scope.zone", c.Scope.Zone, MaxScopeNameRunes, false)
		checkText(&ps, "scope.building", c.Scope.Building, MaxScopeNameRunes, false)
		checkText(&ps, "scope.entrance", c.Scope.Entrance, MaxScopeNameRunes, false)
		if c.Scope.Entrance != "" && c.Scope.Building == "" {
			ps.Add("scope.entrance", "指定单元时须同时指定楼栋 / an entrance needs its building")
		}
	}
	c.Veto = quorum.Veto{Mode: quorum.VetoNone}
	if d.Veto != nil {
		c.Veto = *d.Veto
		if c.Veto.Mode == "" {
			c.Veto.Mode = quorum.VetoNone
		}
		if !slices.Contains(quorum.VetoModes[:], c.Veto.Mode) {
			ps.Add("veto.mode", "未知的否决方式 %q，应为 none、all-zones 或 zone-rejection / unknown veto mode %q: want none, all-zones or zone-rejection", c.Veto.Mode, c.Veto.Mode)
		}
		for i, z := range c.Veto.Zones {
			if slices.Contains(c.Veto.Zones[:i], z) {
				ps.Add(fmt.Sprintf("veto.zones[%d]", i), "区域 %q 重复 / zone %q listed twice", z, z)
			}
		}
		if c.Veto.Mode == quorum.VetoNone && len(c.Veto.Zones) > 0 {
			ps.Add("veto.zones", "否决方式为 none 时不能指定否决区域 / veto zones need a veto mode other than none")
		}
		if len(c.Veto.Zones) == 0 {
			c.Veto.Zones = nil
		}
	}
	switch {
	case len(d.Matters) == 0:
		ps.Add("matters", "至少需要一个表决事项 / at least one matter is required")
	case len(d.Matters) > MaxMatters:
		ps.Add("matters", "事项过多（最多 %d 个）/ too many matters (at most %d)", MaxMatters, MaxMatters)
	}
	for i, md := range d.Matters {
		if i >= MaxMatters {
			break
		}
		m := md.check(&ps, fmt.Sprintf("matters[%d]", i))
		m.Position = i + 1
		c.Matters = append(c.Matters, m)
	}
	return c, ps
}

func checkText(ps *Problems, field, s string, maxRunes int, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case required && n == 0:
		ps.Add(field, "必填 / required")
	case n > maxRunes:
		ps.Add(field, "过长（最多 %d 字）/ too long (at most %d characters)", maxRunes, maxRunes)
	case !utf8.ValidString(s):
		ps.Add(field, "不是有效的 UTF-8 文本 / not valid UTF-8")
	}
}

// check validates one matter and normalises it.
func (md *MatterDraft) check(ps *Problems, at string) Matter {
	m := Matter{
		Title:       strings.TrimSpace(md.Title),
		Description: strings.TrimSpace(md.Description),
		Kind:        md.Kind,
		Seats:       md.Seats,
		Flags:       []Flag{},
	}
	checkText(ps, at+".title", m.Title, MaxTitleRunes, true)
	checkText(ps, at+".description", m.Description, MaxTextRunes, false)

	for i, f := range md.Flags {
		if _, ok := flagNames[f]; !ok {
			ps.Add(fmt.Sprintf("%s.flags[%d]", at, i), "未知标记 %q，应为 raise_fund、rebuild 或 common_parts / unknown flag %q: want raise_fund, rebuild or common_parts", f, f)
			continue
		}
		if !slices.Contains(m.Flags, f) {
			m.Flags = append(m.Flags, f)
		}
	}
	raw := bytes.TrimSpace(md.Rules)
	if string(raw) == "null" {
		raw = nil
	}
	preset := ""
	if len(raw) > 0 && raw[0] == '"' {
		json.Unmarshal(raw, &preset)
	}
	switch md.Category {
	case quorum.Ordinary, quorum.Major:
		m.Category = md.Category
	case "":
		m.Category = quorum.Ordinary
		if len(m.Flags) > 0 || preset == string(quorum.Major) {
			m.Category = quorum.Major
		}
	default:
		ps.Add(at+".category", "未知类别 %q，应为 ordinary 或 major / unknown category %q: want ordinary or major", md.Category, md.Category)
		m.Category = quorum.Major
	}
	if len(m.Flags) > 0 && m.Category != quorum.Major {
		ps.Add(at+".category", "该事项涉及%s，属《民法典》第278条规定的重大事项，须按 major 表决 / the matter is flagged %s: Article 278 makes it major",
			flagNames[m.Flags[0]], m.Flags[0])
	}

	var rule quorum.Rule
	var err error
	if len(raw) == 0 {
		rule, err = m.Category.Rule()
		preset = string(m.Category)
	} else {
		rule, err = quorum.ParseRule(raw)
	}
	if err != nil {
		ps.Add(at+".rules", "%v", err)
	} else if looser, _ := rule.LooserThan(m.Category); len(looser) > 0 {
		parts := locale.RuleParts(looser)
		ps.Add(at+".rules", "比《民法典》第278条对%s事项的要求宽松（%s）/ looser than Article 278 allows for %s matters (%s)",
			categoryZH(m.Category), parts.ZH, m.Category, parts.EN)
	}
	if preset != "" {
		m.Rules, _ = json.Marshal(preset)
	} else if err == nil {
		m.Rules, _ = json.Marshal(rule)
	}

	switch md.Kind {
	case Approve:
		if len(md.Options) > 0 {
			ps.Add(at+".options", "同意/反对/弃权事项不设选项 / an approve matter has no options")
		}
		if md.Seats != 0 {
			ps.Add(at+".seats", "只有选举事项设席位 / only an election has seats")
		}
		if md.ChoiceMode != "" {
			ps.Add(at+".choice_mode", "只有选择事项设 choice_mode / only a choice matter has a choice mode")
		}
	case Choice:
		m.Options = checkOptions(ps, at+".options", md.Options, 2)
		if md.Seats != 0 {
			ps.Add(at+".seats", "只有选举事项设席位 / only an election has seats")
		}
		switch md.ChoiceMode {
		case "", quorum.ChoiceApproval:
			m.ChoiceMode = quorum.ChoiceApproval
		case quorum.ChoicePlurality:
			m.ChoiceMode = quorum.ChoicePlurality
			if m.Category == quorum.Major {
				ps.Add(at+".choice_mode", "重大事项不能以相对多数决定 / a major matter cannot be decided by plurality")
			}
		default:
			ps.Add(at+".choice_mode", "未知方式 %q，应为 approval 或 plurality / unknown choice mode %q: want approval or plurality", md.ChoiceMode, md.ChoiceMode)
		}
	case Election:
		m.Options = checkOptions(ps, at+".options", md.Options, 1)
		if md.Seats < 1 {
			ps.Add(at+".seats", "选举须设至少 1 个席位 / an election needs at least 1 seat")
		} else if md.Seats > MaxOptions {
			ps.Add(at+".seats", "席位过多 / too many seats")
		}
		if md.ChoiceMode != "" {
			ps.Add(at+".choice_mode", "只有选择事项设 choice_mode / only a choice matter has a choice mode")
		}
	case "":
		ps.Add(at+".kind", "必填：approve、choice 或 election / required: approve, choice or election")
	default:
		ps.Add(at+".kind", "未知类型 %q，应为 approve、choice 或 election / unknown kind %q: want approve, choice or election", md.Kind, md.Kind)
	}
	return m
}

func categoryZH(c quorum.Category) string {
	if c == quorum.Major {
		return "重大"
	}
	return "一般"
}

// reservedChoices are ballot words an option or candidate may not be named.
var reservedChoices = []string{"agree", "oppose", "abstain", "spoiled"}

func checkOptions(ps *Problems, at string, options []string, min int) []string {
	out := make([]string, 0, len(options))
	if len(options) < min {
		ps.Add(at, "至少需要 %d 个选项 / at least %d options are required", min, min)
	}
	if len(options) > MaxOptions {
		ps.Add(at, "选项过多（最多 %d 个）/ too many options (at most %d)", MaxOptions, MaxOptions)
		return out
	}
	for i, o := range options {
		o = strings.TrimSpace(o)
		field := fmt.Sprintf("%s[%d]", at, i)
		checkText(ps, field, o, MaxOptionRunes, true)
		switch {
		case slices.Contains(reservedChoices, o):
			ps.Add(field, "%q 为保留字 / %q is reserved", o, o)
		case slices.Contains(out, o):
			ps.Add(field, "选项 %q 重复 / option %q listed twice", o, o)
		}
		out = append(out, o)
	}
	return out
}

// EstateFacts is what CheckEstate needs to know of the roll: the zones that
// have units in the consultation's scope (sorted), and how many units it
// has.
type EstateFacts struct {
	ScopeZones []string
	ScopeUnits int
}

// CheckEstate checks a consultation against the estate's roll: its scope
// must hold units, and its veto zones must be zones of that scope.
func CheckEstate(c *Consultation, f EstateFacts) Problems {
	var ps Problems
	if f.ScopeUnits == 0 {
		field := "scope"
		switch {
		case c.Scope.Entrance != "":
			field = "scope.entrance"
		case c.Scope.Building != "":
			field = "scope.building"
		case c.Scope.Zone != "":
			field = "scope.zone"
		}
		ps.Add(field, "范围内没有房屋（%s）/ no unit of the roll is in scope (%s)", c.Scope.Describe(false), c.Scope.Describe(true))
	}
	for i, z := range c.Veto.Zones {
		if !slices.Contains(f.ScopeZones, z) {
			ps.Add(fmt.Sprintf("veto.zones[%d]", i), "区域 %q 在表决范围内没有房屋 / zone %q has no unit in scope", z, z)
		}
	}
	return ps
}
