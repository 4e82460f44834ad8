package ledger

import (
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

func TestCheckpointSignOpen(t *testing.T) {
	skey, vkey, err := GenerateKey(7)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vkey, "gongjue.estate-7+") {
		t.Errorf("verifier key %q not named for estate 7", vkey)
	}
	tree := tlog.Tree{N: 3, Hash: leafHash(1)}
	msg, err := SignCheckpoint(skey, 42, tree)
	if err != nil {
		t.Fatal(err)
	}
	wantText := "go.sum database tree\n3\n" + tree.Hash.String() + "\ngongjue consultation 42\n\n— gongjue.estate-7 "
	if !strings.HasPrefix(msg, wantText) {
		t.Errorf("note =\n%s\nwant prefix\n%s", msg, wantText)
	}
	got, err := OpenCheckpoint(msg, vkey, 42)
	if err != nil || got != tree {
		t.Fatalf("OpenCheckpoint = %v, %v; want %v", got, err, tree)
	}
	if _, err := OpenCheckpoint(msg, vkey, 43); err == nil {
		t.Error("checkpoint of consultation 42 opened as 43's")
	}
	_, other, _ := GenerateKey(7)
	if _, err := OpenCheckpoint(msg, other, 42); err == nil {
		t.Error("checkpoint opened with another key")
	}
	forged := strings.Replace(msg, "\n3\n", "\n4\n", 1)
	if _, err := OpenCheckpoint(forged, vkey, 42); err == nil {
		t.Error("altered checkpoint opened")
	}
}

func TestProofs(t *testing.T) {
	skey, vkey, err := GenerateKey(1)
	if err != nil {
		t.Fatal(err)
	}
	ballots := make([]Ballot, 21)
	m := new(memLog)
	var cps []Checkpoint
	for i := range ballots {
		b := testBallot()
		b.UnitID = strings.Repeat("x", i+1)
		b.Salt = NewSalt()
		ballots[i] = b
		stored, root, err := Append(int64(i), []tlog.Hash{b.LeafHash()}, m)
		if err != nil {
			t.Fatal(err)
		}
		m.hashes = append(m.hashes, stored...)
		tree := tlog.Tree{N: int64(i + 1), Hash: root}
		note, err := SignCheckpoint(skey, b.ConsultationID, tree)
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, Checkpoint{ConsultationID: b.ConsultationID, Size: tree.N, Hash: tree.Hash, Note: note})
	}
	last := cps[len(cps)-1]
	for i := range ballots {
		p, err := ProveInclusion(last, int64(i), &ballots[i], m)
		if err != nil {
			t.Fatal(err)
		}
		// Through JSON, as a voter's browser gets it.
		js, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var q InclusionProof
		if err := json.Unmarshal(js, &q); err != nil {
			t.Fatal(err)
		}
		if err := q.Verify(vkey); err != nil {
			t.Errorf("leaf %d: %v\n%s", i, err, js)
		}
		if b, err := q.Ballot(); err != nil || b.UnitID != ballots[i].UnitID {
			t.Errorf("leaf %d: Ballot() = %+v, %v", i, b, err)
		}
	}
	changed := ballots[5]
	changed.Choices = []Choice{{7, "oppose"}, {8, "蒂森"}}
	p, err := ProveInclusion(last, 5, &changed, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(vkey); err == nil {
		t.Error("proof for a changed ballot verified")
	}
	for _, old := range []int{0, 4, 15, 20} {
		p, err := ProveConsistency(cps[old], last, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(vkey); err != nil {
			t.Errorf("consistency %d→%d: %v", cps[old].Size, last.Size, err)
		}
	}
	bad := &ConsistencyProof{Old: cps[3], New: last}
	bad.Old.Hash = leafHash(0)
	if err := bad.Verify(vkey); err == nil {
		t.Error("consistency proof with a wrong old hash verified")
	}
}
