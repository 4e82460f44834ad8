package ballot

import (
	"fmt"
	"time"

	"gongjue/locale"
)

// WindowError says why a ballot cannot be cast now.
type WindowError struct {
	Reason   string // "not_open" (draft, or before opens_at) or "closed"
	OpensAt  time.Time
	ClosesAt time.Time
}

func (e *WindowError) Error() string {
	if e.Reason == "closed" {
		return fmt.Sprintf("投票已于 %s 截止 / voting closed at %s", locale.Minute(e.ClosesAt), locale.Minute(e.ClosesAt))
	}
	return fmt.Sprintf("投票尚未开始，开始时间 %s / voting opens at %s", locale.Minute(e.OpensAt), locale.Minute(e.OpensAt))
}

// CheckWindow reports whether a ballot of a consultation in state may be
// cast online at now: the consultation is open and now is in
// [opensAt, closesAt). The error is a *WindowError.
func CheckWindow(state State, opensAt, closesAt, now time.Time) error {
	switch {
	case state == Closed || state == Noticed || !now.Before(closesAt):
		return &WindowError{Reason: "closed", OpensAt: opensAt, ClosesAt: closesAt}
	case state != Open || now.Before(opensAt):
		return &WindowError{Reason: "not_open", OpensAt: opensAt, ClosesAt: closesAt}
	}
	return nil
}

// CheckPaperWindow reports whether a paper ballot may be entered or
// confirmed at now. Paper ballots collected before the deadline are often
// brought back after it, so entry goes on until the committee closes the
// consultation — closing is what freezes the count — but never before the
// vote opened.
func CheckPaperWindow(state State, opensAt, closesAt, now time.Time) error {
	switch {
	case state == Closed || state == Noticed:
		return &WindowError{Reason: "closed", OpensAt: opensAt, ClosesAt: closesAt}
	case state != Open || now.Before(opensAt):
		return &WindowError{Reason: "not_open", OpensAt: opensAt, ClosesAt: closesAt}
	}
	return nil
}
