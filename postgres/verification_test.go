package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/verification"
)

// TestVerificationAttemptsCountOneByOne: ten wrong ID numbers at once give
// four refusals naming the tries left and lock-outs for the rest — every
// attempt counted, none lost to a race — and the state read back holds the
// lock; a code's send times survive the round trip.
func TestVerificationAttemptsCountOneByOne(t *testing.T) {
	e := newBTEstate(t)
	ctx := context.Background()
	_, plain := e.open(t, ballot.Scope{})
	if v, err := postgres.BallotByToken(ctx, e.DB, plain[0].Token); err != nil || v.Verification != verification.None {
		t.Fatalf("without registered rules: %v", err)
	}
	if err := postgres.ActivateProcedure(ctx, e.DB, e.CID, e.registerProcedure(t, `{"online_verification": "id_number"}`), e.Committee); err != nil {
		t.Fatal(err)
	}
	c, issued := e.open(t, ballot.Scope{})
	unit := issued[0].UnitID
	if v, err := postgres.BallotByToken(ctx, e.DB, issued[0].Token); err != nil || v.Verification != verification.IDNumber {
		t.Fatalf("frozen id_number: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			errs <- postgres.UpdateVerification(ctx, e.DB, e.CID, c.ID, unit, func(s *verification.State, now time.Time) error {
				return s.TryIDNumber(false, now)
			})
		})
	}
	wg.Wait()
	close(errs)
	left := map[int]bool{}
	locked := 0
	for err := range errs {
		var wrong *verification.WrongError
		var lock *verification.LockedError
		switch {
		case errors.As(err, &wrong):
			left[wrong.Left] = true
		case errors.As(err, &lock):
			locked++
		default:
			t.Fatalf("attempt: %v", err)
		}
	}
	if len(left) != 4 || !left[1] || !left[4] || locked != 6 {
		t.Fatalf("tries left %v, %d locked", left, locked)
	}
	s, now, err := postgres.BallotVerification(ctx, e.DB, e.CID, c.ID, unit)
	if err != nil || !s.Locked(now) || s.LockedUntil.Sub(now) > verification.Lockout {
		t.Fatalf("state read back: %+v at %v, %v", s, now, err)
	}
	other := issued[1].UnitID
	if err := postgres.UpdateVerification(ctx, e.DB, e.CID, c.ID, other, func(s *verification.State, now time.Time) error {
		return s.SendCode([]byte("hash"), now)
	}); err != nil {
		t.Fatal(err)
	}
	s, _, err = postgres.BallotVerification(ctx, e.DB, e.CID, c.ID, other)
	if err != nil || len(s.Sends) != 1 || string(s.CodeHash) != "hash" || s.CodeExpires.IsZero() || s.Locked(now) {
		t.Fatalf("a code sent, read back: %+v %v", s, err)
	}
}
