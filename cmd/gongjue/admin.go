package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
