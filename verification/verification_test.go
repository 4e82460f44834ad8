package verification_test

import (
	"errors"
	"testing"
	"time"

	"gongjue/verification"
)

var t0 = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

func TestIDNumberLockOut(t *testing.T) {
	var s verification.State
	for i := 1; i < verification.MaxIDFailures; i++ {
		var wrong *verification.WrongError
		if err := s.TryIDNumber(false, t0); !errors.As(err, &wrong) || wrong.Left != verification.MaxIDFailures-i {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	var locked *verification.LockedError
	if err := s.TryIDNumber(false, t0); !errors.As(err, &locked) || !locked.Until.Equal(t0.Add(verification.Lockout)) {
		t.Fatalf("fifth wrong: %v", err)
	}
	// Locked, even the right number is refused until the lock ends.
	if err := s.TryIDNumber(true, t0.Add(verification.Lockout-time.Second)); !errors.As(err, &locked) {
		t.Fatalf("right number while locked: %v", err)
	}
	if _, ok := s.PassFor(verification.IDNumber, t0.Add(time.Minute)); ok {
		t.Fatal("a locked ballot has a pass")
	}
	after := t0.Add(verification.Lockout)
	if err := s.TryIDNumber(true, after); err != nil {
		t.Fatalf("right number after the lock: %v", err)
	}
	if p, ok := s.PassFor(verification.IDNumber, after.Add(time.Minute)); !ok || p.Method != verification.IDNumber || !p.At.Equal(after) {
		t.Fatalf("pass: %+v %v", p, ok)
	}
	if _, ok := s.PassFor(verification.SMS, after); ok {
		t.Fatal("an ID-number pass stands in for SMS")
	}
	if _, ok := s.PassFor(verification.IDNumber, after.Add(verification.PassValidity)); ok {
		t.Fatal("a pass never expires")
	}
	if _, ok := (&verification.State{}).PassFor(verification.None, t0); !ok {
		t.Fatal("none needs no pass")
	}
}

func TestCodeLimits(t *testing.T) {
	var s verification.State
	hash := []byte("hash-1")
	if err := s.SendCode(hash, t0); err != nil {
		t.Fatal(err)
	}
	var soon *verification.TooSoonError
	if err := s.SendCode(hash, t0.Add(59*time.Second)); !errors.As(err, &soon) || !soon.RetryAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("second code within a minute: %v", err)
	}
	for i := 1; i < verification.MaxCodesHour; i++ {
		if err := s.SendCode(hash, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("code %d: %v", i+1, err)
		}
	}
	if err := s.SendCode(hash, t0.Add(30*time.Minute)); !errors.As(err, &soon) || !soon.RetryAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("sixth code in the hour: %v", err)
	}
	if err := s.SendCode([]byte("hash-2"), t0.Add(time.Hour)); err != nil {
		t.Fatalf("a code an hour later: %v", err)
	}
	now := t0.Add(time.Hour)
	var wrong *verification.WrongError
	for i := 1; i < verification.MaxCodeTries; i++ {
		if err := s.TryCode([]byte("hash-1"), now); !errors.As(err, &wrong) || wrong.Left != verification.MaxCodeTries-i {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	var none *verification.NoCodeError
	if err := s.TryCode([]byte("hash-1"), now); !errors.As(err, &none) || none.Reason != "tries" {
		t.Fatalf("fifth wrong code: %v", err)
	}
	if err := s.TryCode([]byte("hash-2"), now); !errors.As(err, &none) {
		t.Fatalf("the right code after five wrong ones: %v", err)
	}
	later := now.Add(time.Minute)
	s.SendCode([]byte("hash-3"), later)
	if err := s.TryCode([]byte("hash-3"), later.Add(verification.CodeValidity)); !errors.As(err, &none) || none.Reason != "expired" {
		t.Fatalf("an expired code: %v", err)
	}
	s.SendCode([]byte("hash-4"), later.Add(verification.CodeValidity))
	if err := s.TryCode([]byte("hash-4"), later.Add(verification.CodeValidity+time.Minute)); err != nil {
		t.Fatalf("the right code: %v", err)
	}
	if _, ok := s.PassFor(verification.SMS, later.Add(verification.CodeValidity+2*time.Minute)); !ok {
		t.Fatal("no pass after the right code")
	}
}

func TestParseCode(t *testing.T) {
	if c, ok := verification.ParseCode(" 012 345 "); !ok || c != "012345" {
		t.Errorf("got %q %v", c, ok)
	}
	for _, bad := range []string{"12345", "1234567", "12a456", ""} {
		if _, ok := verification.ParseCode(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if c := verification.NewCode(); len(c) != 6 {
		t.Errorf("code %q", c)
	}
}
