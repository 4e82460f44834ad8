package locale

import (
	"strings"
	"unicode"
)

// Bilingual splits an API message written "中文 / English" (DESIGN §8:
// Chinese first, English after) into its two wordings, so a page shows one
// of them. The English part begins after the last "/ " (a path's slashes
// have no space after them; the English may quote a Chinese name); a
// message without one is the same in both.
func Bilingual(message string) Text {
	if i := strings.LastIndex(message, "/ "); i > 0 {
		if zh, en := strings.TrimSpace(message[:i]), strings.TrimSpace(message[i+2:]); hasHan(zh) && en != "" {
			return Text{zh, en}
		}
	}
	return Text{message, message}
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
