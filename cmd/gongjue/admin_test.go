package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"
)

// TestCommunityAdd: `gongjue community add` creates the estate and prints
// only its id, which `gongjue user add --community` then takes; without a
// name it refuses and creates nothing.
func TestCommunityAdd(t *testing.T) {
	db, dbURL := pgtest.New(t)
	t.Setenv("DATABASE_URL", dbURL)
	t.Setenv("GONGJUE_DATA_DIR", t.TempDir())
	ctx := context.Background()

	var out, errOut bytes.Buffer
	if code := run([]string{"community", "add", "--name", " 春晖花园 ", "--address", "杭州市春晖路 8 号"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("community add: exit %d: %s", code, errOut.String())
	}
	id, err := strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64)
	if err != nil {
		t.Fatalf("community add printed %q, not an id", out.String())
	}
	c, err := postgres.GetCommunity(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "春晖花园" || c.Address != "杭州市春晖路 8 号" {
		t.Errorf("estate %d: %q at %q", id, c.Name, c.Address)
	}
	out.Reset()
	if code := run([]string{"user", "add", "--username", "chunhui", "--password", "chunhui-2026", "--role", "committee",
		"--community", strconv.FormatInt(id, 10)}, nil, &out, &errOut); code != 0 {
		t.Fatalf("user add in the new estate: exit %d: %s", code, errOut.String())
	}

	errOut.Reset()
	if code := run([]string{"community", "add", "--address", "无名路 1 号"}, nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "--name is required") {
		t.Errorf("without --name: exit %d: %s", code, errOut.String())
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM communities`); err != nil || n != 1 {
		t.Errorf("estates after the refusal: %d (%v)", n, err)
	}
}
