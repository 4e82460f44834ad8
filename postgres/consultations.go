package postgres

// Consultations and their matters (DESIGN §5): created and edited as
// drafts, opened by OpenConsultation (ballots.go).

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/ballot"
	"gongjue/quorum"
)

// ErrNotDraft is returned when a consultation that is no longer a draft is
// edited or opened.
var ErrNotDraft = errors.New("the consultation is no longer a draft")

type consultationRow struct {
	CommunityID   int64      `db:"community_id"`
	ID            int64      `db:"id"`
	Title         string     `db:"title"`
	Description   string     `db:"description"`
	ScopeZone     string     `db:"scope_zone"`
	ScopeBuilding string     `db:"scope_building"`
	ScopeEntrance string     `db:"scope_entrance"`
	Veto          []byte     `db:"veto"`
	OpensAt       time.Time  `db:"opens_at"`
	ClosesAt      time.Time  `db:"closes_at"`
	PreviousID    *int64     `db:"previous_id"`
	Round         int        `db:"round"`
	State         string     `db:"state"`
	CreatedAt     time.Time  `db:"created_at"`
	OpenedAt      *time.Time `db:"opened_at"`
	ClosedAt      *time.Time `db:"closed_at"`

	ProcedureVersion   *int           `db:"procedure_version"`
	ProcedureSHA256    []byte         `db:"procedure_sha256"`
	ProcedureSettings  []byte         `db:"procedure_settings"`
	ProcedureDefaulted pq.StringArray `db:"procedure_defaulted"`
}

const consultationColumns = `community_id, id, title, description, scope_zone, scope_building, scope_entrance,
	veto, opens_at, closes_at, previous_id, round, state, created_at, opened_at, closed_at,
	procedure_version, procedure_sha256, procedure_settings, procedure_defaulted`

func (r *consultationRow) consultation() (ballot.Consultation, error) {
	c := ballot.Consultation{
		CommunityID: r.CommunityID, ID: r.ID, Title: r.Title, Description: r.Description,
		Scope:   ballot.Scope{Zone: r.ScopeZone, Building: r.ScopeBuilding, Entrance: r.ScopeEntrance},
		OpensAt: r.OpensAt, ClosesAt: r.ClosesAt, PreviousID: r.PreviousID, Round: r.Round,
		State: ballot.State(r.State), CreatedAt: r.CreatedAt, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt,
		Matters: []ballot.Matter{},
	}
	if err := json.Unmarshal(r.Veto, &c.Veto); err != nil {
		return c, fmt.Errorf("consultation %d: veto: %w", r.ID, err)
	}
	if c.Veto.Mode == "" {
		c.Veto.Mode = quorum.VetoNone
	}
	return c, nil
}

type matterRow struct {
	ID          int64  `db:"id"`
	Position    int    `db:"position"`
	Title       string `db:"title"`
	Description string `db:"description"`
	Kind        string `db:"kind"`
	Category    string `db:"category"`
	Flags       []byte `db:"flags"`
	Rules       []byte `db:"rules"`
	Options     []byte `db:"options"`
	Seats       int    `db:"seats"`
	ChoiceMode  string `db:"choice_mode"`
}

const matterColumns = `id, position, title, description, kind, category, flags, rules, options, seats, choice_mode`

func (r *matterRow) matter() (ballot.Matter, error) {
	m := ballot.Matter{
		ID: r.ID, Position: r.Position, Title: r.Title, Description: r.Description,
		Kind: ballot.Kind(r.Kind), Category: quorum.Category(r.Category), Seats: r.Seats,
		Rules: json.RawMessage(r.Rules),
	}
	if err := json.Unmarshal(r.Flags, &m.Flags); err != nil {
		return m, fmt.Errorf("matter %d: flags: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Options, &m.Options); err != nil {
		return m, fmt.Errorf("matter %d: options: %w", r.ID, err)
	}
	if m.Kind == ballot.Choice {
		m.ChoiceMode = quorum.ChoiceMode(r.ChoiceMode)
	}
	return m, nil
}

// GetConsultation returns consultation id with its matters, whatever its
// estate: callers check the estate against the account.
func GetConsultation(ctx context.Context, q sqlx.QueryerContext, id int64) (*ballot.Consultation, error) {
	return getConsultation(ctx, q, id, "")
}

func getConsultation(ctx context.Context, q sqlx.QueryerContext, id int64, lock string) (*ballot.Consultation, error) {
	var row consultationRow
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+consultationColumns+` FROM consultations WHERE id = $1 `+lock, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c, err := row.consultation()
	if err != nil {
		return nil, err
	}
	if c.Matters, err = listMatters(ctx, q, c.CommunityID, c.ID); err != nil {
		return nil, err
	}
	if c.Procedure, err = appliedProcedure(ctx, q, &row); err != nil {
		return nil, err
	}
	return &c, nil
}

func listMatters(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]ballot.Matter, error) {
	var rows []matterRow
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+matterColumns+` FROM matters
		WHERE community_id = $1 AND consultation_id = $2 ORDER BY position`, communityID, consultationID)
	if err != nil {
		return nil, err
	}
	matters := make([]ballot.Matter, 0, len(rows))
	for i := range rows {
		m, err := rows[i].matter()
		if err != nil {
			return nil, err
		}
		matters = append(matters, m)
	}
	return matters, nil
}

// ConsultationSummary is a consultation as listed: without its matters,
// with how many ballots were issued and cast.
type ConsultationSummary struct {
	ID       int64        `db:"id" json:"id"`
	Title    string       `db:"title" json:"title"`
	State    ballot.State `db:"state" json:"state"`
	Scope    ballot.Scope `db:"-" json:"scope"`
	OpensAt  time.Time    `db:"opens_at" json:"opens_at"`
	ClosesAt time.Time    `db:"closes_at" json:"closes_at"`
	Round    int          `db:"round" json:"round"`
	Matters  int          `db:"matters" json:"matters"`
	Ballots  int          `db:"ballots" json:"ballots"`
	Cast     int          `db:"cast" json:"cast"`

	ScopeZone     string `db:"scope_zone" json:"-"`
	ScopeBuilding string `db:"scope_building" json:"-"`
	ScopeEntrance string `db:"scope_entrance" json:"-"`
}

// ListConsultations returns an estate's consultations, newest first.
func ListConsultations(ctx context.Context, q sqlx.QueryerContext, communityID int64) ([]ConsultationSummary, error) {
	list := []ConsultationSummary{}
	err := sqlx.SelectContext(ctx, q, &list, `
		SELECT c.id, c.title, c.state, c.opens_at, c.closes_at, c.round,
		       c.scope_zone, c.scope_building, c.scope_entrance,
		       (SELECT count(*) FROM matters m WHERE m.community_id = c.community_id AND m.consultation_id = c.id) AS matters,
		       (SELECT count(*) FROM ballots b WHERE b.community_id = c.community_id AND b.consultation_id = c.id) AS ballots,
		       (SELECT count(*) FROM casts k WHERE k.community_id = c.community_id AND k.consultation_id = c.id) AS cast
		FROM consultations c WHERE c.community_id = $1
		ORDER BY c.created_at DESC, c.id DESC`, communityID)
	for i := range list {
		s := &list[i]
		s.Scope = ballot.Scope{Zone: s.ScopeZone, Building: s.ScopeBuilding, Entrance: s.ScopeEntrance}
	}
	return list, err
}

// ScopeFacts tells ballot.CheckEstate about a scope of estate communityID:
// its zones and how many units it holds.
func ScopeFacts(ctx context.Context, q sqlx.QueryerContext, communityID int64, s ballot.Scope) (ballot.EstateFacts, error) {
	var rows []struct {
		Zone  string `db:"zone"`
		Units int    `db:"units"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT zone, count(*) AS units FROM units
		WHERE community_id = $1 AND ($2 = '' OR zone = $2) AND ($3 = '' OR building = $3) AND ($4 = '' OR entrance = $4)
		GROUP BY zone ORDER BY zone COLLATE "C"`, communityID, s.Zone, s.Building, s.Entrance)
	f := ballot.EstateFacts{}
	for _, r := range rows {
		f.ScopeZones = append(f.ScopeZones, r.Zone)
		f.ScopeUnits += r.Units
	}
	return f, err
}

// PreviousRound is what a next round takes over from the round before it.
type PreviousRound struct {
	Round int
	State ballot.State
	Scope ballot.Scope
}

// GetPreviousRound returns consultation id of estate communityID as a
// previous round, or ErrNotFound.
func GetPreviousRound(ctx context.Context, q sqlx.QueryerContext, communityID, id int64) (PreviousRound, error) {
	var r struct {
		Round    int    `db:"round"`
		State    string `db:"state"`
		Zone     string `db:"scope_zone"`
		Building string `db:"scope_building"`
		Entrance string `db:"scope_entrance"`
	}
	err := sqlx.GetContext(ctx, q, &r, `SELECT round, state, scope_zone, scope_building, scope_entrance
		FROM consultations WHERE community_id = $1 AND id = $2`, communityID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return PreviousRound{}, ErrNotFound
	}
	return PreviousRound{Round: r.Round, State: ballot.State(r.State),
		Scope: ballot.Scope{Zone: r.Zone, Building: r.Building, Entrance: r.Entrance}}, err
}

// CreateConsultation stores a checked draft (ballot.DraftRequest.Check)
// and its matters in estate communityID, all or nothing, and returns its id.
// createdBy is the committee account; 0 records none (the demo's seed).
func CreateConsultation(ctx context.Context, db *DB, communityID int64, c *ballot.Consultation, createdBy int64) (int64, error) {
	veto, err := json.Marshal(c.Veto)
	if err != nil {
		return 0, err
	}
	creator := sql.NullInt64{Int64: createdBy, Valid: createdBy != 0}
	var id int64
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &id, `
			INSERT INTO consultations (community_id, title, description, scope_zone, scope_building, scope_entrance,
				veto, opens_at, closes_at, previous_id, round, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			communityID, c.Title, c.Description, c.Scope.Zone, c.Scope.Building, c.Scope.Entrance,
			veto, c.OpensAt, c.ClosesAt, c.PreviousID, c.Round, creator)
		if err != nil {
			return err
		}
		return insertMatters(ctx, tx, communityID, id, c.Matters)
	})
	return id, err
}

// insertMatters adds a consultation's matters in one statement.
func insertMatters(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, matters []ballot.Matter) error {
	n := len(matters)
	pos := make([]int64, n)
	titles, descs, kinds, cats, modes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	flags, rules, options := make([]string, n), make([]string, n), make([]string, n)
	seats := make([]int64, n)
	for i, m := range matters {
		pos[i] = int64(i + 1)
		titles[i], descs[i], kinds[i], cats[i] = m.Title, m.Description, string(m.Kind), string(m.Category)
		modes[i] = string(m.ChoiceMode)
		if modes[i] == "" {
			modes[i] = string(quorum.ChoiceApproval)
		}
		f, _ := json.Marshal(m.Flags)
		if m.Flags == nil {
			f = []byte("[]")
		}
		o, _ := json.Marshal(m.Options)
		if m.Options == nil {
			o = []byte("[]")
		}
		flags[i], rules[i], options[i] = string(f), string(m.Rules), string(o)
		seats[i] = int64(m.Seats)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO matters (community_id, consultation_id, position, title, description, kind, category,
			flags, rules, options, seats, choice_mode)
		SELECT $1, $2, u.*
		FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[], $10::jsonb[], $11::int[], $12::text[])
			AS u(position, title, description, kind, category, flags, rules, options, seats, choice_mode)`,
		communityID, consultationID, pq.Array(pos), pq.Array(titles), pq.Array(descs), pq.Array(kinds), pq.Array(cats),
		pq.Array(flags), pq.Array(rules), pq.Array(options), pq.Array(seats), pq.Array(modes))
	return err
}

// UpdateDraft replaces a draft consultation's fields and matters with a
// checked draft; matters get new ids. ErrNotDraft once it has been opened.
func UpdateDraft(ctx context.Context, db *DB, communityID, id int64, c *ballot.Consultation) error {
	veto, err := json.Marshal(c.Veto)
	if err != nil {
		return err
	}
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var state string
		err := tx.GetContext(ctx, &state, `SELECT state FROM consultations WHERE community_id = $1 AND id = $2 FOR UPDATE`, communityID, id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if state != string(ballot.Draft) {
			return ErrNotDraft
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE consultations SET title = $3, description = $4, scope_zone = $5, scope_building = $6,
				scope_entrance = $7, veto = $8, opens_at = $9, closes_at = $10, previous_id = $11, round = $12
			WHERE community_id = $1 AND id = $2`,
			communityID, id, c.Title, c.Description, c.Scope.Zone, c.Scope.Building, c.Scope.Entrance,
			veto, c.OpensAt, c.ClosesAt, c.PreviousID, c.Round)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM matters WHERE community_id = $1 AND consultation_id = $2`, communityID, id); err != nil {
			return err
		}
		return insertMatters(ctx, tx, communityID, id, c.Matters)
	})
}

// ConsultationByTitle returns the id of estate communityID's latest
// consultation with that title, or ErrNotFound.
func ConsultationByTitle(ctx context.Context, q sqlx.QueryerContext, communityID int64, title string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM consultations WHERE community_id = $1 AND title = $2
		ORDER BY created_at DESC, id DESC LIMIT 1`, communityID, title)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}
