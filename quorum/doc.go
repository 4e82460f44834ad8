// Package quorum decides owners' assembly votes under Article 278 of the
// Civil Code of the People's Republic of China (民法典第二百七十八条) and the
// Supreme People's Court interpretation on building division ownership
// (建筑物区分所有权司法解释, Art. 8–9): who is eligible, who took part —
// by ballot, or deemed through a delivered ballot where the estate's rules
// of procedure say so (§3.5) — and whether a matter passed overall and in
// every zone.
//
// The package is pure: no database, no network, no files. Its only I/O is
// decoding the evaluate JSON of DESIGN.md §4, shared by the CLI and the HTTP
// API so both give the same answer as the independent test oracle.
//
// Every verdict is exact. Areas are integers in hundredths of a square metre
// (Area) and every fraction is compared by 128-bit integer
// cross-multiplication (Fraction.Reached); no floating point is used, because a
// rounding error of one hundredth of a square metre can decide a vote.
package quorum
