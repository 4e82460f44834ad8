package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/ledger"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/verification"
)

// btEstate is an estate of 24 units for ballot tests: buildings 1 (多层)
// and 2 (高层), two entrances each, three floors of two rooms; the owner of
// 1-1-101 also owns 2-1-101, and 2-2-* are developer-held.
type btEstate struct {
	DB         *postgres.DB
	Keys       *secret.Keys
	CID        int64
	Volunteer  int64
	Volunteer2 int64
	Committee  int64
}

func newBTEstate(t *testing.T) *btEstate {
	t.Helper()
	ctx := context.Background()
	db, _ := pgtest.New(t)
	e := &btEstate{DB: db, Keys: &secret.Keys{Master: [secret.KeySize]byte{9, 9, 9}}}
	var err error
	if e.CID, err = postgres.CreateCommunity(ctx, db, "选票测试小区", ""); err != nil {
		t.Fatal(err)
	}
	var units []roll.Unit
	for b := 1; b <= 2; b++ {
		for en := 1; en <= 2; en++ {
			for fl := 1; fl <= 3; fl++ {
				for r := 1; r <= 2; r++ {
					u := roll.Unit{
						Building: fmt.Sprint(b), Entrance: fmt.Sprint(en), Room: fmt.Sprintf("%d%02d", fl, r), Floor: fl,
						Zone: []string{"", "多层", "高层"}[b], Area: quorum.Area(8000 + 100*fl + r),
						OwnerName: fmt.Sprintf("业主%d%d%d%d", b, en, fl, r), IDNumber: fmt.Sprintf("ID-%d-%d-%d-%d", b, en, fl, r),
					}
					if b == 2 && en == 1 && fl == 1 && r == 1 {
						u.IDNumber = "ID-1-1-1-1"
					}
					if b == 2 && en == 2 {
						u.DeveloperHeld, u.IDNumber, u.OwnerName = true, "", "开发商"
					}
					u.ID = roll.UnitID(u.Building, u.Entrance, u.Room)
					units = append(units, u)
				}
			}
		}
	}
	if _, err := postgres.ImportRoll(ctx, db, e.Keys, e.CID, units); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		name, role string
		id         *int64
	}{{"bt-vol", staff.RoleVolunteer, &e.Volunteer}, {"bt-vol2", staff.RoleVolunteer, &e.Volunteer2}, {"bt-com", staff.RoleCommittee, &e.Committee}} {
		if *a.id, err = postgres.CreateAccount(ctx, db, a.name, "password-long", a.role, &e.CID); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// draft creates a consultation with one approve matter and one choice
// matter, open from opens to closes.
func (e *btEstate) draft(t *testing.T, scope ballot.Scope, opens, closes time.Time) *ballot.Consultation {
	t.Helper()
	ctx := context.Background()
	d := ballot.DraftRequest{
		Title: "加装电梯", Scope: &scope, OpensAt: opens, ClosesAt: closes,
		Matters: []ballot.MatterDraft{
			{Title: "是否加装电梯", Kind: ballot.Approve, Flags: []ballot.Flag{ballot.Rebuild}},
			{Title: "电梯品牌", Kind: ballot.Choice, Options: []string{"蒂森", "三菱"}},
		},
	}
	c, ps := d.Check(time.Now())
	if len(ps) > 0 {
		t.Fatalf("draft: %v", ps)
	}
	id, err := postgres.CreateConsultation(ctx, e.DB, e.CID, &c, e.Committee)
	if err != nil {
		t.Fatal(err)
	}
	got, err := postgres.GetConsultation(ctx, e.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (e *btEstate) open(t *testing.T, scope ballot.Scope) (*ballot.Consultation, []postgres.IssuedBallot) {
	t.Helper()
	c := e.draft(t, scope, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	issued, err := postgres.OpenConsultation(context.Background(), e.DB, e.Keys, e.CID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c, issued
}

func agreeAll(c *ballot.Consultation) []ballot.Selection {
	return []ballot.Selection{{MatterID: c.Matters[0].ID, Choice: "agree"}, {MatterID: c.Matters[1].ID, Choice: "蒂森"}}
}

func TestOpenIssuesOneBallotPerUnitInScope(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{})
	if len(issued) != 24 {
		t.Fatalf("%d ballots for 24 units", len(issued))
	}
	codes := map[string]bool{}
	for i, b := range issued {
		if codes[b.Code] {
			t.Errorf("ballot code %s issued twice", b.Code)
		}
		codes[b.Code] = true
		if _, err := ballot.ParseToken(b.Token); err != nil {
			t.Errorf("token of %s: %v", b.UnitID, err)
		}
		if i > 0 && ballot.ComparePlaces(issued[i-1].Place, b.Place) > 0 {
			t.Errorf("ballots out of order: %s before %s", issued[i-1].UnitID, b.UnitID)
		}
		v, err := postgres.BallotByToken(ctx, e.DB, b.Token)
		if err != nil || v.UnitID != b.UnitID || v.Code != b.Code {
			t.Fatalf("BallotByToken(%s): %+v, %v", b.UnitID, v, err)
		}
	}
	// Only the hash is stored in ballots; the packet derives the tokens again.
	var stored int
	if err := e.DB.Get(&stored, `SELECT count(*) FROM ballots WHERE consultation_id = $1 AND position($2::bytea in token_hash) > 0`,
		c.ID, []byte(issued[0].Token)); err != nil || stored != 0 {
		t.Fatalf("token found in clear in ballots: %d, %v", stored, err)
	}
	packet, _, err := postgres.PacketBallots(ctx, e.DB, e.Keys, e.CID, c.ID, "", "")
	if err != nil || len(packet) != 24 {
		t.Fatalf("PacketBallots: %d, %v", len(packet), err)
	}
	tokens := map[string]string{}
	for _, b := range issued {
		tokens[b.UnitID] = b.Token
	}
	for _, p := range packet {
		if p.Token != tokens[p.UnitID] {
			t.Errorf("packet token of %s differs from the issued one", p.UnitID)
		}
	}
	// Without the master key the database gives no token.
	if other, _, err := postgres.PacketBallots(ctx, e.DB, &secret.Keys{}, e.CID, c.ID, "", ""); err != nil || other[0].Token == tokens[other[0].UnitID] {
		t.Errorf("tokens derived under another master key: %v", err)
	}
	if _, err := postgres.OpenConsultation(ctx, e.DB, e.Keys, e.CID, c.ID); !errors.Is(err, postgres.ErrNotDraft) {
		t.Errorf("opening twice: %v, want ErrNotDraft", err)
	}
	if err := postgres.UpdateDraft(ctx, e.DB, e.CID, c.ID, c); !errors.Is(err, postgres.ErrNotDraft) {
		t.Errorf("editing an open consultation: %v, want ErrNotDraft", err)
	}
}

func TestOpenStairwellScope(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{Building: "1", Entrance: "2"})
	if len(issued) != 6 {
		t.Fatalf("%d ballots for a stairwell of 6 units", len(issued))
	}
	for _, b := range issued {
		if b.Building != "1" || b.Entrance != "2" {
			t.Errorf("ballot issued to %s outside stairwell 1-2", b.UnitID)
		}
	}
	var n int
	e.DB.Get(&n, `SELECT count(*) FROM ballots WHERE consultation_id = $1 AND NOT (building = '1' AND entrance = '2')`, c.ID)
	if n != 0 {
		t.Errorf("%d ballots outside the scope", n)
	}
	empty := e.draft(t, ballot.Scope{Building: "9"}, time.Now(), time.Now().Add(time.Hour))
	if _, err := postgres.OpenConsultation(ctx, e.DB, e.Keys, e.CID, empty.ID); !errors.Is(err, postgres.ErrEmptyScope) {
		t.Errorf("opening an empty scope: %v", err)
	}
	if facts, err := postgres.ScopeFacts(ctx, e.DB, e.CID, ballot.Scope{Zone: "高层"}); err != nil || facts.ScopeUnits != 12 || len(facts.ScopeZones) != 1 {
		t.Errorf("ScopeFacts(高层) = %+v, %v", facts, err)
	}
}

func TestCastOnlineOnceThenRefused(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{})
	unit := issued[0].UnitID
	cast, err := postgres.CastOnline(ctx, e.DB, e.CID, c.ID, unit, agreeAll(c), verification.Pass{})
	if err != nil {
		t.Fatal(err)
	}
	if salt, err := ledger.ParseReceipt(cast.Receipt); err != nil || !bytes.Equal(salt, cast.Salt) {
		t.Fatalf("receipt %q: %v", cast.Receipt, err)
	}
	_, err = postgres.CastOnline(ctx, e.DB, e.CID, c.ID, unit, agreeAll(c), verification.Pass{})
	var dup *postgres.AlreadyCastError
	if !errors.As(err, &dup) || dup.Channel != ballot.Online || !dup.At.Equal(cast.At) {
		t.Fatalf("second cast: %v, want AlreadyCastError online at %v", err, cast.At)
	}
	v, err := postgres.BallotByToken(ctx, e.DB, issued[0].Token)
	if err != nil || v.Cast == nil || v.Cast.Receipt != cast.Receipt || len(v.Cast.Choices) != 2 {
		t.Fatalf("ballot after casting: %+v, %v", v.Cast, err)
	}
	// A paper ballot for the unit is refused at entry.
	_, _, err = postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{CommunityID: e.CID, ConsultationID: c.ID,
		UnitID: unit, Choices: agreeAll(c), EnteredBy: e.Volunteer})
	if !errors.As(err, &dup) {
		t.Errorf("paper entry for a voted unit: %v", err)
	}
}

func TestCastWindow(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c := e.draft(t, ballot.Scope{}, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour))
	issued, err := postgres.OpenConsultation(ctx, e.DB, e.Keys, e.CID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var we *ballot.WindowError
	_, err = postgres.CastOnline(ctx, e.DB, e.CID, c.ID, issued[0].UnitID, agreeAll(c), verification.Pass{})
	if !errors.As(err, &we) || we.Reason != "not_open" {
		t.Fatalf("cast before opening: %v", err)
	}
	e.DB.MustExec(`UPDATE consultations SET opens_at = now() - interval '2 hours', closes_at = now() - interval '1 second' WHERE id = $1`, c.ID)
	_, err = postgres.CastOnline(ctx, e.DB, e.CID, c.ID, issued[0].UnitID, agreeAll(c), verification.Pass{})
	if !errors.As(err, &we) || we.Reason != "closed" {
		t.Fatalf("cast after the deadline: %v", err)
	}
	var n int
	e.DB.Get(&n, `SELECT count(*) FROM casts`)
	if n != 0 {
		t.Fatalf("%d casts recorded outside the voting period", n)
	}
}

func TestPaperEntryCountsOnlyOnceConfirmedByAnother(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{})
	unit := issued[3].UnitID
	id, others, err := postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{CommunityID: e.CID, ConsultationID: c.ID,
		UnitID: unit, Choices: agreeAll(c), EnteredBy: e.Volunteer, ProxyName: "李四", ProxyAuthorisation: "委托书 2026-01"})
	if err != nil || len(others) != 0 {
		t.Fatal(others, err)
	}
	var n int
	e.DB.Get(&n, `SELECT count(*) FROM casts`)
	if n != 0 {
		t.Fatal("a paper entry counted before confirmation")
	}
	if _, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CID, id, e.Volunteer, (*postgres.AlreadyCastError).Error); !errors.Is(err, postgres.ErrSameAccount) {
		t.Fatalf("confirmation by the entering account: %v", err)
	}
	if _, err := postgres.RejectPaperEntry(ctx, e.DB, e.CID, id, e.Volunteer, "oops"); !errors.Is(err, postgres.ErrSameAccount) {
		t.Fatalf("rejection by the entering account: %v", err)
	}
	if _, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CID+1000, id, e.Volunteer2, (*postgres.AlreadyCastError).Error); !errors.Is(err, postgres.ErrNotFound) {
		t.Fatalf("confirmation in another estate: %v", err)
	}
	conf, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CID, id, e.Volunteer2, (*postgres.AlreadyCastError).Error)
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Channel     string `db:"channel"`
		EnteredBy   int64  `db:"entered_by"`
		ConfirmedBy int64  `db:"confirmed_by"`
		Proxy       string `db:"proxy_name"`
		Entry       int64  `db:"paper_entry_id"`
	}
	if err := e.DB.Get(&k, `SELECT channel, entered_by, confirmed_by, proxy_name, paper_entry_id FROM casts WHERE unit_id = $1`, unit); err != nil {
		t.Fatal(err)
	}
	if k.Channel != "proxy" || k.EnteredBy != e.Volunteer || k.ConfirmedBy != e.Volunteer2 || k.Proxy != "李四" || k.Entry != id {
		t.Errorf("cast recorded as %+v", k)
	}
	if conf.Cast.Receipt == "" {
		t.Error("no receipt for a confirmed paper ballot")
	}
	if _, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CID, id, e.Committee, (*postgres.AlreadyCastError).Error); !errors.Is(err, postgres.ErrDecided) {
		t.Errorf("confirming twice: %v", err)
	}
	// A second entry for the counted unit is refused at entry; one made
	// before the first was confirmed is rejected as a duplicate.
	unit2 := issued[5].UnitID
	a, _, _ := postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{CommunityID: e.CID, ConsultationID: c.ID, UnitID: unit2, Choices: agreeAll(c), EnteredBy: e.Volunteer})
	b, others, err := postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{CommunityID: e.CID, ConsultationID: c.ID, UnitID: unit2, Choices: ballot.SpoiledBallot(c.Matters), EnteredBy: e.Volunteer})
	if err != nil || len(others) != 1 || others[0] != a {
		t.Fatalf("second pending entry: %v %v", others, err)
	}
	if _, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CID, b, e.Committee, (*postgres.AlreadyCastError).Error); err != nil {
		t.Fatal(err)
	}
	var dup *postgres.AlreadyCastError
	if _, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CID, a, e.Committee, (*postgres.AlreadyCastError).Error); !errors.As(err, &dup) || dup.Channel != ballot.Paper {
		t.Fatalf("confirming a duplicate: %v", err)
	}
	entry, _, err := postgres.GetPaperEntry(ctx, e.DB, a)
	if err != nil || entry.State != "rejected" || entry.Note == "" {
		t.Errorf("duplicate entry left as %+v, %v", entry, err)
	}
	pending, err := postgres.ListPaperEntries(ctx, e.DB, e.CID, c.ID, "pending")
	if err != nil || len(pending) != 0 {
		t.Errorf("pending entries: %v, %v", pending, err)
	}
	// Rejecting a pending entry.
	r, _, _ := postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{CommunityID: e.CID, ConsultationID: c.ID, UnitID: issued[7].UnitID, Choices: agreeAll(c), EnteredBy: e.Volunteer})
	if _, err := postgres.RejectPaperEntry(ctx, e.DB, e.CID, r, e.Volunteer2, "未签名"); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CID, r, e.Committee, (*postgres.AlreadyCastError).Error); !errors.Is(err, postgres.ErrDecided) {
		t.Errorf("confirming a rejected entry: %v", err)
	}
	counts, err := postgres.CountCasts(ctx, e.DB, e.CID, c.ID)
	if err != nil || counts.Proxy != 1 || counts.Paper != 1 || counts.Online != 0 || counts.Ballots != 24 {
		t.Errorf("counts %+v, %v", counts, err)
	}
	missing, err := postgres.MissingUnits(ctx, e.DB, e.CID, c.ID, "", "")
	total := 0
	for _, g := range missing {
		total += len(g.Units)
		for _, u := range g.Units {
			if u.UnitID == unit || u.UnitID == unit2 {
				t.Errorf("voted unit %s listed as missing", u.UnitID)
			}
		}
	}
	if err != nil || total != 22 || len(missing) != 4 {
		t.Errorf("missing: %d units in %d groups, %v", total, len(missing), err)
	}
}

// TestConcurrentCastsCountOne: 50 goroutines cast for one unit at once —
// online alone, online in batches with other units' ballots, and by
// confirming paper entries; exactly one ballot is counted and every other
// attempt is told when and how the unit voted, while the other units'
// ballots batched with them are all counted.
func TestConcurrentCastsCountOne(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{})
	unit := issued[10].UnitID
	token := issued[10].Token
	var entries []int64
	for range 25 {
		id, _, err := postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{CommunityID: e.CID, ConsultationID: c.ID,
			UnitID: unit, Choices: ballot.SpoiledBallot(c.Matters), EnteredBy: e.Volunteer})
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, id)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, refused := 0, 0
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			var err error
			switch {
			case i%2 == 1:
				_, err = postgres.ConfirmPaperEntry(ctx, e.DB, e.CID, entries[i/2], e.Volunteer2, (*postgres.AlreadyCastError).Error)
			case i%4 == 0:
				_, err = postgres.CastOnline(ctx, e.DB, e.CID, c.ID, unit, agreeAll(c), verification.Pass{})
			default:
				var got string
				_, got, err = postgres.CastByToken(ctx, e.DB, token, c.ID, agreeAll(c))
				if got != unit {
					t.Errorf("CastByToken cast for %q", got)
				}
			}
			var dup *postgres.AlreadyCastError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.As(err, &dup):
				refused++
			default:
				t.Errorf("attempt %d: %v", i, err)
			}
		}()
	}
	// Other units' ballots, cast at the same time, share batches with
	// these; every one of them counts.
	others := issued[11:20]
	for _, b := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, got, err := postgres.CastByToken(ctx, e.DB, b.Token, c.ID, agreeAll(c)); err != nil || got != b.UnitID {
				t.Errorf("casting %s: %q, %v", b.UnitID, got, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if won != 1 || refused != 49 {
		t.Fatalf("%d counted, %d refused; want 1 and 49", won, refused)
	}
	var casts, choices, confirmed int
	e.DB.Get(&casts, `SELECT count(*) FROM casts WHERE unit_id = $1`, unit)
	e.DB.Get(&choices, `SELECT count(*) FROM cast_choices WHERE unit_id = $1`, unit)
	e.DB.Get(&confirmed, `SELECT count(*) FROM paper_entries WHERE state = 'confirmed'`)
	if casts != 1 || choices != 2 || confirmed > 1 {
		t.Fatalf("%d casts, %d choices, %d confirmed entries", casts, choices, confirmed)
	}
	var all, allChoices int
	e.DB.Get(&all, `SELECT count(*) FROM casts`)
	e.DB.Get(&allChoices, `SELECT count(*) FROM cast_choices`)
	if all != 1+len(others) || allChoices != 2*all {
		t.Fatalf("%d casts with %d choices, want %d with %d", all, allChoices, 1+len(others), 2*(1+len(others)))
	}
	// A token of another consultation, or none, is not found.
	if _, _, err := postgres.CastByToken(ctx, e.DB, issued[20].Token, c.ID+1, agreeAll(c)); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("token in the wrong consultation: %v", err)
	}
}

func TestCountedBallotsCannotChange(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{})
	if _, err := postgres.CastOnline(ctx, e.DB, e.CID, c.ID, issued[0].UnitID, agreeAll(c), verification.Pass{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE casts SET channel = 'paper'`,
		`UPDATE casts SET cast_at = now() - interval '1 day'`,
		`DELETE FROM casts`,
		`TRUNCATE casts CASCADE`,
		`UPDATE cast_choices SET choice = 'oppose'`,
		`DELETE FROM cast_choices`,
		`TRUNCATE cast_choices`,
	} {
		if _, err := e.DB.Exec(q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	var choice string
	e.DB.Get(&choice, `SELECT choice FROM cast_choices WHERE matter_id = $1`, c.Matters[0].ID)
	if choice != "agree" {
		t.Errorf("choice is now %q", choice)
	}
}

func TestConsultationDraftRoundTrip(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c := e.draft(t, ballot.Scope{Zone: "多层"}, time.Now(), time.Now().Add(time.Hour))
	if c.State != ballot.Draft || len(c.Matters) != 2 || c.Matters[0].Category != quorum.Major || c.Matters[1].ChoiceMode != quorum.ChoiceApproval {
		t.Fatalf("stored draft: %+v", c)
	}
	if js, _ := json.Marshal(c.Matters[0].Flags); string(js) != `["rebuild"]` {
		t.Errorf("flags %s", js)
	}
	d := c.AsDraft()
	d.Title = "改名"
	d.Matters = d.Matters[:1]
	upd, ps := d.Check(time.Now())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := postgres.UpdateDraft(ctx, e.DB, e.CID, c.ID, &upd); err != nil {
		t.Fatal(err)
	}
	got, err := postgres.GetConsultation(ctx, e.DB, c.ID)
	if err != nil || got.Title != "改名" || len(got.Matters) != 1 || got.Scope.Zone != "多层" {
		t.Fatalf("after update: %+v, %v", got, err)
	}
	list, err := postgres.ListConsultations(ctx, e.DB, e.CID)
	if err != nil || len(list) != 1 || list[0].Matters != 1 || list[0].Scope.Zone != "多层" {
		t.Fatalf("list: %+v, %v", list, err)
	}
}

// TestRefusalsDoNotHoldUpCasting (issue 9): a flood of ballots reusing a
// token that has voted is explained outside the caster's workers, so the
// honest ballots arriving meanwhile are counted at once, even while every
// refusal's explanation is held up.
func TestRefusalsDoNotHoldUpCasting(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{})
	voted := issued[0]
	if _, _, err := postgres.CastByToken(ctx, e.DB, voted.Token, c.ID, agreeAll(c)); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	postgres.HoldExplanations(e.DB, release)
	var flood sync.WaitGroup
	refusals := make(chan error, 64)
	for range 64 {
		flood.Add(1)
		go func() {
			defer flood.Done()
			_, _, err := postgres.CastByToken(ctx, e.DB, voted.Token, c.ID, agreeAll(c))
			refusals <- err
		}()
	}
	time.Sleep(200 * time.Millisecond) // the flood is counted and refused, its explanations held
	for _, b := range issued[1:6] {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, got, err := postgres.CastByToken(cctx, e.DB, b.Token, c.ID, agreeAll(c))
		cancel()
		if err != nil || got != b.UnitID {
			t.Fatalf("honest ballot of %s while refusals are explained: %q, %v", b.UnitID, got, err)
		}
	}
	close(release)
	flood.Wait()
	close(refusals)
	for err := range refusals {
		var dup *postgres.AlreadyCastError
		if !errors.As(err, &dup) || dup.UnitID != voted.UnitID {
			t.Errorf("reused token: %v, want AlreadyCastError for %s", err, voted.UnitID)
		}
	}
}
