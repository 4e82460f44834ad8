package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"gongjue/quorum"
)

// runEvaluate is `gongjue evaluate < scenario.json > result.json` (DESIGN.md
// §4): the committee's what-if calculator and the differential test oracle.
// It prints the result as indented JSON and returns 0, or on bad input prints
// one line to stderr, nothing to stdout, and returns 2.
func runEvaluate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gongjue evaluate < scenario.json > result.json")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}

	data, err := io.ReadAll(stdin)
	if err != nil {
		return fail(stderr, fmt.Errorf("reading the scenario: %w", err))
	}
	res, err := quorum.EvaluateJSON(data)
	if err != nil {
		return fail(stderr, err)
	}
	// Encode fully before writing so a failure cannot leave half a result on
	// stdout; HTML escaping is off so "<" and "≥" stay readable in the
	// explanation.
	var out strings.Builder
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		return fail(stderr, err)
	}
	if _, err := io.WriteString(stdout, out.String()); err != nil {
		return fail(stderr, err)
	}
	return 0
}

// fail prints err as a single line (newlines could only come from an I/O
// error's text; input values are quoted by the quorum package).
func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "gongjue evaluate: "+strings.ReplaceAll(err.Error(), "\n", " "))
	return 2
}
