package tallytest

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/quorum"
	"gongjue/roll"
	"gongjue/secret"
	"gongjue/staff"
	"gongjue/verification"
)

// LargeZones are the five zones of the large estate, with their shares of
// the units (the demo estate's proportions).
var LargeZones = []struct {
	Name  string
	Share int // per mille
}{{"多层", 165}, {"别墅", 48}, {"高层", 718}, {"复式", 53}, {"商铺", 16}}

// Large is a big estate for benchmarks: an open consultation with an
// approve, a choice and an election matter, and ballots counted for about
// 85% of the units.
type Large struct {
	Committee      string // the username of its committee account (password Password)
	CommunityID    int64
	ConsultationID int64
	Units          int
	Cast           int
}

// NewLarge makes an estate of n units in the five LargeZones (every
// twentieth owner holds two units; the last 1% are developer-held), opens a
// consultation on it, and counts ballots for about 85% of the units. The
// roll, the consultation and the ballots go through package postgres as in
// production; the counted ballots — which production casts one at a time —
// are written in bulk by SQL, with random salts and choices, not yet in the
// ballot log.
func NewLarge(ctx context.Context, db *postgres.DB, keys *secret.Keys, n int) (*Large, error) {
	cid, err := postgres.CreateCommunity(ctx, db, fmt.Sprintf("大型测试小区 %d", time.Now().UnixNano()), "基准测试")
	if err != nil {
		return nil, err
	}
	committee, err := postgres.CreateAccount(ctx, db, benchCommittee(cid), Password, staff.RoleCommittee, &cid)
	if err != nil {
		return nil, err
	}
	units := make([]roll.Unit, 0, n)
	for z, zone := range LargeZones {
		count := n * zone.Share / 1000
		if z == len(LargeZones)-1 {
			count = n - len(units)
		}
		building := z*1000 + 1
		for i := range count {
			b, e, room := fmt.Sprint(building+i/200), fmt.Sprint(1+i/50%4), fmt.Sprintf("%d%02d", 1+i%50/2, 1+i%2)
			k := len(units)
			owner := fmt.Sprintf("ID%08d", k-k%20/19) // units 19 and 18 of each twenty share an owner
			units = append(units, roll.Unit{
				ID: roll.UnitID(b, e, room), Building: b, Entrance: e, Room: room, Zone: zone.Name, Floor: 1 + i%50/2,
				Area: quorum.Area(6000 + (k*7919)%14000), IDNumber: owner, DeveloperHeld: k >= n*99/100,
				OwnerName: "业主", AreaSource: roll.AreaCertificate,
			})
		}
	}
	if _, err := postgres.ImportRoll(ctx, db, keys, cid, units); err != nil {
		return nil, err
	}
	if err := warmUp(ctx, db, keys, cid, committee, units[0].Building); err != nil {
		return nil, err
	}
	now := time.Now()
	draft := ballot.DraftRequest{
		Title: "基准测试表决", Veto: &quorum.Veto{Mode: quorum.VetoZoneRejection},
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(24 * time.Hour),
		Matters: []ballot.MatterDraft{
			{Title: "续聘物业服务企业", Kind: ballot.Approve, Rules: []byte(`"ordinary"`)},
			{Title: "电梯品牌", Kind: ballot.Choice, Rules: []byte(`"major"`), Flags: []ballot.Flag{ballot.Rebuild}, Options: []string{"蒂森", "三菱", "日立"}},
			{Title: "增补业委会委员", Kind: ballot.Election, Seats: 2, Options: []string{Candidate1, Candidate2, Candidate3}},
		},
	}
	c, ps := draft.Check(now)
	if len(ps) > 0 {
		return nil, fmt.Errorf("tallytest: large consultation: %v", ps)
	}
	id, err := postgres.CreateConsultation(ctx, db, cid, &c, committee)
	if err != nil {
		return nil, err
	}
	if _, err := postgres.OpenConsultation(ctx, db, keys, cid, id); err != nil {
		return nil, err
	}
	full, err := postgres.GetConsultation(ctx, db, id)
	if err != nil {
		return nil, err
	}
	m := full.Matters
	l := &Large{Committee: benchCommittee(cid), CommunityID: cid, ConsultationID: id, Units: n}
	err = db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		// Each ballot's choices drawn from hashes of its unit, written
		// as the cast's choice set and then as its cast_choices rows.
		res, err := tx.ExecContext(ctx, `
			INSERT INTO casts (community_id, consultation_id, unit_id, channel, cast_at, salt, matter_ids, choices,
				zone, area_centi, shared_person)
			SELECT b.community_id, b.consultation_id, b.unit_id,
			       CASE WHEN random() < 0.3 THEN 'paper' ELSE 'online' END,
			       now() - random() * interval '20 hours', uuid_send(gen_random_uuid()), x.matter_ids, x.choices,
			       b.zone, b.area_centi, CASE WHEN b.person_shared THEN b.person_key END
			FROM ballots b,
			LATERAL (SELECT (hashtext(b.unit_id || 'a') & 65535) / 65536.0, (hashtext(b.unit_id || 'b') & 65535) / 65536.0,
			                (hashtext(b.unit_id || 'c') & 65535) / 65536.0) AS r (a, b, c),
			LATERAL (
				SELECT array_agg(matter_id ORDER BY matter_id, choice COLLATE "C"), array_agg(choice ORDER BY matter_id, choice COLLATE "C") FROM (
					SELECT $3::bigint, CASE WHEN r.a < 0.62 THEN 'agree' WHEN r.a < 0.9 THEN 'oppose' WHEN r.a < 0.99 THEN 'abstain' ELSE 'spoiled' END
					UNION ALL
					SELECT $4::bigint, CASE WHEN r.b < 0.5 THEN '蒂森' WHEN r.b < 0.8 THEN '三菱' WHEN r.b < 0.95 THEN '日立' ELSE 'abstain' END
					UNION ALL
					SELECT $5::bigint, c FROM unnest(CASE WHEN r.c < 0.4 THEN ARRAY['张三', '李四'] WHEN r.c < 0.7 THEN ARRAY['张三']
					                                      WHEN r.c < 0.9 THEN ARRAY['王五', '李四'] ELSE ARRAY['abstain'] END) AS c
				) AS s (matter_id, choice)
			) AS x (matter_ids, choices)
			WHERE b.community_id = $1 AND b.consultation_id = $2 AND random() < 0.85`, cid, id, m[0].ID, m[1].ID, m[2].ID)
		if err != nil {
			return err
		}
		cast, _ := res.RowsAffected()
		l.Cast = int(cast)
		_, err = tx.ExecContext(ctx, `
			INSERT INTO cast_choices (community_id, consultation_id, unit_id, matter_id, choice)
			SELECT k.community_id, k.consultation_id, k.unit_id, s.matter_id, s.choice
			FROM casts k, unnest(k.matter_ids, k.choices) AS s (matter_id, choice)
			WHERE k.community_id = $1 AND k.consultation_id = $2`, cid, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tallytest: casting in bulk: %w", err)
	}
	_, err = db.ExecContext(ctx, `ANALYZE ballots, casts, cast_choices`)
	return l, err
}

// warmUp opens a small consultation on one building and casts a few
// ballots, then has PostgreSQL gather statistics. Without statistics the
// planner cannot tell the ballots' and casts' primary keys from their other
// unique indexes on (community_id, consultation_id, …), and the foreign-key
// checks of a bulk insert then scan the whole consultation for every row:
// quadratic time on a fresh database.
func warmUp(ctx context.Context, db *postgres.DB, keys *secret.Keys, cid, committee int64, building string) error {
	now := time.Now()
	draft := ballot.DraftRequest{
		Title: "预热", Scope: &ballot.Scope{Building: building},
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Matters: []ballot.MatterDraft{{Title: "预热", Kind: ballot.Approve}},
	}
	c, ps := draft.Check(now)
	if len(ps) > 0 {
		return fmt.Errorf("tallytest: warm-up consultation: %v", ps)
	}
	id, err := postgres.CreateConsultation(ctx, db, cid, &c, committee)
	if err != nil {
		return err
	}
	issued, err := postgres.OpenConsultation(ctx, db, keys, cid, id)
	if err != nil {
		return err
	}
	full, err := postgres.GetConsultation(ctx, db, id)
	if err != nil {
		return err
	}
	for _, b := range issued[:min(len(issued), 20)] {
		sel := []ballot.Selection{{MatterID: full.Matters[0].ID, Choice: ballot.Agree}}
		if _, err := postgres.CastOnline(ctx, db, cid, id, b.UnitID, sel, verification.Pass{}); err != nil {
			return err
		}
	}
	if _, _, err := postgres.SequenceAll(ctx, db, keys, cid, id); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `ANALYZE ballots, casts, cast_choices, ledger_leaves, ledger_hashes`)
	return err
}

func benchCommittee(communityID int64) string { return fmt.Sprintf("bench-committee-%d", communityID) }
