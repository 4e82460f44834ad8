package tally

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"gongjue/procedure"
	"gongjue/quorum"
)

// Document is the frozen result of a consultation (DESIGN §7): what closing
// stores, as the canonical JSON written by Encode, and hashes. It carries
// everything the result notice prints, so the notice is rendered from the
// stored bytes alone and never from a recount.
type Document struct {
	Consultation Consultation `json:"consultation"`
	ClosedAt     time.Time    `json:"closed_at"`
	// ClosedBy is "committee" when an account closed the vote, "automatic"
	// when the closer did at the closing time.
	ClosedBy   string     `json:"closed_by"`
	Checkpoint Checkpoint `json:"checkpoint"`
	// Extension is present when the vote was extended (DESIGN §3.4).
	Extension *Extension `json:"extension,omitempty"`
	// RejectedAtClose lists the paper entries still unconfirmed at the
	// automatic close, rejected then and not counted (DESIGN §5.4).
	RejectedAtClose []RejectedEntry `json:"rejected_at_close,omitempty"`
	Matters         []Matter        `json:"matters"`
}

// Consultation is what the result records of the vote it decides.
type Consultation struct {
	ID          int64       `json:"id"`
	CommunityID int64       `json:"community_id"`
	Community   string      `json:"community"`
	Address     string      `json:"address,omitempty"`
	Title       string      `json:"title"`
	Description string      `json:"description,omitempty"`
	Scope       Scope       `json:"scope"`
	Veto        quorum.Veto `json:"veto"`
	Round       int         `json:"round"`
	OpensAt     time.Time   `json:"opens_at"`
	ClosesAt    time.Time   `json:"closes_at"` // the closing time in force, after any extension
	// Procedure is the rules of procedure the vote was decided under, as
	// frozen at opening (§3.6). Results frozen before it was recorded
	// have none; their bytes stay as stored.
	Procedure *procedure.Applied `json:"procedure,omitempty"`
}

// Scope is the part of the estate a consultation concerns; all empty is
// the whole estate.
type Scope struct {
	Zone     string `json:"zone,omitempty"`
	Building string `json:"building,omitempty"`
	Entrance string `json:"entrance,omitempty"`
}

// Checkpoint is the ballot log's final signed checkpoint, taken at closing.
// Size 0 (no note) when nobody voted.
type Checkpoint struct {
	Size        int64     `json:"size"`
	Hash        tlog.Hash `json:"hash"`
	Note        string    `json:"note,omitempty"`
	VerifierKey string    `json:"verifier_key,omitempty"`
}

// Extension records how a vote that missed participation was extended and,
// when it still missed it, that it lapsed (DESIGN §3.4).
type Extension struct {
	OriginalClosesAt time.Time       `json:"original_closes_at"`
	Steps            []ExtensionStep `json:"steps"`
	// Lapsed: the extended vote still missed participation, so its matters
	// end without a verdict and may not be tabled again before
	// RetableFrom without a 2/3 committee decision.
	Lapsed      bool       `json:"lapsed"`
	RetableFrom *time.Time `json:"retable_from,omitempty"`
}

// ExtensionStep is one extension of the closing time.
type ExtensionStep struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	At   time.Time `json:"at"`
}

// Matter kinds.
const (
	KindApprove  = "approve"
	KindChoice   = "choice"
	KindElection = "election"
)

// Matter is one matter and its verdict. Result is a *quorum.Result (the §4
// object) for an approve matter, a *ChoiceResult or an *ElectionResult.
type Matter struct {
	ID          int64           `json:"id"`
	Position    int             `json:"position"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Kind        string          `json:"kind"`
	Category    string          `json:"category"`
	Rules       json.RawMessage `json:"rules"` // as the matter states them: a preset name or a rule object
	Rule        quorum.Rule     `json:"rule"`  // the rule resolved to its four fractions
	Options     []string        `json:"options,omitempty"`
	Seats       int             `json:"seats,omitempty"`
	Result      any             `json:"result"`
}

// ChoiceResult is the verdict of a choice matter: for every option the §4
// object of the rule evaluated as if a ballot for the option were agree, a
// ballot for another option oppose, and an abstaining or spoiled ballot
// abstain. Winner is empty when the matter is undecided.
type ChoiceResult struct {
	Mode    quorum.ChoiceMode         `json:"mode"`
	Options map[string]*quorum.Result `json:"options"`
	Decided bool                      `json:"decided"`
	Winner  string                    `json:"winner,omitempty"`
}

// ElectionResult is the verdict of an election: for every candidate the §4
// object (a ballot approving the candidate is agree, one approving only
// others oppose, a blank one abstain) and whether elected.
type ElectionResult struct {
	Seats      int                         `json:"seats"`
	Candidates map[string]*CandidateResult `json:"candidates"`
	Elected    []string                    `json:"elected"` // strongest first
	Tied       []string                    `json:"tied,omitempty"`
	Vacant     int                         `json:"vacant"`
}

// CandidateResult is the §4 object of one candidate and whether elected.
type CandidateResult struct {
	quorum.Result
	Elected bool `json:"elected"`
}

// Approve returns the verdict of an approve matter, or nil.
func (m *Matter) Approve() *quorum.Result { r, _ := m.Result.(*quorum.Result); return r }

// Choice returns the verdict of a choice matter, or nil.
func (m *Matter) Choice() *ChoiceResult { r, _ := m.Result.(*ChoiceResult); return r }

// Election returns the verdict of an election, or nil.
func (m *Matter) Election() *ElectionResult { r, _ := m.Result.(*ElectionResult); return r }

// Turnout is the participation of the matter's whole population: the
// eligible and participating totals, which are the same for every option
// or candidate. ok is false for a matter without a result.
func (m *Matter) Turnout() (o quorum.Outcome, ok bool) {
	switch r := m.Result.(type) {
	case *quorum.Result:
		return r.Overall, r != nil
	case *ChoiceResult:
		for _, opt := range m.Options {
			if or := r.Options[opt]; or != nil {
				return or.Overall, true
			}
		}
	case *ElectionResult:
		for _, c := range m.Options {
			if cr := r.Candidates[c]; cr != nil {
				return cr.Overall, true
			}
		}
	}
	return quorum.Outcome{}, false
}

// Passed reports the matter's verdict in one word: an approve matter passed,
// a choice matter has a winner, an election filled at least one seat.
func (m *Matter) Passed() bool {
	switch r := m.Result.(type) {
	case *quorum.Result:
		return r != nil && r.Passed
	case *ChoiceResult:
		return r != nil && r.Decided
	case *ElectionResult:
		return r != nil && len(r.Elected) > 0
	}
	return false
}

// UnmarshalJSON decodes a matter, reading its result by its kind.
func (m *Matter) UnmarshalJSON(data []byte) error {
	type plain Matter
	var w struct {
		plain
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*m = Matter(w.plain)
	switch m.Kind {
	case KindApprove:
		m.Result = new(quorum.Result)
	case KindChoice:
		m.Result = new(ChoiceResult)
	case KindElection:
		m.Result = new(ElectionResult)
	default:
		return fmt.Errorf("tally: matter %d: unknown kind %q", m.ID, m.Kind)
	}
	return json.Unmarshal(w.Result, m.Result)
}

// Encode returns the document's canonical JSON: encoding/json's output,
// which is deterministic (struct fields in declaration order, map keys
// sorted), with times in UTC at microsecond precision as PostgreSQL keeps
// them. The same document always encodes to the same bytes.
func (d *Document) Encode() ([]byte, error) {
	c := *d
	c.ClosedAt = canonicalTime(c.ClosedAt)
	c.Consultation.OpensAt = canonicalTime(c.Consultation.OpensAt)
	c.Consultation.ClosesAt = canonicalTime(c.Consultation.ClosesAt)
	if e := c.Extension; e != nil {
		ce := *e
		ce.OriginalClosesAt = canonicalTime(ce.OriginalClosesAt)
		ce.Steps = make([]ExtensionStep, len(e.Steps))
		for i, s := range e.Steps {
			ce.Steps[i] = ExtensionStep{From: canonicalTime(s.From), To: canonicalTime(s.To), At: canonicalTime(s.At)}
		}
		if ce.RetableFrom != nil {
			t := canonicalTime(*ce.RetableFrom)
			ce.RetableFrom = &t
		}
		c.Extension = &ce
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func canonicalTime(t time.Time) time.Time { return t.UTC().Round(time.Microsecond) }

// Decode reads a document written by Encode.
func Decode(data []byte) (*Document, error) {
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("tally: decoding result: %w", err)
	}
	return &d, nil
}

// Hash is the hex SHA-256 of a result's stored bytes.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func sha256Sum(data []byte) []byte {
	sum := sha256.Sum256(data)
	return sum[:]
}

// SpoiledAbstain reports whether spoiled ballots counted as abstentions,
// as they do without registered rules of procedure (DESIGN §3.5).
func (d *Document) SpoiledAbstain() bool {
	p := d.Consultation.Procedure
	return p == nil || p.Settings.Spoiled == "" || p.Settings.Spoiled == quorum.SpoiledAbstain
}
