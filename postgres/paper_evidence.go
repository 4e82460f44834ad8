package postgres

// The evidence of a paper ballot (DESIGN §5, §5.3): the reason it is
// spoiled, the uploaded originals — the ballot's scan, whose SHA-256 its
// log leaf commits to, and a proxy's signed authorisation — and the
// frozen proxy rules a proxy entry must keep.

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/procedure"
)

// SpoiledReason is why a paper ballot is spoiled (废票), from the fixed list.
type SpoiledReason string

// The reasons of §5.3.
const (
	SpoiledUnreadable     SpoiledReason = "unreadable"
	SpoiledSeveralChoices SpoiledReason = "several_choices"
	SpoiledUnsigned       SpoiledReason = "unsigned"
	SpoiledNotIssued      SpoiledReason = "not_issued"
)

// SpoiledReasons are the reasons in the order forms offer them.
var SpoiledReasons = []SpoiledReason{SpoiledUnreadable, SpoiledSeveralChoices, SpoiledUnsigned, SpoiledNotIssued}

// OriginalKind is what an uploaded original of a paper entry shows.
type OriginalKind string

// The kinds of originals.
const (
	OriginalBallot        OriginalKind = "ballot"        // the returned ballot
	OriginalAuthorisation OriginalKind = "authorisation" // a proxy's signed authorisation (委托书)
)

// OriginalInfo describes an uploaded original without its bytes.
type OriginalInfo struct {
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
	// URL is where staff read it: GET /api/v1/paper/{entry}/original?kind=.
	URL string `json:"url"`
}

// Image says whether the original is a JPEG or PNG, which pages show
// inline; a PDF they link to.
func (o *OriginalInfo) Image() bool { return strings.HasPrefix(o.ContentType, "image/") }

// Errors of uploading an original or of a proxy entry.
var (
	// ErrNotEnteringAccount: only the account that entered a paper ballot
	// attaches its originals.
	ErrNotEnteringAccount = errors.New("only the entering account attaches originals")
	// ErrOriginalExists: the entry already has an original of this kind.
	ErrOriginalExists = errors.New("the entry already has this original")
	// ErrNotProxyEntry: an authorisation is attached only to a proxy entry.
	ErrNotProxyEntry = errors.New("the entry has no proxy")
	// ErrProxiesNotAllowed: the frozen rules do not allow proxies.
	ErrProxiesNotAllowed = errors.New("the rules of procedure do not allow proxies")
	// ErrAuthorisationMissing: the frozen rules require the proxy's signed
	// authorisation and none is attached.
	ErrAuthorisationMissing = errors.New("the proxy's signed authorisation is required")
)

// ProxyCapError refuses a proxy who already represents the most units the
// frozen rules allow one proxy in this consultation.
type ProxyCapError struct {
	Max   int
	Units []string // the units the proxy already represents
}

func (e *ProxyCapError) Error() string {
	return fmt.Sprintf("the proxy already represents %d units (at most %d)", len(e.Units), e.Max)
}

// AddPaperOriginal stores an original of paper entry id (content checked
// by procedure.CheckOriginal), uploaded by the entering account while the
// entry is pending; it returns the original's SHA-256. The entry is locked,
// so a confirmation either sees the original or the upload finds it
// decided. Errors: ErrNotFound, ErrNotEnteringAccount, ErrDecided,
// ErrOriginalExists, ErrNotProxyEntry.
func AddPaperOriginal(ctx context.Context, db *DB, communityID, id int64, kind OriginalKind, data []byte, contentType string, by int64) (string, error) {
	var sum []byte
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var e struct {
			State     string `db:"state"`
			EnteredBy int64  `db:"entered_by"`
			Proxy     string `db:"proxy_name"`
		}
		err := tx.GetContext(ctx, &e, `SELECT state, entered_by, proxy_name FROM paper_entries
			WHERE community_id = $1 AND id = $2 FOR UPDATE`, communityID, id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case e.EnteredBy != by:
			return ErrNotEnteringAccount
		case e.State != "pending":
			return ErrDecided
		case kind == OriginalAuthorisation && e.Proxy == "":
			return ErrNotProxyEntry
		}
		err = tx.GetContext(ctx, &sum, `INSERT INTO paper_originals (community_id, entry_id, kind, content_type, sha256, content, uploaded_by)
			VALUES ($1, $2, $3, $4, sha256($5), $5, $6) RETURNING sha256`, communityID, id, kind, contentType, data, by)
		if IsUniqueViolation(err, "paper_originals_pkey") {
			return ErrOriginalExists
		}
		return err
	})
	return hex.EncodeToString(sum), err
}

// PaperOriginal returns an original of paper entry id and its content type.
// Errors: ErrNotFound.
func PaperOriginal(ctx context.Context, q sqlx.QueryerContext, communityID, id int64, kind OriginalKind) ([]byte, string, error) {
	var o struct {
		Content     []byte `db:"content"`
		ContentType string `db:"content_type"`
	}
	err := sqlx.GetContext(ctx, q, &o, `SELECT content, content_type FROM paper_originals
		WHERE community_id = $1 AND entry_id = $2 AND kind = $3`, communityID, id, kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	return o.Content, o.ContentType, err
}

// attachOriginals fills the Original and Authorisation of entries.
func attachOriginals(ctx context.Context, q sqlx.QueryerContext, communityID int64, entries []PaperEntry) error {
	if len(entries) == 0 {
		return nil
	}
	byID := make(map[int64]*PaperEntry, len(entries))
	ids := make([]int64, len(entries))
	for i := range entries {
		byID[entries[i].ID], ids[i] = &entries[i], entries[i].ID
	}
	var rows []struct {
		EntryID     int64        `db:"entry_id"`
		Kind        OriginalKind `db:"kind"`
		ContentType string       `db:"content_type"`
		SHA256      []byte       `db:"sha256"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT entry_id, kind, content_type, sha256 FROM paper_originals
		WHERE community_id = $1 AND entry_id = ANY ($2)`, communityID, pq.Array(ids)); err != nil {
		return err
	}
	for _, r := range rows {
		info := &OriginalInfo{SHA256: hex.EncodeToString(r.SHA256), ContentType: r.ContentType,
			URL: fmt.Sprintf("/api/v1/paper/%d/original?kind=%s", r.EntryID, r.Kind)}
		if r.Kind == OriginalBallot {
			byID[r.EntryID].Original = info
		} else {
			byID[r.EntryID].Authorisation = info
		}
	}
	return nil
}

// frozenProxies reads the proxy rules a consultation was opened under;
// one opened before the rules were frozen has the defaults.
func frozenProxies(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) (procedure.Proxies, error) {
	var raw []byte
	if err := sqlx.GetContext(ctx, q, &raw, `SELECT procedure_settings->'proxies' FROM consultations
		WHERE community_id = $1 AND id = $2`, communityID, consultationID); err != nil {
		return procedure.Proxies{}, err
	}
	if raw == nil {
		return procedure.Defaults().Proxies, nil
	}
	var p procedure.Proxies
	return p, json.Unmarshal(raw, &p)
}

// proxyLockClass is the first key of the advisory lock that serialises
// the confirmations of a consultation's proxy entries, so that two racing
// for a proxy's last unit cannot both be counted.
const proxyLockClass = 0x707879 // "pxy"

// checkProxy refuses a proxy entry for unit that the frozen rules forbid,
// or whose proxy — the same name or the same ID-number hash — already
// represents the most units allowed, counting confirmed entries.
func checkProxy(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64, unit, name, key string) error {
	rules, err := frozenProxies(ctx, tx, communityID, consultationID)
	if err != nil {
		return err
	}
	if !rules.Allowed {
		return ErrProxiesNotAllowed
	}
	if rules.MaxUnits == nil {
		return nil
	}
	var units []string
	if err := tx.SelectContext(ctx, &units, `SELECT unit_id FROM paper_entries
		WHERE community_id = $1 AND consultation_id = $2 AND state = 'confirmed' AND proxy_name <> ''
		AND (proxy_name = $3 OR proxy_key = $4) AND unit_id <> $5 ORDER BY unit_id`,
		communityID, consultationID, name, key, unit); err != nil {
		return err
	}
	if len(units) >= *rules.MaxUnits {
		return &ProxyCapError{Max: *rules.MaxUnits, Units: units}
	}
	return nil
}

// checkProxyConfirm checks a proxy entry again as it is confirmed, under
// the consultation's proxy lock (held to the commit, which then shows the
// confirmation to the next one), and requires the signed authorisation
// when the frozen rules do.
func checkProxyConfirm(ctx context.Context, tx *sqlx.Tx, communityID int64, e PaperEntry) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, ($2::bigint & 2147483647)::int)`, proxyLockClass, e.ConsultationID); err != nil {
		return err
	}
	if err := checkProxy(ctx, tx, communityID, e.ConsultationID, e.UnitID, e.ProxyName, e.ProxyKey); err != nil {
		return err
	}
	rules, err := frozenProxies(ctx, tx, communityID, e.ConsultationID)
	if err != nil || !rules.AuthorisationRequired {
		return err
	}
	var has bool
	if err := tx.GetContext(ctx, &has, `SELECT EXISTS (SELECT FROM paper_originals
		WHERE community_id = $1 AND entry_id = $2 AND kind = 'authorisation')`, communityID, e.ID); err != nil {
		return err
	}
	if !has {
		return ErrAuthorisationMissing
	}
	return nil
}
