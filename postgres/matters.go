package postgres

// The matters of opened consultations, cached for the voting hot paths:
// only a draft's matters can be edited, and an opened consultation never
// returns to draft, so once opened they never change.

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/ballot"
	"gongjue/verification"
)

// matterCache remembers which consultation each matter belongs to and the
// matters of opened consultations. It forgets everything past
// maxCachedMatters entries.
type matterCache struct {
	mu           sync.RWMutex
	consultation map[int64]int64           // matter → consultation
	matters      map[int64][]ballot.Matter // consultation → its matters
	// verification holds the online verification frozen into opened
	// consultations (DESIGN §5.2), which never changes either.
	verification sync.Map // consultation → verification.Method
}

const maxCachedMatters = 20000

func newMatterCache() *matterCache {
	return &matterCache{consultation: map[int64]int64{}, matters: map[int64][]ballot.Matter{}}
}

func (mc *matterCache) get(consultationID int64) ([]ballot.Matter, bool) {
	mc.mu.RLock()
	defer mc.mu.RUnlock()
	ms, ok := mc.matters[consultationID]
	return ms, ok
}

func (mc *matterCache) put(consultationID int64, ms []ballot.Matter) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if len(mc.consultation) > maxCachedMatters {
		mc.consultation, mc.matters = map[int64]int64{}, map[int64][]ballot.Matter{}
	}
	for _, m := range ms {
		mc.consultation[m.ID] = consultationID
	}
	mc.matters[consultationID] = ms
}

// owner returns the consultation all of ids belong to, when the cache
// knows them all and they belong to one.
func (mc *matterCache) owner(ids []int64) (int64, bool) {
	mc.mu.RLock()
	defer mc.mu.RUnlock()
	var cons int64
	for _, id := range ids {
		k, ok := mc.consultation[id]
		if !ok || cons != 0 && k != cons {
			return 0, false
		}
		cons = k
	}
	return cons, cons != 0
}

// openedMatters returns the matters of consultation id of estate
// communityID, which has been opened: from the cache when q is the pool,
// which it fills.
func openedMatters(ctx context.Context, q sqlx.QueryerContext, communityID, id int64) ([]ballot.Matter, error) {
	db, ok := q.(*DB)
	if !ok {
		return listMatters(ctx, q, communityID, id)
	}
	if ms, ok := db.matters.get(id); ok {
		return ms, nil
	}
	ms, err := listMatters(ctx, db, communityID, id)
	if err != nil {
		return nil, err
	}
	db.matters.put(id, ms)
	return ms, nil
}

// MattersOf returns the consultation all of matter ids belong to and its
// matters, when they belong to one opened consultation: what the ballot
// API's fast path checks a ballot's choices against (matter ids are unique
// across consultations). ok is false otherwise, or on a database error,
// which the slow path then meets and reports.
func MattersOf(ctx context.Context, db *DB, ids []int64) (consultationID int64, matters []ballot.Matter, ok bool) {
	if len(ids) == 0 {
		return 0, nil, false
	}
	if cons, ok := db.matters.owner(ids); ok {
		ms, ok := db.matters.get(cons)
		return cons, ms, ok
	}
	var owners []struct {
		CommunityID    int64        `db:"community_id"`
		ConsultationID int64        `db:"consultation_id"`
		State          ballot.State `db:"state"`
	}
	err := sqlx.SelectContext(ctx, db, &owners, `SELECT m.community_id, m.consultation_id, c.state
		FROM matters m JOIN consultations c ON c.community_id = m.community_id AND c.id = m.consultation_id
		WHERE m.id = ANY($1)`, pq.Array(ids))
	if err != nil || len(owners) != len(ids) {
		return 0, nil, false
	}
	first := owners[0]
	for _, o := range owners {
		if o.ConsultationID != first.ConsultationID || o.State == ballot.Draft {
			return 0, nil, false
		}
	}
	ms, err := openedMatters(ctx, db, first.CommunityID, first.ConsultationID)
	if err != nil {
		return 0, nil, false
	}
	return first.ConsultationID, ms, true
}

// OpenedVerification returns the online verification of consultation id
// (ids are unique across estates): from the cache once the consultation's
// rules of procedure are frozen, none before that.
func OpenedVerification(ctx context.Context, db *DB, id int64) (verification.Method, error) {
	if m, ok := db.matters.verification.Load(id); ok {
		return m.(verification.Method), nil
	}
	var frozen struct {
		Settings bool   `db:"frozen"`
		Method   string `db:"method"`
	}
	if err := getPrepared(ctx, db, &frozen, `SELECT procedure_settings IS NOT NULL AS frozen,
		coalesce(procedure_settings->>'online_verification', '') AS method FROM consultations WHERE id = $1`, id); err != nil {
		return "", err
	}
	m, err := verification.ParseMethod(frozen.Method)
	if err == nil && frozen.Settings {
		db.matters.verification.Store(id, m)
	}
	return m, err
}
