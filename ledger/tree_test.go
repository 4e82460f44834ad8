package ledger

import (
	"fmt"
	"math/bits"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// memLog is a log in memory: stored hashes by storage index.
type memLog struct {
	hashes []tlog.Hash
	reads  int // hashes read
}

func (m *memLog) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("memLog: no hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	m.reads += len(indexes)
	return out, nil
}

func leafHash(i int) tlog.Hash {
	return tlog.RecordHash(fmt.Appendf(nil, "leaf %d\n", i))
}

// reference builds a log of n leaves one record at a time with tlog alone.
func reference(t *testing.T, n int) *memLog {
	m := new(memLog)
	for i := range n {
		hashes, err := tlog.StoredHashesForRecordHash(int64(i), leafHash(i), m)
		if err != nil {
			t.Fatal(err)
		}
		m.hashes = append(m.hashes, hashes...)
	}
	return m
}

func TestAppendMatchesTlog(t *testing.T) {
	const n = 300
	want := reference(t, n)
	for _, batch := range []int{1, 2, 3, 7, 64, 100, n} {
		got := new(memLog)
		for size := 0; size < n; size += batch {
			k := min(batch, n-size)
			leaves := make([]tlog.Hash, k)
			for i := range leaves {
				leaves[i] = leafHash(size + i)
			}
			got.reads = 0
			stored, root, err := Append(int64(size), leaves, got)
			if err != nil {
				t.Fatalf("batch %d, size %d: %v", batch, size, err)
			}
			if got.reads > bits.Len(uint(size)) { // the old tree's frontier
				t.Errorf("batch %d, size %d: read %d hashes", batch, size, got.reads)
			}
			if int64(len(got.hashes)) != tlog.StoredHashCount(int64(size)) {
				t.Fatalf("stored %d hashes for %d leaves", len(got.hashes), size)
			}
			got.hashes = append(got.hashes, stored...)
			wantRoot, err := tlog.TreeHash(int64(size+k), want)
			if err != nil {
				t.Fatal(err)
			}
			if root != wantRoot {
				t.Errorf("batch %d, size %d: root %v, want %v", batch, size+k, root, wantRoot)
			}
		}
		if len(got.hashes) != len(want.hashes) {
			t.Fatalf("batch %d: %d hashes, want %d", batch, len(got.hashes), len(want.hashes))
		}
		for i := range want.hashes {
			if got.hashes[i] != want.hashes[i] {
				t.Fatalf("batch %d: hash %d differs", batch, i)
			}
		}
	}
}

func TestAppendEmpty(t *testing.T) {
	stored, root, err := Append(0, nil, new(memLog))
	if err != nil || len(stored) != 0 {
		t.Fatalf("Append(0, nil) = %v, %v", stored, err)
	}
	if want, _ := tlog.TreeHash(0, nil); root != want {
		t.Errorf("empty root %v, want %v", root, want)
	}
}
