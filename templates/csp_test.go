package templates

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

var (
	scriptTag = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	// inlineCode is what a Content-Security-Policy of script-src 'self' and
	// style-src 'self' refuses besides inline scripts: handler attributes,
	// javascript: URLs, style attributes and <style> elements.
	inlineCode = regexp.MustCompile(`(?i)\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style\b`)
)

// TestPagesHaveNoInlineCode: every page keeps its code in static files; a
// <script> either loads one (src) or holds JSON data, which is never run.
func TestPagesHaveNoInlineCode(t *testing.T) {
	names, err := fs.Glob(files, "*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("no pages: %v", err)
	}
	for _, name := range names {
		data, _ := fs.ReadFile(files, name)
		for _, tag := range scriptTag.FindAllString(string(data), -1) {
			if !strings.Contains(tag, " src=") && !strings.Contains(tag, `type="application/json"`) {
				t.Errorf("%s: inline script %s", name, tag)
			}
		}
		for _, m := range inlineCode.FindAllString(string(data), -1) {
			t.Errorf("%s: inline code %q", name, m)
		}
	}
}
