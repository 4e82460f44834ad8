// Package ballot holds the pure rules of consultations and voting (DESIGN.md
// §5): what a consultation and its matters may say, ballot tokens and the
// short ballot codes printed on paper, which choices a ballot may carry, when
// a ballot may be cast, the order of a ballot packet, and the packet PDF
// itself. It does no I/O beyond writing the PDF it is asked for; package
// postgres stores what it checks.
//
// # Tokens
//
// A ballot token is 128 bits, 26 characters of lower-case base32, carried in
// the QR code as {PUBLIC_URL}/v/{token}: secret.Keys.BallotToken of the unit
// and of a random seed drawn when the consultation opens. The database keeps
// the token's SHA-256 (ballots.token_hash), by which it is looked up, and
// the seed, from which — with the master key, which the database never
// holds — the server derives the tokens again to print the packet again.
//
// # Ballot codes
//
// The ballot code is 8 characters of Crockford's base32 (40 random bits),
// printed as XXXX-XXXX, unique within a consultation. It names a paper ballot
// for the volunteer entering it when the QR code will not scan; it does not
// let anyone vote online.
package ballot
