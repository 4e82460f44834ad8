package quorum

import "fmt"

// InputError reports bad input to Evaluate, EvaluateJSON and the other
// deciding functions. Item names the offending element the way a caller wrote
// it (for example `units[3]` or `rules.approval.area`) so the message can be
// shown to the committee as is; the HTTP API maps it to 422.
type InputError struct {
	Item    string // where the problem is, e.g. `ballots[7]`; empty for the whole input
	Problem string // what is wrong, naming the offending value
}

func (e *InputError) Error() string {
	if e.Item == "" {
		return e.Problem
	}
	return e.Item + ": " + e.Problem
}

func inputErr(item, problem string) *InputError {
	return &InputError{Item: item, Problem: problem}
}

// unitItem and ballotItem name an element of the input by position and by
// the id the committee knows it by.
func unitItem(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("units[%d]", i)
	}
	return fmt.Sprintf("units[%d] (id %q)", i, id)
}

func ballotItem(i int, unit string) string {
	return fmt.Sprintf("ballots[%d] (unit %q)", i, unit)
}
