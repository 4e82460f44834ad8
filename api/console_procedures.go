package api

// The console page of the rules of procedure (DESIGN §3.6): every version
// with its settings explained, a form registering a draft (the adopted
// text and each setting, a sentence per choice saying its effect) and, for
// the committee, activating a draft. The page only reads; console.js posts
// to the procedures API.

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/procedure"
	"gongjue/quorum"
)

// conProcedure is one version as the page lists it.
type conProcedure struct {
	Version     int
	State       string // draft, active, superseded
	StateName   string
	SHA256      string
	ActivatedAt string
	ActivatedBy string
	Lines       []procedure.Line
}

// conChoice is one radio of a setting: the JSON value sent and the
// sentence saying what it does.
type conChoice struct {
	Value    string
	Sentence string
}

// conSetting is a setting chosen among fixed values; leaving it at the
// default omits its key.
type conSetting struct {
	Key     string // as the API names it: nonresponse, proxies.allowed …
	Legend  string
	Default string // the default's sentence
	Choices []conChoice
}

// conThresholdInput is a category's four fractions, Article 278's as the
// placeholders and what is sent for a fraction left blank beside others.
type conThresholdInput struct {
	Key       string // thresholds.ordinary
	Legend    string
	Fractions []conFraction
	Default   string
}

// conFraction is one of a rule's four fractions: where it sits in the rule
// (approval.area), its label and Article 278's value.
type conFraction struct {
	Part, Label, Default string
}

type proceduresData struct {
	consoleData
	Versions   []conProcedure
	Settings   []conSetting
	Thresholds []conThresholdInput
	Methods    []conChoice // value: the method's code; sentence: its name
	Sentences  map[string]string
}

// sentenceOf explains key in settings changed from the defaults by set.
func sentenceOf(key string, english bool, set func(*procedure.Settings)) string {
	s := procedure.Defaults()
	if set != nil {
		set(&s)
	}
	for _, l := range procedure.Explain(s, nil) {
		if l.Key == key {
			if english {
				return l.EN
			}
			return l.ZH
		}
	}
	return key
}

func (s *Server) consoleProcedures(c *gin.Context) {
	d, err := s.newConsoleData(c, "procedures")
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	ctx := c.Request.Context()
	english := d.Lang == "en"
	list, err := postgres.ListProcedures(ctx, s.DB, d.Community.ID)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	accounts, err := postgres.ListAccounts(ctx, s.DB, d.Community.ID)
	if err != nil {
		s.consolePageError(c, err)
		return
	}
	names := map[int64]string{}
	for _, a := range accounts {
		names[a.ID] = a.Username
	}
	data := proceduresData{consoleData: d}
	for _, v := range list {
		p := conProcedure{Version: v.Version, State: v.State, StateName: locale.ProcedureState(v.State).In(english),
			SHA256: v.OriginalSHA256, Lines: procedure.Explain(v.Settings, v.Defaults)}
		if v.ActivatedAt != nil {
			p.ActivatedAt = locale.Minute(*v.ActivatedAt)
		}
		if v.ActivatedBy != nil {
			p.ActivatedBy = names[*v.ActivatedBy]
		}
		data.Versions = append(data.Versions, p)
	}
	choice := func(key, value string, set func(*procedure.Settings)) conChoice {
		return conChoice{Value: value, Sentence: sentenceOf(key, english, set)}
	}
	setting := func(key string, legend string, choices ...conChoice) conSetting {
		explained := key
		if key == "proxies.allowed" || key == "proxies.authorisation_required" {
			explained = "proxies"
		}
		return conSetting{Key: key, Legend: legend, Default: sentenceOf(explained, english, nil), Choices: choices}
	}
	data.Settings = []conSetting{
		setting("nonresponse", conPickText(d.page, "送达但未投票的业主", "Owners delivered a ballot who did not vote"),
			choice("nonresponse", `"none"`, func(s *procedure.Settings) { s.Nonresponse = quorum.NonresponseNone }),
			choice("nonresponse", `"delivered-participate"`, func(s *procedure.Settings) { s.Nonresponse = quorum.NonresponseDeliveredParticipate }),
			choice("nonresponse", `"delivered-follow-majority"`, func(s *procedure.Settings) { s.Nonresponse = quorum.NonresponseDeliveredFollowMajority })),
		setting("spoiled", conPickText(d.page, "废票", "Spoiled ballots"),
			choice("spoiled", `"abstain"`, func(s *procedure.Settings) { s.Spoiled = quorum.SpoiledAbstain }),
			choice("spoiled", `"participating"`, func(s *procedure.Settings) { s.Spoiled = quorum.SpoiledParticipating }),
			choice("spoiled", `"excluded"`, func(s *procedure.Settings) { s.Spoiled = quorum.SpoiledExcluded })),
		setting("channels", conPickText(d.page, "投票方式（纸质表决票始终开放，不能关闭）", "Ways to vote (paper is always offered and cannot be switched off)"),
			choice("channels", `["online","paper"]`, nil),
			choice("channels", `["paper"]`, func(s *procedure.Settings) { s.Channels = []procedure.Channel{procedure.Paper} })),
		setting("online_verification", conPickText(d.page, "在线投票的身份核验", "Owner check before voting online"),
			choice("online_verification", `"none"`, nil),
			choice("online_verification", `"id_number"`, func(s *procedure.Settings) { s.OnlineVerification = procedure.VerifyIDNumber }),
			choice("online_verification", `"sms"`, func(s *procedure.Settings) { s.OnlineVerification = procedure.VerifySMS })),
		setting("proxies.allowed", conPickText(d.page, "委托投票", "Voting by proxy"),
			choice("proxies", "true", nil),
			choice("proxies", "false", func(s *procedure.Settings) { s.Proxies.Allowed = false })),
		setting("proxies.authorisation_required", conPickText(d.page, "委托投票的授权委托书", "A proxy's signed authorisation"),
			choice("proxies", "false", nil),
			choice("proxies", "true", func(s *procedure.Settings) { s.Proxies.AuthorisationRequired = true })),
	}
	for _, cat := range []quorum.Category{quorum.Ordinary, quorum.Major} {
		r, _ := cat.Rule()
		key := "thresholds." + string(cat)
		data.Thresholds = append(data.Thresholds, conThresholdInput{Key: key, Legend: locale.Category(string(cat)).In(english),
			Default: sentenceOf(key, english, nil), Fractions: []conFraction{
				{"participation.area", conPickText(d.page, "参与表决的面积", "Area taking part"), r.Participation.Area.String()},
				{"participation.headcount", conPickText(d.page, "参与表决的人数", "Owners taking part"), r.Participation.Headcount.String()},
				{"approval.area", conPickText(d.page, "同意的面积（占参与）", "Area agreeing (of those taking part)"), r.Approval.Area.String()},
				{"approval.headcount", conPickText(d.page, "同意的人数（占参与）", "Owners agreeing (of those taking part)"), r.Approval.Headcount.String()}}})
	}
	for _, m := range procedure.DeliveryMethods {
		data.Methods = append(data.Methods, conChoice{Value: string(m), Sentence: locale.DeliveryMethod(string(m)).In(english)})
	}
	data.Sentences = map[string]string{}
	for _, key := range []string{"delivery_methods", "notice_days", "objection_days"} {
		data.Sentences[key] = sentenceOf(key, english, nil)
	}
	data.Sentences["proxies.max_units"] = sentenceOf("proxies", english, func(s *procedure.Settings) { n := 3; s.Proxies.MaxUnits = &n })
	s.render(c, http.StatusOK, "console_procedures", data)
}
