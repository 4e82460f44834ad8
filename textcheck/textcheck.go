// Package textcheck decides which text people may send: no control
// characters (PostgreSQL refuses U+0000 outright; the others hide in names
// and titles), no bidirectional overrides (which make a title read other
// than it is stored, U+202A–U+202E and U+2066–U+2069), and valid UTF-8.
// Multi-line fields (descriptions, notes) may hold line breaks and tabs.
package textcheck

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Problem says what is wrong with s, in Chinese and English, or "" when
// nothing is.
func Problem(s string, multiline bool) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !utf8.ValidString(s[i:min(i+utf8.UTFMax, len(s))]):
			return fmt.Sprintf("第 %d 个字节起不是有效的 UTF-8 文字 / not valid UTF-8 at byte %d", i+1, i+1)
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			return fmt.Sprintf("含有不允许的控制字符 U+%04X / contains the control character U+%04X, which is not allowed", r, r)
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("含有不允许的文字方向控制符 U+%04X / contains the bidirectional control U+%04X, which is not allowed", r, r)
		}
	}
	return ""
}
