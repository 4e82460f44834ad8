package ledger

import "errors"

// ErrPending reports a counted ballot that the sequencer has not yet
// added to the log; it will be there shortly.
var ErrPending = errors.New("ballot counted but not yet in the log")

// A Mismatch is a disagreement between a consultation's log and its counted
// ballots, found by an audit.
type Mismatch struct {
	LeafIndex int64  `json:"leaf_index"` // -1 when about the log as a whole
	UnitID    string `json:"unit_id,omitempty"`
	Problem   string `json:"problem"`
}
