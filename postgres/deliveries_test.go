package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/procedure"
)

func (e *btEstate) recordDelivery(t *testing.T, consultation int64, unit string, method procedure.DeliveryMethod, by int64) int64 {
	t.Helper()
	id, err := postgres.RecordDelivery(context.Background(), e.DB, e.CID, consultation,
		postgres.NewDelivery{Unit: unit, Method: method, DeliveredAt: time.Now().Add(-time.Minute), Recipient: "业主本人"}, by)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDeliveredUnitsAreExactlyTheVerifiedOnes(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	c, issued := e.open(t, ballot.Scope{})
	u := func(i int) string { return issued[i].UnitID }

	verified := e.recordDelivery(t, c.ID, u(0), procedure.InPerson, e.Volunteer)
	pending := e.recordDelivery(t, c.ID, u(1), procedure.LeftWithWitness, e.Volunteer)
	rejected := e.recordDelivery(t, c.ID, u(2), procedure.InPerson, e.Volunteer)
	laterRejected := e.recordDelivery(t, c.ID, u(3), procedure.RegisteredPost, e.Volunteer)
	redone := e.recordDelivery(t, c.ID, u(4), procedure.InPerson, e.Volunteer)

	if err := postgres.VerifyDelivery(ctx, e.DB, e.CID, verified, e.Volunteer); !errors.Is(err, postgres.ErrOwnDelivery) {
		t.Errorf("the recorder verified their own record: %v", err)
	}
	if err := postgres.RejectDelivery(ctx, e.DB, e.CID, verified, e.Volunteer, "写错了"); !errors.Is(err, postgres.ErrOwnDelivery) {
		t.Errorf("the recorder rejected their own record: %v", err)
	}
	if _, err := e.DB.Exec(`INSERT INTO delivery_decisions (community_id, delivery_id, decision, decided_by) VALUES ($1, $2, 'verified', $3)`,
		e.CID, verified, e.Volunteer); err == nil {
		t.Error("the database let the recorder verify their own record")
	}
	for _, id := range []int64{verified, laterRejected, redone} {
		if err := postgres.VerifyDelivery(ctx, e.DB, e.CID, id, e.Volunteer2); err != nil {
			t.Fatal(err)
		}
	}
	if err := postgres.VerifyDelivery(ctx, e.DB, e.CID, verified, e.Committee); !errors.Is(err, postgres.ErrDeliveryDecided) {
		t.Errorf("verifying twice: %v", err)
	}
	if err := postgres.RejectDelivery(ctx, e.DB, e.CID, rejected, e.Volunteer2, "签收人不是业主家属"); err != nil {
		t.Fatal(err)
	}
	if err := postgres.VerifyDelivery(ctx, e.DB, e.CID, rejected, e.Committee); !errors.Is(err, postgres.ErrDeliveryDecided) {
		t.Errorf("verifying a rejected record: %v", err)
	}
	if err := postgres.RejectDelivery(ctx, e.DB, e.CID, laterRejected, e.Committee, "挂号信被退回"); err != nil {
		t.Fatal(err)
	}
	if err := postgres.RejectDelivery(ctx, e.DB, e.CID, redone, e.Committee, "时间记错"); err != nil {
		t.Fatal(err)
	}
	again := e.recordDelivery(t, c.ID, u(4), procedure.InPerson, e.Volunteer2)
	if err := postgres.VerifyDelivery(ctx, e.DB, e.CID, again, e.Volunteer); err != nil {
		t.Fatal(err)
	}

	got, err := postgres.DeliveredUnits(ctx, e.DB, e.CID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{u(0), u(4)}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("delivered units = %v, want %v", got, want)
	}

	list, err := postgres.ListDeliveries(ctx, e.DB, e.CID, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(issued) {
		t.Fatalf("ledger lists %d units, want all %d in scope", len(list), len(issued))
	}
	states := map[string]postgres.DeliveryState{}
	records := map[string]int{}
	for _, ud := range list {
		states[ud.Unit], records[ud.Unit] = ud.State, len(ud.Records)
	}
	for unit, st := range map[string]postgres.DeliveryState{u(0): "verified", u(1): "recorded", u(2): "recorded", u(3): "recorded", u(4): "verified", u(5): "none"} {
		if states[unit] != st {
			t.Errorf("unit %s: state %s, want %s", unit, states[unit], st)
		}
	}
	if records[u(4)] != 2 || records[u(5)] != 0 {
		t.Errorf("records: %v", records)
	}
	one, err := postgres.ListDeliveries(ctx, e.DB, e.CID, c.ID, u(2))
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || one[0].Records[0].State != postgres.DeliveryRejected || one[0].Records[0].Reason != "签收人不是业主家属" || one[0].Records[0].ID != rejected {
		t.Errorf("unit %s: %+v", u(2), one)
	}

	for _, q := range []string{
		`UPDATE deliveries SET method = 'in_person'`,
		`DELETE FROM deliveries`,
		`UPDATE delivery_decisions SET decision = 'verified'`,
		`DELETE FROM delivery_decisions`,
		`TRUNCATE delivery_decisions`,
	} {
		if _, err := e.DB.Exec(q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	if _, err := e.DB.Exec(`INSERT INTO delivery_decisions (community_id, delivery_id, decision, decided_by) VALUES ($1, $2, 'rejected', $3)`,
		e.CID, pending, e.Committee); err == nil {
		t.Error("a rejection without a reason was accepted")
	}
}

func TestRecordDeliveryChecks(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	v := e.registerProcedure(t, `{"delivery_methods": ["in_person", "registered_post"]}`)
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v, e.Committee); err != nil {
		t.Fatal(err)
	}
	draft := e.draft(t, ballot.Scope{Building: "1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	d := postgres.NewDelivery{Unit: "1-1-101", Method: procedure.InPerson, DeliveredAt: time.Now()}
	if _, err := postgres.RecordDelivery(ctx, e.DB, e.CID, draft.ID, d, e.Volunteer); !errors.Is(err, postgres.ErrNotOpen) {
		t.Errorf("delivery in a draft: %v", err)
	}
	if _, err := postgres.OpenConsultation(ctx, e.DB, e.Keys, e.CID, draft.ID); err != nil {
		t.Fatal(err)
	}
	d.Method = procedure.LeftWithWitness
	if _, err := postgres.RecordDelivery(ctx, e.DB, e.CID, draft.ID, d, e.Volunteer); !errors.Is(err, postgres.ErrMethodNotAllowed) {
		t.Errorf("a method the frozen rules do not count: %v", err)
	}
	d.Method, d.Unit = procedure.InPerson, "2-1-101"
	if _, err := postgres.RecordDelivery(ctx, e.DB, e.CID, draft.ID, d, e.Volunteer); !errors.Is(err, postgres.ErrUnitNotInScope) {
		t.Errorf("a unit out of scope: %v", err)
	}
	d.Unit = "1-1-101"
	id, err := postgres.RecordDelivery(ctx, e.DB, e.CID, draft.ID, d, e.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.AddDeliveryPhoto(ctx, e.DB, e.CID, id, []byte("\x89PNG\r\n\x1a\n"), "image/png", e.Volunteer); err != nil {
		t.Fatal(err)
	}
	if err := postgres.AddDeliveryPhoto(ctx, e.DB, e.CID, id, []byte("\x89PNG\r\n\x1a\n"), "image/png", e.Volunteer); !errors.Is(err, postgres.ErrPhotoExists) {
		t.Errorf("second photo: %v", err)
	}
	if err := postgres.AddDeliveryPhoto(ctx, e.DB, e.CID, id+100, []byte("\x89PNG\r\n\x1a\n"), "image/png", e.Volunteer); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("photo of no record: %v", err)
	}
}

// opened finds the ballot of token and records its page's opening.
func (e *btEstate) opened(t *testing.T, token string) *postgres.BallotView {
	t.Helper()
	v, err := postgres.BallotByToken(context.Background(), e.DB, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.BallotOpened(context.Background(), e.DB, v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestElectronicDeliveryOnFirstOpeningWhenAllowed: the first opening of a
// ballot page records one electronic delivery, and the ballot's view says
// so from then on, so later openings need not write.
func TestElectronicDeliveryOnFirstOpeningWhenAllowed(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	withDefaults, issued := e.open(t, ballot.Scope{Building: "1"})
	for i := range 3 {
		v := e.opened(t, issued[0].Token)
		if v.Consultation.Procedure.Version != nil {
			t.Errorf("applied %+v, want no version", v.Consultation.Procedure)
		}
		if v.Delivered != (i > 0) {
			t.Errorf("opening %d: the view says delivered = %v", i+1, v.Delivered)
		}
	}
	list, err := postgres.ListDeliveries(ctx, e.DB, e.CID, withDefaults.ID, issued[0].UnitID)
	if err != nil {
		t.Fatal(err)
	}
	if r := list[0].Records; len(r) != 1 || r[0].Method != procedure.Electronic || r[0].RecordedBy != nil || r[0].State != postgres.DeliveryVerified || r[0].DecidedBy != nil {
		t.Errorf("after three openings: %+v", list[0])
	}
	if got, _ := postgres.DeliveredUnits(ctx, e.DB, e.CID, withDefaults.ID); !slices.Equal(got, []string{issued[0].UnitID}) {
		t.Errorf("delivered = %v", got)
	}

	v := e.registerProcedure(t, `{"delivery_methods": ["in_person"]}`)
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v, e.Committee); err != nil {
		t.Fatal(err)
	}
	paperOnly, issued2 := e.open(t, ballot.Scope{Building: "2"})
	a := e.opened(t, issued2[0].Token).Consultation.Procedure
	if a.Version == nil || *a.Version != v {
		t.Errorf("applied %+v, want version %d", a, v)
	}
	if got, _ := postgres.DeliveredUnits(ctx, e.DB, e.CID, paperOnly.ID); len(got) != 0 {
		t.Errorf("electronic delivery recorded although the rules do not count it: %v", got)
	}
	// The electronic delivery of the first consultation, opened under the
	// defaults, still counts: a later version changes only later votes.
	e.opened(t, issued[1].Token)
	if got, _ := postgres.DeliveredUnits(ctx, e.DB, e.CID, withDefaults.ID); len(got) != 2 {
		t.Errorf("delivered = %v, want 2 units", got)
	}
}
