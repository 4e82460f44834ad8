package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/staff"
)

// demoEstate is the demo estate's name; demo finds it by name, so running
// the command again changes nothing.
const demoEstate = "共决示范小区"

// demoAccounts are the demo logins, printed by `gongjue demo`. They are for
// a local trial only.
var demoAccounts = []struct{ username, password, role string }{
	{"admin", "admin-demo-2026", staff.RolePlatformAdmin},
	{"committee", "committee-demo-2026", staff.RoleCommittee},
	{"committee2", "committee-demo-2026", staff.RoleCommittee},
	{"residents", "residents-demo-2026", staff.RoleResidentsCommittee},
	{"volunteer1", "volunteer-demo-2026", staff.RoleVolunteer},
	{"volunteer2", "volunteer-demo-2026", staff.RoleVolunteer},
}

func runDemo(ctx context.Context, stdout io.Writer) error {
	e, err := openEnv(ctx)
	if err != nil {
		return err
	}
	defer e.DB.Close()
	cid, err := seedDemo(ctx, e)
	if err != nil {
		return err
	}
	zones, err := postgres.ListZones(ctx, e.DB, cid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n演示小区 demo estate: %s (community %d)\n", demoEstate, cid)
	for _, z := range zones.Zones {
		fmt.Fprintf(stdout, "  %-4s %5d units  %5d persons  %12s m²\n", z.Name, z.Units, z.Headcount, z.Area)
	}
	fmt.Fprintf(stdout, "\n控制台 console:  %s/\n", e.PublicURL)
	fmt.Fprintf(stdout, "健康检查 health: %s/healthz\n\n登录 logins:\n", e.PublicURL)
	for _, a := range demoAccounts {
		fmt.Fprintf(stdout, "  %-11s %-22s %s\n", a.username, a.password, a.role)
	}
	return nil
}

// seedDemo creates the demo estate, its roll and accounts unless they exist.
func seedDemo(ctx context.Context, e *env) (int64, error) {
	c, err := postgres.CommunityByName(ctx, e.DB, demoEstate)
	cid := c.ID
	if errors.Is(err, postgres.ErrNotFound) {
		cid, err = postgres.CreateCommunity(ctx, e.DB, demoEstate, "上海市示范路 278 号")
	}
	if err != nil {
		return 0, err
	}
	units := roll.Demo()
	if _, err := postgres.ImportRoll(ctx, e.DB, e.Keys, cid, units); err != nil {
		return 0, err
	}
	accounts := make(map[string]int64, len(demoAccounts))
	for _, a := range demoAccounts {
		var community *int64
		if a.role != staff.RolePlatformAdmin {
			community = &cid
		}
		id, err := postgres.CreateAccount(ctx, e.DB, a.username, a.password, a.role, community)
		if postgres.IsUniqueViolation(err, "") {
			id, err = postgres.AccountID(ctx, e.DB, a.username)
		}
		if err != nil {
			return 0, err
		}
		accounts[a.username] = id
	}
	return cid, seedDemoConsultation(ctx, e, cid, units, accounts)
}
