package locale

import (
	"fmt"
	"strings"
)

// Fraction words a rule's fraction N/D the way the law does: 三分之二以上
// (≥ 2/3), 过半数 (> 1/2), 超过四分之三 (> 3/4), 不限 (0).
func Fraction(num, den uint64, strict bool) Text {
	switch {
	case num == 0:
		return Text{"不限", "no requirement"}
	case strict && 2*num == den:
		return Text{"过半数", "more than half"}
	case num == den:
		return Text{"全部", "all"}
	case strict:
		return Text{"超过" + chineseFraction(num, den), fmt.Sprintf("more than %d/%d", num, den)}
	}
	return Text{chineseFraction(num, den) + "以上", fmt.Sprintf("at least %d/%d", num, den)}
}

func chineseFraction(num, den uint64) string {
	return chineseNumber(den) + "分之" + chineseNumber(num)
}

var chineseDigits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func chineseNumber(v uint64) string {
	if v < uint64(len(chineseDigits)) {
		return chineseDigits[v]
	}
	return fmt.Sprint(v)
}

// List joins names as each language lists them: 甲、乙 / A, B.
func List(names []string) Text {
	return Text{strings.Join(names, "、"), strings.Join(names, ", ")}
}

// Veto modes by their names in quorum (VetoNone, VetoAllZones,
// VetoZoneRejection); the locale test checks that every quorum mode has
// its words here.
const (
	vetoNone          = "none"
	vetoAllZones      = "all-zones"
	vetoZoneRejection = "zone-rejection"
)

// vetoModeOrder is the order modes are listed in, as quorum.VetoModes.
var vetoModeOrder = []string{vetoNone, vetoAllZones, vetoZoneRejection}

// vetoModes are each mode's short name and the sentence explaining it.
var vetoModes = map[string][2]Text{
	vetoNone: {{"无分区否决", "no zone veto"},
		{"只看全体业主的结果；各区的结果列出来供参考，不影响表决结果。",
			"Only the estate-wide result counts; each zone's result is shown for information and changes nothing."}},
	vetoAllZones: {{"各区均须通过", "every veto zone must pass"},
		{"全体通过之外，每个有否决权的区域自己也必须达到参与和同意的比例；任何一个区域未通过（包括参与不足），整个事项就不通过。",
			"Besides the estate-wide result, every veto zone must itself reach the participation and agreement thresholds; if any one of them fails — even by low turnout — the matter fails."}},
	vetoZoneRejection: {{"分区否决", "zone rejection"},
		{"有否决权的区域只有在“主动反对”时才否决：该区参与达到比例，并且反对票达到同意所需的比例。参与不足的区域不会否决。",
			"A veto zone blocks only by actively rejecting: its own participation is met and its opposing votes reach the agreement thresholds. A zone with low turnout does not block."}},
}

func vetoMode(mode string) [2]Text {
	if t, ok := vetoModes[mode]; ok {
		return t
	}
	return vetoModes[vetoNone] // an empty mode is none
}

// VetoModeName is a veto mode's short name: 各区均须通过.
func VetoModeName(mode string) Text { return vetoMode(mode)[0] }

// VetoModeExplained is the sentence saying what a veto mode does.
func VetoModeExplained(mode string) Text { return vetoMode(mode)[1] }

// Veto states a consultation's veto: the mode and which zones hold it
// (none listed: every zone).
func Veto(mode string, zones []string) Text {
	t := VetoModeName(mode)
	switch {
	case mode == "" || mode == vetoNone:
		return Text{t.ZH + "（各区结果仅供参考）", t.EN + " (zones are shown for information)"}
	case len(zones) == 0:
		return Text{t.ZH + "；全部区域有否决权", t.EN + "; every zone holds a veto"}
	}
	z := List(zones)
	return Text{t.ZH + "；有否决权的区域：" + z.ZH, t.EN + "; veto zones: " + z.EN}
}

// WhatIf says what the verdict would have been under each veto mode other
// than mode; passedUnder answers for a mode's name.
func WhatIf(mode string, passedUnder func(mode string) bool) Text {
	if mode == "" {
		mode = vetoNone
	}
	var zh, en []string
	for _, m := range vetoModeOrder {
		if m != mode {
			name, word := VetoModeName(m), Passed(passedUnder(m))
			zh = append(zh, name.ZH+"："+word.ZH)
			en = append(en, name.EN+": "+word.EN)
		}
	}
	return Text{"如采用其他否决方式 —— " + strings.Join(zh, "；"), "Under the other veto modes — " + strings.Join(en, "; ")}
}

// ElectionNoVeto is said of every election matter of a consultation whose
// veto mode is not none (DESIGN §3.2): zones are represented by seats.
var ElectionNoVeto = Text{"分区否决不适用于选举事项，各区名额见本事项的应选名额。",
	"The zone veto does not apply to elections; each zone's seats are as this matter states."}

// Scope names the part of the estate a consultation concerns: 全小区, or
// 高层区 12幢 2单元.
func Scope(zone, building, entrance string) Text {
	var zh, en []string
	if zone != "" {
		zh, en = append(zh, zone+"区"), append(en, "zone "+zone)
	}
	if building != "" {
		zh, en = append(zh, building+"幢"), append(en, "building "+building)
	}
	if entrance != "" {
		zh, en = append(zh, entrance+"单元"), append(en, "entrance "+entrance)
	}
	if len(zh) == 0 {
		return Text{"全小区", "Whole estate"}
	}
	return Text{strings.Join(zh, " "), strings.Join(en, ", ")}
}

// The choices of an approve matter, and a spoiled paper ballot, by their
// codes on the ballot (ballot.Agree …).
var choices = map[string]Text{
	"agree":   {"同意", "Agree"},
	"oppose":  {"反对", "Oppose"},
	"abstain": {"弃权", "Abstain"},
	"spoiled": {"废票", "Spoiled"},
}

// Choice names a choice code: agree → 同意. Any other value is an option
// or a candidate and names itself.
func Choice(code string) Text { return named(choices, code) }

// The first two rows of every table of figures.
var (
	Eligible      = Text{"应参与表决", "Eligible"}
	Participating = Text{"实际参与表决", "Took part"}
)

// Abstain labels the abstain row of a result: spoiled ballots are in it
// only where the rules of procedure count them as abstentions (§3.5).
func Abstain(spoiledIncluded bool) Text {
	if spoiledIncluded {
		return Text{"弃权（含废票）", "Abstain (incl. spoiled)"}
	}
	return Text{"弃权", "Abstain"}
}

// The rows a result adds when the rules of procedure count owners who
// returned no ballot, or spoiled ballots in no choice (§3.5): the actual
// and the deemed part of participation side by side.
var (
	ActualParticipating = Text{"其中：交回选票", "of which returned a ballot"}
	DeemedParticipating = Text{"其中：送达未表决、视为参与", "of which delivered, no ballot, deemed to take part"}
	NoChoice            = Text{"参与但未作选择", "Took part in no choice"}
)

// DeemedFollow says whom deemed owners followed: the majority opinion of
// the population (§3.5), by its choice code or option.
func DeemedFollow(majority string) Text {
	c := Choice(majority)
	return Text{"送达未表决的业主视为同意已表决业主的多数意见（" + c.ZH + "）", "Owners delivered a ballot who did not vote are deemed to follow the majority of those who did (" + c.EN + ")"}
}

// ChoiceVetoed explains why a choice matter's leading option, which met
// the rule across the scope, was not adopted: zones holding the veto
// did not pass it (§3.2).
func ChoiceVetoed(option string, zones []string) Text {
	return Text{"「" + option + "」在全体业主中达到通过比例，但在「" + strings.Join(zones, "」「") + "」区域未获通过，按分区否决规则不予采纳。",
		"“" + option + "” met the rule across the scope but did not pass in zone " + strings.Join(zones, ", ") + ", so under the zone veto it is not adopted."}
}

// ZoneColumns are the zone table's agree, oppose and abstain headings: for
// an option of a choice matter, choosing it and choosing another (§3.2).
func ZoneColumns(choice bool) [3]Text {
	if choice {
		return [3]Text{{"选择该项", "For it"}, OtherOption, choices["abstain"]}
	}
	return [3]Text{choices["agree"], choices["oppose"], choices["abstain"]}
}

// OtherOption labels, for one option of a choice matter, the ballots for
// the other options — the option's "oppose", never called 反对 (§3.2).
var OtherOption = Text{"选其他选项", "For another option"}

// Channel names how a ballot was cast, by its code (ballot.Online …).
func Channel(code string) Text {
	switch code {
	case "online":
		return Text{"在线投票", "online"}
	case "paper":
		return Text{"纸质选票", "paper ballot"}
	case "proxy":
		return Text{"委托代理人投票（纸质选票）", "paper ballot by a proxy"}
	}
	return Text{code, code}
}

// SpoiledReason names why a paper ballot is spoiled (废票), by its code
// (DESIGN §5.3).
func SpoiledReason(code string) Text {
	switch code {
	case "unreadable":
		return Text{"无法辨认", "unreadable"}
	case "several_choices":
		return Text{"一项勾选多个", "several choices ticked"}
	case "unsigned":
		return Text{"未签名", "unsigned"}
	case "not_issued":
		return Text{"非本次发放的选票", "not the issued ballot"}
	}
	return Text{code, code}
}

// Category names a matter's Article 278 category by its code.
func Category(code string) Text {
	if code == "major" {
		return Text{"重大事项", "major matter"}
	}
	return Text{"一般事项", "ordinary matter"}
}

// Passed is the one-word verdict of a table cell or a what-if.
func Passed(passed bool) Text {
	if passed {
		return Text{"通过", "passed"}
	}
	return Text{"未通过", "not passed"}
}

// The verdict sentences of DESIGN §7.
var (
	VerdictPassed      = Text{"通过", "passed"}
	VerdictNoQuorum    = Text{"未达到参与表决比例，未形成有效决定", "participation was not reached; no valid decision was made"}
	VerdictRejected    = Text{"表决未通过", "not passed"}
	VerdictNoneAdopted = Text{"未形成有效决定（可发起下一轮）", "no valid decision (a next round may be launched)"}
	VerdictLapsed      = Text{"表决终止（延期后仍未达到参与表决比例）", "ended: participation was still not reached after the extension"}
)

// Verdict is a matter's verdict sentence (§7): passed; participation not
// reached; or reached and failed.
func Verdict(passed, participationMet bool) Text {
	switch {
	case passed:
		return VerdictPassed
	case !participationMet:
		return VerdictNoQuorum
	}
	return VerdictRejected
}

// ThisOption labels, for one option of a choice matter or one candidate,
// the ballots for it — the option's "agree".
var ThisOption = Text{"选此选项", "For this option"}

// OtherCandidate labels, for one candidate, the ballots that approve only
// other candidates — the candidate's "oppose".
var OtherCandidate = Text{"只选其他候选人", "For other candidates only"}

// AgreeOppose label an outcome's agree and oppose for a matter's kind
// (approve, choice, election): an option's "oppose" is the ballots for
// other options, never 反对 (DESIGN §3.2).
func AgreeOppose(kind string) (agree, oppose Text) {
	switch kind {
	case "choice":
		return ThisOption, OtherOption
	case "election":
		return ThisOption, OtherCandidate
	}
	return Choice("agree"), Choice("oppose")
}

// VerdictTied is an advisory plurality vote whose leaders tied.
var VerdictTied = Text{"未形成有效决定（得票相同，可发起下一轮）", "no valid decision (a tie; a next round may be launched)"}

// Chosen is a choice matter's verdict when an option is adopted.
func Chosen(option string) Text { return Text{"选定「" + option + "」", "chosen: " + option} }

// Elected is an election's verdict: who was elected, who tied for the last
// seats, and how many seats stay vacant.
func Elected(seats int, elected, tied []string, vacant int) Text {
	zh := fmt.Sprintf("应选%d名，当选%d名", seats, len(elected))
	en := fmt.Sprintf("%d seats, %d elected", seats, len(elected))
	if len(elected) > 0 {
		names := List(elected)
		zh, en = zh+"："+names.ZH, en+": "+names.EN
	}
	if len(tied) > 0 {
		names := List(tied)
		zh, en = zh+"；得票相同未能确定："+names.ZH, en+"; tied, not decided: "+names.EN
	}
	if vacant > 0 {
		zh, en = zh+fmt.Sprintf("；空缺%d名", vacant), en+fmt.Sprintf("; %d vacant", vacant)
	}
	return Text{zh, en}
}

// Kind says what a matter asks: 表决事项（同意 / 反对 / 弃权）, a choice with
// its options, an election with its seats and candidates.
func Kind(kind string, options []string, seats int) Text {
	names := List(options)
	switch kind {
	case "choice":
		return Text{"选择事项（选项：" + names.ZH + "）", "choice (options: " + names.EN + ")"}
	case "election":
		return Text{fmt.Sprintf("选举事项（应选%d名；候选人：%s）", max(seats, 1), names.ZH),
			fmt.Sprintf("election (%d seats; candidates: %s)", max(seats, 1), names.EN)}
	}
	return Text{"表决事项（同意 / 反对 / 弃权）", "approval (agree / oppose / abstain)"}
}

// named looks code up in names; an unknown code names itself.
func named(names map[string]Text, code string) Text {
	if t, ok := names[code]; ok {
		return t
	}
	return Text{code, code}
}

var deliveryMethods = map[string]Text{
	"in_person":         {"当面签收", "in person"},
	"left_with_witness": {"留置送达（见证人在场）", "left with a witness"},
	"registered_post":   {"挂号邮寄", "registered post"},
	"electronic":        {"电子送达", "electronic"},
}

// DeliveryMethod names a §5.1 delivery method by its code.
func DeliveryMethod(code string) Text { return named(deliveryMethods, code) }

var deliveryStates = map[string]Text{
	"none":     {"未送达", "not delivered"},
	"recorded": {"已登记，待核验", "recorded, awaiting check"},
	"verified": {"已核验送达", "delivered (checked)"},
	"rejected": {"已驳回", "rejected"},
}

// DeliveryState names where a unit's, or a record's, delivery stands.
func DeliveryState(code string) Text { return named(deliveryStates, code) }

var verifications = map[string]Text{
	"none":      {"无需核验", "none required"},
	"id_number": {"身份证号核验", "ID number"},
	"sms":       {"短信验证码核验", "SMS code"},
}

// Verification names the owner verification (§5.2) a cast passed.
func Verification(code string) Text { return named(verifications, code) }

// YesNo is 是 or 否.
func YesNo(yes bool) Text {
	if yes {
		return Text{"是", "yes"}
	}
	return Text{"否", "no"}
}

var procedureStates = map[string]Text{
	"draft":      {"草稿", "draft"},
	"active":     {"生效", "active"},
	"superseded": {"已废止", "superseded"},
}

// ProcedureState names where a version of the rules of procedure stands.
func ProcedureState(code string) Text { return named(procedureStates, code) }

// The four fractions of a rule (DESIGN §3.3), by their names in a rule's
// JSON, as an error names the ones that are too loose.
var ruleParts = map[string]Text{
	"participation.area":      {"参与面积比例", "participation by area"},
	"participation.headcount": {"参与人数比例", "participation by headcount"},
	"approval.area":           {"同意面积比例", "approval by area"},
	"approval.headcount":      {"同意人数比例", "approval by headcount"},
}

// RuleParts names a rule's fractions: participation.area → 参与面积比例.
func RuleParts(names []string) Text {
	var zh, en []string
	for _, n := range names {
		t := named(ruleParts, n)
		zh, en = append(zh, t.ZH), append(en, t.EN)
	}
	return Text{strings.Join(zh, "、"), strings.Join(en, ", ")}
}
