package notice

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongjue/internal/crockford"
	"gongjue/locale"
	"gongjue/postgres"
)

// TestObjectionPeriodAndRules: the frozen rules' notice_days and
// objection_days set the periods the notice states; the result is final
// only after the objection period; recorded objections are listed; the
// rules' version and hash are printed.
func TestObjectionPeriodAndRules(t *testing.T) {
	e := newClosedEstateWith(t, `{"notice_days": 10, "objection_days": 5, "nonresponse": "delivered-participate", "spoiled": "excluded"}`)
	ctx := context.Background()
	e.setPassphrases(t)
	e.approve(t, e.committee)
	signed := e.approve(t, e.residents)
	if signed.PeriodDays != 10 || signed.ObjectionDays != 5 {
		t.Fatalf("periods %d / %d, want 10 / 5", signed.PeriodDays, signed.ObjectionDays)
	}
	pdf, err := postgres.SignedNoticePDF(ctx, e.db, e.consultationID)
	if err != nil {
		t.Fatal(err)
	}
	from := signed.SignedAt.In(locale.China)
	text := strings.Join(strings.Fields(pdfText(t, pdf)), "")
	rulesHash := fmt.Sprintf("%x", sha256.Sum256([]byte("rules")))
	for _, want := range []string{
		"公示期：10日，自" + locale.DayZH(from) + "起至" + locale.DayZH(from.AddDate(0, 0, 9)) + "止",
		"异议期：5日，自" + locale.DayZH(from) + "起至" + locale.DayZH(from.AddDate(0, 0, 4)) + "止",
		"异议期满后（" + locale.DayZH(from.AddDate(0, 0, 5)) + "起），本表决结果方为最终结果",
		"《业主大会议事规则》第3版", rulesHash, "表决票有效送达而未表决的，视为参与表决；废票视为未交回表决票",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("notice text lacks %q", want)
		}
	}
	if strings.Contains(text, "未登记议事规则") {
		t.Error("the notice says no rules are registered")
	}

	v, err := Verify(ctx, e.db, signed.NoticeID, signed.SignedAt.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if v.Final || v.ObjectionEnd == nil || v.FinalAt == nil || len(v.Objections) != 0 {
		t.Fatalf("within the objection period: %+v", v)
	}
	raised := signed.SignedAt.Add(2 * time.Hour)
	if _, err := postgres.InsertObjection(ctx, e.db, e.communityID, e.consultationID, "3-1-301 王五", raised, "第二号楼的面积有误", e.committee.ID); err != nil {
		t.Fatal(err)
	}
	if v, err = Verify(ctx, e.db, signed.NoticeID, *v.FinalAt); err != nil {
		t.Fatal(err)
	}
	if !v.Final || len(v.Objections) != 1 || v.Objections[0].Content != "第二号楼的面积有误" || v.Objections[0].RecordedBy != "wy1" {
		t.Fatalf("after the objection period: final %v, objections %+v", v.Final, v.Objections)
	}
	if _, err := e.db.Exec(`UPDATE notice_objections SET content = 'x'`); err == nil {
		t.Error("an objection was changed")
	}
}

// TestNoticeWithoutRulesOrObjections: the defaults of §3.6 (7 days, no
// objection period) and the no-version sentence.
func TestNoticeWithoutRulesOrObjections(t *testing.T) {
	e := newClosedEstate(t)
	ctx := context.Background()
	e.setPassphrases(t)
	e.approve(t, e.committee)
	signed := e.approve(t, e.residents)
	pdf, err := postgres.SignedNoticePDF(ctx, e.db, e.consultationID)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdfText(t, pdf)), "")
	for _, want := range []string{"未登记议事规则，按《民法典》第二百七十八条默认规则", "公示期：7日", "异议期：无", "未交回表决票的业主不计入参与表决；废票按弃权计"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice text lacks %q", want)
		}
	}
	v, err := Verify(ctx, e.db, signed.NoticeID, signed.SignedAt.Add(time.Second))
	if err != nil || !v.Final || v.ObjectionEnd != nil {
		t.Errorf("without an objection period the result is final at posting: %+v, %v", v, err)
	}
}

// TestNoticeNumbers: a new notice gets 8 Crockford characters and a check
// character, printed XXXX-XXXX-C and found however a person types it; a
// mistyped one is not found; older long ids keep working.
func TestNoticeNumbers(t *testing.T) {
	e := newClosedEstate(t)
	ctx := context.Background()
	n, err := postgres.GetNotice(ctx, e.db, e.consultationID)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{9}$`).MatchString(n.ID) || crockford.Check(n.ID[:8]) != n.ID[8] {
		t.Fatalf("notice number %q", n.ID)
	}
	printed := postgres.FormatNoticeNumber(n.ID)
	if !regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$`).MatchString(printed) {
		t.Fatalf("printed as %q", printed)
	}
	for _, typed := range []string{printed, strings.ToLower(printed), strings.ReplaceAll(printed, "-", " ")} {
		if got, err := postgres.NoticeByPublicID(ctx, e.db, typed); err != nil || got.ConsultationID != e.consultationID {
			t.Errorf("%q: %v", typed, err)
		}
	}
	wrong := []byte(n.ID)
	wrong[8] = crockford.Alphabet[(strings.IndexByte(crockford.Alphabet, wrong[8])+1)%32]
	if _, err := postgres.NoticeByPublicID(ctx, e.db, string(wrong)); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("a wrong check character: %v, want ErrNotFound", err)
	}
	old := "iz7ripojc4natxpoopx7kklb3u"
	if _, err := e.db.Exec(`ALTER TABLE notices DISABLE TRIGGER notices_guard; UPDATE notices SET id = '` + old + `'; ALTER TABLE notices ENABLE TRIGGER notices_guard`); err != nil {
		t.Fatal(err)
	}
	if got, err := postgres.NoticeByPublicID(ctx, e.db, old); err != nil || got.ConsultationID != e.consultationID {
		t.Errorf("an old long id: %v", err)
	}
}
