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
	"gongjue/quorum"
)

// registerProcedure registers a draft version with settings (JSON of §3.6).
func (e *btEstate) registerProcedure(t *testing.T, settings string) int {
	t.Helper()
	s, defaulted, err := procedure.Parse([]byte(settings))
	if err != nil {
		t.Fatal(err)
	}
	v, err := postgres.CreateProcedure(context.Background(), e.DB, e.CID, s, defaulted, []byte("%PDF-1.4 议事规则"), "application/pdf", e.Committee)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestProcedureVersionsNeverEdited(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	v1 := e.registerProcedure(t, `{"nonresponse": "delivered-participate"}`)
	v2 := e.registerProcedure(t, `{}`)
	if v1 != 1 || v2 != 2 {
		t.Fatalf("versions %d, %d; want 1, 2", v1, v2)
	}
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v1, e.Committee); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE procedures SET settings = '{}' WHERE version = 1`,
		`UPDATE procedures SET settings = '{}' WHERE version = 2`,
		`UPDATE procedures SET original_sha256 = sha256('x') WHERE version = 1`,
		`UPDATE procedure_originals SET original = 'x' WHERE version = 1`,
		`UPDATE procedures SET state = 'draft', activated_at = NULL, activated_by = NULL WHERE version = 1`,
		`UPDATE procedures SET state = 'superseded', superseded_at = now() WHERE version = 2`,
		`UPDATE procedures SET state = 'active', activated_by = created_by, activated_at = now() WHERE version = 2`, // two active
		`DELETE FROM procedures WHERE version = 2`,
		`DELETE FROM procedure_originals`,
		`TRUNCATE procedures CASCADE`,
	} {
		if _, err := e.DB.Exec(q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v1, e.Committee); !errors.Is(err, postgres.ErrNotDraftProcedure) {
		t.Errorf("activating the active version again: %v", err)
	}
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, 9, e.Committee); !errors.Is(err, postgres.ErrNotFound) {
		t.Errorf("activating version 9: %v", err)
	}
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v2, e.Committee); err != nil {
		t.Fatal(err)
	}
	list, err := postgres.ListProcedures(ctx, e.DB, e.CID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].State != "active" || list[1].State != "superseded" || list[1].Settings.Nonresponse != quorum.NonresponseDeliveredParticipate {
		t.Errorf("versions after activating 2: %+v", list)
	}
	// A superseded version never comes back.
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v1, e.Committee); !errors.Is(err, postgres.ErrNotDraftProcedure) {
		t.Errorf("activating a superseded version: %v", err)
	}
}

func TestOpeningFreezesTheActiveProcedure(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	draft := e.draft(t, ballot.Scope{}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if draft.Procedure.Version != nil || draft.Procedure.Sentence(false) != procedure.NoVersionZH {
		t.Fatalf("draft without versions: %+v", draft.Procedure)
	}
	v1 := e.registerProcedure(t, `{"nonresponse": "delivered-follow-majority", "delivery_methods": ["in_person"]}`)
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v1, e.Committee); err != nil {
		t.Fatal(err)
	}
	got, err := postgres.GetConsultation(ctx, e.DB, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Procedure.Version == nil || *got.Procedure.Version != v1 {
		t.Fatalf("draft shows %+v, want the active version %d", got.Procedure, v1)
	}
	if _, err := postgres.OpenConsultation(ctx, e.DB, e.Keys, e.CID, draft.ID); err != nil {
		t.Fatal(err)
	}
	v2 := e.registerProcedure(t, `{"nonresponse": "none"}`)
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v2, e.Committee); err != nil {
		t.Fatal(err)
	}
	got, err = postgres.GetConsultation(ctx, e.DB, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	a := got.Procedure
	if a.Version == nil || *a.Version != v1 || a.Settings.Nonresponse != quorum.NonresponseDeliveredFollowMajority ||
		!slices.Equal(a.Settings.DeliveryMethods, []procedure.DeliveryMethod{procedure.InPerson}) || !slices.Contains(a.Defaults, "spoiled") {
		t.Errorf("open consultation's snapshot after version %d was activated: %+v", v2, a)
	}
	if _, err := e.DB.Exec(`UPDATE consultations SET procedure_settings = '{}' WHERE id = $1`, draft.ID); err == nil {
		t.Error("the frozen settings were changed")
	}
	if _, err := e.DB.Exec(`UPDATE consultations SET procedure_version = $2 WHERE id = $1`, draft.ID, v2); err == nil {
		t.Error("the frozen version was changed")
	}
}

func TestOpeningRefusesRulesLooserThanTheFrozenThresholds(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	d := ballot.DraftRequest{
		Title: "停车费", OpensAt: time.Now().Add(-time.Hour), ClosesAt: time.Now().Add(time.Hour),
		Matters: []ballot.MatterDraft{{Title: "调整停车费", Kind: ballot.Approve,
			Rules: []byte(`{"participation": {"area": "2/3", "headcount": "2/3"}, "approval": {"area": "3/5", "headcount": ">1/2"}}`)}},
	}
	c, ps := d.Check(time.Now())
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	id, err := postgres.CreateConsultation(ctx, e.DB, e.CID, &c, e.Committee)
	if err != nil {
		t.Fatal(err)
	}
	v := e.registerProcedure(t, `{"thresholds": {"ordinary": {"participation": {"area": "2/3", "headcount": "2/3"}, "approval": {"area": "2/3", "headcount": "2/3"}}}}`)
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, v, e.Committee); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.OpenConsultation(ctx, e.DB, e.Keys, e.CID, id)
	var looser *postgres.LooserRulesError
	if !errors.As(err, &looser) || len(looser.Problems) != 1 || looser.Problems[0].Field != "matters[0].rules" {
		t.Fatalf("opening under stricter thresholds: %v", err)
	}
	got, err := postgres.GetConsultation(ctx, e.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != ballot.Draft {
		t.Errorf("state %s after the refusal, want draft (nothing half-written)", got.State)
	}
}

func TestConcurrentRegistrationsNumberedInTurn(t *testing.T) {
	e := newBTEstate(t)
	s, defaulted, err := procedure.Parse([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	versions := make(chan int, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			v, err := postgres.CreateProcedure(context.Background(), e.DB, e.CID, s, defaulted, []byte("%PDF-1.4"), "application/pdf", e.Committee)
			versions <- v
			errs <- err
		}()
	}
	var got []int
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		got = append(got, <-versions)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("versions %v, want 1 to %d", got, n)
		}
	}
}
