package locale

import (
	"strings"
	"unicode"
)

// Bilingual splits an API message written "中文 / English" (DESIGN §8:
// Chinese first, English after) into its two wordings, so a page shows one
// of them. The English part begins after the first "/ " whose remainder
// holds no Han character; a message without one is the same in both.
func Bilingual(message string) Text {
	for i := 0; i+2 <= len(message); i++ {
		if message[i:i+2] != "/ " || i == 0 {
			continue
		}
		zh, en := strings.TrimSpace(message[:i]), strings.TrimSpace(message[i+2:])
		if hasHan(zh) && !hasHan(en) {
			return Text{zh, en}
		}
	}
	return Text{message, message}
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
