// Package testtool checks for the outside programs the tests drive as a
// person would: poppler's pdftotext, pdftoppm and pdfsig, zbar's zbarimg,
// and Chromium. A missing program fails the test rather than skipping it, so
// a green run always means the check was made; `make test` installs them.
package testtool

import (
	"os/exec"
	"testing"
)

var packages = map[string]string{
	"pdftotext": "poppler-utils",
	"pdftoppm":  "poppler-utils",
	"pdfsig":    "poppler-utils",
	"zbarimg":   "zbar-tools",
	"chromium":  "chromium",
}

// Need fails the test unless every named program is on the PATH.
func Need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is not installed: run the tests with `make test`, or apt-get install %s", p, packages[p])
		}
	}
}
