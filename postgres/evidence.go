package postgres

// The evidence that settles a dispute (DESIGN §5.3): the per-unit record
// of a vote, one unit's history across votes, the roll as imported.

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/quorum"
	"gongjue/secret"
)

// UnitRecord is one issued ballot of a consultation and how it was
// answered: the owner masked, the delivery standing (the first verified
// record's method and time, if any; such a unit is in delivered_units),
// and for a counted ballot its channel, time, verification, who entered
// and confirmed a paper one, the proxy, the originals' hashes, and the
// choices as matter ids and choice codes in matter order.
type UnitRecord struct {
	Unit           string        `db:"unit_id"`
	Zone           string        `db:"zone"`
	Area           quorum.Area   `db:"area_centi"`
	Owner          string        `db:"owner_name"`
	DeliveryState  DeliveryState `db:"delivery_state"`
	DeliveryMethod string        `db:"delivery_method"`
	DeliveredAt    *time.Time    `db:"delivered_at"`
	Channel        string        `db:"channel"` // "" when the unit did not vote
	CastAt         *time.Time    `db:"cast_at"`
	Verification   string        `db:"verification"`
	VerifiedAt     *time.Time    `db:"verified_at"`
	EnteredBy      string        `db:"entered_by"`
	ConfirmedBy    string        `db:"confirmed_by"`
	ProxyName      string        `db:"proxy_name"`
	// The hex SHA-256 of the paper ballot's scan and of the proxy's signed
	// authorisation, "" when none.
	OriginalSHA256      string         `db:"original_sha256"`
	AuthorisationSHA256 string         `db:"authorisation_sha256"`
	MatterIDs           pq.Int64Array  `db:"matter_ids"`
	Choices             pq.StringArray `db:"choices"`
}

// UnitRecords returns every ballot of consultation consultationID in the
// order of the roll's places, with owner names masked by secret.MaskName.
func UnitRecords(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64) ([]UnitRecord, error) {
	rs := []UnitRecord{}
	err := sqlx.SelectContext(ctx, q, &rs, `
		SELECT b.unit_id, b.zone, b.area_centi, coalesce(u.owner_name, '') AS owner_name,
		       CASE WHEN dv.method IS NOT NULL THEN 'verified'
		            WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.community_id = b.community_id
		                         AND d.consultation_id = b.consultation_id AND d.unit_id = b.unit_id) THEN 'recorded'
		            ELSE 'none' END AS delivery_state,
		       coalesce(dv.method, '') AS delivery_method, dv.delivered_at,
		       coalesce(k.channel, '') AS channel, k.cast_at, coalesce(k.verification, '') AS verification, k.verified_at,
		       coalesce(ae.username, '') AS entered_by, coalesce(ac.username, '') AS confirmed_by,
		       coalesce(k.proxy_name, '') AS proxy_name,
		       coalesce(encode(ob.sha256, 'hex'), '') AS original_sha256, coalesce(encode(oa.sha256, 'hex'), '') AS authorisation_sha256,
		       coalesce(k.matter_ids, '{}') AS matter_ids, coalesce(k.choices, '{}') AS choices
		FROM ballots b
		LEFT JOIN units u ON u.community_id = b.community_id AND u.id = b.unit_id
		LEFT JOIN LATERAL (
			SELECT d.method, d.delivered_at FROM deliveries d
			JOIN LATERAL (SELECT decision FROM delivery_decisions e WHERE e.community_id = d.community_id
			              AND e.delivery_id = d.id ORDER BY e.id DESC LIMIT 1) x ON x.decision = 'verified'
			WHERE d.community_id = b.community_id AND d.consultation_id = b.consultation_id AND d.unit_id = b.unit_id
			ORDER BY d.delivered_at LIMIT 1) dv ON true
		LEFT JOIN casts k ON k.community_id = b.community_id AND k.consultation_id = b.consultation_id AND k.unit_id = b.unit_id
		LEFT JOIN accounts ae ON ae.id = k.entered_by
		LEFT JOIN accounts ac ON ac.id = k.confirmed_by
		LEFT JOIN paper_originals ob ON ob.community_id = k.community_id AND ob.entry_id = k.paper_entry_id AND ob.kind = 'ballot'
		LEFT JOIN paper_originals oa ON oa.community_id = k.community_id AND oa.entry_id = k.paper_entry_id AND oa.kind = 'authorisation'
		WHERE b.community_id = $1 AND b.consultation_id = $2
		ORDER BY length(b.building), b.building, length(b.entrance), b.entrance, b.floor, length(b.room), b.room, b.unit_id`,
		communityID, consultationID)
	for i := range rs {
		rs[i].Owner = secret.MaskName(rs[i].Owner)
	}
	return rs, err
}

// ImportedUnit is a unit of the roll as imported, the owner's name and
// phone as the file gave them; of the ID number only whether one is on
// file (the roll keeps nothing but its keyed hash).
type ImportedUnit struct {
	RollUnit
	IDNumberOnFile bool `db:"id_on_file"`
}

// ImportedRoll returns estate communityID's roll in the order of places.
func ImportedRoll(ctx context.Context, q sqlx.QueryerContext, communityID int64) ([]ImportedUnit, error) {
	us := []ImportedUnit{}
	err := sqlx.SelectContext(ctx, q, &us, `
		SELECT id, building, entrance, room, zone, floor, area_centi, area_source,
		       owner_name, owner_phone, developer_held, owner_key <> '' AS id_on_file
		FROM units WHERE community_id = $1
		ORDER BY length(building), building, length(entrance), entrance, floor, length(room), room`, communityID)
	return us, err
}

// AccountNames maps the ids of estate communityID's accounts to their
// usernames, for records that name who did what.
func AccountNames(ctx context.Context, q sqlx.QueryerContext, communityID int64) (map[int64]string, error) {
	var rows []struct {
		ID       int64  `db:"id"`
		Username string `db:"username"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, username FROM accounts WHERE community_id = $1`, communityID); err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Username
	}
	return names, nil
}

// UnitVote is one consultation of a unit's history: the vote, the copy of
// the unit its ballot made at opening, and how the ballot was answered —
// never the choices (OpenSealedRecord gives those).
type UnitVote struct {
	ConsultationID int64          `db:"consultation_id" json:"consultation_id"`
	Title          string         `db:"title" json:"title"`
	State          string         `db:"state" json:"state"`
	OpensAt        time.Time      `db:"opens_at" json:"opens_at"`
	ClosesAt       time.Time      `db:"closes_at" json:"closes_at"`
	ClosedAt       *time.Time     `db:"closed_at" json:"closed_at"`
	Zone           string         `db:"zone" json:"zone"`
	Area           quorum.Area    `db:"area_centi" json:"area"`
	Cast           *CountedBallot `db:"-" json:"cast"`
	Deliveries     []Delivery     `db:"-" json:"deliveries"`
	Paper          []PaperEntry   `db:"-" json:"paper_entries"`
	Openings       []Opening      `db:"-" json:"openings"`
	CountedBallot  `json:"-"`     // scanned here, shown as Cast
}

// CountedBallot is how a counted ballot was cast, without its choices.
type CountedBallot struct {
	Channel            string     `db:"channel" json:"channel"`
	At                 *time.Time `db:"cast_at" json:"at"`
	Verification       string     `db:"verification" json:"verification"`
	VerifiedAt         *time.Time `db:"verified_at" json:"verified_at"`
	EnteredBy          string     `db:"entered_by" json:"entered_by"`
	ConfirmedBy        string     `db:"confirmed_by" json:"confirmed_by"`
	PaperEntryID       *int64     `db:"paper_entry_id" json:"paper_entry_id"`
	ProxyName          string     `db:"proxy_name" json:"proxy_name"`
	ProxyAuthorisation string     `db:"proxy_authorisation" json:"proxy_authorisation"`
	// The paper entry's originals: the ballot's scan (its SHA-256 is the
	// log leaf's) and a proxy's signed authorisation; nil when none.
	Original      *OriginalInfo `db:"-" json:"original"`
	Authorisation *OriginalInfo `db:"-" json:"authorisation_scan"`
}

// Opening is one opening of a sealed record, as its audit entry has it.
type Opening struct {
	AuditID int64     `db:"id" json:"audit_id"`
	By      string    `db:"username" json:"by"`
	At      time.Time `db:"at" json:"at"`
	Reason  string    `db:"reason" json:"reason"`
}

// AuditOpenSealed is the audit action of opening a unit's sealed record.
const AuditOpenSealed = "unit.open_sealed"

// UnitHistory returns every consultation that issued unit a ballot, newest
// first, with its delivery records, paper entries, counted ballot and the
// openings of its sealed record. ErrNotFound when the estate has no such
// unit and never balloted one.
func UnitHistory(ctx context.Context, q sqlx.QueryerContext, communityID int64, unit string) ([]UnitVote, error) {
	var votes []UnitVote
	err := sqlx.SelectContext(ctx, q, &votes, `
		SELECT k.id AS consultation_id, k.title, k.state, k.opens_at, k.closes_at, k.closed_at, b.zone, b.area_centi,
		       coalesce(c.channel, '') AS channel, c.cast_at, coalesce(c.verification, '') AS verification, c.verified_at,
		       coalesce(ae.username, '') AS entered_by, coalesce(ac.username, '') AS confirmed_by, c.paper_entry_id,
		       coalesce(c.proxy_name, '') AS proxy_name, coalesce(c.proxy_authorisation, '') AS proxy_authorisation
		FROM ballots b
		JOIN consultations k ON k.community_id = b.community_id AND k.id = b.consultation_id
		LEFT JOIN casts c ON c.community_id = b.community_id AND c.consultation_id = b.consultation_id AND c.unit_id = b.unit_id
		LEFT JOIN accounts ae ON ae.id = c.entered_by
		LEFT JOIN accounts ac ON ac.id = c.confirmed_by
		WHERE b.community_id = $1 AND b.unit_id = $2
		ORDER BY k.opened_at DESC, k.id DESC`, communityID, unit)
	if err != nil {
		return nil, err
	}
	if len(votes) == 0 {
		var exists bool
		if err := sqlx.GetContext(ctx, q, &exists, `SELECT EXISTS (SELECT 1 FROM units WHERE community_id = $1 AND id = $2)`, communityID, unit); err != nil {
			return nil, err
		}
		if !exists {
			return nil, ErrNotFound
		}
		return []UnitVote{}, nil
	}
	var paper []PaperEntry
	if err := sqlx.SelectContext(ctx, q, &paper, paperEntryQuery+`
		WHERE e.community_id = $1 AND e.unit_id = $2 ORDER BY e.id`, communityID, unit); err != nil {
		return nil, err
	}
	if err := attachOriginals(ctx, q, communityID, paper); err != nil {
		return nil, err
	}
	var openings []struct {
		Opening
		ConsultationID int64 `db:"consultation_id"`
	}
	if err := sqlx.SelectContext(ctx, q, &openings, `
		SELECT e.id, coalesce(a.username, '') AS username, e.at, coalesce(e.detail->>'reason', '') AS reason,
		       (e.detail->>'consultation')::bigint AS consultation_id
		FROM audit_entries e LEFT JOIN accounts a ON a.id = e.account_id
		WHERE e.community_id = $1 AND e.action = $2 AND e.subject = $3 ORDER BY e.id`,
		communityID, AuditOpenSealed, unit); err != nil {
		return nil, err
	}
	for i := range votes {
		v := &votes[i]
		if v.Channel != "" {
			c := v.CountedBallot
			for _, p := range paper {
				if c.PaperEntryID != nil && p.ID == *c.PaperEntryID {
					c.Original, c.Authorisation = p.Original, p.Authorisation
				}
			}
			v.Cast = &c
		}
		ds, err := ListDeliveries(ctx, q, communityID, v.ConsultationID, unit)
		if err != nil {
			return nil, err
		}
		v.Deliveries = []Delivery{}
		if len(ds) == 1 {
			v.Deliveries = ds[0].Records
		}
		v.Paper, v.Openings = []PaperEntry{}, []Opening{}
		for _, p := range paper {
			if p.ConsultationID == v.ConsultationID {
				v.Paper = append(v.Paper, p)
			}
		}
		for _, o := range openings {
			if o.ConsultationID == v.ConsultationID {
				v.Openings = append(v.Openings, o.Opening)
			}
		}
	}
	return votes, nil
}

// SealedChoices returns the counted ballot's choices of unit in a
// consultation as matter ids and choice codes, ErrNotFound when it did not
// vote.
func SealedChoices(ctx context.Context, q sqlx.QueryerContext, communityID, consultationID int64, unit string) (matters []int64, choices []string, err error) {
	var row struct {
		MatterIDs pq.Int64Array  `db:"matter_ids"`
		Choices   pq.StringArray `db:"choices"`
	}
	err = sqlx.GetContext(ctx, q, &row, `SELECT matter_ids, choices FROM casts
		WHERE community_id = $1 AND consultation_id = $2 AND unit_id = $3`, communityID, consultationID, unit)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	return row.MatterIDs, row.Choices, err
}
