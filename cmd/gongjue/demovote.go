package main

import (
	"context"
	"errors"
	"time"

	"gongjue/ballot"
	"gongjue/postgres"
)

// demoConsultation is the title of the demo estate's open vote; seeding
// finds it by title, so running `gongjue demo` again changes nothing.
const demoConsultation = "关于利用公共收益加装电梯及增补业委会委员的表决（演示）"

// seedDemoConsultation creates and opens the demo estate's vote unless it
// exists: a whole-estate consultation, open from an hour ago for 30 days,
// with an approve, a choice and an election matter. Its ballot packet is
// GET /api/v1/consultations/{id}/ballots.pdf (committee or volunteer).
func seedDemoConsultation(ctx context.Context, e *env, cid int64) error {
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
	_, err = postgres.OpenConsultation(ctx, e.DB, e.Keys, cid, id)
	return err
}
