package ledger

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"gongjue/locale"
)

func testBallot() Ballot {
	return Ballot{
		ConsultationID: 42,
		UnitID:         "12-2-1502",
		Choices:        []Choice{{8, "蒂森"}, {7, "agree"}},
		Channel:        "online",
		CastAt:         time.Date(2026, 3, 1, 16, 15, 30, 123456000, locale.China),
		Salt:           bytes.Repeat([]byte{0xAB}, SaltSize),
	}
}

func TestRecordFormat(t *testing.T) {
	b := testBallot()
	want := "gongjue ballot v1\n" +
		"consultation 42\n" +
		"unit 9:12-2-1502\n" +
		"channel 6:online\n" +
		"cast 2026-03-01T08:15:30.123456Z\n" +
		"salt abababababababababababababababab\n" +
		"choices 2\n" +
		"7 5:agree\n" +
		"8 6:蒂森\n"
	if got := string(b.Record()); got != want {
		t.Errorf("Record() =\n%s\nwant\n%s", got, want)
	}
	if b.Choices[0].MatterID != 8 {
		t.Errorf("Record sorted the caller's choices")
	}
}

// TestRecordOriginal: a paper ballot's record commits to its original's
// SHA-256 on its own line after the salt; a ballot without one keeps the
// record it had before originals existed (TestRecordFormat).
func TestRecordOriginal(t *testing.T) {
	b := testBallot()
	b.Channel = "paper"
	b.Original = bytes.Repeat([]byte{0xCD}, 32)
	want := "gongjue ballot v1\n" +
		"consultation 42\n" +
		"unit 9:12-2-1502\n" +
		"channel 5:paper\n" +
		"cast 2026-03-01T08:15:30.123456Z\n" +
		"salt abababababababababababababababab\n" +
		"original cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\n" +
		"choices 2\n" +
		"7 5:agree\n" +
		"8 6:蒂森\n"
	if got := string(b.Record()); got != want {
		t.Fatalf("Record() =\n%s\nwant\n%s", got, want)
	}
	parsed, err := ParseRecord([]byte(want))
	if err != nil || !bytes.Equal(parsed.Original, b.Original) {
		t.Fatalf("ParseRecord: %v %x", err, parsed)
	}
	if _, err := ParseRecord([]byte(strings.Replace(want, "original cd", "original zz", 1))); err == nil {
		t.Error("a record with a malformed original parses")
	}
}

func TestRecordCanonical(t *testing.T) {
	b := testBallot()
	c := testBallot()
	slices.Reverse(c.Choices)
	c.CastAt = c.CastAt.UTC().Add(400 * time.Nanosecond) // rounds to the same microsecond
	if !bytes.Equal(b.Record(), c.Record()) {
		t.Errorf("same ballot, different records:\n%s\n%s", b.Record(), c.Record())
	}
}

// TestRecordInjective checks that ballots differing in any way, including
// by strings built to look like the encoding's separators, have different
// records, and that every record parses back to its ballot.
func TestRecordInjective(t *testing.T) {
	base := testBallot()
	variants := []func(*Ballot){
		func(b *Ballot) {},
		func(b *Ballot) { b.ConsultationID = 4 },
		func(b *Ballot) { b.ConsultationID = -42 },
		func(b *Ballot) { b.UnitID = "12-2-150" },
		func(b *Ballot) { b.UnitID = "" },
		func(b *Ballot) { b.UnitID = "12-2-1502\nchannel 6:online" },
		func(b *Ballot) { b.UnitID = "12-2-1502\n"; b.Channel = "online" },
		func(b *Ballot) { b.UnitID = "12-2-1502 3:x" },
		func(b *Ballot) { b.UnitID = "9:12-2-1502" },
		func(b *Ballot) { b.Channel = "paper" },
		func(b *Ballot) { b.Channel = "online\ncast 2026-03-01T08:15:30.123456Z" },
		func(b *Ballot) { b.CastAt = b.CastAt.Add(time.Microsecond) },
		func(b *Ballot) { b.Salt = bytes.Repeat([]byte{0xAC}, SaltSize) },
		func(b *Ballot) { b.Salt = b.Salt[:SaltSize-1] },
		func(b *Ballot) { b.Original = bytes.Repeat([]byte{0x01}, 32) },
		func(b *Ballot) { b.Original = bytes.Repeat([]byte{0x02}, 32) },
		func(b *Ballot) { b.Choices = nil },
		func(b *Ballot) { b.Choices = b.Choices[:1] },
		func(b *Ballot) { b.Choices = []Choice{{7, "agree"}, {8, "蒂"}} },
		func(b *Ballot) { b.Choices = []Choice{{7, "agree\n8 6:蒂森"}} },
		func(b *Ballot) { b.Choices = []Choice{{7, "agree"}, {8, "蒂森"}, {8, "蒂森"}} },
		func(b *Ballot) { b.Choices = []Choice{{7, "agree"}, {8, "三菱"}, {8, "蒂森"}} },
		func(b *Ballot) { b.Choices = []Choice{{7, "agree 8"}, {8, "蒂森"}} },
		func(b *Ballot) { b.Choices = []Choice{{78, "agree"}, {8, "蒂森"}} },
		func(b *Ballot) { b.Choices = []Choice{{7, "oppose"}, {8, "蒂森"}} },
		func(b *Ballot) { b.Choices = []Choice{{7, ""}, {8, "蒂森"}} },
		func(b *Ballot) { b.Choices = []Choice{{7, "agree"}, {9, "蒂森"}} },
	}
	seen := make(map[string]int)
	for i, vary := range variants {
		b := base
		b.Choices = slices.Clone(base.Choices)
		vary(&b)
		rec := b.Record()
		if j, ok := seen[string(rec)]; ok {
			t.Errorf("variants %d and %d have the same record:\n%s", j, i, rec)
		}
		seen[string(rec)] = i
		got, err := ParseRecord(rec)
		if err != nil {
			t.Errorf("variant %d: ParseRecord: %v\n%s", i, err, rec)
			continue
		}
		if !bytes.Equal(got.Record(), rec) || got.UnitID != b.UnitID || got.Channel != b.Channel ||
			!got.CastAt.Equal(b.CastAt.Round(time.Microsecond)) || len(got.Choices) != len(b.Choices) {
			t.Errorf("variant %d: ParseRecord gave %+v, want %+v", i, got, b)
		}
	}
}

func TestParseRecordRejects(t *testing.T) {
	good := testBallot()
	rec := string(good.Record())
	bad := []string{
		"",
		rec[:len(rec)-1],
		rec + "\n",
		rec + "9 1:x\n",
		"gongjue ballot v2" + rec[len("gongjue ballot v1"):],
		replace(rec, "unit 9:", "unit 8:"),
		replace(rec, "unit 9:", "unit 10:"),
		replace(rec, "unit 9:", "unit 09:"),
		replace(rec, "choices 2", "choices 3"),
		replace(rec, "choices 2", "choices 1"),
		replace(rec, "choices 2", "choices 99999999999"),
		replace(rec, "7 5:agree\n8 6:蒂森\n", "8 6:蒂森\n7 5:agree\n"), // not sorted
		replace(rec, "2026-03-01T08:15:30.123456Z", "2026-03-01T16:15:30.123456+08:00"),
		replace(rec, "2026-03-01T08:15:30.123456Z", "2026-03-01T08:15:30.12345Z"),
		replace(rec, "salt ab", "salt AB"),
		replace(rec, "salt ab", "salt a"),
		replace(rec, "consultation 42", "consultation +42"),
	}
	for _, s := range bad {
		if b, err := ParseRecord([]byte(s)); err == nil {
			t.Errorf("ParseRecord(%q) = %+v, want error", s, b)
		}
	}
}

func replace(s, old, new string) string {
	i := bytes.Index([]byte(s), []byte(old))
	if i < 0 {
		panic("replace: " + old + " not found")
	}
	return s[:i] + new + s[i+len(old):]
}
