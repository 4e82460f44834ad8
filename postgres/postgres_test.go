package postgres_test

import (
	"context"
	"testing"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	db, _ := pgtest.New(t) // already migrated once
	applied, err := postgres.Migrate(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migration applied %v, want nothing", applied)
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("schema_migrations is empty after migrating")
	}
}
