// Package tallytest builds, for tests, a small real estate on a real
// database: three zones, owners of several units and developer-held units,
// and an open consultation with an approve, a choice and an election
// matter, on which ballots are cast the way owners and volunteers cast
// them — online, and on paper entered by one volunteer and confirmed by
// another — through package postgres. It remembers every ballot so that a
// test can compute the verdict independently with package quorum.
package tallytest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/verification"
)

// The zones of the estate.
const (
	ZoneLow    = "多层"
	ZoneVilla  = "别墅"
	ZoneHigh   = "高层"
	Password   = "correct horse battery"
	Community  = "幸福花园"
	Address    = "上海市浦东新区幸福路1号"
	Candidate1 = "张三"
	Candidate2 = "李四"
	Candidate3 = "王五"
)

// Accounts are the estate's staff accounts; a zero ID is created by New.
type Accounts struct {
	Committee, Committee2, Residents, Volunteer1, Volunteer2 staff.Account
}

// Options adjust New.
type Options struct {
	// CommunityID is an existing estate to use; 0 creates one.
	CommunityID int64
	// Accounts to use; those with a zero ID are created.
	Accounts Accounts
	// Veto is the consultation's veto arrangement; default all-zones.
	Veto *quorum.Veto
	// ClosesIn is how long until the closing time; default a day.
	ClosesIn time.Duration
	// Units is the roll; default the estate described at units.
	Units []roll.Unit
}

// Estate is the estate, its open consultation and the ballots cast so far.
type Estate struct {
	DB           *postgres.DB
	Keys         *secret.Keys
	CommunityID  int64
	Accounts     Accounts
	Units        []roll.Unit
	Consultation *ballot.Consultation // with its matters' ids
	// Cast holds the counted ballot of every unit that voted, and
	// Receipts its receipt code.
	Cast     map[string][]ballot.Selection
	Channels map[string]ballot.Channel
	Receipts map[string]string
}

// ID is the consultation's id.
func (e *Estate) ID() int64 { return e.Consultation.ID }

// Units of the estate: zone 多层 has building 1 (two entrances, three
// floors, one flat a landing), 别墅 building 2 (three villas), 高层
// building 3 (one entrance, six floors, two flats a landing). The owner of
// 1-1-101 also owns 1-2-301 (one person), and 3-1-601 and 3-1-602 are
// developer-held (together one person).
func units() []roll.Unit {
	var us []roll.Unit
	add := func(zone, b, e string, floor int, room string, area quorum.Area, id string, dev bool) {
		us = append(us, roll.Unit{
			ID: roll.UnitID(b, e, room), Building: b, Entrance: e, Room: room, Zone: zone, Floor: floor,
			Area: area, AreaSource: roll.AreaCertificate, OwnerName: "业主" + room, IDNumber: id, DeveloperHeld: dev,
			Phone: "13800000000",
		})
	}
	n := 0
	person := func() string { n++; return fmt.Sprintf("31011519700101%04d", n) }
	for e := 1; e <= 2; e++ {
		for f := 1; f <= 3; f++ {
			id := person()
			if e == 2 && f == 3 {
				id = us[0].IDNumber // 1-2-301 belongs to the owner of 1-1-101
			}
			add(ZoneLow, "1", fmt.Sprint(e), f, fmt.Sprintf("%d01", f), quorum.Area(8900+150*f+20*e), id, false)
		}
	}
	for v := 1; v <= 3; v++ {
		add(ZoneVilla, "2", "1", 1, fmt.Sprintf("10%d", v), quorum.Area(25000+1000*v), person(), false)
	}
	for f := 1; f <= 6; f++ {
		for k := 1; k <= 2; k++ {
			dev := f == 6
			id := ""
			if !dev {
				id = person()
			}
			add(ZoneHigh, "3", "1", f, fmt.Sprintf("%d0%d", f, k), quorum.Area(12000+37*f+k), id, dev)
		}
	}
	return us
}

// New makes the estate with its roll, accounts and an open consultation.
func New(t testing.TB, db *postgres.DB, keys *secret.Keys, opts Options) *Estate {
	t.Helper()
	ctx := context.Background()
	if opts.Units == nil {
		opts.Units = units()
	}
	e := &Estate{DB: db, Keys: keys, CommunityID: opts.CommunityID, Accounts: opts.Accounts, Units: opts.Units,
		Cast: map[string][]ballot.Selection{}, Channels: map[string]ballot.Channel{}, Receipts: map[string]string{}}
	var err error
	if e.CommunityID == 0 {
		if e.CommunityID, err = postgres.CreateCommunity(ctx, db, Community, Address); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []struct {
		acct *staff.Account
		name string
		role string
	}{
		{&e.Accounts.Committee, "committee", staff.RoleCommittee},
		{&e.Accounts.Committee2, "committee2", staff.RoleCommittee},
		{&e.Accounts.Residents, "residents", staff.RoleResidentsCommittee},
		{&e.Accounts.Volunteer1, "volunteer", staff.RoleVolunteer},
		{&e.Accounts.Volunteer2, "volunteer2", staff.RoleVolunteer},
	} {
		if a.acct.ID != 0 {
			continue
		}
		name := fmt.Sprintf("%s-%d", a.name, e.CommunityID)
		id, err := postgres.CreateAccount(ctx, db, name, Password, a.role, &e.CommunityID)
		if err != nil {
			t.Fatal(err)
		}
		*a.acct = staff.Account{ID: id, CommunityID: &e.CommunityID, Username: name, Role: a.role}
	}
	if _, err := postgres.ImportRoll(ctx, db, keys, e.CommunityID, e.Units); err != nil {
		t.Fatal(err)
	}
	veto := quorum.Veto{Mode: quorum.VetoAllZones}
	if opts.Veto != nil {
		veto = *opts.Veto
	}
	closesIn := opts.ClosesIn
	if closesIn == 0 {
		closesIn = 24 * time.Hour
	}
	now := time.Now()
	draft := ballot.DraftRequest{
		Title:    "加装电梯及续聘物业",
		Veto:     &veto,
		OpensAt:  now.Add(-time.Hour),
		ClosesAt: now.Add(closesIn),
		Matters: []ballot.MatterDraft{
			{Title: "续聘物业服务企业", Kind: ballot.Approve, Rules: []byte(`"ordinary"`)},
			{Title: "电梯品牌", Kind: ballot.Choice, Rules: []byte(`"major"`), Flags: []ballot.Flag{ballot.Rebuild}, Options: []string{"蒂森", "三菱"}},
			{Title: "增补业委会委员", Kind: ballot.Election, Seats: 2, Options: []string{Candidate1, Candidate2, Candidate3}},
		},
	}
	c, ps := draft.Check(now)
	if len(ps) > 0 {
		t.Fatalf("tallytest: consultation: %v", ps)
	}
	facts, err := postgres.ScopeFacts(ctx, db, e.CommunityID, c.Scope)
	if err != nil {
		t.Fatal(err)
	}
	if ps := ballot.CheckEstate(&c, facts); len(ps) > 0 {
		t.Fatalf("tallytest: consultation: %v", ps)
	}
	id, err := postgres.CreateConsultation(ctx, db, e.CommunityID, &c, e.Accounts.Committee.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.OpenConsultation(ctx, db, keys, e.CommunityID, id); err != nil {
		t.Fatal(err)
	}
	if e.Consultation, err = postgres.GetConsultation(ctx, db, id); err != nil {
		t.Fatal(err)
	}
	return e
}

// Vote is one unit's ballot: the approve matter's choice, the choice
// matter's option, the election's candidates (none: a blank ballot).
type Vote struct {
	Approve    string
	Option     string
	Candidates []string
}

// Selections are the choices of ballot v.
func (e *Estate) Selections(v Vote) []ballot.Selection {
	ms := e.Consultation.Matters
	sel := []ballot.Selection{{MatterID: ms[0].ID, Choice: v.Approve}, {MatterID: ms[1].ID, Choice: v.Option}}
	if len(v.Candidates) == 0 {
		return append(sel, ballot.Selection{MatterID: ms[2].ID, Choice: ballot.Abstain})
	}
	for _, c := range v.Candidates {
		sel = append(sel, ballot.Selection{MatterID: ms[2].ID, Choice: c})
	}
	return sel
}

// CastOnline casts a unit's ballot online and returns its receipt.
func (e *Estate) CastOnline(t testing.TB, unit string, v Vote) string {
	t.Helper()
	sel := e.Selections(v)
	c, err := postgres.CastOnline(context.Background(), e.DB, e.CommunityID, e.ID(), unit, sel, verification.Pass{})
	if err != nil {
		t.Fatalf("tallytest: casting %s online: %v", unit, err)
	}
	e.Cast[unit], e.Channels[unit], e.Receipts[unit] = sel, ballot.Online, c.Receipt
	return c.Receipt
}

// EnterPaper enters a unit's paper ballot as the first volunteer, leaving
// it to be confirmed, and returns the entry's id.
func (e *Estate) EnterPaper(t testing.TB, unit string, v Vote) int64 {
	t.Helper()
	entry, _, err := postgres.CreatePaperEntry(context.Background(), e.DB, postgres.NewPaperEntry{
		CommunityID: e.CommunityID, ConsultationID: e.ID(), UnitID: unit, Choices: e.Selections(v), EnteredBy: e.Accounts.Volunteer1.ID,
	})
	if err != nil {
		t.Fatalf("tallytest: entering %s on paper: %v", unit, err)
	}
	return entry
}

// CastPaper enters a unit's paper ballot as one volunteer and confirms it
// as the other, and returns its receipt.
func (e *Estate) CastPaper(t testing.TB, unit string, v Vote) string {
	t.Helper()
	entry := e.EnterPaper(t, unit, v)
	conf, err := postgres.ConfirmPaperEntry(context.Background(), e.DB, e.CommunityID, entry, e.Accounts.Volunteer2.ID, (*postgres.AlreadyCastError).Error)
	if err != nil {
		t.Fatalf("tallytest: confirming %s: %v", unit, err)
	}
	e.Cast[unit], e.Channels[unit], e.Receipts[unit] = e.Selections(v), ballot.Paper, conf.Cast.Receipt
	return conf.Cast.Receipt
}

// EndVotingPeriod moves the consultation's closing time to a moment ago,
// as when its voting period has run out, so the committee may close it
// with ballots uncounted (DESIGN §5.4).
func (e *Estate) EndVotingPeriod(t testing.TB) {
	t.Helper()
	_, err := e.DB.Exec(`UPDATE consultations SET closes_at = now() - interval '1 millisecond'
		WHERE community_id = $1 AND id = $2`, e.CommunityID, e.ID())
	if err != nil {
		t.Fatalf("tallytest: ending the voting period: %v", err)
	}
}

// StandardVotes are the ballots CastStandard casts, by unit: the tenth
// ballot of twenty-one units is missing, so participation is met overall
// but not everywhere, and the choices differ from zone to zone.
var StandardVotes = map[string]Vote{
	"1-1-101": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate1, Candidate2}},
	"1-1-201": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate1}},
	"1-1-301": {Approve: "oppose", Option: "三菱", Candidates: []string{Candidate2}},
	"1-2-101": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate1, Candidate3}},
	"1-2-201": {Approve: "abstain", Option: "abstain"},
	"1-2-301": {Approve: "oppose", Option: "三菱", Candidates: []string{Candidate2}}, // same owner as 1-1-101
	"2-1-101": {Approve: "oppose", Option: "三菱", Candidates: []string{Candidate3}},
	"2-1-102": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate1}},
	"3-1-101": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate1, Candidate2}},
	"3-1-102": {Approve: "agree", Option: "三菱", Candidates: []string{Candidate1}},
	"3-1-201": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate2}},
	"3-1-202": {Approve: "oppose", Option: "蒂森", Candidates: []string{Candidate1, Candidate2}},
	"3-1-301": {Approve: "agree", Option: "蒂森"},
	"3-1-401": {Approve: "agree", Option: "三菱", Candidates: []string{Candidate1}},
	"3-1-402": {Approve: "spoiled", Option: "spoiled", Candidates: []string{"spoiled"}},
	"3-1-501": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate1, Candidate2}},
	"3-1-601": {Approve: "agree", Option: "蒂森", Candidates: []string{Candidate2}}, // developer
}

// PaperUnits are the units of StandardVotes cast on paper; the others vote
// online.
var PaperUnits = map[string]bool{"1-1-301": true, "2-1-101": true, "3-1-202": true, "3-1-402": true, "3-1-601": true}

// CastStandard casts StandardVotes, in roll order.
func (e *Estate) CastStandard(t testing.TB) {
	t.Helper()
	e.CastStandardOf(t, e.Units)
}

// CastStandardOf casts the StandardVotes of some units, in their order.
func (e *Estate) CastStandardOf(t testing.TB, units []roll.Unit) {
	t.Helper()
	for _, u := range units {
		v, ok := StandardVotes[u.ID]
		if !ok {
			continue
		}
		if PaperUnits[u.ID] {
			e.CastPaper(t, u.ID, v)
		} else {
			e.CastOnline(t, u.ID, v)
		}
	}
}

// QuorumUnits are the roll's units as package quorum takes them, persons
// told apart by ID number, independently of the database's person keys.
func (e *Estate) QuorumUnits() []quorum.Unit {
	us := make([]quorum.Unit, len(e.Units))
	for i, u := range e.Units {
		us[i] = quorum.Unit{ID: u.ID, Zone: u.Zone, Area: u.Area, Owner: u.IDNumber, DeveloperHeld: u.DeveloperHeld}
	}
	return us
}

// Choices returns what each unit that voted chose on the matter at
// position i (0-based).
func (e *Estate) Choices(i int) map[string][]string {
	id := e.Consultation.Matters[i].ID
	out := map[string][]string{}
	for unit, sel := range e.Cast {
		for _, s := range sel {
			if s.MatterID == id {
				out[unit] = append(out[unit], s.Choice)
			}
		}
	}
	return out
}
