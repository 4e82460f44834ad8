// Package procedure holds an estate's rules of procedure (议事规则) as
// Gongjue enforces them (DESIGN.md §3.6): the structured settings, their
// defaults, their validation and the sentences that explain them. It does
// no I/O.
package procedure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gongjue/locale"
	"gongjue/quorum"
)

// Channel is a way of casting a ballot an estate offers.
type Channel string

// The channels of §3.6. Paper is never switched off.
const (
	Online Channel = "online"
	Paper  Channel = "paper"
)

// Verification is the owner check before an online cast (§5.2).
type Verification string

// The online verifications of §5.2.
const (
	VerifyNone     Verification = "none"
	VerifyIDNumber Verification = "id_number"
	VerifySMS      Verification = "sms"
)

// DeliveryMethod is a way of delivering a ballot that the rules count as
// effective (§5.1).
type DeliveryMethod string

// The delivery methods of §3.6.
const (
	InPerson        DeliveryMethod = "in_person"         // 当面签收
	LeftWithWitness DeliveryMethod = "left_with_witness" // 留置，见证人在场
	RegisteredPost  DeliveryMethod = "registered_post"   // 挂号信
	Electronic      DeliveryMethod = "electronic"        // 电子送达: the owner opened the ballot page
)

// DeliveryMethods lists every method in the order pages show them.
var DeliveryMethods = []DeliveryMethod{InPerson, LeftWithWitness, RegisteredPost, Electronic}

// Thresholds are the estate's rules per Article 278 category.
type Thresholds struct {
	Ordinary quorum.Rule `json:"ordinary"`
	Major    quorum.Rule `json:"major"`
}

// Of returns the estate's rule for category c.
func (t Thresholds) Of(c quorum.Category) quorum.Rule {
	if c == quorum.Major {
		return t.Major
	}
	return t.Ordinary
}

// Proxies says whether and how a named proxy (委托) may cast a ballot.
type Proxies struct {
	Allowed bool `json:"allowed"`
	// MaxUnits is the most units one proxy may represent in a consultation;
	// nil is no limit.
	MaxUnits              *int `json:"max_units"`
	AuthorisationRequired bool `json:"authorisation_required"`
}

// Settings are the rules of procedure Gongjue enforces, every key filled.
type Settings struct {
	Thresholds         Thresholds           `json:"thresholds"`
	Nonresponse        quorum.Nonresponse   `json:"nonresponse"`
	Spoiled            quorum.SpoiledPolicy `json:"spoiled"`
	Channels           []Channel            `json:"channels"`
	OnlineVerification Verification         `json:"online_verification"`
	Proxies            Proxies              `json:"proxies"`
	DeliveryMethods    []DeliveryMethod     `json:"delivery_methods"`
	NoticeDays         int                  `json:"notice_days"`
	ObjectionDays      int                  `json:"objection_days"`
}

// Limits of the day counts: a notice table row holds 1–90 days (§7).
const (
	MaxNoticeDays    = 90
	MaxObjectionDays = 90
)

// Defaults are the settings without a registered version (§3.6): Article
// 278's presets and today's counting.
func Defaults() Settings {
	return Settings{
		Thresholds:         Thresholds{Ordinary: quorum.OrdinaryRule, Major: quorum.MajorRule},
		Nonresponse:        quorum.NonresponseNone,
		Spoiled:            quorum.SpoiledAbstain,
		Channels:           []Channel{Online, Paper},
		OnlineVerification: VerifyNone,
		Proxies:            Proxies{Allowed: true},
		DeliveryMethods:    slices.Clone(DeliveryMethods),
		NoticeDays:         7,
		ObjectionDays:      0,
	}
}

// Procedure returns the counting part of the settings, for package quorum.
func (s Settings) Procedure() quorum.Procedure {
	return quorum.Procedure{Nonresponse: s.Nonresponse, Spoiled: s.Spoiled}
}

// Allows reports whether the settings count delivery method m as effective.
func (s Settings) Allows(m DeliveryMethod) bool { return slices.Contains(s.DeliveryMethods, m) }

// Error names the setting that is wrong, in the words the committee wrote
// it (thresholds.major.approval.area; empty for the whole object), and
// what is wrong with it.
type Error struct {
	Key     string
	Message string // Chinese, then English
}

func (e *Error) Error() string {
	if e.Key == "" {
		return e.Message
	}
	return e.Key + ": " + e.Message
}

func errorf(key, zh, en string, args ...any) *Error {
	return &Error{Key: key, Message: fmt.Sprintf(zh, args...) + " / " + fmt.Sprintf(en, args...)}
}

// wire is the settings as written: every key optional, so that what was
// left out can be told from what was given.
type wire struct {
	Thresholds         json.RawMessage  `json:"thresholds"`
	Nonresponse        *string          `json:"nonresponse"`
	Spoiled            *string          `json:"spoiled"`
	Channels           *[]string        `json:"channels"`
	OnlineVerification *string          `json:"online_verification"`
	Proxies            *json.RawMessage `json:"proxies"`
	DeliveryMethods    *[]string        `json:"delivery_methods"`
	NoticeDays         *int             `json:"notice_days"`
	ObjectionDays      *int             `json:"objection_days"`
}

// Parse reads settings as a version writes them (§3.6): an object whose
// keys may be left out. It refuses unknown keys and values, rules looser
// than Article 278, and paper switched off; it fills what was left out
// with the defaults and returns the keys it filled (thresholds.ordinary,
// proxies.max_units …) in the order of the table.
func Parse(data []byte) (Settings, []string, error) {
	s := Defaults()
	var defaulted []string
	var w wire
	if err := strictDecode(data, &w); err != nil {
		return s, nil, errorf(keyOf(err), "格式错误：%v", "malformed: %v", err)
	}
	if w.Thresholds == nil {
		defaulted = append(defaulted, "thresholds.ordinary", "thresholds.major")
	} else {
		var given map[string]json.RawMessage
		if err := checkKeys("thresholds", w.Thresholds, &given, string(quorum.Ordinary), string(quorum.Major)); err != nil {
			return s, nil, err
		}
		for _, t := range []struct {
			cat  quorum.Category
			into *quorum.Rule
		}{{quorum.Ordinary, &s.Thresholds.Ordinary}, {quorum.Major, &s.Thresholds.Major}} {
			key := "thresholds." + string(t.cat)
			raw, ok := given[string(t.cat)]
			if !ok {
				defaulted = append(defaulted, key)
				continue
			}
			r, err := parseRule(key, raw, t.cat)
			if err != nil {
				return s, nil, err
			}
			*t.into = r
		}
	}
	if w.Nonresponse == nil {
		defaulted = append(defaulted, "nonresponse")
	} else if s.Nonresponse = quorum.Nonresponse(*w.Nonresponse); !slices.Contains([]quorum.Nonresponse{quorum.NonresponseNone, quorum.NonresponseDeliveredParticipate, quorum.NonresponseDeliveredFollowMajority}, s.Nonresponse) {
		return s, nil, errorf("nonresponse", "未知取值 %q，应为 none、delivered-participate 或 delivered-follow-majority",
			"unknown value %q: want none, delivered-participate or delivered-follow-majority", *w.Nonresponse)
	}
	if w.Spoiled == nil {
		defaulted = append(defaulted, "spoiled")
	} else if s.Spoiled = quorum.SpoiledPolicy(*w.Spoiled); !slices.Contains([]quorum.SpoiledPolicy{quorum.SpoiledAbstain, quorum.SpoiledParticipating, quorum.SpoiledExcluded}, s.Spoiled) {
		return s, nil, errorf("spoiled", "未知取值 %q，应为 abstain、participating 或 excluded",
			"unknown value %q: want abstain, participating or excluded", *w.Spoiled)
	}
	if w.Channels == nil {
		defaulted = append(defaulted, "channels")
	} else {
		var err error
		if s.Channels, err = parseSet("channels", *w.Channels, []Channel{Online, Paper}); err != nil {
			return s, nil, err
		}
		if !slices.Contains(s.Channels, Paper) {
			return s, nil, errorf("channels", "不能关闭纸质表决：不使用网络的业主必须能以纸质表决票投票",
				"paper may not be switched off: owners who do not use the internet must be offered it")
		}
	}
	if w.OnlineVerification == nil {
		defaulted = append(defaulted, "online_verification")
	} else if s.OnlineVerification = Verification(*w.OnlineVerification); !slices.Contains([]Verification{VerifyNone, VerifyIDNumber, VerifySMS}, s.OnlineVerification) {
		return s, nil, errorf("online_verification", "未知取值 %q，应为 none、id_number 或 sms",
			"unknown value %q: want none, id_number or sms", *w.OnlineVerification)
	}
	if w.Proxies == nil {
		defaulted = append(defaulted, "proxies.allowed", "proxies.max_units", "proxies.authorisation_required")
	} else {
		more, err := parseProxies(*w.Proxies, &s.Proxies)
		if err != nil {
			return s, nil, err
		}
		defaulted = append(defaulted, more...)
	}
	if w.DeliveryMethods == nil {
		defaulted = append(defaulted, "delivery_methods")
	} else {
		var err error
		if s.DeliveryMethods, err = parseSet("delivery_methods", *w.DeliveryMethods, DeliveryMethods); err != nil {
			return s, nil, err
		}
	}
	if w.NoticeDays == nil {
		defaulted = append(defaulted, "notice_days")
	} else if s.NoticeDays = *w.NoticeDays; s.NoticeDays < 1 || s.NoticeDays > MaxNoticeDays {
		return s, nil, errorf("notice_days", "公示期应为 1 至 %d 日，不是 %d", "want 1 to %d days, not %d", MaxNoticeDays, s.NoticeDays)
	}
	if w.ObjectionDays == nil {
		defaulted = append(defaulted, "objection_days")
	} else if s.ObjectionDays = *w.ObjectionDays; s.ObjectionDays < 0 || s.ObjectionDays > MaxObjectionDays {
		return s, nil, errorf("objection_days", "异议期应为 0 至 %d 日，不是 %d", "want 0 to %d days, not %d", MaxObjectionDays, s.ObjectionDays)
	}
	return s, defaulted, nil
}

// strictDecode decodes one JSON value into v, refusing unknown keys and
// anything after the value.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("unexpected data after the object")
	}
	return nil
}

// keyOf finds the key an encoding/json error is about, so the 422 names it.
func keyOf(err error) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return typeErr.Field
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
	}
	return ""
}

// checkKeys decodes the object raw into m, refusing keys not allowed:
// encoding/json names an unknown key without the path to it.
func checkKeys(at string, raw json.RawMessage, m *map[string]json.RawMessage, allowed ...string) error {
	if err := json.Unmarshal(raw, m); err != nil {
		return errorf(at, "格式错误：%v", "malformed: %v", err)
	}
	for k := range *m {
		if !slices.Contains(allowed, k) {
			return errorf(at+"."+k, "未知的键，应为 %s", "unknown key: want %s", strings.Join(allowed, ", "))
		}
	}
	return nil
}

// parseRule reads a threshold rule, refusing unknown keys inside it and a
// rule looser than Article 278's for its category.
func parseRule(key string, raw json.RawMessage, c quorum.Category) (quorum.Rule, error) {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		var parts map[string]json.RawMessage
		if err := checkKeys(key, raw, &parts, "participation", "approval"); err != nil {
			return quorum.Rule{}, err
		}
		for name, part := range parts {
			var fractions map[string]json.RawMessage
			if err := checkKeys(key+"."+name, part, &fractions, "area", "headcount"); err != nil {
				return quorum.Rule{}, err
			}
		}
	}
	r, err := quorum.ParseRule(raw)
	if err != nil {
		msg := err.Error()
		if ie, ok := err.(*quorum.InputError); ok {
			key, msg = key+strings.TrimPrefix(ie.Item, "rules"), ie.Problem
		}
		return r, errorf(key, "规则有误：%s", "bad rule: %s", msg)
	}
	if looser, _ := r.LooserThan(c); len(looser) > 0 {
		parts := locale.RuleParts(looser)
		return r, &Error{Key: key, Message: "比《民法典》第二百七十八条的要求宽松（" + parts.ZH + "） / looser than Article 278 allows (" + parts.EN + ")"}
	}
	return r, nil
}

// parseSet reads a non-empty list of distinct known values, kept in the
// order of known.
func parseSet[T ~string](key string, given []string, known []T) ([]T, error) {
	names := make([]string, len(known))
	for i, k := range known {
		names[i] = string(k)
	}
	want := strings.Join(names, ", ")
	if len(given) == 0 {
		return nil, errorf(key, "不能为空，应为 %s 中的一项或多项", "may not be empty: want one or more of %s", want)
	}
	var set []T
	for i, v := range given {
		if !slices.Contains(known, T(v)) {
			return nil, errorf(fmt.Sprintf("%s[%d]", key, i), "未知取值 %q，应为 %s", "unknown value %q: want %s", v, want)
		}
		if slices.Contains(given[:i], v) {
			return nil, errorf(fmt.Sprintf("%s[%d]", key, i), "%q 重复", "%q listed twice", v)
		}
	}
	for _, k := range known {
		if slices.Contains(given, string(k)) {
			set = append(set, k)
		}
	}
	return set, nil
}

func parseProxies(raw json.RawMessage, p *Proxies) (defaulted []string, err error) {
	var w struct {
		Allowed               *bool           `json:"allowed"`
		MaxUnits              json.RawMessage `json:"max_units"` // null is given: no limit
		AuthorisationRequired *bool           `json:"authorisation_required"`
	}
	if err := strictDecode(raw, &w); err != nil {
		return nil, errorf("proxies."+keyOf(err), "格式错误：%v", "malformed: %v", err)
	}
	if w.Allowed == nil {
		defaulted = append(defaulted, "proxies.allowed")
	} else {
		p.Allowed = *w.Allowed
	}
	if w.MaxUnits == nil {
		defaulted = append(defaulted, "proxies.max_units")
	} else if string(w.MaxUnits) != "null" {
		var n int
		if err := json.Unmarshal(w.MaxUnits, &n); err != nil || n < 1 {
			return nil, errorf("proxies.max_units", "应为正整数或 null（不限），不是 %s", "want a positive integer or null (no limit), not %s", w.MaxUnits)
		}
		p.MaxUnits = &n
	}
	if w.AuthorisationRequired == nil {
		defaulted = append(defaulted, "proxies.authorisation_required")
	} else {
		p.AuthorisationRequired = *w.AuthorisationRequired
	}
	return defaulted, nil
}
