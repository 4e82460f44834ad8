package testtool

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

var (
	hiddenParts = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)>`)
	tags        = regexp.MustCompile(`(?s)<[^>]*>`)
	latinWord   = regexp.MustCompile(`[A-Za-z]{2,}`)
)

// PageText is the text a person reads on an HTML page: no tags, scripts,
// styles or head, entities decoded.
func PageText(page string) string {
	return html.UnescapeString(tags.ReplaceAllString(hiddenParts.ReplaceAllString(page, " "), " "))
}

// ForeignScript lists what on a page is in the other language's script:
// Latin words (two letters or more) on a Chinese page, Han characters on an
// English page. allowed are the names and words a page may show in either
// (an estate's name, a username, m²); they are removed first.
func ForeignScript(english bool, page string, allowed ...string) []string {
	text := PageText(page)
	allowed = slices.Clone(allowed)
	slices.SortFunc(allowed, func(a, b string) int { return len(b) - len(a) }) // 加装电梯 inside 是否同意加装电梯
	for _, a := range allowed {
		text = strings.ReplaceAll(text, a, " ")
	}
	if !english {
		return latinWord.FindAllString(text, -1)
	}
	var found []string
	for _, field := range strings.Fields(text) {
		if strings.IndexFunc(field, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			found = append(found, field)
		}
	}
	return found
}
