package procedure

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"gongjue/quorum"
)

func TestParseEmptyIsDefaultsAllMarked(t *testing.T) {
	s, defaulted, err := Parse([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, Defaults()) {
		t.Errorf("settings = %+v, want the defaults", s)
	}
	for _, l := range Explain(s, defaulted) {
		if !l.Default {
			t.Errorf("%s not marked as a default", l.Key)
		}
	}
}

func TestParseFillsOnlyWhatWasLeftOut(t *testing.T) {
	s, defaulted, err := Parse([]byte(`{
		"thresholds": {"major": {"participation": {"area": "3/4", "headcount": "2/3"}, "approval": {"area": "4/5", "headcount": "3/4"}}},
		"nonresponse": "delivered-follow-majority", "spoiled": "excluded",
		"channels": ["paper"], "proxies": {"max_units": 3},
		"delivery_methods": ["registered_post", "in_person"], "notice_days": 15}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Thresholds.Major.Participation.Area != (quorum.Fraction{Num: 3, Den: 4}) || s.Thresholds.Ordinary != quorum.OrdinaryRule {
		t.Errorf("thresholds = %+v", s.Thresholds)
	}
	if s.Procedure() != (quorum.Procedure{Nonresponse: quorum.NonresponseDeliveredFollowMajority, Spoiled: quorum.SpoiledExcluded}) {
		t.Errorf("procedure = %+v", s.Procedure())
	}
	if !reflect.DeepEqual(s.DeliveryMethods, []DeliveryMethod{InPerson, RegisteredPost}) || s.Allows(Electronic) {
		t.Errorf("delivery methods = %v", s.DeliveryMethods)
	}
	if s.Proxies.MaxUnits == nil || *s.Proxies.MaxUnits != 3 || !s.Proxies.Allowed || s.NoticeDays != 15 || s.ObjectionDays != 0 {
		t.Errorf("proxies %+v notice %d objection %d", s.Proxies, s.NoticeDays, s.ObjectionDays)
	}
	want := []string{"thresholds.ordinary", "online_verification", "proxies.allowed", "proxies.authorisation_required", "objection_days"}
	if !reflect.DeepEqual(defaulted, want) {
		t.Errorf("defaulted = %v, want %v", defaulted, want)
	}
	lines := Explain(s, defaulted)
	byKey := map[string]Line{}
	for _, l := range lines {
		byKey[l.Key] = l
	}
	if l := byKey["nonresponse"]; l.ZH != "送达但未投票的业主视为同意已投票业主的多数意见" || l.Default {
		t.Errorf("nonresponse line = %+v", l)
	}
	if !byKey["thresholds.ordinary"].Default || byKey["thresholds.major"].Default || !byKey["proxies"].Default {
		t.Errorf("default marks wrong: %+v", lines)
	}
	if !strings.Contains(byKey["proxies"].ZH, "最多代理 3 户") {
		t.Errorf("proxies line = %q", byKey["proxies"].ZH)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ settings, key string }{
		{`{"quorum": "2/3"}`, "quorum"},
		{`{"proxies": {"allowed": true, "max": 2}}`, "proxies.max"},
		{`{"thresholds": {"ordinary": "ordinary", "minor": "ordinary"}}`, "thresholds.minor"},
		{`{"thresholds": {"ordinary": {"participation": {"area": "2/3", "headcount": "2/3"}, "approval": {"area": ">1/2", "headcount": ">1/2", "turnout": "1/2"}}}}`, "thresholds.ordinary.approval.turnout"},
		{`{"thresholds": {"ordinary": {"participation": {"area": "1/2", "headcount": "2/3"}, "approval": {"area": ">1/2", "headcount": ">1/2"}}}}`, "thresholds.ordinary"},
		{`{"thresholds": {"major": "ordinary"}}`, "thresholds.major"},
		{`{"thresholds": {"major": {"participation": {"area": "2/3", "headcount": "2/3"}, "approval": {"area": "3/4", "headcount": "x"}}}}`, "thresholds.major.approval.headcount"},
		{`{"channels": ["online"]}`, "channels"},
		{`{"channels": []}`, "channels"},
		{`{"channels": ["paper", "wechat"]}`, "channels[1]"},
		{`{"nonresponse": "deemed"}`, "nonresponse"},
		{`{"spoiled": "oppose"}`, "spoiled"},
		{`{"online_verification": "face"}`, "online_verification"},
		{`{"delivery_methods": []}`, "delivery_methods"},
		{`{"delivery_methods": ["in_person", "in_person"]}`, "delivery_methods[1]"},
		{`{"delivery_methods": ["courier"]}`, "delivery_methods[0]"},
		{`{"proxies": {"max_units": 0}}`, "proxies.max_units"},
		{`{"notice_days": 0}`, "notice_days"},
		{`{"notice_days": 91}`, "notice_days"},
		{`{"notice_days": "7"}`, "notice_days"},
		{`{"objection_days": -1}`, "objection_days"},
		{`[]`, ""},
		{`{} {}`, ""},
	} {
		_, _, err := Parse([]byte(tc.settings))
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want an *Error", tc.settings, err)
			continue
		}
		if pe.Key != tc.key {
			t.Errorf("%s: key = %q, want %q (%v)", tc.settings, pe.Key, tc.key, pe)
		}
		if !strings.Contains(pe.Message, " / ") {
			t.Errorf("%s: message %q is not Chinese / English", tc.settings, pe.Message)
		}
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	s, _, err := Parse([]byte(`{"proxies": {"allowed": false}, "thresholds": {"ordinary": {"participation": {"area": "2/3", "headcount": "3/4"}, "approval": {"area": ">1/2", "headcount": "2/3"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	back, defaulted, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) || len(defaulted) != 0 {
		t.Errorf("round trip: %+v (defaulted %v), want %+v", back, defaulted, s)
	}
}

func TestAppliedSentence(t *testing.T) {
	if got := None().Sentence(false); got != "未登记议事规则，按《民法典》第二百七十八条默认规则" {
		t.Errorf("no version: %q", got)
	}
	v, h := 3, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	a := Applied{Version: &v, OriginalSHA256: &h, Settings: Defaults()}
	if got := a.Sentence(false); got != "本次表决适用《议事规则》第 3 版（SHA-256 前 12 位 0123456789ab）" {
		t.Errorf("version 3: %q", got)
	}
}

func TestCheckOriginal(t *testing.T) {
	for _, tc := range []struct {
		data []byte
		want string
	}{
		{[]byte("%PDF-1.7\n..."), "application/pdf"},
		{[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png"},
		{[]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg"},
	} {
		if got, err := CheckOriginal(tc.data); err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.data[:4], got, err, tc.want)
		}
	}
	for _, bad := range [][]byte{nil, []byte("<html>rules</html>"), []byte("PK\x03\x04 a docx"), append([]byte("%PDF-"), make([]byte, MaxOriginalBytes)...)} {
		if _, err := CheckOriginal(bad); err == nil {
			t.Errorf("%d bytes starting %q accepted", len(bad), bad[:min(len(bad), 5)])
		}
	}
}

// A looser rule's message names the loose fractions in each language's
// words, so a Chinese page shows no English key.
func TestLooserRuleNamedInEachLanguage(t *testing.T) {
	_, _, err := Parse([]byte(`{"thresholds": {"major": {"participation": {"area": "2/3", "headcount": "2/3"}, "approval": {"area": "1/2", "headcount": "3/4"}}}}`))
	var pe *Error
	if !errors.As(err, &pe) || pe.Key != "thresholds.major" {
		t.Fatalf("Parse = %v, want a refusal of thresholds.major", err)
	}
	zh, en, _ := strings.Cut(pe.Message, " / ")
	if !strings.Contains(zh, "同意面积比例") || strings.ContainsAny(zh, "abcdefghijklmnopqrstuvwxyz") {
		t.Errorf("Chinese half %q should name 同意面积比例 in Chinese only", zh)
	}
	if !strings.Contains(en, "approval by area") {
		t.Errorf("English half %q should name the approval by area", en)
	}
}
