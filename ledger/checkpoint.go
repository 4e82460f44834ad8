package ledger

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// KeyName returns the name of the note key that signs the checkpoints of
// every consultation log of an estate: gongjue.estate-<communityID>.
func KeyName(communityID int64) string {
	return fmt.Sprintf("gongjue.estate-%d", communityID)
}

// GenerateKey returns a new Ed25519 note key pair for an estate: the
// signer key skey, which must be kept secret (stored sealed), and the
// verifier key vkey, which is public.
func GenerateKey(communityID int64) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, KeyName(communityID))
}

// CheckpointText returns the text that a checkpoint of a consultation's
// log signs: tlog.FormatTree(tree) followed by the line
//
//	gongjue consultation C
//
// which binds the tree to its consultation, since one estate key signs the
// logs of all the estate's consultations. (tlog.ParseTree ignores lines
// after the tree.)
func CheckpointText(consultationID int64, tree tlog.Tree) []byte {
	return fmt.Appendf(tlog.FormatTree(tree), "gongjue consultation %d\n", consultationID)
}

// SignCheckpoint returns the signed note of the checkpoint for tree in the
// consultation's log, signed with the estate's signer key skey.
func SignCheckpoint(skey string, consultationID int64, tree tlog.Tree) (string, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return "", err
	}
	msg, err := note.Sign(&note.Note{Text: string(CheckpointText(consultationID, tree))}, signer)
	return string(msg), err
}

// OpenCheckpoint verifies the signed note msg with the verifier key vkey
// and returns the tree it describes, which must be of the consultation's
// log.
func OpenCheckpoint(msg, vkey string, consultationID int64) (tlog.Tree, error) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return tlog.Tree{}, err
	}
	n, err := note.Open([]byte(msg), note.VerifierList(verifier))
	if err != nil {
		return tlog.Tree{}, err
	}
	tree, err := tlog.ParseTree([]byte(n.Text))
	if err != nil {
		return tlog.Tree{}, err
	}
	if n.Text != string(CheckpointText(consultationID, tree)) {
		return tlog.Tree{}, fmt.Errorf("ledger: checkpoint is not of consultation %d", consultationID)
	}
	return tree, nil
}

// A Checkpoint is a signed statement of a consultation log's size and root
// hash.
type Checkpoint struct {
	ConsultationID int64     `json:"consultation_id"`
	Size           int64     `json:"size"` // number of leaves
	Hash           tlog.Hash `json:"hash"` // root hash, base64 in JSON
	Note           string    `json:"note"` // signed note of CheckpointText
	// VerifierKey is the estate's note verifier key, as the server states
	// it. Verifiers should check against a key obtained independently,
	// such as the one printed on the result notice.
	VerifierKey string    `json:"verifier_key"`
	CreatedAt   time.Time `json:"created_at"`
}

// Verify checks that c.Note is signed with the verifier key vkey and
// describes c's tree.
func (c *Checkpoint) Verify(vkey string) error {
	tree, err := OpenCheckpoint(c.Note, vkey, c.ConsultationID)
	if err != nil {
		return err
	}
	if tree != (tlog.Tree{N: c.Size, Hash: c.Hash}) {
		return errors.New("ledger: checkpoint note does not match its size and hash")
	}
	return nil
}

// An InclusionProof proves that a checkpoint's tree contains the leaf of a
// ballot.
type InclusionProof struct {
	Checkpoint Checkpoint       `json:"checkpoint"`
	Index      int64            `json:"index"`     // leaf index
	LeafHash   tlog.Hash        `json:"leaf_hash"` // the leaf as logged
	Record     string           `json:"record"`    // the ballot's record data
	Proof      tlog.RecordProof `json:"proof"`
}

// ProveInclusion returns the proof that cp's tree contains the leaf at
// index, which is to be the leaf of the ballot b. It reads the tree's
// hashes, the leaf included, from r; it does not check that the leaf is
// b's: [InclusionProof.Verify] does.
func ProveInclusion(cp Checkpoint, index int64, b *Ballot, r tlog.HashReader) (*InclusionProof, error) {
	if index < 0 || index >= cp.Size {
		return nil, fmt.Errorf("ledger: leaf %d is not in a tree of size %d", index, cp.Size)
	}
	leaf, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return nil, err
	}
	if len(leaf) != 1 {
		return nil, fmt.Errorf("ledger: ReadHashes(1 index) = %d hashes", len(leaf))
	}
	proof, err := tlog.ProveRecord(cp.Size, index, r)
	if err != nil {
		return nil, err
	}
	return &InclusionProof{Checkpoint: cp, Index: index, LeafHash: leaf[0], Record: string(b.Record()), Proof: proof}, nil
}

// Verify checks that the checkpoint is signed with vkey, that the record
// hashes to the leaf, and that the checkpoint's tree contains the leaf.
func (p *InclusionProof) Verify(vkey string) error {
	if err := p.Checkpoint.Verify(vkey); err != nil {
		return err
	}
	if tlog.RecordHash([]byte(p.Record)) != p.LeafHash {
		return errors.New("ledger: the ballot as recorded now does not match its leaf in the log")
	}
	return tlog.CheckRecord(p.Proof, p.Checkpoint.Size, p.Checkpoint.Hash, p.Index, p.LeafHash)
}

// Ballot returns the ballot in p.Record.
func (p *InclusionProof) Ballot() (*Ballot, error) {
	return ParseRecord([]byte(p.Record))
}

// A ConsistencyProof proves that the tree of a newer checkpoint extends the
// tree of an older one: the log only grew in between.
type ConsistencyProof struct {
	Old   Checkpoint     `json:"old"`
	New   Checkpoint     `json:"new"`
	Proof tlog.TreeProof `json:"proof"`
}

// ProveConsistency returns the proof that the tree of newer contains the
// tree of older, reading the tree's hashes from r.
func ProveConsistency(older, newer Checkpoint, r tlog.HashReader) (*ConsistencyProof, error) {
	proof, err := tlog.ProveTree(newer.Size, older.Size, r)
	if err != nil {
		return nil, err
	}
	return &ConsistencyProof{Old: older, New: newer, Proof: proof}, nil
}

// Verify checks that both checkpoints are of one consultation and signed
// with vkey, and that the newer tree contains the older.
func (p *ConsistencyProof) Verify(vkey string) error {
	if p.Old.ConsultationID != p.New.ConsultationID {
		return errors.New("ledger: checkpoints of different consultations")
	}
	if err := p.Old.Verify(vkey); err != nil {
		return err
	}
	if err := p.New.Verify(vkey); err != nil {
		return err
	}
	return tlog.CheckTree(p.Proof, p.New.Size, p.New.Hash, p.Old.Size, p.Old.Hash)
}
