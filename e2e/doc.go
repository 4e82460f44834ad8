// Package e2e drives the committee console and the owners' voting pages
// in a real Chromium, the way the people of DESIGN.md §1 use them: a
// committee member imports the roll and opens a vote, owners vote on their
// phones, two volunteers enter and confirm a paper ballot, both committees
// approve the notice, and the signed notice is checked with pdfsig.
//
// The test needs Debian's chromium, poppler-utils (pdftoppm, pdftotext,
// pdfsig) and zbar-tools (zbarimg); `make test` installs them. Screenshots
// of the main pages are written to $GONGJUE_E2E_OUT, or out/e2e/ under the
// repository root.
package e2e
