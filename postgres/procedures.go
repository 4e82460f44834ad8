package postgres

// Rules of procedure (DESIGN §3.6): numbered versions per estate, one
// active, each frozen into the consultations opened under it.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/ballot"
	"gongjue/procedure"
)

// ErrNotDraftProcedure is returned when a version that is not a draft is
// activated.
var ErrNotDraftProcedure = errors.New("the version of the rules of procedure is not a draft")

// ProcedureVersion is one registered version as listed.
type ProcedureVersion struct {
	Version        int                `json:"version"`
	State          string             `json:"state"`
	Settings       procedure.Settings `json:"settings"`
	Defaults       []string           `json:"defaults"`
	OriginalSHA256 string             `json:"original_sha256"`
	ContentType    string             `json:"content_type"`
	CreatedBy      int64              `json:"created_by"`
	CreatedAt      time.Time          `json:"created_at"`
	ActivatedBy    *int64             `json:"activated_by"`
	ActivatedAt    *time.Time         `json:"activated_at"`
	SupersededAt   *time.Time         `json:"superseded_at"`
}

type procedureRow struct {
	Version      int            `db:"version"`
	State        string         `db:"state"`
	Settings     []byte         `db:"settings"`
	Defaulted    pq.StringArray `db:"defaulted"`
	SHA256       []byte         `db:"original_sha256"`
	ContentType  string         `db:"content_type"`
	CreatedBy    int64          `db:"created_by"`
	CreatedAt    time.Time      `db:"created_at"`
	ActivatedBy  *int64         `db:"activated_by"`
	ActivatedAt  *time.Time     `db:"activated_at"`
	SupersededAt *time.Time     `db:"superseded_at"`
}

const procedureColumns = `version, state, settings, defaulted, original_sha256, content_type,
	created_by, created_at, activated_by, activated_at, superseded_at`

func (r *procedureRow) version() (ProcedureVersion, error) {
	v := ProcedureVersion{
		Version: r.Version, State: r.State, Defaults: []string(r.Defaulted), OriginalSHA256: hex.EncodeToString(r.SHA256),
		ContentType: r.ContentType, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt,
		ActivatedBy: r.ActivatedBy, ActivatedAt: r.ActivatedAt, SupersededAt: r.SupersededAt,
	}
	if v.Defaults == nil {
		v.Defaults = []string{}
	}
	err := json.Unmarshal(r.Settings, &v.Settings)
	return v, err
}

// CreateProcedure registers a draft version of estate communityID's rules
// of procedure — settings checked by procedure.Parse (defaulted: the keys
// it filled), the original checked by procedure.CheckOriginal — and
// returns its number, one more than the estate's last.
func CreateProcedure(ctx context.Context, db *DB, communityID int64, s procedure.Settings, defaulted []string,
	original []byte, contentType string, createdBy int64) (int, error) {
	settings, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256(original)
	var version int
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		if err := lockCommunity(ctx, tx, communityID); err != nil {
			return err
		}
		err := tx.GetContext(ctx, &version, `
			INSERT INTO procedures (community_id, version, settings, defaulted, original_sha256, content_type, created_by)
			SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6 FROM procedures WHERE community_id = $1
			RETURNING version`, communityID, settings, pq.StringArray(append([]string{}, defaulted...)), sum[:], contentType, createdBy)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO procedure_originals (community_id, version, original) VALUES ($1, $2, $3)`,
			communityID, version, original)
		return err
	})
	return version, err
}

// lockCommunity serialises the estate's version numbering, activations and
// freezes. NO KEY UPDATE, unlike UPDATE, does not wait for or block the
// rows that merely reference the estate (audit entries, consultations).
func lockCommunity(ctx context.Context, tx *sqlx.Tx, communityID int64) error {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM communities WHERE id = $1 FOR NO KEY UPDATE`, communityID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// ListProcedures returns estate communityID's versions, newest first.
func ListProcedures(ctx context.Context, q sqlx.QueryerContext, communityID int64) ([]ProcedureVersion, error) {
	var rows []procedureRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+procedureColumns+` FROM procedures
		WHERE community_id = $1 ORDER BY version DESC`, communityID); err != nil {
		return nil, err
	}
	list := make([]ProcedureVersion, len(rows))
	for i := range rows {
		var err error
		if list[i], err = rows[i].version(); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// ProcedureOriginal returns the uploaded original of a version and its
// content type, or ErrNotFound.
func ProcedureOriginal(ctx context.Context, q sqlx.QueryerContext, communityID int64, version int) ([]byte, string, error) {
	var r struct {
		Original    []byte `db:"original"`
		ContentType string `db:"content_type"`
	}
	err := sqlx.GetContext(ctx, q, &r, `SELECT o.original, p.content_type FROM procedure_originals o
		JOIN procedures p ON p.community_id = o.community_id AND p.version = o.version
		WHERE o.community_id = $1 AND o.version = $2`, communityID, version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	return r.Original, r.ContentType, err
}

// ActivateProcedure makes draft version of estate communityID the active
// one, superseding the version active until now, and audits it — all in
// one transaction. Errors: ErrNotFound, ErrNotDraftProcedure.
func ActivateProcedure(ctx context.Context, db *DB, communityID int64, version int, by int64) error {
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		if err := lockCommunity(ctx, tx, communityID); err != nil {
			return err
		}
		var state string
		err := tx.GetContext(ctx, &state, `SELECT state FROM procedures WHERE community_id = $1 AND version = $2`, communityID, version)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case state != "draft":
			return ErrNotDraftProcedure
		}
		var superseded []int
		if err := tx.SelectContext(ctx, &superseded, `UPDATE procedures SET state = 'superseded', superseded_at = now()
			WHERE community_id = $1 AND state = 'active' RETURNING version`, communityID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE procedures SET state = 'active', activated_by = $3, activated_at = now()
			WHERE community_id = $1 AND version = $2`, communityID, version, by); err != nil {
			return err
		}
		return Audit(ctx, tx, &communityID, &by, "procedure.activate", strconv.Itoa(version), map[string]any{"superseded": superseded})
	})
}

// ActiveProcedure returns what estate communityID's next consultation
// would be decided under: its active version, or the defaults.
func ActiveProcedure(ctx context.Context, q sqlx.QueryerContext, communityID int64) (procedure.Applied, error) {
	var row procedureRow
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+procedureColumns+` FROM procedures
		WHERE community_id = $1 AND state = 'active'`, communityID)
	if errors.Is(err, sql.ErrNoRows) {
		return procedure.None(), nil
	}
	if err != nil {
		return procedure.Applied{}, err
	}
	v, err := row.version()
	if err != nil {
		return procedure.Applied{}, err
	}
	return procedure.Applied{Version: &v.Version, OriginalSHA256: &v.OriginalSHA256, Settings: v.Settings, Defaults: v.Defaults}, nil
}

// LooserRulesError refuses to open a consultation whose custom rules are
// looser than the thresholds that opening would freeze (a stricter version
// was activated after the draft was written).
type LooserRulesError struct{ Problems ballot.Problems }

func (e *LooserRulesError) Error() string {
	return fmt.Sprintf("%d matters are looser than the estate's rules of procedure", len(e.Problems))
}

// freezeProcedure copies estate communityID's active rules of procedure
// into opened consultation id, inside OpenConsultation's transaction; the
// estate's row is locked so no activation slips in between the check of
// the matters and the copy.
func freezeProcedure(ctx context.Context, tx *sqlx.Tx, communityID, id int64) error {
	if err := lockCommunity(ctx, tx, communityID); err != nil {
		return err
	}
	applied, err := ActiveProcedure(ctx, tx, communityID)
	if err != nil {
		return err
	}
	matters, err := listMatters(ctx, tx, communityID, id)
	if err != nil {
		return err
	}
	if ps := ballot.CheckThresholds(&ballot.Consultation{Matters: matters}, applied.Settings.Thresholds); len(ps) > 0 {
		return &LooserRulesError{Problems: ps}
	}
	settings, err := json.Marshal(applied.Settings)
	if err != nil {
		return err
	}
	var sum []byte
	if applied.OriginalSHA256 != nil {
		if sum, err = hex.DecodeString(*applied.OriginalSHA256); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE consultations SET procedure_version = $3, procedure_sha256 = $4,
			procedure_settings = $5, procedure_defaulted = $6
		WHERE community_id = $1 AND id = $2`,
		communityID, id, applied.Version, sum, settings, pq.StringArray(append([]string{}, applied.Defaults...)))
	return err
}

// appliedProcedure reads a consultation's frozen snapshot; a consultation
// without one (a draft, or one opened before versions existed) reads as
// the estate's active version when a draft, the defaults otherwise.
func appliedProcedure(ctx context.Context, q sqlx.QueryerContext, r *consultationRow) (procedure.Applied, error) {
	if r.ProcedureSettings == nil {
		if r.State == string(ballot.Draft) {
			return ActiveProcedure(ctx, q, r.CommunityID)
		}
		return procedure.None(), nil
	}
	a := procedure.Applied{Version: r.ProcedureVersion, Defaults: []string(r.ProcedureDefaulted)}
	if a.Defaults == nil {
		a.Defaults = []string{}
	}
	if r.ProcedureSHA256 != nil {
		h := hex.EncodeToString(r.ProcedureSHA256)
		a.OriginalSHA256 = &h
	}
	err := json.Unmarshal(r.ProcedureSettings, &a.Settings)
	return a, err
}
