package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/verification"
)

// demoConsultation is the title of the demo estate's open vote; seeding
// finds it by title, so running `gongjue demo` again changes nothing.
const demoConsultation = "关于利用公共收益加装电梯及增补业委会委员的表决（演示）"

// seedDemoConsultation creates and opens the demo estate's vote unless it
// exists: a whole-estate consultation, open from an hour ago for 30 days,
// with an approve, a choice and an election matter, and about half its
// ballots already cast (castDemoBallots). Its ballot packet is
// GET /api/v1/consultations/{id}/ballots.pdf (committee or volunteer).
func seedDemoConsultation(ctx context.Context, e *env, cid int64, units []roll.Unit, accounts map[string]int64) error {
	_, err := postgres.ConsultationByTitle(ctx, e.DB, cid, demoConsultation)
	if err == nil || !errors.Is(err, postgres.ErrNotFound) {
		return err
	}
	now := time.Now()
	d := ballot.DraftRequest{
		Title:       demoConsultation,
		Description: "本次表决为演示：扫描选票上的二维码即可在手机上投票，也可填写纸质选票交楼组长录入。",
		OpensAt:     now.Add(-time.Hour),
		ClosesAt:    now.AddDate(0, 0, 30),
		Matters: []ballot.MatterDraft{
			{Title: "是否同意利用小区公共收益为多层住宅加装电梯", Kind: ballot.Approve, Flags: []ballot.Flag{ballot.Rebuild},
				Description: "加装电梯属改建共有部分，须经参与表决专有面积四分之三以上且参与表决人数四分之三以上的业主同意。"},
			{Title: "电梯品牌", Kind: ballot.Choice, Options: []string{"蒂森", "三菱", "日立"}},
			{Title: "增补业主委员会委员（应选 2 人）", Kind: ballot.Election, Options: []string{"王建国", "李秀英", "张伟"}, Seats: 2},
		},
	}
	c, problems := d.Check(now)
	if len(problems) > 0 {
		return errors.New("demo consultation: " + problems[0].Field + ": " + problems[0].Message)
	}
	id, err := postgres.CreateConsultation(ctx, e.DB, cid, &c, 0)
	if err != nil {
		return err
	}
	if _, err = postgres.OpenConsultation(ctx, e.DB, e.Keys, cid, id); err != nil {
		return err
	}
	return castDemoBallots(ctx, e, cid, id, units, accounts)
}

// demoTurnout is the share of each zone's units that have voted in the
// demo, in per mille: 多层, 别墅 and 复式 above two thirds, 高层 and 商铺
// below, so the per-zone participation rule can be seen failing while the
// vote is still open.
var demoTurnout = map[string]int{"多层": 760, "别墅": 720, "高层": 420, "复式": 700, "商铺": 300}

// demoPaperShare is the per mille of the demo's votes returned on paper.
const demoPaperShare = 250

// castDemoBallots votes the demo's ballots through the casting paths the
// server uses — online casts with the vote's frozen verification passed,
// paper entries entered by volunteer1 and confirmed by volunteer2 — with
// choices drawn from a fixed seed, so every run shows the same figures.
// Several at a time: the demo must start in seconds.
func castDemoBallots(ctx context.Context, e *env, cid, id int64, units []roll.Unit, accounts map[string]int64) error {
	c, err := postgres.GetConsultation(ctx, e.DB, id)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2026, 3762))
	type vote struct {
		unit    string
		paper   bool
		choices []ballot.Selection
	}
	var votes []vote
	for _, u := range units {
		if rng.IntN(1000) >= demoTurnout[u.Zone] {
			continue
		}
		choices, problems := ballot.CheckChoices(demoChoices(rng, c.Matters), c.Matters, false)
		if len(problems) > 0 {
			return fmt.Errorf("demo ballot of %s: %s", u.ID, problems[0].Message)
		}
		votes = append(votes, vote{u.ID, rng.IntN(1000) < demoPaperShare, choices})
	}
	pass := verification.Pass{Method: verification.Method(c.Procedure.Settings.OnlineVerification), At: time.Now()}
	cast := func(v vote) error {
		if !v.paper {
			_, err := postgres.CastOnline(ctx, e.DB, cid, id, v.unit, v.choices, pass)
			return err
		}
		entry, _, err := postgres.CreatePaperEntry(ctx, e.DB, postgres.NewPaperEntry{CommunityID: cid, ConsultationID: id,
			UnitID: v.unit, Choices: v.choices, EnteredBy: accounts["volunteer1"]})
		if err != nil {
			return err
		}
		_, err = postgres.ConfirmPaperEntry(ctx, e.DB, cid, entry, accounts["volunteer2"],
			func(*postgres.AlreadyCastError) string { return "" })
		return err
	}
	queue := make(chan vote)
	errs := make(chan error, demoCasters)
	for range demoCasters {
		go func() {
			var first error
			for v := range queue {
				if first == nil {
					first = cast(v)
				}
			}
			errs <- first
		}()
	}
	for _, v := range votes {
		queue <- v
	}
	close(queue)
	var first error
	for range demoCasters {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// demoCasters is how many demo ballots are cast at a time.
const demoCasters = 16

// demoChoices is one owner's ballot: most agree to the lift, the brands
// split, and each owner approves up to two candidates.
func demoChoices(rng *rand.Rand, matters []ballot.Matter) ballot.Input {
	in := ballot.Input{}
	for _, m := range matters {
		key := strconv.FormatInt(m.ID, 10)
		switch r := rng.IntN(100); m.Kind {
		case ballot.Approve:
			in[key] = []string{map[bool]string{true: ballot.Agree, false: ballot.Oppose}[r < 82]}
			if r >= 95 {
				in[key] = []string{ballot.Abstain}
			}
		case ballot.Choice:
			in[key] = []string{m.Options[r%len(m.Options)]}
		case ballot.Election:
			picked := []string{}
			for _, o := range m.Options {
				if len(picked) < m.Seats && rng.IntN(100) < 60 {
					picked = append(picked, o)
				}
			}
			in[key] = picked
		}
	}
	return in
}
