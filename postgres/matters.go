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
	"gongjue/procedure"
	"gongjue/verification"
)

// matterCache remembers which consultation each matter belongs to and the
// matters of opened consultations. It forgets everything past
// maxCachedMatters entries.
type matterCache struct {
	mu           sync.RWMutex
	consultation map[int64]int64           // matter → consultation
	matters      map[int64][]ballot.Matter // consultation → its matters
	// procedures holds the rules of procedure frozen into opened
	// consultations (§3.6), which never change either: what owner
	// verification a cast needs (§5.2), whether opening the page delivers.
	procedures sync.Map // consultation → procedure.Applied
	// populations holds the ballots of opened consultations by zone and
	// shared person (turnout.go), issued once at opening.
	populations sync.Map // consultation → []PopulationGroup
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
// (ids are unique across estates) once it is opened, from the cache of
// frozen rules; none for a draft, whose rules are not frozen yet.
func OpenedVerification(ctx context.Context, db *DB, id int64) (verification.Method, error) {
	var c struct {
		CommunityID int64        `db:"community_id"`
		State       ballot.State `db:"state"`
	}
	if _, ok := db.matters.procedures.Load(id); !ok {
		if err := getPrepared(ctx, db, &c, `SELECT community_id, state FROM consultations WHERE id = $1`, id); err != nil {
			return "", err
		}
		if c.State == ballot.Draft {
			return verification.None, nil
		}
	}
	a, err := openedProcedure(ctx, db, c.CommunityID, id)
	if err != nil {
		return "", err
	}
	return onlineVerification(a)
}

// onlineVerification is the owner verification rules a demand of online
// casts (§5.2).
func onlineVerification(a procedure.Applied) (verification.Method, error) {
	return verification.ParseMethod(string(a.Settings.OnlineVerification))
}

// openedProcedure returns the rules of procedure frozen into consultation
// id of estate communityID, which has been opened: from the cache when q
// is the pool, which it fills.
func openedProcedure(ctx context.Context, q sqlx.QueryerContext, communityID, id int64) (procedure.Applied, error) {
	db, ok := q.(*DB)
	if ok {
		if a, ok := db.matters.procedures.Load(id); ok {
			return a.(procedure.Applied), nil
		}
	}
	var row consultationRow
	if err := getPrepared(ctx, q, &row, `SELECT `+consultationColumns+` FROM consultations
		WHERE community_id = $1 AND id = $2`, communityID, id); err != nil {
		return procedure.Applied{}, err
	}
	a, err := appliedProcedure(ctx, q, &row)
	if err == nil && ok && row.State != string(ballot.Draft) {
		db.matters.procedures.Store(id, a)
	}
	return a, err
}
