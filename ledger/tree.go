package ledger

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// Append computes what appending leaves (record hashes) to a tree of n
// records adds: the hashes to store, in order, from the stored hash index
// tlog.StoredHashCount(n) on, and the root hash of the grown tree. It reads
// the tree's stored hashes from r, at most about log₂ n of them, each once.
func Append(n int64, leaves []tlog.Hash, r tlog.HashReader) (stored []tlog.Hash, root tlog.Hash, err error) {
	base := tlog.StoredHashCount(n)
	cache := make(map[int64]tlog.Hash)
	overlay := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hashes := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, x := range indexes {
			switch h, ok := cache[x]; {
			case x >= base && x-base < int64(len(stored)):
				hashes[i] = stored[x-base]
			case x >= base:
				return nil, fmt.Errorf("ledger: hash %d is not yet stored", x)
			case ok:
				hashes[i] = h
			default:
				missing = append(missing, x)
			}
		}
		if len(missing) == 0 {
			return hashes, nil
		}
		old, err := r.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		if len(old) != len(missing) {
			return nil, fmt.Errorf("ledger: ReadHashes(%d indexes) = %d hashes", len(missing), len(old))
		}
		for i, x := range missing {
			cache[x] = old[i]
		}
		for i, x := range indexes {
			if x < base {
				hashes[i] = cache[x]
			}
		}
		return hashes, nil
	})
	for i, leaf := range leaves {
		hashes, err := tlog.StoredHashesForRecordHash(n+int64(i), leaf, overlay)
		if err != nil {
			return nil, tlog.Hash{}, err
		}
		stored = append(stored, hashes...)
	}
	root, err = tlog.TreeHash(n+int64(len(leaves)), overlay)
	if err != nil {
		return nil, tlog.Hash{}, err
	}
	return stored, root, nil
}

// StoredHashes are a tree's stored hashes in memory, by stored hash index.
type StoredHashes []tlog.Hash

// ReadHashes implements tlog.HashReader.
func (s StoredHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	hashes := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(s)) {
			return nil, fmt.Errorf("ledger: no stored hash %d", x)
		}
		hashes[i] = s[x]
	}
	return hashes, nil
}
