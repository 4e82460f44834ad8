package tally_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"gongjue/ledger"
	"gongjue/postgres"
	"gongjue/postgres/pgtest"
	"gongjue/quorum"
	"gongjue/secret"
	"gongjue/tally"
	"gongjue/tally/tallytest"
	"gongjue/verification"
)

func init() { postgres.PasswordCost = bcrypt.MinCost }

func newEstate(t *testing.T, opts tallytest.Options) *tallytest.Estate {
	t.Helper()
	db, _ := pgtest.New(t)
	keys := &secret.Keys{}
	keys.Master[0] = 9
	return tallytest.New(t, db, keys, opts)
}

func closeNow(t *testing.T, e *tallytest.Estate) (postgres.StoredResult, *tally.Document) {
	t.Helper()
	e.EndVotingPeriod(t)
	by := e.Accounts.Committee
	res, err := tally.Close(context.Background(), e.DB, e.Keys, e.ID(), tally.CloseOptions{By: &by})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := tally.Decode(res.JSON)
	if err != nil {
		t.Fatal(err)
	}
	return res, doc
}

// TestCloseFreezesTheQuorumVerdict compares the frozen result with the
// verdicts package quorum gives on the raw units and ballots, computed here
// without the database.
func TestCloseFreezesTheQuorumVerdict(t *testing.T) {
	e := newEstate(t, tallytest.Options{})
	e.CastStandard(t)
	res, doc := closeNow(t, e)

	if got, want := tally.Hash(res.JSON), tally.Hash(mustEncode(t, doc)); got != want {
		t.Errorf("stored bytes are not the canonical encoding of the document they decode to")
	}
	if !bytes.Equal(res.SHA256, sha(res.JSON)) {
		t.Error("stored hash is not the SHA-256 of the stored bytes")
	}
	units := e.QuorumUnits()
	veto := quorum.Veto{Mode: quorum.VetoAllZones}

	// The approve matter.
	var ballots []quorum.Ballot
	for unit, cs := range e.Choices(0) {
		c, err := quorum.ParseChoice(cs[0])
		if err != nil {
			t.Fatal(err)
		}
		ballots = append(ballots, quorum.Ballot{Unit: unit, Choice: c})
	}
	want, err := quorum.Evaluate(&quorum.Scenario{Rule: quorum.OrdinaryRule, Veto: veto, Units: units, Ballots: ballots})
	if err != nil {
		t.Fatal(err)
	}
	got := doc.Matters[0].Approve()
	if got == nil {
		t.Fatalf("matter 1 has no approve result: %#v", doc.Matters[0].Result)
	}
	sameJSON(t, "approve matter", got, want)
	if want.Overall.Participating.Headcount != 16 || want.Overall.Eligible.Headcount != 19 {
		t.Errorf("fixture drifted: participating %d of %d persons", want.Overall.Participating.Headcount, want.Overall.Eligible.Headcount)
	}

	// The choice matter, option by option.
	var obs []quorum.OptionBallot
	for unit, cs := range e.Choices(1) {
		obs = append(obs, quorum.OptionBallot{Unit: unit, Option: cs[0]})
	}
	wantChoice, err := quorum.EvaluateChoice(quorum.ChoiceMatter{Rule: quorum.MajorRule, Mode: quorum.ChoiceApproval, Veto: veto, Options: []string{"蒂森", "三菱"}}, units, obs)
	if err != nil {
		t.Fatal(err)
	}
	gotChoice := doc.Matters[1].Choice()
	if gotChoice == nil {
		t.Fatal("matter 2 has no choice result")
	}
	for _, o := range wantChoice.Options {
		sameJSON(t, "option "+o.Option, gotChoice.Options[o.Option], o.Result)
	}
	if gotChoice.Decided != wantChoice.Decided || gotChoice.Winner != wantChoice.Winner {
		t.Errorf("choice: got decided %v winner %q, quorum says %v %q", gotChoice.Decided, gotChoice.Winner, wantChoice.Decided, wantChoice.Winner)
	}

	// The election.
	var ebs []quorum.ElectionBallot
	for unit, cs := range e.Choices(2) {
		var cands []string
		for _, c := range cs {
			if c != "abstain" && c != "spoiled" {
				cands = append(cands, c)
			}
		}
		ebs = append(ebs, quorum.ElectionBallot{Unit: unit, Candidates: cands})
	}
	wantEl, err := quorum.EvaluateElection(quorum.OrdinaryRule, quorum.Procedure{}, quorum.Election{Seats: 2, Candidates: []string{tallytest.Candidate1, tallytest.Candidate2, tallytest.Candidate3}}, units, ebs)
	if err != nil {
		t.Fatal(err)
	}
	gotEl := doc.Matters[2].Election()
	if gotEl == nil {
		t.Fatal("matter 3 has no election result")
	}
	if !slices.Equal(gotEl.Elected, wantEl.Elected) || gotEl.Vacant != wantEl.Vacant {
		t.Errorf("elected %v (vacant %d), quorum says %v (%d)", gotEl.Elected, gotEl.Vacant, wantEl.Elected, wantEl.Vacant)
	}
	for _, c := range wantEl.Candidates {
		sameJSON(t, "candidate "+c.Candidate, gotEl.Candidates[c.Candidate].Overall, c.Outcome)
	}

	// The final checkpoint covers every ballot and is the log's latest.
	if doc.Checkpoint.Size != int64(len(e.Cast)) || res.CheckpointSize != doc.Checkpoint.Size {
		t.Errorf("final checkpoint size %d, want %d", doc.Checkpoint.Size, len(e.Cast))
	}
	latest, err := postgres.LatestCheckpoint(context.Background(), e.DB, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	if latest.Note != doc.Checkpoint.Note || latest.Hash != doc.Checkpoint.Hash {
		t.Error("the final checkpoint is not the log's latest")
	}
	if doc.ClosedBy != "committee" || doc.Consultation.Community != tallytest.Community {
		t.Errorf("closed by %q in %q", doc.ClosedBy, doc.Consultation.Community)
	}
}

func TestCloseTwiceAndCastingAfterClose(t *testing.T) {
	e := newEstate(t, tallytest.Options{})
	e.CastOnline(t, "1-1-101", tallytest.StandardVotes["1-1-101"])
	first, _ := closeNow(t, e)
	by := e.Accounts.Committee
	if _, err := tally.Close(context.Background(), e.DB, e.Keys, e.ID(), tally.CloseOptions{By: &by}); !errors.Is(err, tally.ErrAlreadyClosed) {
		t.Fatalf("second close: %v, want ErrAlreadyClosed", err)
	}
	sel := e.Cast["1-1-101"]
	if _, err := postgres.CastOnline(context.Background(), e.DB, e.CommunityID, e.ID(), "1-1-201", sel, verification.Pass{}); err == nil {
		t.Fatal("a ballot was cast after closing")
	}
	again, err := postgres.GetResult(context.Background(), e.DB, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.JSON, first.JSON) || !bytes.Equal(again.SHA256, first.SHA256) {
		t.Error("the stored result changed")
	}
	if _, err := e.DB.Exec(`UPDATE results SET result_json = result_json || ' '::bytea`); err == nil {
		t.Error("a stored result was changed")
	}
}

func TestAutomaticClose(t *testing.T) {
	e := newEstate(t, tallytest.Options{ClosesIn: time.Minute})
	e.CastStandard(t)
	ctx := context.Background()
	if _, err := tally.Close(ctx, e.DB, e.Keys, e.ID(), tally.CloseOptions{}); !errors.Is(err, tally.ErrNotDue) {
		t.Fatalf("automatic close before the closing time: %v", err)
	}
	if n := tally.CloseDue(ctx, e.DB, e.Keys, time.Hour, time.Now().Add(30*time.Minute)); n != 0 {
		t.Fatalf("closed %d within the grace", n)
	}
	if n := tally.CloseDue(ctx, e.DB, e.Keys, time.Hour, time.Now().Add(2*time.Hour)); n != 1 {
		t.Fatalf("closed %d after the grace, want 1", n)
	}
	res, err := postgres.GetResult(ctx, e.DB, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := tally.Decode(res.JSON)
	if doc.ClosedBy != "automatic" || res.ClosedBy.Valid {
		t.Errorf("closed by %q / %v", doc.ClosedBy, res.ClosedBy)
	}
	if n := tally.CloseDue(ctx, e.DB, e.Keys, 0, time.Now().Add(3*time.Hour)); n != 0 {
		t.Errorf("closed %d again", n)
	}
}

// TestInterruptedCloseIsFinished: a consultation left closed without a
// result (the process died between the two steps of Close) is finished by
// the closer.
func TestInterruptedCloseIsFinished(t *testing.T) {
	e := newEstate(t, tallytest.Options{})
	e.CastStandard(t)
	if _, err := e.DB.Exec(`UPDATE consultations SET state = 'closed', closed_at = now() WHERE id = $1`, e.ID()); err != nil {
		t.Fatal(err)
	}
	if n := tally.CloseDue(context.Background(), e.DB, e.Keys, 0, time.Now()); n != 1 {
		t.Fatalf("finished %d closes, want 1", n)
	}
	if _, err := postgres.GetResult(context.Background(), e.DB, e.ID()); err != nil {
		t.Fatal(err)
	}
}

// TestLogProofs: every receipt's inclusion proof verifies against the final
// checkpoint, a consistency proof between an early checkpoint and the final
// one verifies, and a counted ballot changed behind the database's back is
// found by re-deriving the leaves.
func TestLogProofs(t *testing.T) {
	e := newEstate(t, tallytest.Options{})
	ctx := context.Background()
	first := 0
	for _, u := range e.Units[:5] {
		if v, ok := tallytest.StandardVotes[u.ID]; ok {
			e.CastOnline(t, u.ID, v)
			first++
		}
	}
	early, _, err := postgres.SequenceAll(ctx, e.DB, e.Keys, e.CommunityID, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	if early.Size != int64(first) {
		t.Fatalf("early checkpoint of size %d, want %d", early.Size, first)
	}
	for _, u := range e.Units[5:] {
		if v, ok := tallytest.StandardVotes[u.ID]; ok {
			if tallytest.PaperUnits[u.ID] {
				e.CastPaper(t, u.ID, v)
			} else {
				e.CastOnline(t, u.ID, v)
			}
		}
	}
	res, doc := closeNow(t, e)
	vkey, err := postgres.LogVerifierKey(ctx, e.DB, e.CommunityID)
	if err != nil {
		t.Fatal(err)
	}
	final := ledger.Checkpoint{ConsultationID: e.ID(), Size: doc.Checkpoint.Size, Hash: doc.Checkpoint.Hash, Note: doc.Checkpoint.Note}
	if err := final.Verify(vkey); err != nil {
		t.Fatalf("final checkpoint: %v", err)
	}
	if res.CheckpointSize != int64(len(e.Receipts)) {
		t.Fatalf("final checkpoint has %d leaves, %d ballots were cast", res.CheckpointSize, len(e.Receipts))
	}
	for unit, receipt := range e.Receipts {
		p, err := postgres.InclusionProof(ctx, e.DB, e.ID(), receipt)
		if err != nil {
			t.Fatalf("%s: %v", unit, err)
		}
		if p.Checkpoint.Size != final.Size || p.Checkpoint.Hash != final.Hash {
			t.Errorf("%s: proof against checkpoint %d, not the final one", unit, p.Checkpoint.Size)
		}
		if err := p.Verify(vkey); err != nil {
			t.Errorf("%s: inclusion proof: %v", unit, err)
		}
		b, _ := p.Ballot()
		if b.UnitID != unit || b.Channel != string(e.Channels[unit]) || len(b.Choices) != len(e.Cast[unit]) {
			t.Errorf("%s: the proof's ballot is %+v", unit, b)
		}
	}
	cons, err := postgres.ConsistencyProof(ctx, e.DB, e.ID(), early.Size, final.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := cons.Verify(vkey); err != nil {
		t.Errorf("consistency proof: %v", err)
	}
	if found, err := postgres.AuditLedger(ctx, e.DB, e.ID()); err != nil || len(found) != 0 {
		t.Fatalf("audit of an intact log: %v %v", found, err)
	}

	// Change one counted ballot directly, the append-only trigger disabled.
	victim := "3-1-101"
	_, err = e.DB.Exec(`
		ALTER TABLE cast_choices DISABLE TRIGGER cast_choices_append_only;
		UPDATE cast_choices SET choice = 'oppose'
		WHERE consultation_id = ` + itoa(e.ID()) + ` AND unit_id = '` + victim + `' AND choice = 'agree';
		ALTER TABLE cast_choices ENABLE TRIGGER cast_choices_append_only;`)
	if err != nil {
		t.Fatal(err)
	}
	found, err := postgres.AuditLedger(ctx, e.DB, e.ID())
	if err != nil {
		t.Fatal(err)
	}
	// Its leaf and the choice set the tally counts both disagree with it.
	if len(found) != 2 || found[0].UnitID != victim || found[1].UnitID != victim {
		t.Errorf("audit after tampering found %+v, want the ballot of %s twice", found, victim)
	}
	p, err := postgres.InclusionProof(ctx, e.DB, e.ID(), e.Receipts[victim])
	if err != nil {
		t.Fatal(err)
	}
	if p.Verify(vkey) == nil {
		t.Error("the voter's inclusion proof still verifies for a changed ballot")
	}
}

func TestExtendAndLapse(t *testing.T) {
	e := newEstate(t, tallytest.Options{ClosesIn: time.Hour})
	ctx := context.Background()
	// Three of nineteen persons vote: under half.
	for _, u := range []string{"1-1-101", "2-1-101", "3-1-101"} {
		e.CastOnline(t, u, tallytest.StandardVotes[u])
	}
	by := e.Accounts.Committee
	cons := e.Consultation
	now := time.Now()
	if _, err := tally.Extend(ctx, e.DB, e.ID(), by, cons.ClosesAt.AddDate(0, 4, 0), now); err == nil {
		t.Error("extended by four months")
	}
	if _, err := tally.Extend(ctx, e.DB, e.ID(), by, cons.ClosesAt.Add(-time.Minute), now); err == nil {
		t.Error("extended to an earlier time")
	}
	rec, err := tally.Extend(ctx, e.DB, e.ID(), by, cons.ClosesAt.AddDate(0, 1, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.OriginalClosesAt.Equal(cons.ClosesAt) || rec.Turnout.Headcount != 3 {
		t.Errorf("extension record %+v", rec)
	}
	c, _ := postgres.GetConsultation(ctx, e.DB, e.ID())
	if !c.ClosesAt.Equal(cons.ClosesAt.AddDate(0, 1, 0)) {
		t.Errorf("closes at %v after the extension", c.ClosesAt)
	}
	// Too early for a second extension: the deadline is a month away.
	if _, err := tally.Extend(ctx, e.DB, e.ID(), by, c.ClosesAt.AddDate(0, 1, 0), now); !errors.Is(err, tally.ErrTooEarly) {
		t.Errorf("second extension a month early: %v", err)
	}
	_, doc := closeNow(t, e)
	ext := doc.Extension
	if ext == nil || len(ext.Steps) != 1 || !ext.Lapsed || ext.RetableFrom == nil {
		t.Fatalf("extension in the result: %+v", ext)
	}
	if want := quorum.RetableFrom(doc.ClosedAt); !ext.RetableFrom.Equal(want) {
		t.Errorf("retable from %v, want %v", ext.RetableFrom, want)
	}
	exts, err := postgres.VoteExtensions(ctx, e.DB, e.CommunityID, e.ID())
	if err != nil || len(exts) != 2 || exts[1].Kind != postgres.ExtensionLapse {
		t.Errorf("recorded extensions %+v %v", exts, err)
	}
}

func TestExtensionRefusedWhenHalfTookPart(t *testing.T) {
	e := newEstate(t, tallytest.Options{ClosesIn: time.Hour})
	e.CastStandard(t)
	_, err := tally.Extend(context.Background(), e.DB, e.ID(), e.Accounts.Committee, e.Consultation.ClosesAt.AddDate(0, 1, 0), time.Now())
	var inputErr *quorum.InputError
	if !errors.As(err, &inputErr) {
		t.Fatalf("extension with most owners voting: %v, want a quorum.InputError", err)
	}
}

func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func mustEncode(t *testing.T, d *tally.Document) []byte {
	t.Helper()
	b, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
