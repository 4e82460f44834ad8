package procedure

import (
	"fmt"
	"slices"
	"strings"

	"gongjue/locale"
	"gongjue/quorum"
)

// The sentence of §3.6 for a vote without a registered version.
const (
	NoVersionZH = "未登记议事规则，按《民法典》第二百七十八条默认规则"
	NoVersionEN = "No rules of procedure registered: Article 278 of the Civil Code applies with its defaults"
)

// Line explains the effect of one setting to the committee and the owners.
type Line struct {
	Key     string `json:"key"`
	ZH      string `json:"zh"`
	EN      string `json:"en"`
	Default bool   `json:"default"` // the version left the setting out
}

// Explain gives, setting by setting in the order of §3.6, the sentence
// saying what it does; defaulted are the keys Parse filled.
func Explain(s Settings, defaulted []string) []Line {
	isDefault := func(prefix string) bool {
		return slices.ContainsFunc(defaulted, func(k string) bool { return k == prefix || strings.HasPrefix(k, prefix+".") })
	}
	var lines []Line
	add := func(key, zh, en string) {
		lines = append(lines, Line{Key: key, ZH: zh, EN: en, Default: isDefault(key)})
	}
	for _, c := range []quorum.Category{quorum.Ordinary, quorum.Major} {
		zh, en := ruleSentence(s.Thresholds.Of(c))
		name := map[quorum.Category][2]string{quorum.Ordinary: {"一般事项", "Ordinary matters"}, quorum.Major: {"重大事项", "Major matters"}}[c]
		add("thresholds."+string(c), name[0]+"："+zh, name[1]+": "+en)
	}
	switch s.Nonresponse {
	case quorum.NonresponseDeliveredParticipate:
		add("nonresponse", "表决票已有效送达但未投票的业主视为参与表决（不计入同意、反对或弃权）",
			"Owners effectively delivered a ballot who did not vote are deemed to take part, in no choice")
	case quorum.NonresponseDeliveredFollowMajority:
		add("nonresponse", "送达但未投票的业主视为同意已投票业主的多数意见",
			"Owners delivered a ballot who did not vote are deemed to follow the majority of those who voted")
	default:
		add("nonresponse", "只计交回的表决票，未投票的业主不计入参与表决",
			"Only returned ballots count; owners who did not vote do not take part")
	}
	switch s.Spoiled {
	case quorum.SpoiledParticipating:
		add("spoiled", "废票计入参与表决，但不计入同意、反对或弃权", "A spoiled ballot takes part, in no choice")
	case quorum.SpoiledExcluded:
		add("spoiled", "废票视为未交回表决票", "A spoiled ballot counts as if no ballot was returned")
	default:
		add("spoiled", "废票计为弃权", "A spoiled ballot counts as an abstention")
	}
	if slices.Contains(s.Channels, Online) {
		add("channels", "可在线投票，也可交回纸质表决票", "Owners vote online or on paper")
	} else {
		add("channels", "只收纸质表决票，不开放在线投票", "Owners vote on paper only; online voting is off")
	}
	switch s.OnlineVerification {
	case VerifyIDNumber:
		add("online_verification", "在线投票前须输入身份证号核验业主身份", "Before voting online the owner types their ID number to prove who they are")
	case VerifySMS:
		add("online_verification", "在线投票前须输入发送至登记手机的短信验证码", "Before voting online the owner types a code sent to the phone on the roll")
	default:
		add("online_verification", "凭表决票二维码即可在线投票，无需另行核验", "The ballot's QR code alone lets the owner vote online")
	}
	add("proxies", proxiesZH(s.Proxies), proxiesEN(s.Proxies))
	zh, en := make([]string, len(s.DeliveryMethods)), make([]string, len(s.DeliveryMethods))
	for i, m := range s.DeliveryMethods {
		t := locale.DeliveryMethod(string(m))
		zh[i], en[i] = t.ZH, t.EN
	}
	add("delivery_methods", "以下送达方式视为有效送达："+strings.Join(zh, "、"), "These deliveries count as effective: "+strings.Join(en, ", "))
	add("notice_days", fmt.Sprintf("表决结果公示 %d 日", s.NoticeDays), fmt.Sprintf("The result is posted for %d days", s.NoticeDays))
	if s.ObjectionDays == 0 {
		add("objection_days", "不设异议期", "No objection period")
	} else {
		add("objection_days", fmt.Sprintf("公示后 %d 日内可提出异议", s.ObjectionDays), fmt.Sprintf("Objections may be raised within %d days of posting", s.ObjectionDays))
	}
	return lines
}

func proxiesZH(p Proxies) string {
	if !p.Allowed {
		return "不允许委托他人投票"
	}
	s := "允许委托他人投票，每名受托人代理户数不限"
	if p.MaxUnits != nil {
		s = fmt.Sprintf("允许委托他人投票，每名受托人最多代理 %d 户", *p.MaxUnits)
	}
	if p.AuthorisationRequired {
		return s + "，须附业主签名的授权委托书"
	}
	return s
}

func proxiesEN(p Proxies) string {
	if !p.Allowed {
		return "Voting by proxy is not allowed"
	}
	s := "Voting by proxy is allowed, any number of units per proxy"
	if p.MaxUnits != nil {
		s = fmt.Sprintf("Voting by proxy is allowed, at most %d units per proxy", *p.MaxUnits)
	}
	if p.AuthorisationRequired {
		return s + "; a signed authorisation must be attached"
	}
	return s
}

// ruleSentence says what a rule asks, in Chinese and English.
func ruleSentence(r quorum.Rule) (zh, en string) {
	zh = fmt.Sprintf("专有部分面积%s且人数%s的业主参与表决，经参与表决面积%s且人数%s的业主同意",
		r.Participation.Area.Words().ZH, r.Participation.Headcount.Words().ZH, r.Approval.Area.Words().ZH, r.Approval.Headcount.Words().ZH)
	en = fmt.Sprintf("owners holding %s of the area and %s by headcount take part, and %s of the participating area and %s of participating owners agree",
		r.Participation.Area.Words().EN, r.Participation.Headcount.Words().EN, r.Approval.Area.Words().EN, r.Approval.Headcount.Words().EN)
	return zh, en
}
