package api_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"gongjue/locale"
	"gongjue/procedure"
	"gongjue/quorum"
	"gongjue/tally"
)

// TestProcedureEndToEnd is issue 15's acceptance through the HTTP API: the
// committee registers and activates rules deeming delivered non-voters to
// follow the majority and counting spoiled ballots as participating, opens
// a vote, volunteers record deliveries and a second account verifies them,
// owners vote online and one paper ballot is entered spoiled, the
// committee closes after the deadline, and every §4 field of /result is
// what package quorum gives on the raw units with the same deliveries and
// ballots.
func TestProcedureEndToEnd(t *testing.T) {
	e := newVoteEstate(t)
	status, v, refusal := e.registerProcedure(t, e.committee, `{"nonresponse": "delivered-follow-majority", "spoiled": "participating"}`, rulesPDF)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %+v", status, refusal)
	}
	if status := e.activate(t, e.committee, v); status != http.StatusOK {
		t.Fatalf("activate: %d", status)
	}
	c, ballots := e.openNow(t)
	procedure := quorum.Procedure{Nonresponse: quorum.NonresponseDeliveredFollowMajority, Spoiled: quorum.SpoiledParticipating}

	// Ballots: the first ten units online, the eleventh spoiled on paper;
	// the rest do not vote.
	votes := []map[string]any{}
	for i := range 10 {
		votes = append(votes, map[string]any{
			fmt.Sprint(c.Matters[0].ID): []string{"agree", "agree", "oppose", "abstain"}[i%4],
			fmt.Sprint(c.Matters[1].ID): []string{"蒂森", "三菱", "三菱"}[i%3],
			fmt.Sprint(c.Matters[2].ID): [][]string{{"王五", "钱七"}, {"赵六"}, {"abstain"}}[i%3],
		})
	}
	cast := map[string]map[int64][]string{} // unit → matter → choices
	for i, choices := range votes {
		if r := e.do(t, "", http.MethodPost, "/api/v1/ballots/"+e.token(ballots[i]), map[string]any{"choices": choices}, nil); r.StatusCode != http.StatusCreated {
			t.Fatalf("casting %s: %d", ballots[i].Unit, r.StatusCode)
		}
		cast[ballots[i].Unit] = map[int64][]string{}
		for k, m := range c.Matters {
			switch x := choices[fmt.Sprint(m.ID)].(type) {
			case string:
				cast[ballots[i].Unit][c.Matters[k].ID] = []string{x}
			case []string:
				cast[ballots[i].Unit][c.Matters[k].ID] = x
			}
		}
	}
	spoiled := ballots[10]
	var entry struct {
		EntryID int64 `json:"entry_id"`
	}
	if r := e.do(t, e.volunteer, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/paper", c.ID), map[string]any{"ballot_code": spoiled.Code, "spoiled": true, "spoiled_reason": "several_choices"}, &entry); r.StatusCode != http.StatusCreated {
		t.Fatalf("entering the spoiled ballot: %d", r.StatusCode)
	}
	if r := e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/paper/%d/confirm", entry.EntryID), nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("confirming the spoiled ballot: %d", r.StatusCode)
	}
	cast[spoiled.Unit] = map[int64][]string{}
	for _, m := range c.Matters {
		cast[spoiled.Unit][m.ID] = []string{"spoiled"}
	}

	// Deliveries: units 5–17 (voters, the spoiled ballot and non-voters)
	// verified by a second volunteer; unit 18 recorded only, unit 19's
	// record rejected.
	at := time.Now().Add(-time.Minute).Format(time.RFC3339)
	delivered := map[string]bool{}
	for i := 5; i <= 19; i++ {
		status, id, ae := e.recordDelivery(t, e.volunteer, c.ID, map[string]any{"unit": ballots[i].Unit, "method": "in_person", "delivered_at": at, "recipient": "业主本人"})
		if status != http.StatusCreated {
			t.Fatalf("record: %d %s", status, ae.Error.Message)
		}
		action, body := "verify", any(nil)
		switch i {
		case 18:
			continue
		case 19:
			action, body = "reject", map[string]string{"reason": "签收人不符"}
		default:
			delivered[ballots[i].Unit] = true
		}
		if r := e.do(t, e.volunteer2, http.MethodPost, fmt.Sprintf("/api/v1/deliveries/%d/%s", id, action), body, nil); r.StatusCode != http.StatusOK {
			t.Fatalf("%s delivery of %s: %d", action, ballots[i].Unit, r.StatusCode)
		}
	}

	// The deadline passes; the committee closes.
	if _, err := e.DB.Exec(`UPDATE consultations SET closes_at = now() - interval '1 millisecond' WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, e.committee, http.MethodPost, fmt.Sprintf("/api/v1/consultations/%d/close", c.ID), nil, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("close: %d", r.StatusCode)
	}
	code, body := e.get(t, e.committee, fmt.Sprintf("/api/v1/consultations/%d/result", c.ID))
	if code != http.StatusOK {
		t.Fatalf("result: %d", code)
	}
	var got resultBody
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	doc, err := tally.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if p := doc.Consultation.Procedure; p == nil || p.Version == nil || *p.Version != v || p.Settings.Procedure() != procedure {
		t.Errorf("the result records the rules %+v, want version %d with %+v", p, v, procedure)
	}

	// The same scenario on the raw units: the roll as imported, each unit
	// its own person, with the verified deliveries.
	var units []quorum.Unit
	rows, err := e.DB.Query(`SELECT id, zone, area_centi FROM units WHERE community_id = $1 ORDER BY id`, e.CommunityID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u quorum.Unit
		if err := rows.Scan(&u.ID, &u.Zone, &u.Area); err != nil {
			t.Fatal(err)
		}
		u.Owner, u.Delivered = e.idNumbers[u.ID], delivered[u.ID]
		units = append(units, u)
	}
	rows.Close()
	if len(units) != len(ballots) {
		t.Fatalf("%d units, %d ballots", len(units), len(ballots))
	}
	deemed := false
	for i, m := range doc.Matters {
		var want any
		if m.Kind == tally.KindApprove {
			var bs []quorum.Ballot
			for unit, byMatter := range cast {
				ch, err := quorum.ParseChoice(byMatter[m.ID][0])
				if err != nil {
					t.Fatal(err)
				}
				bs = append(bs, quorum.Ballot{Unit: unit, Choice: ch})
			}
			r, err := quorum.Evaluate(&quorum.Scenario{Rule: m.Rule, Veto: doc.Consultation.Veto, Procedure: procedure, Units: units, Ballots: bs})
			if err != nil {
				t.Fatal(err)
			}
			deemed = r.Overall.Deemed.Headcount > 0 && r.Overall.Majority != ""
			want = r
		} else {
			var bs []tally.MatterBallot
			for unit, byMatter := range cast {
				bs = append(bs, tally.MatterBallot{Unit: unit, Choices: byMatter[m.ID]})
			}
			raw := m
			if err := tally.Decide(&raw, doc.Consultation.Veto, procedure, quorum.ChoiceApproval, units, bs); err != nil {
				t.Fatal(err)
			}
			want = raw.Result
		}
		var g, w any
		wantJSON, _ := json.Marshal(want)
		json.Unmarshal(got.Matters[i].Result, &g)
		json.Unmarshal(wantJSON, &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("matter %d (%s): /result says\n%s\nquorum on the raw units\n%s", m.ID, m.Kind, got.Matters[i].Result, wantJSON)
		}
	}
	if !deemed {
		t.Error("no deemed owner followed a majority: the scenario does not exercise the rules")
	}
	if !strings.Contains(string(body), `"nonresponse":"delivered-follow-majority"`) {
		t.Errorf("the result does not state the non-response rule")
	}

	// The console's result page states the rules applied, in each language.
	committee := newBrowser(t, e.testServer)
	committee.login("committee")
	for lang, want := range map[string][]string{
		"zh": {doc.Consultation.Procedure.Sentence(false), "送达但未投票的业主视为同意已投票业主的多数意见", "废票计入参与表决", locale.DeemedFollow("agree").ZH},
		"en": {doc.Consultation.Procedure.Sentence(true), "deemed to follow the majority of those who voted", "A spoiled ballot takes part", locale.DeemedFollow("agree").EN},
	} {
		resp, page := committee.get(fmt.Sprintf("/console/consultations/%d/result?lang=%s", c.ID, lang))
		for _, w := range want {
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, html.EscapeString(w)) {
				t.Errorf("console result page (%s): %d, lacks %q", lang, resp.StatusCode, w)
			}
		}
	}
}

// TestNewConsultationStatesTheRulesItWouldFreeze: the new-consultation
// page says which rules of procedure opening would freeze and what each
// setting does, in the page's language, and the scope's figures imply the
// estate's thresholds, not Article 278's.
func TestNewConsultationStatesTheRulesItWouldFreeze(t *testing.T) {
	e := newVoteEstate(t)
	committee := newBrowser(t, e.testServer)
	committee.login("committee")
	scope := func() conRuleFigureBody {
		var f struct {
			Rules map[string]conRuleFigureBody `json:"rules"`
		}
		resp, page := committee.get("/console/scope")
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(page), &f) != nil {
			t.Fatalf("scope figures: %d %s", resp.StatusCode, page)
		}
		return f.Rules["ordinary"]
	}
	before := scope()
	if _, page := committee.get("/console/consultations/new"); !strings.Contains(page, html.EscapeString(procedure.NoVersionZH)) {
		t.Errorf("without a version the page does not say %q", procedure.NoVersionZH)
	}
	_, v, _ := e.registerProcedure(t, e.committee, `{"thresholds": {"ordinary": {"participation": {"area": "4/5", "headcount": "4/5"}, "approval": {"area": "3/5", "headcount": "3/5"}}},
		"nonresponse": "delivered-participate"}`, rulesPDF)
	if status := e.activate(t, e.committee, v); status != http.StatusOK {
		t.Fatalf("activate: %d", status)
	}
	for lang, want := range map[string][]string{
		"zh": {fmt.Sprintf("本次表决适用《议事规则》第 %d 版", v), "表决票已有效送达但未投票的业主视为参与表决"},
		"en": {fmt.Sprintf("This vote follows version %d", v), "Owners effectively delivered a ballot who did not vote are deemed to take part"},
	} {
		_, page := committee.get("/console/consultations/new?lang=" + lang)
		for _, w := range want {
			if !strings.Contains(page, html.EscapeString(w)) {
				t.Errorf("new consultation page (%s) lacks %q", lang, w)
			}
		}
	}
	after := scope()
	if after.Participation.MinHeadcount <= before.Participation.MinHeadcount || after.Participation.AreaFraction == before.Participation.AreaFraction {
		t.Errorf("the scope's ordinary participation under 4/5: %+v, under Article 278: %+v", after.Participation, before.Participation)
	}
}

type conRuleFigureBody struct {
	Participation struct {
		AreaFraction string `json:"area_fraction"`
		MinHeadcount int64  `json:"min_headcount"`
	} `json:"participation"`
}
