// Package locale owns the words and numbers people read (DESIGN §7): the
// one percentage rule (half up, two decimals, integer arithmetic), figures
// with thousands separators, fractions as the law words them, the time
// zone, veto modes, scopes, choices, channels and the verdict sentences —
// each in Simplified Chinese and in English, so the console, the ballot
// page, the packet, the notice and the verification page say the same.
//
// It is pure and imports nothing of Gongjue's, so quorum can use it for
// its explanations; callers pass plain values (a fraction's numerator,
// a veto mode's name) rather than their own types.
package locale

// Text is one wording in both languages. A Chinese page shows ZH only and
// an English page EN only.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// In picks the wording for a page: English when english, else Chinese.
func (t Text) In(english bool) string {
	if english {
		return t.EN
	}
	return t.ZH
}
