package main

// The tally rows: sequencing the ballot log, closing a demo vote, the
// notice (render and two signatures), and the tally of a large estate.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"gongjue/notice"
	"gongjue/postgres"
	"gongjue/staff"
	"gongjue/tally"
	"gongjue/tally/tallytest"
)

func init() {
	measurements = append(measurements, measurement{"tally", measureTally})
}

// Targets of issue 5.
const (
	tallyTarget  = 500 * time.Millisecond // 100,000 ballots × 3 matters, 5 zones
	noticeTarget = 500 * time.Millisecond // render + two signatures
	largeUnits   = 117_647                // at the 85% turnout of tallytest.NewLarge: the target's 100,000 ballots
	tallyRepeats = 5
	// The tally beside a plain GROUP BY over the same cast rows, and the
	// live turnout of the large estate (issue 10).
	tallyRatioTarget = 2.0
	turnoutTarget    = 100 * time.Millisecond
)

func measureTally(ctx context.Context, b *bench) ([]row, error) {
	var rows []row
	// The ballot log: the bench runs no background sequencer, so the
	// casting measurement's ballots are all pending; sequence them.
	var leaves int
	start := time.Now()
	for _, id := range b.Consultations {
		_, n, err := postgres.SequenceAll(ctx, b.DB, b.Keys, b.CommunityID, id)
		if err != nil {
			return rows, err
		}
		leaves += n
	}
	if leaves > 0 {
		d := time.Since(start)
		rows = append(rows, row{What: fmt.Sprintf("ballot log: sequence %d leaves (batches of %d, signed checkpoints)", leaves, postgres.SequenceBatch),
			Result: fmt.Sprintf("%.0f leaves/s", float64(leaves)/d.Seconds())})
	}

	// Close a demo vote through the API and sign its notice.
	if len(b.Consultations) > 0 {
		r, err := closeAndSign(ctx, b, b.Consultations[len(b.Consultations)-1])
		rows = append(rows, r...)
		if err != nil {
			return rows, err
		}
	}

	// The tally of a large estate.
	start = time.Now()
	l, err := tallytest.NewLarge(ctx, b.DB, b.Keys, largeUnits)
	if err != nil {
		return rows, err
	}
	setup := time.Since(start)
	var total, load, plain []time.Duration
	for range tallyRepeats {
		t, a, p, err := timeCompute(ctx, b.DB, l)
		if err != nil {
			return rows, err
		}
		total, load, plain = append(total, t), append(load, a), append(plain, p)
	}
	med, plainMed := tallyMedian(total), tallyMedian(plain)
	ratio := float64(med) / float64(plainMed)
	turnout, err := timeTurnout(ctx, b, l)
	if err != nil {
		return rows, err
	}
	rows = append(rows,
		row{What: fmt.Sprintf("tally %d ballots × 3 matters, 5 zones (aggregate + decide, median of %d)", l.Cast, tallyRepeats),
			Result: tallyMS(med), Target: "< " + tallyMS(tallyTarget), Met: met(med < tallyTarget)},
		row{What: "  of which the SQL aggregation (tally.Load)", Result: tallyMS(tallyMedian(load))},
		row{What: "  plain aggregate: one GROUP BY matter, choice over the same cast_choices rows", Result: tallyMS(plainMed)},
		row{What: "  tally / plain aggregate", Result: fmt.Sprintf("%.1f×", ratio),
			Target: fmt.Sprintf("≤ %.1f×", tallyRatioTarget), Met: met(ratio <= tallyRatioTarget)},
		row{What: fmt.Sprintf("turnout of the %d-unit estate through HTTP (median of %d)", l.Units, tallyRepeats),
			Result: tallyMS(turnout), Target: "< " + tallyMS(turnoutTarget), Met: met(turnout < turnoutTarget)},
		row{What: fmt.Sprintf("  (setting up the %d-unit estate and its ballots)", l.Units), Result: fmt.Sprintf("%.1f s", setup.Seconds())},
	)
	return rows, nil
}

// timeCompute times tally.Compute — the aggregation and the quorum
// decisions of closing — in the repeatable-read transaction closing uses;
// separately, the aggregation alone; and in the same snapshot a plain
// aggregate of the same cast rows, the least any count of them costs.
func timeCompute(ctx context.Context, db *postgres.DB, l *tallytest.Large) (total, load, plain time.Duration, err error) {
	err = db.Transact(ctx, sql.LevelRepeatableRead, func(tx *sqlx.Tx) error {
		if err := tally.TuneSession(ctx, tx); err != nil {
			return err
		}
		info, err := postgres.GetClosingInfo(ctx, tx, l.ConsultationID)
		if err != nil {
			return err
		}
		start := time.Now()
		var counts []struct {
			Matter int64  `db:"matter_id"`
			Choice string `db:"choice"`
			N      int64  `db:"n"`
		}
		if err := tx.SelectContext(ctx, &counts, `SELECT matter_id, choice, count(*) AS n FROM cast_choices
			WHERE community_id = $1 AND consultation_id = $2 GROUP BY matter_id, choice`, l.CommunityID, l.ConsultationID); err != nil {
			return err
		}
		plain = time.Since(start)
		start = time.Now()
		if _, err := tally.Load(ctx, tx, l.CommunityID, l.ConsultationID); err != nil {
			return err
		}
		load = time.Since(start)
		start = time.Now()
		doc, err := tally.Compute(ctx, tx, info)
		if err != nil {
			return err
		}
		total = time.Since(start)
		if len(doc.Matters) != 3 {
			return fmt.Errorf("tally: %d matters, want 3", len(doc.Matters))
		}
		return nil
	})
	return total, load, plain, err
}

// timeTurnout times GET /api/v1/consultations/{id}/turnout of the large
// estate as its committee, the median of tallyRepeats.
func timeTurnout(ctx context.Context, b *bench, l *tallytest.Large) (time.Duration, error) {
	var login struct{ Token string }
	if _, err := b.call(ctx, "", "POST", "/api/v1/auth/login", map[string]string{"username": l.Committee, "password": tallytest.Password}, &login, 200); err != nil {
		return 0, err
	}
	var times []time.Duration
	for range tallyRepeats {
		start := time.Now()
		if _, err := b.call(ctx, login.Token, "GET", fmt.Sprintf("/api/v1/consultations/%d/turnout", l.ConsultationID), nil, nil, 200); err != nil {
			return 0, err
		}
		times = append(times, time.Since(start))
	}
	return tallyMedian(times), nil
}

// closeAndSign closes consultation id through the API, approves its notice
// as the committee and as the residents' committee (the second approval
// renders and signs), and times the notice's render and two signatures on
// their own.
func closeAndSign(ctx context.Context, b *bench, id int64) ([]row, error) {
	var rows []row
	path := fmt.Sprintf("/api/v1/consultations/%d", id)
	// Before its closing time a vote closes only with every ballot counted.
	if _, err := b.DB.ExecContext(ctx, `UPDATE consultations SET closes_at = now() WHERE id = $1`, id); err != nil {
		return rows, err
	}
	start := time.Now()
	if _, err := b.call(ctx, b.Committee, "POST", path+"/close", nil, nil, 200); err != nil {
		return rows, err
	}
	closeTime := time.Since(start)
	var casts int
	if err := b.DB.GetContext(ctx, &casts, `SELECT checkpoint_size FROM results WHERE consultation_id = $1`, id); err != nil {
		return rows, err
	}
	rows = append(rows, row{What: fmt.Sprintf("close a demo vote through HTTP (%d ballots: log, aggregate, decide, freeze)", casts), Result: tallyMS(closeTime)})

	residents, err := residentsToken(ctx, b)
	if err != nil {
		return rows, err
	}
	// Each body seals its signing key under its passphrase, then approves with it.
	for token, body := range map[string]string{b.Committee: staff.BodyCommittee, residents: staff.BodyResidents} {
		signing := fmt.Sprintf("/api/v1/communities/%d/signing/%s", b.CommunityID, body)
		if _, err := b.call(ctx, token, "PUT", signing, map[string]string{"passphrase": benchPassword}, nil, 200); err != nil {
			return rows, err
		}
	}
	pass := map[string]string{"passphrase": benchPassword}
	if _, err := b.call(ctx, b.Committee, "POST", path+"/notice/approve", pass, nil, 200); err != nil {
		return rows, err
	}
	start = time.Now()
	var st struct {
		Signed bool `json:"signed"`
	}
	if _, err := b.call(ctx, residents, "POST", path+"/notice/approve", pass, &st, 200); err != nil {
		return rows, err
	}
	approve := time.Since(start)
	if !st.Signed {
		return rows, fmt.Errorf("notice of consultation %d not signed after two approvals", id)
	}

	// Render and sign alone, as the second approval does, from the stored result.
	stored, err := postgres.GetResult(ctx, b.DB, id)
	if err != nil {
		return rows, err
	}
	doc, err := tally.Decode(stored.JSON)
	if err != nil {
		return rows, err
	}
	committee, err := notice.NewBodyIdentity(doc.Consultation.Community, staff.BodyCommittee)
	if err != nil {
		return rows, err
	}
	resID, err := notice.NewBodyIdentity(doc.Consultation.Community, staff.BodyResidents)
	if err != nil {
		return rows, err
	}
	var times []time.Duration
	var size int
	for range tallyRepeats {
		c := &notice.Content{NoticeID: "benchbenchbenchbench", Result: doc, ResultSHA256: tally.Hash(stored.JSON),
			PeriodDays: 7, From: time.Now(), VerifyURL: notice.VerifyURL(b.PublicURL, "benchbenchbenchbench")}
		start := time.Now()
		_, signed, err := notice.RenderAndSign(c, committee, resID, doc.Consultation.Address)
		if err != nil {
			return rows, err
		}
		times = append(times, time.Since(start))
		size = len(signed)
	}
	med := tallyMedian(times)
	rows = append(rows,
		row{What: fmt.Sprintf("notice: render + two signatures (median of %d, %d KB)", tallyRepeats, size/1024),
			Result: tallyMS(med), Target: "< " + tallyMS(noticeTarget), Met: met(med < noticeTarget)},
		row{What: "  second approval through HTTP (render, sign, store)", Result: tallyMS(approve)},
	)
	return rows, nil
}

// residentsToken creates a residents' committee account for the demo
// estate and logs it in.
func residentsToken(ctx context.Context, b *bench) (string, error) {
	if _, err := postgres.CreateAccount(ctx, b.DB, "residents", benchPassword, staff.RoleResidentsCommittee, &b.CommunityID); err != nil && !postgres.IsUniqueViolation(err, "") {
		return "", err
	}
	var out struct{ Token string }
	_, err := b.call(ctx, "", "POST", "/api/v1/auth/login", map[string]string{"username": "residents", "password": benchPassword}, &out, 200)
	return out.Token, err
}

func tallyMedian(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func tallyMS(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}
