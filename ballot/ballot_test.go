package ballot

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gongjue/quorum"
	"gongjue/secret"
)

func TestCodes(t *testing.T) {
	codes := NewCodes(5000)
	seen := map[string]bool{}
	for _, c := range codes {
		if seen[c] {
			t.Fatalf("code %s twice", c)
		}
		seen[c] = true
		if got, err := ParseCode(FormatCode(c)); err != nil || got != c {
			t.Fatalf("ParseCode(FormatCode(%s)) = %s, %v", c, got, err)
		}
	}
	for in, want := range map[string]string{
		"7k3m-q9xa":   "7K3MQ9XA",
		" 7K3M Q9XA ": "7K3MQ9XA",
		"7K3MQ9XA":    "7K3MQ9XA",
		"ILO0-1234":   "11001234",
		"７Ｋ３Ｍ－Ｑ９ＸＡ":   "7K3MQ9XA",
	} {
		if got, err := ParseCode(in); err != nil || got != want {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "7K3M", "7K3M-Q9XA-0", "7K3M-Q9XU", "选票码1234567"} {
		if _, err := ParseCode(bad); !errors.Is(err, ErrBadCode) {
			t.Errorf("ParseCode(%q): %v", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	tok := secret.Token()
	if got, err := ParseToken(strings.ToUpper(tok)); err != nil || got != tok {
		t.Fatalf("ParseToken(upper) = %q, %v", got, err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("a", 25), strings.Repeat("a", 27), strings.Repeat("a", 25) + "1", strings.Repeat("x", 10000)} {
		if _, err := ParseToken(bad); !errors.Is(err, ErrBadToken) {
			t.Errorf("ParseToken(%.30q): %v", bad, err)
		}
	}
	url := BallotURL("https://vote.example.cn/", tok)
	if url != "https://vote.example.cn/v/"+tok {
		t.Errorf("BallotURL = %q", url)
	}
	for in, want := range map[string]Reference{
		url:                      {Token: tok},
		url + "?lang=en":         {Token: tok},
		"  " + tok + "\n":        {Token: tok},
		"7k3m-q9xa":              {Code: "7K3MQ9XA"},
		"HTTP://X/V/" + tok:      {},
		"https://x/other/" + tok: {},
	} {
		got, err := ParseReference(in)
		if (want == Reference{}) != (err != nil) || got != want {
			t.Errorf("ParseReference(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
}

func testMatters() []Matter {
	return []Matter{
		{ID: 11, Title: "批准", Kind: Approve},
		{ID: 12, Title: "品牌", Kind: Choice, Options: []string{"蒂森", "三菱"}},
		{ID: 13, Title: "选举", Kind: Election, Options: []string{"王", "李", "赵"}, Seats: 2},
	}
}

func TestCheckChoices(t *testing.T) {
	ms := testMatters()
	sel, ps := CheckChoices(Input{"11": {"agree"}, "12": {"三菱"}, "13": {"王", "赵"}}, ms, false)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	want := []Selection{{11, "agree"}, {12, "三菱"}, {13, "王"}, {13, "赵"}}
	if !slices.Equal(sel, want) {
		t.Errorf("selections %v, want %v", sel, want)
	}
	// A blank election is an abstention, stored as such.
	sel, ps = CheckChoices(Input{"11": {"abstain"}, "12": {"abstain"}, "13": {}}, ms, false)
	if len(ps) > 0 || sel[2] != (Selection{13, "abstain"}) {
		t.Errorf("blank ballot: %v %v", sel, ps)
	}
	// Spoiled only on paper.
	spoiled := Input{"11": {"spoiled"}, "12": {"spoiled"}, "13": {"spoiled"}}
	if _, ps := CheckChoices(spoiled, ms, false); len(ps) != 3 {
		t.Errorf("spoiled online: %v", ps)
	}
	if sel, ps := CheckChoices(spoiled, ms, true); len(ps) > 0 || len(sel) != 3 {
		t.Errorf("spoiled on paper: %v %v", sel, ps)
	}
	for name, tc := range map[string]struct {
		in    Input
		field string
	}{
		"unknown matter":     {Input{"11": {"agree"}, "12": {"蒂森"}, "13": {}, "99": {"agree"}}, "choices.99"},
		"not a matter id":    {Input{"11": {"agree"}, "12": {"蒂森"}, "13": {}, "x": {"agree"}}, "choices.x"},
		"missing matter":     {Input{"11": {"agree"}, "13": {}}, "choices.12"},
		"not offered":        {Input{"11": {"agree"}, "12": {"日立"}, "13": {}}, "choices.12"},
		"agree on a choice":  {Input{"11": {"agree"}, "12": {"agree"}, "13": {}}, "choices.12"},
		"two choices":        {Input{"11": {"agree", "oppose"}, "12": {"蒂森"}, "13": {}}, "choices.11"},
		"no choice":          {Input{"11": {}, "12": {"蒂森"}, "13": {}}, "choices.11"},
		"too many":           {Input{"11": {"agree"}, "12": {"蒂森"}, "13": {"王", "李", "赵"}}, "choices.13"},
		"twice":              {Input{"11": {"agree"}, "12": {"蒂森"}, "13": {"王", "王"}}, "choices.13"},
		"unknown candidate":  {Input{"11": {"agree"}, "12": {"蒂森"}, "13": {"孙"}}, "choices.13"},
		"abstain and choose": {Input{"11": {"agree"}, "12": {"蒂森"}, "13": {"abstain", "王"}}, "choices.13"},
	} {
		sel, ps := CheckChoices(tc.in, ms, false)
		if sel != nil || len(ps) == 0 || !slices.ContainsFunc(ps, func(p Problem) bool { return p.Field == tc.field }) {
			t.Errorf("%s: %v, %v; want a problem with %s", name, sel, ps, tc.field)
		}
	}
	if got := AsInput(SpoiledBallot(ms)); len(got) != 3 || got["13"][0] != Spoiled {
		t.Errorf("SpoiledBallot: %v", got)
	}
}

func draft() DraftRequest {
	return DraftRequest{
		Title: " 加装电梯 ", OpensAt: time.Now(), ClosesAt: time.Now().Add(time.Hour),
		Matters: []MatterDraft{
			{Title: "加装", Kind: Approve, Flags: []Flag{Rebuild}},
			{Title: "品牌", Kind: Choice, Options: []string{"蒂森", " 三菱 "}},
			{Title: "选举", Kind: Election, Options: []string{"王"}, Seats: 1, Rules: json.RawMessage(`{"participation":{"area":"3/4","headcount":"2/3"},"approval":{"area":">1/2","headcount":"2/3"}}`)},
		},
	}
}

func TestDraftCheck(t *testing.T) {
	d := draft()
	c, ps := d.Check(time.Now())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if c.Title != "加装电梯" || c.Veto.Mode != quorum.VetoNone || c.State != Draft {
		t.Errorf("normalised %+v", c)
	}
	if m := c.Matters[0]; m.Category != quorum.Major || string(m.Rules) != `"major"` || m.Position != 1 {
		t.Errorf("flagged matter: %+v %s", m, m.Rules)
	}
	if m := c.Matters[1]; m.Category != quorum.Ordinary || m.ChoiceMode != quorum.ChoiceApproval || m.Options[1] != "三菱" {
		t.Errorf("choice matter: %+v", m)
	}
	if r, err := c.Matters[2].Rule(); err != nil || r.Participation.Area.String() != "3/4" {
		t.Errorf("custom rule: %v %v", r, err)
	}

	for name, tc := range map[string]struct {
		edit  func(*DraftRequest)
		field string
	}{
		"no title":        {func(d *DraftRequest) { d.Title = " " }, "title"},
		"no closing time": {func(d *DraftRequest) { d.ClosesAt = time.Time{} }, "closes_at"},
		"closes first":    {func(d *DraftRequest) { d.ClosesAt = d.OpensAt.Add(-time.Minute) }, "closes_at"},
		"closed already": {func(d *DraftRequest) {
			d.OpensAt, d.ClosesAt = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
		}, "closes_at"},
		"entrance alone":   {func(d *DraftRequest) { d.Scope = &Scope{Entrance: "2"} }, "scope.entrance"},
		"veto mode":        {func(d *DraftRequest) { d.Veto = &quorum.Veto{Mode: "some"} }, "veto.mode"},
		"veto zone twice":  {func(d *DraftRequest) { d.Veto = &quorum.Veto{Mode: quorum.VetoAllZones, Zones: []string{"A", "A"}} }, "veto.zones[1]"},
		"veto zones, none": {func(d *DraftRequest) { d.Veto = &quorum.Veto{Mode: quorum.VetoNone, Zones: []string{"A"}} }, "veto.zones"},
		"no matters":       {func(d *DraftRequest) { d.Matters = nil }, "matters"},
		"kind":             {func(d *DraftRequest) { d.Matters[0].Kind = "vote" }, "matters[0].kind"},
		"looser": {func(d *DraftRequest) {
			d.Matters[1].Rules = json.RawMessage(`{"participation":{"area":"1/2","headcount":"2/3"},"approval":{"area":">1/2","headcount":">1/2"}}`)
		}, "matters[1].rules"},
		"flagged ordinary":       {func(d *DraftRequest) { d.Matters[0].Category = quorum.Ordinary }, "matters[0].category"},
		"flagged, ordinary rule": {func(d *DraftRequest) { d.Matters[0].Rules = json.RawMessage(`"ordinary"`) }, "matters[0].rules"},
		"unknown flag":           {func(d *DraftRequest) { d.Matters[0].Flags = []Flag{"fun"} }, "matters[0].flags[0]"},
		"bad rule":               {func(d *DraftRequest) { d.Matters[0].Rules = json.RawMessage(`"strict"`) }, "matters[0].rules"},
		"one option":             {func(d *DraftRequest) { d.Matters[1].Options = []string{"蒂森"} }, "matters[1].options"},
		"option twice":           {func(d *DraftRequest) { d.Matters[1].Options = []string{"蒂森", "蒂森"} }, "matters[1].options[1]"},
		"reserved option":        {func(d *DraftRequest) { d.Matters[1].Options = []string{"蒂森", "abstain"} }, "matters[1].options[1]"},
		"options on approve":     {func(d *DraftRequest) { d.Matters[0].Options = []string{"x", "y"} }, "matters[0].options"},
		"no seats":               {func(d *DraftRequest) { d.Matters[2].Seats = 0 }, "matters[2].seats"},
		"plurality major": {func(d *DraftRequest) {
			d.Matters[1].ChoiceMode = quorum.ChoicePlurality
			d.Matters[1].Flags = []Flag{CommonParts}
		}, "matters[1].choice_mode"},
		"long title": {func(d *DraftRequest) { d.Title = strings.Repeat("长", MaxTitleRunes+1) }, "title"},
	} {
		d := draft()
		tc.edit(&d)
		_, ps := d.Check(time.Now())
		if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Field == tc.field }) {
			t.Errorf("%s: problems %v, want one on %s", name, ps, tc.field)
		}
	}

	// The stored consultation round-trips through AsDraft.
	c2, ps := (&DraftRequest{}).Check(time.Now())
	_ = c2
	if len(ps) == 0 {
		t.Error("an empty draft passes")
	}
	back := c.AsDraft()
	again, ps := back.Check(time.Now())
	if len(ps) > 0 || again.Title != c.Title || len(again.Matters) != 3 || string(again.Matters[2].Rules) != string(c.Matters[2].Rules) {
		t.Errorf("AsDraft round trip: %v %+v", ps, again)
	}
}

func TestCheckEstate(t *testing.T) {
	c := Consultation{Scope: Scope{Zone: "高层", Building: "9"}, Veto: quorum.Veto{Mode: quorum.VetoAllZones, Zones: []string{"高层", "多层"}}}
	ps := CheckEstate(&c, EstateFacts{ScopeZones: []string{"高层"}, ScopeUnits: 0})
	if len(ps) != 2 || ps[0].Field != "scope.building" || ps[1].Field != "veto.zones[1]" {
		t.Errorf("problems %v", ps)
	}
}

func TestWindow(t *testing.T) {
	opens := time.Date(2026, 5, 1, 1, 0, 0, 0, time.UTC)
	closes := opens.Add(24 * time.Hour)
	var we *WindowError
	for _, tc := range []struct {
		state  State
		now    time.Time
		reason string
	}{
		{Open, opens.Add(time.Hour), ""},
		{Open, opens, ""},
		{Open, opens.Add(-time.Second), "not_open"},
		{Open, closes, "closed"},
		{Draft, opens.Add(time.Hour), "not_open"},
		{Closed, opens.Add(time.Hour), "closed"},
		{Noticed, opens.Add(time.Hour), "closed"},
	} {
		err := CheckWindow(tc.state, opens, closes, tc.now)
		got := ""
		if errors.As(err, &we) {
			got = we.Reason
		}
		if got != tc.reason {
			t.Errorf("CheckWindow(%s, %v) = %v, want %q", tc.state, tc.now, err, tc.reason)
		}
	}
	if err := CheckPaperWindow(Open, opens, closes, closes.Add(time.Hour)); err != nil {
		t.Errorf("paper after the deadline, before closing: %v", err)
	}
	if err := CheckPaperWindow(Closed, opens, closes, closes.Add(time.Hour)); err == nil {
		t.Error("paper after closing accepted")
	}
	if msg := (&WindowError{Reason: "closed", ClosesAt: closes}).Error(); !strings.Contains(msg, "2026-05-02 09:00") {
		t.Errorf("closing time not in Beijing time: %s", msg)
	}
}

func TestNaturalOrder(t *testing.T) {
	got := []string{"12", "2", "1", "B", "10", "02", "a", "2A", "2-1"}
	slices.SortFunc(got, CompareNatural)
	want := []string{"1", "2", "02", "2-1", "2A", "10", "12", "B", "a"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
	places := []Place{{"12", "1", 1, "101"}, {"2", "2", 1, "101"}, {"2", "1", 10, "1001"}, {"2", "1", 2, "202"}, {"2", "1", 2, "201"}}
	slices.SortFunc(places, ComparePlaces)
	if places[0] != (Place{"2", "1", 2, "201"}) || places[2] != (Place{"2", "1", 10, "1001"}) || places[4].Building != "12" {
		t.Errorf("places %v", places)
	}
}
