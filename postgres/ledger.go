package postgres

// The store of the ballot log (DESIGN §6, package ledger): leaves, stored
// tree hashes, signed checkpoints and the estates' log keys.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"gongjue/ledger"
	"gongjue/secret"
)

// SequenceBatch is the number of ballots the background sequencer adds to
// a log per transaction.
const SequenceBatch = 1000

// ledgerLockClass is the first key of the transaction-scoped advisory
// locks (two-key form) that serialise the sequencing of a consultation's
// log; the second key is the consultation id.
const ledgerLockClass = 0x6c6f67 // "log"

// ledgerKeyLabel labels the sealed signer keys of estates' logs.
const ledgerKeyLabel = "log-key"

// Sequence adds to the log of a consultation up to batch counted ballots
// not yet in it, oldest cast first (then by unit id, byte-wise), and signs
// and stores a checkpoint of the grown tree, all in one transaction. It
// returns the latest checkpoint (the zero Checkpoint while the log is
// empty) and the number of ballots added. Concurrent calls for one
// consultation take turns. Before growing the log, Sequence checks that the
// stored hashes it builds on still give the latest checkpoint's root;
// AuditLedger checks them all.
func Sequence(ctx context.Context, db *DB, keys *secret.Keys, communityID, consultationID int64, batch int) (cp ledger.Checkpoint, added int, err error) {
	if batch <= 0 {
		return ledger.Checkpoint{}, 0, errors.New("ledger: batch must be positive")
	}
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, ledgerLockClass, int32(consultationID)); err != nil {
			return err
		}
		var size int64
		err := tx.GetContext(ctx, &size, `
			SELECT coalesce(max(leaf_index) + 1, 0) FROM ledger_leaves
			WHERE community_id = $1 AND consultation_id = $2`, communityID, consultationID)
		if err != nil {
			return err
		}
		cp, err = ledgerCheckpoint(ctx, tx, communityID, consultationID, 0)
		if errors.Is(err, ErrNotFound) {
			cp, err = ledger.Checkpoint{ConsultationID: consultationID}, nil
		}
		if err != nil {
			return err
		}
		if cp.Size != size {
			return fmt.Errorf("ledger: log of consultation %d has %d leaves but its latest checkpoint covers %d", consultationID, size, cp.Size)
		}
		hashes := ledgerHashReader(ctx, tx, communityID, consultationID)
		if size > 0 {
			root, err := tlog.TreeHash(size, hashes)
			if err != nil {
				return err
			}
			if root != cp.Hash {
				return fmt.Errorf("ledger: stored hashes of consultation %d do not give its latest checkpoint's root", consultationID)
			}
		}

		pending, err := ledgerPending(ctx, tx, communityID, consultationID, batch)
		if err != nil || len(pending) == 0 {
			return err
		}
		ballots, err := ledgerBallots(ctx, tx, communityID, consultationID, `AND c.unit_id = ANY ($3)`, pq.Array(pending))
		if err != nil {
			return err
		}
		if len(ballots) != len(pending) {
			return fmt.Errorf("ledger: read %d of %d ballots to log", len(ballots), len(pending))
		}
		slices.SortFunc(ballots, func(x, y ledger.Ballot) int {
			return cmp.Or(x.CastAt.Compare(y.CastAt), strings.Compare(x.UnitID, y.UnitID))
		})
		units := make([]string, len(ballots))
		leaves := make([]tlog.Hash, len(ballots))
		leafBytes := make([][]byte, len(ballots))
		for i := range ballots {
			units[i] = ballots[i].UnitID
			leaves[i] = ballots[i].LeafHash()
			leafBytes[i] = leaves[i][:]
		}
		stored, root, err := ledger.Append(size, leaves, hashes)
		if err != nil {
			return err
		}
		storedBytes := make([][]byte, len(stored))
		for i := range stored {
			storedBytes[i] = stored[i][:]
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO ledger_leaves (community_id, consultation_id, leaf_index, unit_id, leaf_hash)
			SELECT $1, $2, $3 + n - 1, u, h FROM unnest($4::text[], $5::bytea[]) WITH ORDINALITY AS t (u, h, n)`,
			communityID, consultationID, size, pq.Array(units), pq.Array(leafBytes))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO ledger_hashes (community_id, consultation_id, hash_index, hash)
			SELECT $1, $2, $3 + n - 1, h FROM unnest($4::bytea[]) WITH ORDINALITY AS t (h, n)`,
			communityID, consultationID, tlog.StoredHashCount(size), pq.Array(storedBytes))
		if err != nil {
			return err
		}

		skey, vkey, err := ledgerKey(ctx, tx, keys, communityID)
		if err != nil {
			return err
		}
		tree := tlog.Tree{N: size + int64(len(ballots)), Hash: root}
		msg, err := ledger.SignCheckpoint(skey, consultationID, tree)
		if err != nil {
			return err
		}
		cp = ledger.Checkpoint{ConsultationID: consultationID, Size: tree.N, Hash: tree.Hash, Note: msg, VerifierKey: vkey}
		added = len(ballots)
		return tx.GetContext(ctx, &cp.CreatedAt, `
			INSERT INTO ledger_checkpoints (community_id, consultation_id, tree_size, root_hash, note)
			VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
			communityID, consultationID, tree.N, tree.Hash[:], msg)
	})
	if err != nil {
		return ledger.Checkpoint{}, 0, err
	}
	return cp, added, nil
}

// SequenceAll adds every counted ballot not yet in the consultation's log
// to it, SequenceBatch at a time, and returns the latest checkpoint and
// the number of ballots added. Closing a consultation calls it so that the
// final checkpoint covers every ballot.
func SequenceAll(ctx context.Context, db *DB, keys *secret.Keys, communityID, consultationID int64) (ledger.Checkpoint, int, error) {
	total := 0
	for {
		cp, added, err := Sequence(ctx, db, keys, communityID, consultationID, SequenceBatch)
		total += added
		if err != nil || added < SequenceBatch {
			return cp, total, err
		}
	}
}

// RunSequencer adds, every interval until ctx is done, the counted ballots
// not yet in their logs to the logs of open and closed consultations.
// Casting never waits for it. It logs what it does, and its errors, with
// log/slog.
func RunSequencer(ctx context.Context, db *DB, keys *secret.Keys, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ledgerSequencePending(ctx, db, keys)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func ledgerSequencePending(ctx context.Context, db *DB, keys *secret.Keys) {
	var logs []struct {
		CommunityID    int64 `db:"community_id"`
		ConsultationID int64 `db:"id"`
	}
	err := db.SelectContext(ctx, &logs, `
		SELECT k.community_id, k.id FROM consultations k
		WHERE k.state IN ('open', 'closed')
			AND (SELECT count(*) FROM casts c
				WHERE c.community_id = k.community_id AND c.consultation_id = k.id)
			> (SELECT coalesce(max(l.leaf_index) + 1, 0) FROM ledger_leaves l
				WHERE l.community_id = k.community_id AND l.consultation_id = k.id)
		ORDER BY k.community_id, k.id`)
	if err != nil {
		if ctx.Err() == nil {
			slog.Error("ledger: finding ballots to sequence", "err", err)
		}
		return
	}
	for _, l := range logs {
		cp, added, err := SequenceAll(ctx, db, keys, l.CommunityID, l.ConsultationID)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			slog.Error("ledger: sequencing", "community", l.CommunityID, "consultation", l.ConsultationID, "err", err)
			continue
		}
		if added > 0 {
			slog.Info("ledger: sequenced", "community", l.CommunityID, "consultation", l.ConsultationID, "added", added, "size", cp.Size)
		}
	}
}

// LedgerVerifierKey returns the note verifier key of an estate's logs,
// creating the estate's key pair on first use.
func LedgerVerifierKey(ctx context.Context, db *DB, keys *secret.Keys, communityID int64) (string, error) {
	var vkey string
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var err error
		_, vkey, err = ledgerKey(ctx, tx, keys, communityID)
		return err
	})
	return vkey, err
}

// ledgerKey returns an estate's log signer and verifier keys, creating
// them on first use.
func ledgerKey(ctx context.Context, tx *sqlx.Tx, keys *secret.Keys, communityID int64) (skey, vkey string, err error) {
	var row struct {
		VerifierKey string `db:"verifier_key"`
		SignerKey   []byte `db:"signer_key"`
	}
	const get = `SELECT verifier_key, signer_key FROM ledger_keys WHERE community_id = $1`
	err = tx.GetContext(ctx, &row, get, communityID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ledgerNewKey(ctx, tx, keys, communityID)
		if err == nil {
			err = tx.GetContext(ctx, &row, get, communityID)
		}
	}
	if err != nil {
		return "", "", err
	}
	plain, err := keys.Open(ledgerKeyLabel, row.SignerKey)
	if err != nil {
		return "", "", fmt.Errorf("ledger: log key of estate %d: %w", communityID, err)
	}
	signer, err := note.NewSigner(string(plain))
	if err != nil {
		return "", "", fmt.Errorf("ledger: log key of estate %d: %w", communityID, err)
	}
	verifier, err := note.NewVerifier(row.VerifierKey)
	if err != nil || signer.Name() != ledger.KeyName(communityID) ||
		verifier.Name() != signer.Name() || verifier.KeyHash() != signer.KeyHash() {
		return "", "", fmt.Errorf("ledger: log keys of estate %d do not match", communityID)
	}
	return string(plain), row.VerifierKey, nil
}

// ledgerNewKey stores a new key pair for an estate's logs, unless a
// concurrent first use stores one first.
func ledgerNewKey(ctx context.Context, tx *sqlx.Tx, keys *secret.Keys, communityID int64) error {
	skey, vkey, err := ledger.GenerateKey(communityID)
	if err != nil {
		return err
	}
	sealed, err := keys.Seal(ledgerKeyLabel, []byte(skey))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO ledger_keys (community_id, verifier_key, signer_key) VALUES ($1, $2, $3)
		ON CONFLICT (community_id) DO NOTHING`, communityID, vkey, sealed)
	return err
}

// LatestCheckpoint returns the latest checkpoint of a consultation's log,
// or an error wrapping ErrNotFound for an unknown consultation or an
// empty log.
func LatestCheckpoint(ctx context.Context, db sqlx.QueryerContext, consultationID int64) (ledger.Checkpoint, error) {
	communityID, err := ledgerCommunity(ctx, db, consultationID)
	if err != nil {
		return ledger.Checkpoint{}, err
	}
	return ledgerCheckpoint(ctx, db, communityID, consultationID, 0)
}

// InclusionProof returns the proof that the latest checkpoint of a
// consultation's log contains the ballot of a receipt code, with the
// ballot's record data as the ballots table holds it now (which
// InclusionProof.Verify checks against the logged leaf). The error wraps
// ledger.ErrBadReceipt for a malformed code, ErrNotFound for an
// unknown consultation or receipt, and ledger.ErrPending for a ballot not
// yet in the log.
func InclusionProof(ctx context.Context, db sqlx.QueryerContext, consultationID int64, receipt string) (*ledger.InclusionProof, error) {
	salt, err := ledger.ParseReceipt(receipt)
	if err != nil {
		return nil, err
	}
	communityID, err := ledgerCommunity(ctx, db, consultationID)
	if err != nil {
		return nil, err
	}
	ballots, err := ledgerBallots(ctx, db, communityID, consultationID, `AND c.salt = $3`, salt)
	if err != nil {
		return nil, err
	}
	if len(ballots) == 0 {
		return nil, fmt.Errorf("no ballot of consultation %d has this receipt: %w", consultationID, ErrNotFound)
	}
	b := &ballots[0]
	var index int64
	err = sqlx.GetContext(ctx, db, &index, `
		SELECT leaf_index FROM ledger_leaves
		WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3`, communityID, consultationID, b.UnitID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ledger.ErrPending
	}
	if err != nil {
		return nil, err
	}
	// The checkpoint was stored with the leaf or after it, so it covers it.
	cp, err := ledgerCheckpoint(ctx, db, communityID, consultationID, 0)
	if err != nil {
		return nil, err
	}
	return ledger.ProveInclusion(cp, index, b, ledgerHashReader(ctx, db, communityID, consultationID))
}

// ConsistencyProof returns the proof that the stored checkpoint of size
// newSize of a consultation's log extends the stored checkpoint of size
// oldSize. The error wraps ErrNotFound when either is not stored.
func ConsistencyProof(ctx context.Context, db sqlx.QueryerContext, consultationID, oldSize, newSize int64) (*ledger.ConsistencyProof, error) {
	if oldSize <= 0 || newSize < oldSize {
		return nil, fmt.Errorf("ledger: no consistency proof from size %d to %d", oldSize, newSize)
	}
	communityID, err := ledgerCommunity(ctx, db, consultationID)
	if err != nil {
		return nil, err
	}
	older, err := ledgerCheckpoint(ctx, db, communityID, consultationID, oldSize)
	if err != nil {
		return nil, err
	}
	newer, err := ledgerCheckpoint(ctx, db, communityID, consultationID, newSize)
	if err != nil {
		return nil, err
	}
	return ledger.ProveConsistency(older, newer, ledgerHashReader(ctx, db, communityID, consultationID))
}

// AuditLedger re-derives every leaf of a consultation's log from the counted
// ballots (casts and cast_choices) and checks the log: what each cast
// keeps for the tally against its cast_choices and its ballot, the leaves against
// the ballots, the stored hashes against the leaves, and every checkpoint's
// signature and root against the leaves. It returns what disagrees, which
// is nothing for an intact log; counted ballots not yet in the log are
// reported too. It reads one snapshot of the database.
func AuditLedger(ctx context.Context, db *DB, consultationID int64) ([]ledger.Mismatch, error) {
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	communityID, err := ledgerCommunity(ctx, tx, consultationID)
	if err != nil {
		return nil, err
	}
	var vkey string
	err = tx.GetContext(ctx, &vkey, `SELECT verifier_key FROM ledger_keys WHERE community_id = $1`, communityID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var leafRows []struct {
		Index  int64  `db:"leaf_index"`
		UnitID string `db:"unit_id"`
		Hash   []byte `db:"leaf_hash"`
	}
	err = tx.SelectContext(ctx, &leafRows, `
		SELECT leaf_index, unit_id, leaf_hash FROM ledger_leaves
		WHERE community_id = $1 AND consultation_id = $2 ORDER BY leaf_index`, communityID, consultationID)
	if err != nil {
		return nil, err
	}
	var hashRows [][]byte
	err = tx.SelectContext(ctx, &hashRows, `
		SELECT hash FROM ledger_hashes
		WHERE community_id = $1 AND consultation_id = $2 ORDER BY hash_index`, communityID, consultationID)
	if err != nil {
		return nil, err
	}
	var cpRows []ledgerCheckpointRow
	err = tx.SelectContext(ctx, &cpRows, `
		SELECT tree_size, root_hash, note, created_at, '' AS verifier_key FROM ledger_checkpoints
		WHERE community_id = $1 AND consultation_id = $2 ORDER BY tree_size`, communityID, consultationID)
	if err != nil {
		return nil, err
	}
	ballots, err := ledgerBallots(ctx, tx, communityID, consultationID, "")
	if err != nil {
		return nil, err
	}
	// The tally counts each cast's copy of its choice set and of its
	// ballot's zone, area and shared person (migration 0007): they must be
	// the choices the leaf commits to and the ballot as issued.
	var unlike []string
	err = tx.SelectContext(ctx, &unlike, `
		SELECT k.unit_id FROM casts k
		JOIN ballots b ON b.community_id = k.community_id AND b.consultation_id = k.consultation_id AND b.unit_id = k.unit_id,
		LATERAL (
			SELECT coalesce(array_agg(x.matter_id ORDER BY x.matter_id, x.choice COLLATE "C"), '{}') AS matter_ids,
			       coalesce(array_agg(x.choice ORDER BY x.matter_id, x.choice COLLATE "C"), '{}') AS choices
			FROM cast_choices x
			WHERE x.community_id = k.community_id AND x.consultation_id = k.consultation_id AND x.unit_id = k.unit_id) s
		WHERE k.community_id = $1 AND k.consultation_id = $2
		  AND (k.matter_ids <> s.matter_ids OR k.choices <> s.choices OR k.zone <> b.zone OR k.area_centi <> b.area_centi
		       OR k.shared_person IS DISTINCT FROM CASE WHEN b.person_shared THEN b.person_key END)
		ORDER BY k.unit_id`, communityID, consultationID)
	if err != nil {
		return nil, err
	}

	var found []ledger.Mismatch
	for _, u := range unlike {
		found = append(found, ledger.Mismatch{LeafIndex: -1, UnitID: u, Problem: "what the tally counts of this cast differs from its ballot"})
	}
	whole := func(format string, args ...any) {
		found = append(found, ledger.Mismatch{LeafIndex: -1, Problem: fmt.Sprintf(format, args...)})
	}

	// The tree of the leaves as logged.
	leaves := make([]tlog.Hash, len(leafRows))
	for i, l := range leafRows {
		if l.Index != int64(i) {
			whole("leaf %d is missing", i)
			leafRows, leaves = leafRows[:i], leaves[:i]
			break
		}
		if leaves[i], err = ledgerHash(l.Hash); err != nil {
			return nil, err
		}
	}
	stored, _, err := ledger.Append(0, leaves, ledger.StoredHashes(nil))
	if err != nil {
		return nil, err
	}
	if len(hashRows) != len(stored) {
		whole("%d stored hashes for %d leaves, want %d", len(hashRows), len(leaves), len(stored))
	}
	for i := range min(len(hashRows), len(stored)) {
		if h, err := ledgerHash(hashRows[i]); err != nil || h != stored[i] {
			whole("stored hash %d differs from the leaves' tree", i)
			break
		}
	}
	tree := ledger.StoredHashes(stored)
	for _, row := range cpRows {
		cp, err := row.checkpoint(consultationID)
		if err == nil {
			err = cp.Verify(vkey)
		}
		if err != nil {
			whole("checkpoint of size %d: %v", cp.Size, err)
		}
		if cp.Size > int64(len(leaves)) {
			whole("checkpoint of size %d is larger than the log (%d leaves)", cp.Size, len(leaves))
			continue
		}
		if root, err := tlog.TreeHash(cp.Size, tree); err != nil || root != cp.Hash {
			whole("checkpoint of size %d does not match the leaves", cp.Size)
		}
	}
	if n := len(cpRows); n == 0 && len(leaves) > 0 || n > 0 && cpRows[n-1].Size != int64(len(leaves)) {
		whole("the latest checkpoint does not cover all %d leaves", len(leaves))
	}

	// The leaves against the ballots.
	byUnit := make(map[string]*ledger.Ballot, len(ballots))
	for i := range ballots {
		byUnit[ballots[i].UnitID] = &ballots[i]
	}
	for i, l := range leafRows {
		b := byUnit[l.UnitID]
		delete(byUnit, l.UnitID)
		switch {
		case b == nil:
			found = append(found, ledger.Mismatch{LeafIndex: int64(i), UnitID: l.UnitID, Problem: "no counted ballot for this leaf"})
		case b.LeafHash() != leaves[i]:
			found = append(found, ledger.Mismatch{LeafIndex: int64(i), UnitID: l.UnitID, Problem: "the counted ballot differs from its leaf"})
		}
	}
	for _, b := range ballots {
		if byUnit[b.UnitID] != nil {
			found = append(found, ledger.Mismatch{LeafIndex: -1, UnitID: b.UnitID, Problem: "counted ballot not yet in the log"})
		}
	}
	return found, nil
}

// ledgerPending returns the units of up to batch counted ballots of a
// consultation that are not yet in its log, oldest cast first, then by unit
// id.
//
// It reads the two tables separately and joins them here: while the
// statistics do not yet know a new consultation's rows, an anti-join of
// casts and ledger_leaves (however written) may be planned to scan the
// consultation's log once for every ballot.
func ledgerPending(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, batch int) ([]string, error) {
	var logged []string
	err := tx.SelectContext(ctx, &logged, `
		SELECT unit_id FROM ledger_leaves WHERE community_id = $1 AND consultation_id = $2`,
		communityID, consultationID)
	if err != nil {
		return nil, err
	}
	type cast struct {
		UnitID string    `db:"unit_id"`
		CastAt time.Time `db:"cast_at"`
	}
	var casts []cast
	err = tx.SelectContext(ctx, &casts, `
		SELECT unit_id, cast_at FROM casts WHERE community_id = $1 AND consultation_id = $2`,
		communityID, consultationID)
	if err != nil || len(casts) == len(logged) {
		return nil, err
	}
	done := make(map[string]bool, len(logged))
	for _, u := range logged {
		done[u] = true
	}
	casts = slices.DeleteFunc(casts, func(c cast) bool { return done[c.UnitID] })
	slices.SortFunc(casts, func(x, y cast) int {
		return cmp.Or(x.CastAt.Compare(y.CastAt), strings.Compare(x.UnitID, y.UnitID))
	})
	units := make([]string, min(batch, len(casts)))
	for i := range units {
		units[i] = casts[i].UnitID
	}
	return units, nil
}

// ledgerCommunity returns the estate of a consultation.
func ledgerCommunity(ctx context.Context, db sqlx.QueryerContext, consultationID int64) (int64, error) {
	var communityID int64
	err := sqlx.GetContext(ctx, db, &communityID, `SELECT community_id FROM consultations WHERE id = $1`, consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("consultation %d: %w", consultationID, ErrNotFound)
	}
	return communityID, err
}

// ledgerCheckpoint returns the stored checkpoint of the given size of a
// consultation's log, or the latest one for size 0.
func ledgerCheckpoint(ctx context.Context, db sqlx.QueryerContext, communityID, consultationID, size int64) (ledger.Checkpoint, error) {
	var rows []ledgerCheckpointRow
	err := sqlx.SelectContext(ctx, db, &rows, `
		SELECT k.tree_size, k.root_hash, k.note, k.created_at, coalesce(lk.verifier_key, '') AS verifier_key
		FROM ledger_checkpoints k LEFT JOIN ledger_keys lk ON lk.community_id = k.community_id
		WHERE k.community_id = $1 AND k.consultation_id = $2 AND (k.tree_size = $3 OR $3 = 0)
		ORDER BY k.tree_size DESC LIMIT 1`, communityID, consultationID, size)
	switch {
	case err != nil:
		return ledger.Checkpoint{}, err
	case len(rows) == 0 && size == 0:
		return ledger.Checkpoint{}, fmt.Errorf("no checkpoint yet for consultation %d: %w", consultationID, ErrNotFound)
	case len(rows) == 0:
		return ledger.Checkpoint{}, fmt.Errorf("no checkpoint of size %d for consultation %d: %w", size, consultationID, ErrNotFound)
	}
	return rows[0].checkpoint(consultationID)
}

// A ledgerCheckpointRow is a row of ledger_checkpoints, with the estate's
// verifier key.
type ledgerCheckpointRow struct {
	Size        int64     `db:"tree_size"`
	Hash        []byte    `db:"root_hash"`
	Note        string    `db:"note"`
	CreatedAt   time.Time `db:"created_at"`
	VerifierKey string    `db:"verifier_key"`
}

func (r *ledgerCheckpointRow) checkpoint(consultationID int64) (ledger.Checkpoint, error) {
	h, err := ledgerHash(r.Hash)
	return ledger.Checkpoint{
		ConsultationID: consultationID,
		Size:           r.Size,
		Hash:           h,
		Note:           r.Note,
		VerifierKey:    r.VerifierKey,
		CreatedAt:      r.CreatedAt,
	}, err
}

// ledgerHash returns a stored hash as a tlog.Hash.
func ledgerHash(b []byte) (tlog.Hash, error) {
	if len(b) != tlog.HashSize {
		return tlog.Hash{}, fmt.Errorf("ledger: stored hash of %d bytes", len(b))
	}
	return tlog.Hash(b), nil
}

// ledgerHashReader reads the stored hashes of a consultation's log.
func ledgerHashReader(ctx context.Context, db sqlx.QueryerContext, communityID, consultationID int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		if len(indexes) == 0 {
			return nil, nil
		}
		rows, err := db.QueryContext(ctx, `
			SELECT hash_index, hash FROM ledger_hashes
			WHERE community_id = $1 AND consultation_id = $2 AND hash_index = ANY ($3)`,
			communityID, consultationID, pq.Array(indexes))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		byIndex := make(map[int64]tlog.Hash, len(indexes))
		for rows.Next() {
			var x int64
			var h []byte
			if err := rows.Scan(&x, &h); err != nil {
				return nil, err
			}
			if byIndex[x], err = ledgerHash(h); err != nil {
				return nil, err
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		hashes := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			h, ok := byIndex[x]
			if !ok {
				return nil, fmt.Errorf("ledger: consultation %d has no stored hash %d", consultationID, x)
			}
			hashes[i] = h
		}
		return hashes, nil
	})
}

// ledgerBallots returns counted ballots of a consultation with their
// choices, in no particular order. cond continues the WHERE clause on the
// casts c of the consultation ($1 and $2); args are its parameters from $3
// on.
//
// Ballots and choices are read by two queries and joined here (see
// ledgerPending); a paper ballot's original, uploaded before its entry was
// confirmed and never changed, comes with its cast. The casting code writes a ballot's casts
// row and its cast_choices rows in one transaction, and neither ever
// changes, so the second query sees exactly the choices of the ballots
// the first one saw.
func ledgerBallots(ctx context.Context, db sqlx.QueryerContext, communityID, consultationID int64, cond string, args ...any) ([]ledger.Ballot, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT c.unit_id, c.channel, c.cast_at, c.salt, o.sha256 FROM casts c
		LEFT JOIN paper_originals o ON o.community_id = c.community_id AND o.entry_id = c.paper_entry_id AND o.kind = 'ballot'
		WHERE c.community_id = $1 AND c.consultation_id = $2 `+cond,
		append([]any{communityID, consultationID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ballots []ledger.Ballot
	for rows.Next() {
		b := ledger.Ballot{ConsultationID: consultationID}
		if err := rows.Scan(&b.UnitID, &b.Channel, &b.CastAt, &b.Salt, &b.Original); err != nil {
			return nil, err
		}
		ballots = append(ballots, b)
	}
	if err := rows.Err(); err != nil || len(ballots) == 0 {
		return nil, err
	}
	rows.Close()

	byUnit := make(map[string]*ledger.Ballot, len(ballots))
	units := make([]string, len(ballots))
	for i := range ballots {
		byUnit[ballots[i].UnitID] = &ballots[i]
		units[i] = ballots[i].UnitID
	}
	// Through matters, so that the lookup walks cast_choices' primary key
	// (community, consultation, matter, unit) rather than the consultation.
	rows, err = db.QueryContext(ctx, `
		SELECT x.unit_id, x.matter_id, x.choice FROM matters m
		JOIN cast_choices x ON x.community_id = m.community_id AND x.consultation_id = m.consultation_id AND x.matter_id = m.id
		WHERE m.community_id = $1 AND m.consultation_id = $2 AND x.unit_id = ANY ($3)`,
		communityID, consultationID, pq.Array(units))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var unit string
		var c ledger.Choice
		if err := rows.Scan(&unit, &c.MatterID, &c.Choice); err != nil {
			return nil, err
		}
		if b := byUnit[unit]; b != nil {
			b.Choices = append(b.Choices, c)
		}
	}
	return ballots, rows.Err()
}
