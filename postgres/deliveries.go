package postgres

// The delivery ledger (送达台账, DESIGN §5.1): who delivered which unit's
// ballot how, verified or rejected by a second account. Records and
// decisions are append-only; a record's standing is its latest decision,
// and a unit is delivered when one of its records stands verified.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/ballot"
	"gongjue/procedure"
)

// Errors of the delivery ledger.
var (
	ErrMethodNotAllowed = errors.New("the rules of procedure do not count this delivery method")
	ErrOwnDelivery      = errors.New("a delivery record is verified or rejected by another account than its recorder")
	ErrNotOpen          = errors.New("the consultation is not open")
	ErrUnitNotInScope   = errors.New("the unit has no ballot in this consultation")
	ErrDeliveryDecided  = errors.New("the delivery record was rejected, or is already verified")
	ErrPhotoExists      = errors.New("the delivery record already has a photo")
)

// DeliveryState is where a record, or a unit, stands.
type DeliveryState string

// The states of §8: a unit with no record, with records none of which is
// verified, and with a verified one. A record is recorded, verified or
// rejected.
const (
	DeliveryNone     DeliveryState = "none"
	DeliveryRecorded DeliveryState = "recorded"
	DeliveryVerified DeliveryState = "verified"
	DeliveryRejected DeliveryState = "rejected"
)

// Delivery is one record of the ledger with its standing.
type Delivery struct {
	ID          int64                    `db:"id" json:"id"`
	Unit        string                   `db:"unit_id" json:"unit"`
	Method      procedure.DeliveryMethod `db:"method" json:"method"`
	DeliveredAt time.Time                `db:"delivered_at" json:"delivered_at"`
	Recipient   string                   `db:"recipient" json:"recipient"`
	Note        string                   `db:"note" json:"note"`
	// RecordedBy is nil for an electronic delivery the server recorded
	// when the owner opened the ballot page.
	RecordedBy *int64        `db:"recorded_by" json:"recorded_by"`
	RecordedAt time.Time     `db:"recorded_at" json:"recorded_at"`
	State      DeliveryState `db:"state" json:"state"`
	// The latest decision: by whom (nil for the server's own electronic
	// record), when, and why when rejected.
	DecidedBy *int64     `db:"decided_by" json:"decided_by"`
	DecidedAt *time.Time `db:"decided_at" json:"decided_at"`
	Reason    string     `db:"reason" json:"reason,omitempty"`
	HasPhoto  bool       `db:"has_photo" json:"has_photo"`
}

// NewDelivery is a delivery as a volunteer or the committee records it.
type NewDelivery struct {
	Unit        string
	Method      procedure.DeliveryMethod
	DeliveredAt time.Time
	Recipient   string
	Note        string
}

// RecordDelivery adds a record to the ledger of open consultation
// consultationID of estate communityID, by account by, and returns its id.
// The method must be one the consultation's frozen rules count. Errors:
// ErrNotFound, ErrNotOpen, ErrUnitNotInScope, ErrMethodNotAllowed.
func RecordDelivery(ctx context.Context, db *DB, communityID, consultationID int64, d NewDelivery, by int64) (int64, error) {
	ids, err := RecordDeliveries(ctx, db, communityID, consultationID, ballot.Scope{}, []NewDelivery{d}, by)
	var bulk *BulkDeliveryError
	if errors.As(err, &bulk) {
		return 0, bulk.Problems[0].Err
	}
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// DeliveryProblem is why item Index of a bulk request was refused.
type DeliveryProblem struct {
	Index int
	Err   error
}

// BulkDeliveryError refuses a bulk request as a whole, naming every item
// that was wrong; nothing of it was written.
type BulkDeliveryError struct{ Problems []DeliveryProblem }

func (e *BulkDeliveryError) Error() string {
	return fmt.Sprintf("%d items refused, the first: %v", len(e.Problems), e.Problems[0].Err)
}

// RecordDeliveries records ds, all or none, as RecordDelivery does one;
// every unit must lie in within (a stairwell, when a building leader brings
// back its receipts). The ids come in the order of ds. A refused unit is
// named in a *BulkDeliveryError (ErrUnitNotInScope, ErrMethodNotAllowed);
// the consultation's own refusals (ErrNotFound, ErrNotOpen) come bare.
func RecordDeliveries(ctx context.Context, db *DB, communityID, consultationID int64, within ballot.Scope, ds []NewDelivery, by int64) ([]int64, error) {
	var ids []int64
	err := db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		settings, err := openSettings(ctx, tx, communityID, consultationID)
		if err != nil {
			return err
		}
		ids = make([]int64, 0, len(ds))
		var problems []DeliveryProblem
		for i, d := range ds {
			if !settings.Allows(d.Method) {
				problems = append(problems, DeliveryProblem{i, ErrMethodNotAllowed})
				continue
			}
			var id int64
			err = tx.GetContext(ctx, &id, `
				INSERT INTO deliveries (community_id, consultation_id, unit_id, method, delivered_at, recipient, note, recorded_by)
				SELECT $1, $2, b.unit_id, $4, $5, $6, $7, $8 FROM ballots b
				WHERE b.community_id = $1 AND b.consultation_id = $2 AND b.unit_id = $3
				  AND ($9 = '' OR b.zone = $9) AND ($10 = '' OR b.building = $10) AND ($11 = '' OR b.entrance = $11)
				RETURNING id`, communityID, consultationID, d.Unit, d.Method, d.DeliveredAt, d.Recipient, d.Note, by,
				within.Zone, within.Building, within.Entrance)
			if errors.Is(err, sql.ErrNoRows) {
				problems = append(problems, DeliveryProblem{i, ErrUnitNotInScope})
				continue
			}
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if len(problems) > 0 {
			return &BulkDeliveryError{problems}
		}
		return nil
	})
	return ids, err
}

// openSettings returns the frozen settings of an open consultation, the
// consultation's row locked against closing meanwhile.
func openSettings(ctx context.Context, tx *sqlx.Tx, communityID, consultationID int64) (procedure.Settings, error) {
	var row consultationRow
	err := tx.GetContext(ctx, &row, `SELECT `+consultationColumns+` FROM consultations
		WHERE community_id = $1 AND id = $2 FOR SHARE`, communityID, consultationID)
	if errors.Is(err, sql.ErrNoRows) {
		return procedure.Settings{}, ErrNotFound
	}
	if err != nil {
		return procedure.Settings{}, err
	}
	if row.State != "open" {
		return procedure.Settings{}, ErrNotOpen
	}
	applied, err := appliedProcedure(ctx, tx, &row)
	return applied.Settings, err
}

// VerifyDelivery records that account by checked delivery id of estate
// communityID. RejectDelivery records that it is wrong, and why. Neither
// is allowed to the record's recorder, and only while the consultation is
// open: the tally reads the ledger when it closes. Errors: ErrNotFound,
// ErrNotOpen, ErrOwnDelivery, ErrDeliveryDecided.
func VerifyDelivery(ctx context.Context, db *DB, communityID, id, by int64) error {
	return decideDelivery(ctx, db, communityID, id, by, DeliveryVerified, "")
}

// RejectDelivery: see VerifyDelivery.
func RejectDelivery(ctx context.Context, db *DB, communityID, id, by int64, reason string) error {
	return decideDelivery(ctx, db, communityID, id, by, DeliveryRejected, reason)
}

// decideDelivery takes no row lock (the server's role may not lock an
// append-only table): two decisions at the same instant are both kept, and
// the later one stands, as it would one moment later.
func decideDelivery(ctx context.Context, db *DB, communityID, id, by int64, decision DeliveryState, reason string) error {
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		return decideIn(ctx, tx, communityID, 0, id, by, decision, reason)
	})
}

// VerifyDeliveries verifies the records ids of consultation consultationID
// at once, all or none: a second account checking a stairwell's receipts.
// A record that may not be verified by by is named in a
// *BulkDeliveryError (ErrNotFound for one of another consultation,
// ErrOwnDelivery, ErrDeliveryDecided); ErrNotOpen comes bare.
func VerifyDeliveries(ctx context.Context, db *DB, communityID, consultationID int64, ids []int64, by int64) error {
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var problems []DeliveryProblem
		for i, id := range ids {
			err := decideIn(ctx, tx, communityID, consultationID, id, by, DeliveryVerified, "")
			switch {
			case errors.Is(err, ErrNotOpen):
				return err
			case errors.Is(err, ErrNotFound), errors.Is(err, ErrOwnDelivery), errors.Is(err, ErrDeliveryDecided):
				problems = append(problems, DeliveryProblem{i, err})
			case err != nil:
				return err
			}
		}
		if len(problems) > 0 {
			return &BulkDeliveryError{problems}
		}
		return nil
	})
}

// decideIn records one decision on delivery id within tx; consultationID,
// when not 0, is the consultation the record must belong to.
func decideIn(ctx context.Context, tx *sqlx.Tx, communityID, consultationID, id, by int64, decision DeliveryState, reason string) error {
	var d struct {
		Recorder *int64 `db:"recorded_by"`
		Latest   string `db:"latest"`
		State    string `db:"state"`
	}
	// The consultation's row, shared, keeps a close from freezing the
	// tally while a decision is being made.
	err := tx.GetContext(ctx, &d, `SELECT d.recorded_by, c.state, coalesce((SELECT decision FROM delivery_decisions e
			WHERE e.community_id = d.community_id AND e.delivery_id = d.id ORDER BY e.id DESC LIMIT 1), '') AS latest
		FROM deliveries d JOIN consultations c ON c.community_id = d.community_id AND c.id = d.consultation_id
		WHERE d.community_id = $1 AND d.id = $2 AND ($3 = 0 OR d.consultation_id = $3) FOR SHARE OF c`, communityID, id, consultationID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return err
	case d.State != "open":
		return ErrNotOpen
	case d.Recorder != nil && *d.Recorder == by:
		return ErrOwnDelivery
	case d.Latest == string(DeliveryRejected) || d.Latest == string(decision):
		return ErrDeliveryDecided
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO delivery_decisions (community_id, delivery_id, decision, reason, decided_by)
		VALUES ($1, $2, $3, $4, $5)`, communityID, id, decision, reason, by)
	return err
}

// DeliveryConsultation returns the estate and consultation of delivery id
// (ids are unique across estates), or ErrNotFound.
func DeliveryConsultation(ctx context.Context, q sqlx.QueryerContext, id int64) (communityID, consultationID int64, err error) {
	var r struct {
		CommunityID    int64 `db:"community_id"`
		ConsultationID int64 `db:"consultation_id"`
	}
	err = sqlx.GetContext(ctx, q, &r, `SELECT community_id, consultation_id FROM deliveries WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, ErrNotFound
	}
	return r.CommunityID, r.ConsultationID, err
}

// UnitDeliveries is one unit's standing in the ledger and its records,
// oldest first.
type UnitDeliveries struct {
	Unit     string        `json:"unit"`
	Building string        `json:"building"`
	Entrance string        `json:"entrance"`
	State    DeliveryState `json:"state"`
	Records  []Delivery    `json:"records"`
}

// ListDeliveries returns the ledger of a consultation unit by unit, in
// the order of the roll's places, every unit in scope included (state
// none when nothing was recorded); unit narrows it to one unit.
func ListDeliveries(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, unit string) ([]UnitDeliveries, error) {
	var rows []struct {
		Unit     string `db:"ballot_unit"`
		Building string `db:"building"`
		Entrance string `db:"entrance"`
		RecordID *int64 `db:"record_id"`
		Delivery
	}
	// The delivery columns are NULL for a unit without records; sqlx
	// cannot scan NULL into them, so they come coalesced and record_id
	// tells.
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT b.unit_id AS ballot_unit, b.building, b.entrance, d.id AS record_id, coalesce(d.id, 0) AS id, coalesce(d.unit_id, '') AS unit_id, coalesce(d.method, '') AS method,
		       coalesce(d.delivered_at, 'epoch') AS delivered_at, coalesce(d.recipient, '') AS recipient,
		       coalesce(d.note, '') AS note, d.recorded_by, coalesce(d.recorded_at, 'epoch') AS recorded_at,
		       coalesce(x.decision, CASE WHEN d.id IS NULL THEN '' ELSE 'recorded' END) AS state,
		       x.decided_by, x.decided_at, coalesce(x.reason, '') AS reason,
		       EXISTS (SELECT 1 FROM delivery_photos p WHERE p.community_id = d.community_id AND p.delivery_id = d.id) AS has_photo
		FROM ballots b
		LEFT JOIN deliveries d ON d.community_id = b.community_id AND d.consultation_id = b.consultation_id AND d.unit_id = b.unit_id
		LEFT JOIN LATERAL (SELECT decision, decided_by, decided_at, reason FROM delivery_decisions e
			WHERE e.community_id = d.community_id AND e.delivery_id = d.id ORDER BY e.id DESC LIMIT 1) x ON true
		WHERE b.community_id = $1 AND b.consultation_id = $2 AND ($3 = '' OR b.unit_id = $3)
		ORDER BY b.building, b.entrance, b.floor, b.room, b.unit_id, d.id`, communityID, consultationID, unit)
	if err != nil {
		return nil, err
	}
	list := []UnitDeliveries{}
	for _, r := range rows {
		if len(list) == 0 || list[len(list)-1].Unit != r.Unit {
			list = append(list, UnitDeliveries{Unit: r.Unit, Building: r.Building, Entrance: r.Entrance, State: DeliveryNone, Records: []Delivery{}})
		}
		u := &list[len(list)-1]
		if r.RecordID == nil {
			continue
		}
		d := r.Delivery
		u.Records = append(u.Records, d)
		switch {
		case d.State == DeliveryVerified:
			u.State = DeliveryVerified
		case u.State == DeliveryNone:
			u.State = DeliveryRecorded
		}
	}
	return list, nil
}

// DeliveredUnits returns the units of consultation consultationID that are
// delivered (§3.5), sorted: the rows of the view delivered_units
// (migration 0008), which the tally's SQL joins.
func DeliveredUnits(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]string, error) {
	units := []string{}
	err := sqlx.SelectContext(ctx, q, &units, `SELECT unit_id FROM delivered_units
		WHERE community_id = $1 AND consultation_id = $2 ORDER BY unit_id`, communityID, consultationID)
	return units, err
}

// BallotOpened is called when an owner opens the ballot page v: when the
// rules frozen into the consultation count electronic delivery and it is
// open, it records the unit as delivered electronically — once, recorded
// and verified by the server itself (recorded_by and decided_by NULL), the
// page view being the proof. Only the first opening writes: v says whether
// one was recorded before, and a concurrent first opening inserts nothing.
func BallotOpened(ctx context.Context, db *DB, v *BallotView) error {
	k := &v.Consultation
	if v.Delivered || k.State != ballot.Open || !k.Procedure.Settings.Allows(procedure.Electronic) {
		return nil
	}
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO deliveries (community_id, consultation_id, unit_id, method, delivered_at)
			VALUES ($1, $2, $3, 'electronic', now())
			ON CONFLICT (community_id, consultation_id, unit_id) WHERE recorded_by IS NULL DO NOTHING
			RETURNING id`, k.CommunityID, k.ID, v.UnitID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // opened meanwhile
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delivery_decisions (community_id, delivery_id, decision) VALUES ($1, $2, 'verified')`,
			k.CommunityID, id)
		return err
	})
}

// AddDeliveryPhoto attaches the evidence photo (checked by
// procedure.CheckOriginal) to delivery id; a record has at most one.
// Errors: ErrNotFound, ErrPhotoExists.
func AddDeliveryPhoto(ctx context.Context, db *DB, communityID, id int64, photo []byte, contentType string, by int64) error {
	res, err := db.ExecContext(ctx, `INSERT INTO delivery_photos (community_id, delivery_id, photo, sha256, content_type, uploaded_by)
		SELECT community_id, id, $3, sha256($3), $4, $5 FROM deliveries WHERE community_id = $1 AND id = $2`,
		communityID, id, photo, contentType, by)
	if IsUniqueViolation(err, "delivery_photos_pkey") {
		return ErrPhotoExists
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmp.Or(err, ErrNotFound)
	}
	return nil
}

// DeliveryFigures is how far delivery and voting have come in one
// population: of its units, how many stand delivered (§3.5), how many not
// yet, and how many have voted.
type DeliveryFigures struct {
	Units        int `db:"units" json:"units"`
	Delivered    int `db:"delivered" json:"delivered"`
	NotDelivered int `db:"not_delivered" json:"not_delivered"`
	Voted        int `db:"voted" json:"voted"`
}

// EntranceDeliveries is one entrance's DeliveryFigures.
type EntranceDeliveries struct {
	Entrance string `json:"entrance"`
	DeliveryFigures
}

// BuildingDeliveries is one building's DeliveryFigures and its entrances'.
type BuildingDeliveries struct {
	Building string `json:"building"`
	DeliveryFigures
	Entrances []EntranceDeliveries `json:"entrances"`
}

// DeliveryTurnout is a consultation's DeliveryFigures overall, per zone,
// and per building and entrance (§5.1's turnout page).
type DeliveryTurnout struct {
	Overall   DeliveryFigures            `json:"overall"`
	Zones     map[string]DeliveryFigures `json:"zones"`
	Buildings []BuildingDeliveries       `json:"buildings"`
}

// CountDeliveries returns a consultation's DeliveryTurnout, counted in one
// statement over its ballots, the view delivered_units and its casts;
// buildings and entrances come in natural order.
func CountDeliveries(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) (DeliveryTurnout, error) {
	var rows []struct {
		Level    int    `db:"level"`
		Zone     string `db:"zone"`
		Building string `db:"building"`
		Entrance string `db:"entrance"`
		DeliveryFigures
	}
	// GROUPING's bits are zone, building, entrance, a set bit being a
	// column not grouped by: 7 overall, 3 a zone, 5 a building, 4 an
	// entrance.
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT GROUPING(b.zone, b.building, b.entrance) AS level,
		       coalesce(b.zone, '') AS zone, coalesce(b.building, '') AS building, coalesce(b.entrance, '') AS entrance,
		       count(*) AS units, count(v.unit_id) AS delivered, count(*) - count(v.unit_id) AS not_delivered, count(k.unit_id) AS voted
		FROM ballots b
		LEFT JOIN delivered_units v ON v.community_id = b.community_id AND v.consultation_id = b.consultation_id AND v.unit_id = b.unit_id
		LEFT JOIN casts k ON k.community_id = b.community_id AND k.consultation_id = b.consultation_id AND k.unit_id = b.unit_id
		WHERE b.community_id = $1 AND b.consultation_id = $2
		GROUP BY GROUPING SETS ((), (b.zone), (b.building), (b.building, b.entrance))`, communityID, consultationID)
	if err != nil {
		return DeliveryTurnout{}, err
	}
	out := DeliveryTurnout{Zones: map[string]DeliveryFigures{}, Buildings: []BuildingDeliveries{}}
	buildings := map[string]*BuildingDeliveries{}
	building := func(name string) *BuildingDeliveries {
		if buildings[name] == nil {
			buildings[name] = &BuildingDeliveries{Building: name, Entrances: []EntranceDeliveries{}}
		}
		return buildings[name]
	}
	for _, r := range rows {
		switch r.Level {
		case 7:
			out.Overall = r.DeliveryFigures
		case 3:
			out.Zones[r.Zone] = r.DeliveryFigures
		case 5:
			building(r.Building).DeliveryFigures = r.DeliveryFigures
		case 4:
			b := building(r.Building)
			b.Entrances = append(b.Entrances, EntranceDeliveries{Entrance: r.Entrance, DeliveryFigures: r.DeliveryFigures})
		}
	}
	for _, name := range slices.SortedFunc(maps.Keys(buildings), ballot.CompareNatural) {
		b := buildings[name]
		slices.SortFunc(b.Entrances, func(x, y EntranceDeliveries) int { return ballot.CompareNatural(x.Entrance, y.Entrance) })
		out.Buildings = append(out.Buildings, *b)
	}
	return out, nil
}
