// Package ballot holds the pure rules of consultations and voting (DESIGN.md
// §5): what a consultation and its matters may say, ballot tokens and the
// short ballot codes printed on paper, which choices a ballot may carry, when
// a ballot may be cast, the order of a ballot packet, and the packet PDF
// itself. It does no I/O beyond writing the PDF it is asked for; package
// postgres stores what it checks.
//
// # Tokens
//
// A ballot token is secret.Token(): 128 random bits, 26 characters of
// lower-case base32, carried in the QR code as {PUBLIC_URL}/v/{token}. The
// database keeps its SHA-256 (ballots.token_hash), by which it is looked up,
// and a copy sealed under the master key (ballot_tokens.sealed, see
// migrations/0004_ballots.sql) so that the ballot packet can be printed
// again; nothing else ever reads the sealed copy.
//
// # Ballot codes
//
// The ballot code is 8 characters of Crockford's base32 (40 random bits),
// printed as XXXX-XXXX, unique within a consultation. It names a paper ballot
// for the volunteer entering it when the QR code will not scan; it does not
// let anyone vote online.
package ballot
