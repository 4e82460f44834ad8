package tally_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/tally"
	"gongjue/tally/tallytest"
)

func state(t *testing.T, e *tallytest.Estate) string {
	t.Helper()
	c, err := postgres.GetConsultation(context.Background(), e.DB, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	return string(c.State)
}

// TestCloseBeforeTheClosingTime: before the closing time the committee may
// close only once every ballot in scope is counted.
func TestCloseBeforeTheClosingTime(t *testing.T) {
	e := newEstate(t, tallytest.Options{})
	e.CastStandard(t)
	ctx := context.Background()
	by := e.Accounts.Committee
	_, err := tally.Close(ctx, e.DB, e.Keys, e.ID(), tally.CloseOptions{By: &by})
	var early *tally.EarlyCloseError
	if !errors.As(err, &early) || early.Uncounted != len(e.Units)-len(tallytest.StandardVotes) || !early.ClosesAt.Equal(e.Consultation.ClosesAt) {
		t.Fatalf("close a day early with ballots uncounted: %v", err)
	}
	if s := state(t, e); s != "open" {
		t.Fatalf("consultation %s after a refused close", s)
	}
	for _, u := range e.Units {
		if _, voted := e.Cast[u.ID]; !voted {
			e.CastOnline(t, u.ID, tallytest.StandardVotes["1-1-101"])
		}
	}
	if _, err := tally.Close(ctx, e.DB, e.Keys, e.ID(), tally.CloseOptions{By: &by}); err != nil {
		t.Fatalf("close early with every ballot counted: %v", err)
	}
}

// TestCloseWithPaperPending: no committee close while a paper entry awaits
// confirmation; the refusal lists it.
func TestCloseWithPaperPending(t *testing.T) {
	e := newEstate(t, tallytest.Options{})
	e.CastStandard(t)
	entry := e.EnterPaper(t, "2-1-103", tallytest.StandardVotes["1-1-101"])
	e.EndVotingPeriod(t)
	ctx := context.Background()
	by := e.Accounts.Committee
	_, err := tally.Close(ctx, e.DB, e.Keys, e.ID(), tally.CloseOptions{By: &by})
	var pending *tally.PendingPaperError
	if !errors.As(err, &pending) || len(pending.Entries) != 1 {
		t.Fatalf("close with a paper entry pending: %v", err)
	}
	if got := pending.Entries[0]; got.ID != entry || got.UnitID != "2-1-103" || got.EnteredByName != e.Accounts.Volunteer1.Username || got.EnteredAt.IsZero() {
		t.Errorf("pending entry listed as %+v", got)
	}
	if s := state(t, e); s != "open" {
		t.Fatalf("consultation %s after a refused close", s)
	}
	if _, err := postgres.ConfirmPaperEntry(ctx, e.DB, e.CommunityID, entry, e.Accounts.Volunteer2.ID, (*postgres.AlreadyCastError).Error); err != nil {
		t.Fatal(err)
	}
	res, err := tally.Close(ctx, e.DB, e.Keys, e.ID(), tally.CloseOptions{By: &by})
	if err != nil {
		t.Fatalf("close once the entry is confirmed: %v", err)
	}
	if doc, _ := tally.Decode(res.JSON); len(doc.RejectedAtClose) != 0 {
		t.Errorf("a committee close lists rejected entries: %+v", doc.RejectedAtClose)
	}
	// No entry is left pending after the close: none can be made.
	_, _, err = postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{
		CommunityID: e.CommunityID, ConsultationID: e.ID(), UnitID: "3-1-302", EnteredBy: e.Accounts.Volunteer1.ID,
		Choices: e.Cast["1-1-101"],
	})
	var we *ballot.WindowError
	if !errors.As(err, &we) || we.Reason != "closed" {
		t.Errorf("paper entry after the close: %v", err)
	}
}

// TestAutomaticCloseRejectsPendingPaper: the automatic close rejects the
// entries still pending, with the reason, does not count them, and the
// result lists them.
func TestAutomaticCloseRejectsPendingPaper(t *testing.T) {
	e := newEstate(t, tallytest.Options{ClosesIn: time.Minute})
	e.CastStandard(t)
	first, second := e.EnterPaper(t, "2-1-103", tallytest.StandardVotes["1-1-101"]), e.EnterPaper(t, "3-1-302", tallytest.StandardVotes["1-1-101"])
	ctx := context.Background()
	if n := tally.CloseDue(ctx, e.DB, e.Keys, time.Hour, time.Now().Add(2*time.Hour)); n != 1 {
		t.Fatalf("closed %d, want 1", n)
	}
	res, err := postgres.GetResult(ctx, e.DB, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := tally.Decode(res.JSON)
	if err != nil {
		t.Fatal(err)
	}
	if r := doc.RejectedAtClose; len(r) != 2 || r[0].ID != first || r[0].Unit != "2-1-103" || r[1].ID != second || r[1].Unit != "3-1-302" || r[0].EnteredAt.IsZero() {
		t.Errorf("result lists %+v as rejected at the close", r)
	}
	entries, err := postgres.ListPaperEntries(ctx, e.DB, e.CommunityID, e.ID(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if en.ID != first && en.ID != second {
			continue
		}
		if en.State != "rejected" || en.Note != tally.AutoCloseRejectNote || en.DecidedBy != nil || en.DecidedAt == nil {
			t.Errorf("entry %d after the automatic close: %s %q by %v at %v", en.ID, en.State, en.Note, en.DecidedBy, en.DecidedAt)
		}
	}
	var counted int
	if err := e.DB.Get(&counted, `SELECT count(*) FROM casts WHERE consultation_id = $1 AND unit_id IN ('2-1-103', '3-1-302')`, e.ID()); err != nil || counted != 0 {
		t.Errorf("%d rejected entries counted (%v)", counted, err)
	}
}
