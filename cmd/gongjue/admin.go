package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gongjue/postgres"
	"gongjue/roll"
	"gongjue/staff"
)

func runUser(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: gongjue user add --username U --password P --role ROLE [--community ID]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	username := fs.String("username", "", "login name")
	password := fs.String("password", "", "password, at least 8 characters")
	role := fs.String("role", "", "platform_admin, committee, residents_committee or volunteer")
	community := fs.Int64("community", 0, "estate id (not for platform_admin)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" || *password == "" || *role == "" {
		return errors.New("--username, --password and --role are required")
	}
	var cid *int64
	if *role != staff.RolePlatformAdmin {
		if *community == 0 {
			return fmt.Errorf("role %s needs --community ID", *role)
		}
		cid = community
	}
	e, err := openEnv(ctx)
	if err != nil {
		return err
	}
	defer e.DB.Close()
	id, err := postgres.CreateAccount(ctx, e.DB, *username, *password, *role, cid)
	if err != nil {
		return err
	}
	if err := postgres.Audit(ctx, e.DB, cid, nil, "user.create", *username, map[string]string{"role": *role, "by": "command line"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "account %d created: %s (%s)\n", id, *username, *role)
	return nil
}

// runCommunity creates an estate (DESIGN §9) and prints its id, which
// `gongjue import` and `gongjue user add` then take as --community.
func runCommunity(ctx context.Context, args []string, stdout io.Writer) error {
	const usage = "usage: gongjue community add --name N --address A"
	if len(args) == 0 || args[0] != "add" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("community add", flag.ContinueOnError)
	name := fs.String("name", "", "the estate's name, e.g. 共决示范小区")
	address := fs.String("address", "", "its address")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" || fs.NArg() != 0 {
		return errors.New("--name is required; " + usage)
	}
	e, err := openEnv(ctx)
	if err != nil {
		return err
	}
	defer e.DB.Close()
	id, err := postgres.CreateCommunity(ctx, e.DB, strings.TrimSpace(*name), strings.TrimSpace(*address))
	if err != nil {
		return err
	}
	if err := postgres.Audit(ctx, e.DB, &id, nil, "community.create", strings.TrimSpace(*name), map[string]string{"by": "command line"}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d\n", id)
	return nil
}

func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	community := fs.Int64("community", 0, "estate id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *community == 0 || fs.NArg() != 1 {
		return errors.New("usage: gongjue import --community ID FILE")
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	units, err := roll.Parse(f, filepath.Base(path))
	if err != nil {
		return describeRollError(err)
	}
	e, err := openEnv(ctx)
	if err != nil {
		return err
	}
	defer e.DB.Close()
	summary, err := postgres.ImportRoll(ctx, e.DB, e.Keys, *community, units)
	if err != nil {
		return describeRollError(err)
	}
	fmt.Fprintf(stdout, "imported: %d units, %d persons, %d zones; added %d, changed %d, removed %d\n",
		summary.Units, summary.Persons, summary.Zones, summary.Added, summary.Changed, summary.Removed)
	return nil
}

// describeRollError lists every problem of a refused roll, one a line.
func describeRollError(err error) error {
	var rollErr *roll.Error
	if !errors.As(err, &rollErr) {
		return err
	}
	msg := rollErr.Error()
	for _, p := range rollErr.Problems {
		msg += fmt.Sprintf("\n  row %d, column %s: %s", p.Row, p.Column, p.Message)
	}
	return errors.New(msg)
}
