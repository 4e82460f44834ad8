// Package verification holds the rules of owner verification for online
// votes (DESIGN §5.2): which method a vote asks for, and the state of one
// ballot's attempts — wrong ID numbers and the lock-out they earn, SMS
// codes sent and tried — as plain values the storage reads and writes back
// in one transaction. No I/O here, and no secret in clear: codes appear
// only as the hashes the caller computed.
package verification

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"time"
)

// Method is the rules of procedure's online_verification (§3.6).
type Method string

const (
	None     Method = "none"      // the ballot token alone casts
	IDNumber Method = "id_number" // the owner types their ID number
	SMS      Method = "sms"       // a code sent to the unit's roll phone
)

// ParseMethod reads a stored online_verification; empty is the default.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case "":
		return None, nil
	case None, IDNumber, SMS:
		return m, nil
	}
	return "", fmt.Errorf("online_verification %q: want none, id_number or sms", s)
}

// The limits of §5.2.
const (
	MaxIDFailures = 5                // wrong ID numbers before the lock-out
	Lockout       = 15 * time.Minute // how long a lock-out lasts
	CodeValidity  = 10 * time.Minute // how long an SMS code may be used
	MaxCodeTries  = 5                // wrong codes before a code is void
	CodeInterval  = time.Minute      // at most one code a minute
	MaxCodesHour  = 5                // and five an hour
	// PassValidity is how long a passed verification lets its holder cast
	// or see the ballot cast: long enough to read the matters, short enough
	// that a phone left on a table does not stay open.
	PassValidity = 30 * time.Minute
)

// State is one ballot's verification attempts.
type State struct {
	Failures    int       // wrong ID numbers since the last lock-out or pass
	LockedUntil time.Time // zero when not locked
	Passed      Method    // the method passed last, "" for none
	PassedAt    time.Time
	CodeHash    []byte      // the last SMS code, hashed; nil when none is usable
	CodeExpires time.Time   // when it stops being valid
	CodeTries   int         // wrong tries of it
	Sends       []time.Time // the codes sent in the last hour, oldest first
}

// LockedError refuses a ballot locked out after too many wrong ID numbers.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string { return "verification locked until " + e.Until.String() }

// WrongError is a wrong ID number or code; Left tries remain.
type WrongError struct{ Left int }

func (e *WrongError) Error() string { return fmt.Sprintf("wrong; %d tries left", e.Left) }

// NoCodeError is an SMS code tried when none is usable: none was sent,
// it expired, or it was tried too often. A new code is needed.
type NoCodeError struct{ Reason string } // "none", "expired", "tries"

func (e *NoCodeError) Error() string { return "no usable code: " + e.Reason }

// TooSoonError refuses a code asked for within the send limits; the next
// may be sent at RetryAt.
type TooSoonError struct{ RetryAt time.Time }

func (e *TooSoonError) Error() string { return "next code at " + e.RetryAt.String() }

// Locked reports whether the ballot's online casting is locked at now.
func (s *State) Locked(now time.Time) bool { return now.Before(s.LockedUntil) }

// Pass is a verification passed.
type Pass struct {
	Method Method
	At     time.Time
}

// PassFor returns the pass that lets the holder act at now under method m:
// for None, always (the token alone); otherwise a pass of that method not
// older than PassValidity, the ballot not being locked.
func (s *State) PassFor(m Method, now time.Time) (Pass, bool) {
	if m == None {
		return Pass{Method: None}, true
	}
	if s.Passed != m || s.Locked(now) || !now.Before(s.PassedAt.Add(PassValidity)) {
		return Pass{}, false
	}
	return Pass{Method: m, At: s.PassedAt}, true
}

// TryIDNumber records an ID number tried at now, matching the unit's owner
// key or not: a match passes; the fifth wrong one in a row locks the
// ballot for Lockout.
func (s *State) TryIDNumber(match bool, now time.Time) error {
	if s.Locked(now) {
		return &LockedError{Until: s.LockedUntil}
	}
	if match {
		s.Failures, s.Passed, s.PassedAt = 0, IDNumber, now
		return nil
	}
	s.Failures++
	if s.Failures >= MaxIDFailures {
		s.Failures, s.LockedUntil, s.Passed = 0, now.Add(Lockout), ""
		return &LockedError{Until: s.LockedUntil}
	}
	return &WrongError{Left: MaxIDFailures - s.Failures}
}

// SendCode records a new code (its hash) about to be sent at now, within
// one a minute and five an hour; it replaces any earlier code.
func (s *State) SendCode(hash []byte, now time.Time) error {
	recent := s.Sends[:0:0]
	for _, t := range s.Sends {
		if now.Before(t.Add(time.Hour)) {
			recent = append(recent, t)
		}
	}
	s.Sends = recent
	if n := len(recent); n > 0 && now.Before(recent[n-1].Add(CodeInterval)) {
		return &TooSoonError{RetryAt: recent[n-1].Add(CodeInterval)}
	}
	if len(recent) >= MaxCodesHour {
		return &TooSoonError{RetryAt: recent[0].Add(time.Hour)}
	}
	s.CodeHash, s.CodeExpires, s.CodeTries = hash, now.Add(CodeValidity), 0
	s.Sends = append(s.Sends, now)
	return nil
}

// TryCode records an SMS code tried at now, given as its hash.
func (s *State) TryCode(hash []byte, now time.Time) error {
	switch {
	case s.CodeHash == nil:
		return &NoCodeError{Reason: "none"}
	case !now.Before(s.CodeExpires):
		s.CodeHash = nil
		return &NoCodeError{Reason: "expired"}
	}
	if subtle.ConstantTimeCompare(hash, s.CodeHash) == 1 {
		s.CodeHash, s.Passed, s.PassedAt = nil, SMS, now
		return nil
	}
	s.CodeTries++
	if s.CodeTries >= MaxCodeTries {
		s.CodeHash = nil
		return &NoCodeError{Reason: "tries"}
	}
	return &WrongError{Left: MaxCodeTries - s.CodeTries}
}

// NewCode draws a 6-digit SMS code.
func NewCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// ParseCode checks a typed SMS code: six digits, spaces ignored.
func ParseCode(typed string) (string, bool) {
	var b []byte
	for _, r := range typed {
		switch {
		case r >= '0' && r <= '9':
			b = append(b, byte(r))
		case r == ' ' || r == '\t' || r == '-':
		default:
			return "", false
		}
	}
	return string(b), len(b) == 6
}
