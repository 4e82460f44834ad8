// Package tally closes consultations and freezes their results (DESIGN
// §7): one SQL aggregation of the counted ballots (inputs.go) gives the
// quorum inputs of every matter, package quorum decides them, and the
// result is stored once, as canonical JSON with its SHA-256, together with
// the ballot log's final checkpoint. A frozen result is never recomputed.
package tally

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/secret"
	"gongjue/staff"
)

// Errors of closing and extending.
var (
	ErrAlreadyClosed = errors.New("tally: the consultation is already closed")
	ErrNotOpen       = errors.New("tally: the consultation has not been opened")
	ErrNotDue        = errors.New("tally: the closing time has not come")
)

// CloseOptions say who closes and how.
type CloseOptions struct {
	// By is the committee account closing the vote; nil for the automatic
	// close at the closing time.
	By *staff.Account
	// NoticePeriodDays is the notice period (公示期) printed on the notice;
	// 0 means the rules of procedure's notice_days (postgres.CreateNotice).
	NoticePeriodDays int
	// Now is when the automatic close judges a vote due; zero means
	// time.Now(). The closing time recorded is always the database's
	// clock once the close holds the consultation (postgres.MarkClosed).
	Now time.Time
}

// Close closes an open consultation and freezes its result: it stops
// casting (state closed), brings the ballot log up to date and takes its
// final checkpoint, aggregates the counted ballots, decides every matter,
// and stores the result as canonical JSON with its SHA-256 together with
// the checkpoint and a new, unsigned notice. The result is frozen only
// when the log covers exactly the counted ballots. A consultation left
// closed without a result (a close interrupted half-way) is finished.
// Errors: ErrAlreadyClosed, ErrNotOpen, ErrNotDue (automatic close before
// the closing time), *EarlyCloseError, *PendingPaperError (guardClose),
// postgres.ErrNotFound.
func Close(ctx context.Context, db *postgres.DB, keys *secret.Keys, consultationID int64, opts CloseOptions) (postgres.StoredResult, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	period := opts.NoticePeriodDays // 0: the frozen rules' notice_days
	var info postgres.ClosingInfo
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var err error
		if info, err = postgres.LockForClosing(ctx, tx, consultationID); err != nil {
			return err
		}
		if opts.By != nil && !opts.By.InCommunity(info.CommunityID) {
			return postgres.ErrNotFound
		}
		switch info.State {
		case "draft":
			return ErrNotOpen
		case "noticed":
			return ErrAlreadyClosed
		case "closed":
			if _, err := postgres.GetResult(ctx, tx, consultationID); err == nil {
				return ErrAlreadyClosed
			} else if !errors.Is(err, postgres.ErrNotFound) {
				return err
			}
			return nil // finish an interrupted close
		}
		if opts.By == nil && now.Before(info.ClosesAt) {
			return ErrNotDue
		}
		if err := guardClose(ctx, tx, info, opts.By == nil, now); err != nil {
			return err
		}
		closedAt, _, err := postgres.MarkClosed(ctx, tx, info.CommunityID, consultationID)
		info.ClosedAt = sql.NullTime{Time: closedAt, Valid: true}
		return err
	})
	if err != nil {
		return postgres.StoredResult{}, err
	}
	var closedBy sql.NullInt64
	if opts.By != nil {
		closedBy = sql.NullInt64{Int64: opts.By.ID, Valid: true}
	}
	// No cast commits after MarkClosed's, so the log brought up to date
	// now covers every counted ballot.
	if _, _, err := postgres.SequenceAll(ctx, db, keys, info.CommunityID, consultationID); err != nil {
		return postgres.StoredResult{}, fmt.Errorf("tally: bringing the ballot log up to date: %w", err)
	}
	var res postgres.StoredResult
	err = db.Transact(ctx, sql.LevelRepeatableRead, func(tx *sqlx.Tx) error {
		var err error
		res, err = freeze(ctx, tx, consultationID, closedBy, period)
		return err
	})
	return res, err
}

var errLogBehind = errors.New("tally: the ballot log does not yet cover every counted ballot")

// freeze computes and stores the result of a closed consultation in tx, a
// repeatable-read transaction, so the checkpoint, the ballot count and the
// aggregation all see the same ballots.
func freeze(ctx context.Context, tx *sqlx.Tx, consultationID int64, closedBy sql.NullInt64, periodDays int) (postgres.StoredResult, error) {
	if err := TuneSession(ctx, tx); err != nil {
		return postgres.StoredResult{}, err
	}
	info, err := postgres.LockForClosing(ctx, tx, consultationID)
	if err != nil {
		return postgres.StoredResult{}, err
	}
	if info.State != "closed" {
		return postgres.StoredResult{}, ErrAlreadyClosed
	}
	if _, err := postgres.GetResult(ctx, tx, consultationID); err == nil {
		return postgres.StoredResult{}, ErrAlreadyClosed
	} else if !errors.Is(err, postgres.ErrNotFound) {
		return postgres.StoredResult{}, err
	}
	casts, leaves, err := postgres.LogCoverage(ctx, tx, info.CommunityID, consultationID)
	if err != nil {
		return postgres.StoredResult{}, err
	}
	if casts != leaves {
		return postgres.StoredResult{}, errLogBehind
	}
	var cp Checkpoint
	switch lc, err := postgres.LatestCheckpoint(ctx, tx, consultationID); {
	case err == nil:
		cp = Checkpoint{Size: lc.Size, Hash: lc.Hash, Note: lc.Note, VerifierKey: lc.VerifierKey}
	case errors.Is(err, postgres.ErrNotFound):
	default:
		return postgres.StoredResult{}, err
	}
	if cp.Size != leaves {
		return postgres.StoredResult{}, errLogBehind
	}
	doc, err := Compute(ctx, tx, info)
	if err != nil {
		return postgres.StoredResult{}, err
	}
	doc.ClosedAt = info.ClosedAt.Time
	doc.ClosedBy = "automatic"
	if closedBy.Valid {
		doc.ClosedBy = "committee"
	}
	doc.Checkpoint = cp
	if doc.RejectedAtClose, err = rejectedAtClose(ctx, tx, info.CommunityID, consultationID); err != nil {
		return postgres.StoredResult{}, err
	}
	if e := doc.Extension; e != nil && e.Lapsed {
		turnout, _ := json.Marshal(firstTurnout(doc))
		err := postgres.InsertExtension(ctx, tx, postgres.VoteExtension{
			CommunityID: info.CommunityID, ConsultationID: consultationID, Kind: postgres.ExtensionLapse,
			OriginalClosesAt: e.OriginalClosesAt, OldClosesAt: info.ClosesAt,
			RetableFrom: sql.NullTime{Time: *e.RetableFrom, Valid: true}, Turnout: turnout,
			DecidedAt: doc.ClosedAt,
		})
		if err != nil {
			return postgres.StoredResult{}, err
		}
	}
	data, err := doc.Encode()
	if err != nil {
		return postgres.StoredResult{}, err
	}
	sum := sha256Sum(data)
	res := postgres.StoredResult{
		CommunityID: info.CommunityID, ConsultationID: consultationID, JSON: data, SHA256: sum,
		ClosedAt: doc.ClosedAt, ClosedBy: closedBy,
		CheckpointSize: cp.Size, CheckpointHash: cp.Hash[:], CheckpointNote: cp.Note, State: "closed",
	}
	if err := postgres.InsertResult(ctx, tx, res); err != nil {
		return postgres.StoredResult{}, err
	}
	if _, err := postgres.CreateNotice(ctx, tx, info.CommunityID, consultationID, periodDays); err != nil {
		return postgres.StoredResult{}, err
	}
	return res, nil
}

// TuneSession gives the transaction that aggregates a consultation's
// ballots the sort and hash memory the aggregation needs (a vote of
// 100,000 units spills to disk under PostgreSQL's default 4 MB), and turns
// off JIT compilation, which costs more than the sub-second query it would
// speed up once a large estate's plan crosses jit_above_cost.
func TuneSession(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, `SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`)
	return err
}

// Compute decides a consultation from its counted ballots as they stand in
// q's snapshot: the document of Close without the closing time, closer and
// checkpoint. The ballots are aggregated by Load (inputs.go), the single
// SQL aggregation of the project, and every matter decided by Decide.
func Compute(ctx context.Context, q sqlx.QueryerContext, info postgres.ClosingInfo) (*Document, error) {
	cons, err := postgres.GetConsultation(ctx, q, info.ID)
	if err != nil {
		return nil, err
	}
	veto := cons.Veto
	if veto.Mode == "" {
		veto.Mode = quorum.VetoNone
	}
	doc := &Document{
		Consultation: Consultation{
			ID: cons.ID, CommunityID: cons.CommunityID, Community: info.Community, Address: info.Address,
			Title: cons.Title, Description: cons.Description,
			Scope: Scope{Zone: cons.Scope.Zone, Building: cons.Scope.Building, Entrance: cons.Scope.Entrance},
			Veto:  veto, Round: cons.Round, OpensAt: cons.OpensAt, ClosesAt: cons.ClosesAt,
			Procedure: &cons.Procedure,
		},
		Matters: []Matter{},
	}
	inputs, err := Load(ctx, q, cons.CommunityID, cons.ID)
	if err != nil {
		return nil, err
	}
	byMatter := make(map[int64]*Inputs, len(inputs))
	for i := range inputs {
		byMatter[inputs[i].MatterID] = &inputs[i]
	}
	doc.Matters = make([]Matter, len(cons.Matters))
	for i, bm := range cons.Matters {
		rule, err := cons.RuleOf(&bm) // presets mean the frozen thresholds (§3.6)
		if err != nil {
			return nil, fmt.Errorf("tally: matter %d: %w", bm.ID, err)
		}
		doc.Matters[i] = Matter{
			ID: bm.ID, Position: bm.Position, Title: bm.Title, Description: bm.Description,
			Kind: string(bm.Kind), Category: string(bm.Category), Rules: bm.Rules, Rule: rule,
			Options: bm.Options, Seats: bm.Seats,
		}
	}
	// The matters are independent: decide them side by side.
	err = parallel(len(cons.Matters), func(i int) error {
		in := byMatter[cons.Matters[i].ID]
		if in == nil {
			in = &Inputs{MatterID: cons.Matters[i].ID}
		}
		return Decide(&doc.Matters[i], veto, cons.Procedure.Settings.Procedure(), cons.Matters[i].ChoiceMode, in.Units, in.Ballots)
	})
	if err != nil {
		return nil, err
	}
	exts, err := postgres.VoteExtensions(ctx, q, info.CommunityID, info.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range exts {
		if e.Kind != postgres.ExtensionExtend {
			continue
		}
		if doc.Extension == nil {
			doc.Extension = &Extension{OriginalClosesAt: e.OriginalClosesAt}
		}
		doc.Extension.Steps = append(doc.Extension.Steps, ExtensionStep{From: e.OldClosesAt, To: e.NewClosesAt.Time, At: e.DecidedAt})
	}
	if e := doc.Extension; e != nil && info.ClosedAt.Valid {
		for i := range doc.Matters {
			if o, ok := doc.Matters[i].Turnout(); ok && o.Lapses(true) {
				from := quorum.RetableFrom(info.ClosedAt.Time)
				e.Lapsed, e.RetableFrom = true, &from
			}
		}
	}
	return doc, nil
}

// firstTurnout is the participation recorded with an extension or lapse:
// the eligible and participating totals of the first matter.
func firstTurnout(doc *Document) map[string]quorum.Tally {
	for i := range doc.Matters {
		if o, ok := doc.Matters[i].Turnout(); ok {
			return map[string]quorum.Tally{"eligible": o.Eligible, "participating": o.Participating}
		}
	}
	return map[string]quorum.Tally{}
}

// CloserOptions configure RunCloser.
type CloserOptions struct {
	// Interval between looks for consultations due; default one minute.
	Interval time.Duration
	// Grace is how long after its closing time an open consultation is
	// closed automatically. Online voting ends at the closing time, but
	// paper ballots collected before it may still be entered until the
	// committee closes (ballot.CheckPaperWindow); the grace leaves them
	// time, and is when the committee may decide to extend a vote that
	// missed participation. Zero closes at the closing time itself;
	// gongjue serve uses DefaultCloseGrace.
	Grace time.Duration
	// Keys sign the ballot log's checkpoints.
	Keys *secret.Keys
}

// DefaultCloseGrace is the grace gongjue serve gives: two days to bring in
// the paper ballots collected before the deadline.
const DefaultCloseGrace = 48 * time.Hour

// RunCloser closes, until ctx is done, every open consultation whose
// closing time passed more than the grace ago, and finishes any close that
// was interrupted. It logs what it does with log/slog.
func RunCloser(ctx context.Context, db *postgres.DB, opts CloserOptions) {
	if opts.Interval <= 0 {
		opts.Interval = time.Minute
	}
	if opts.Grace < 0 {
		opts.Grace = 0
	}
	tick := time.NewTicker(opts.Interval)
	defer tick.Stop()
	for {
		CloseDue(ctx, db, opts.Keys, opts.Grace, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// CloseDue runs one round of the closer at now and returns how many
// consultations it closed.
func CloseDue(ctx context.Context, db *postgres.DB, keys *secret.Keys, grace time.Duration, now time.Time) int {
	ids, err := postgres.DueForClosing(ctx, db, now.Add(-grace))
	if err != nil {
		if ctx.Err() == nil {
			slog.Error("tally: finding consultations to close", "err", err)
		}
		return 0
	}
	closed := 0
	for _, id := range ids {
		res, err := Close(ctx, db, keys, id, CloseOptions{Now: now})
		switch {
		case err == nil:
			closed++
			slog.Info("tally: closed automatically", "consultation", id, "result_sha256", fmt.Sprintf("%x", res.SHA256))
		case errors.Is(err, ErrAlreadyClosed) || errors.Is(err, ErrNotDue):
		case ctx.Err() != nil:
			return closed
		default:
			slog.Error("tally: closing", "consultation", id, "err", err)
		}
	}
	return closed
}
