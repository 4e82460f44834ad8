// Package ledger implements Gongjue's ballot log (DESIGN §6): a
// per-consultation, tamper-evident Merkle log of counted ballots with
// RFC 6962 hashing, built on golang.org/x/mod/sumdb/tlog, and signed
// checkpoints in golang.org/x/mod/sumdb/note format.
//
// Each leaf commits to one counted ballot: its record data is the
// canonical encoding of the ballot (see [Ballot.Record]) and its hash is
// tlog.RecordHash of that data. The record includes a 16-byte random salt
// known only to the server and to the voter, who holds it as a receipt
// code (see [Receipt]); so the published leaf hashes reveal nothing about
// choices, while a voter can recompute their own leaf and check that the
// log contains it.
//
// The package does no I/O; package postgres stores the log.
package ledger

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// A Ballot is a counted ballot as the log commits to it.
type Ballot struct {
	ConsultationID int64     `json:"consultation_id"`
	UnitID         string    `json:"unit_id"`
	Choices        []Choice  `json:"choices"`
	Channel        string    `json:"channel"` // online, paper or proxy
	CastAt         time.Time `json:"cast_at"`
	Salt           []byte    `json:"-"` // the receipt; never shown beside the ballot
	// Original is the SHA-256 of a paper ballot's uploaded scan (§5.3),
	// nil when none was attached (every online ballot).
	Original []byte `json:"original,omitempty"`
}

// A Choice is one choice made on one matter. A ballot has one Choice per
// matter, except that an election ballot may select several candidates.
type Choice struct {
	MatterID int64  `json:"matter_id"`
	Choice   string `json:"choice"`
}

// recordHeader is the first line of every record; a new encoding would use
// a new header.
const recordHeader = "gongjue ballot v1\n"

// timeLayout is the encoding of the cast time: UTC with exactly six
// fractional digits, the precision of PostgreSQL's timestamptz.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Record returns the record data of the ballot's leaf: a canonical and
// unambiguous text encoding of the ballot. It is
//
//	gongjue ballot v1
//	consultation C
//	unit LEN:UNIT
//	channel LEN:CHANNEL
//	cast TIME
//	salt SALT
//	original HASH          (only for a ballot with an original)
//	choices K
//	MATTER LEN:CHOICE
//	...
//
// where C, K and each MATTER are decimal integers, every string is
// preceded by its length in bytes (so it may contain any bytes, newlines
// included), TIME is the cast time in UTC at microsecond precision
// (2006-01-02T15:04:05.000000Z, the time rounded to the microsecond), SALT
// is the salt in lower-case hex, HASH the SHA-256 of the paper original in
// lower-case hex — the line is absent without one, so the records of
// ballots logged before originals existed are unchanged — and the K choice lines are sorted by
// matter id, then by choice (byte-wise). Each line ends in a newline.
//
// The order of b.Choices and the time zone of b.CastAt do not matter;
// any other difference between two ballots gives different records.
func (b *Ballot) Record() []byte {
	choices := slices.Clone(b.Choices)
	slices.SortFunc(choices, compareChoices)
	buf := []byte(recordHeader)
	buf = fmt.Appendf(buf, "consultation %d\n", b.ConsultationID)
	buf = fmt.Appendf(buf, "unit %d:%s\n", len(b.UnitID), b.UnitID)
	buf = fmt.Appendf(buf, "channel %d:%s\n", len(b.Channel), b.Channel)
	buf = fmt.Appendf(buf, "cast %s\n", b.CastAt.UTC().Round(time.Microsecond).Format(timeLayout))
	buf = fmt.Appendf(buf, "salt %x\n", b.Salt)
	if len(b.Original) > 0 {
		buf = fmt.Appendf(buf, "original %x\n", b.Original)
	}
	buf = fmt.Appendf(buf, "choices %d\n", len(choices))
	for _, c := range choices {
		buf = fmt.Appendf(buf, "%d %d:%s\n", c.MatterID, len(c.Choice), c.Choice)
	}
	return buf
}

// LeafHash returns the hash of the ballot's leaf, tlog.RecordHash(b.Record()).
func (b *Ballot) LeafHash() tlog.Hash {
	return tlog.RecordHash(b.Record())
}

func compareChoices(x, y Choice) int {
	return cmp.Or(cmp.Compare(x.MatterID, y.MatterID), cmp.Compare(x.Choice, y.Choice))
}

var errMalformedRecord = errors.New("ledger: malformed ballot record")

// ParseRecord parses record data produced by [Ballot.Record]. It accepts
// only the canonical encoding: Record of the result is data again. The
// result's CastAt is in UTC.
func ParseRecord(data []byte) (*Ballot, error) {
	p := recordParser{rest: data}
	if !p.literal(recordHeader) {
		return nil, errMalformedRecord
	}
	var b Ballot
	b.ConsultationID = p.number("consultation ", '\n')
	b.UnitID = p.text("unit ")
	b.Channel = p.text("channel ")
	if p.literal("cast ") {
		t, err := time.Parse(timeLayout, p.line())
		if err != nil {
			p.err = true
		}
		b.CastAt = t
	} else {
		p.err = true
	}
	if p.literal("salt ") {
		salt, err := hex.DecodeString(p.line())
		if err != nil {
			p.err = true
		}
		b.Salt = salt
	} else {
		p.err = true
	}
	if p.literal("original ") {
		sum, err := hex.DecodeString(p.line())
		if err != nil || len(sum) == 0 {
			p.err = true
		}
		b.Original = sum
	}
	n := p.number("choices ", '\n')
	if p.err || n < 0 || n > int64(len(p.rest)) {
		return nil, errMalformedRecord
	}
	b.Choices = make([]Choice, n)
	for i := range b.Choices {
		b.Choices[i].MatterID = p.number("", ' ')
		b.Choices[i].Choice = p.text("")
	}
	if p.err || len(p.rest) != 0 || !bytes.Equal(b.Record(), data) {
		return nil, errMalformedRecord
	}
	return &b, nil
}

// A recordParser reads a record from rest; err records the first failure,
// after which every read returns a zero value.
type recordParser struct {
	rest []byte
	err  bool
}

func (p *recordParser) literal(s string) bool {
	if p.err || !bytes.HasPrefix(p.rest, []byte(s)) {
		return false
	}
	p.rest = p.rest[len(s):]
	return true
}

// upTo returns the text before the first sep and consumes it with sep.
func (p *recordParser) upTo(sep byte) string {
	i := bytes.IndexByte(p.rest, sep)
	if p.err || i < 0 {
		p.err = true
		return ""
	}
	s := string(p.rest[:i])
	p.rest = p.rest[i+1:]
	return s
}

func (p *recordParser) line() string { return p.upTo('\n') }

// number reads prefix, then a decimal integer ended by sep.
func (p *recordParser) number(prefix string, sep byte) int64 {
	if !p.literal(prefix) {
		p.err = true
		return 0
	}
	n, err := strconv.ParseInt(p.upTo(sep), 10, 64)
	if err != nil {
		p.err = true
	}
	return n
}

// text reads prefix, then a string as LEN:BYTES and a newline.
func (p *recordParser) text(prefix string) string {
	n := p.number(prefix, ':')
	if p.err || n < 0 || n >= int64(len(p.rest)) || p.rest[n] != '\n' {
		p.err = true
		return ""
	}
	s := string(p.rest[:n])
	p.rest = p.rest[n+1:]
	return s
}
