package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"gongjue/postgres"
	"gongjue/postgres/pgtest"

	"github.com/jmoiron/sqlx"
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

// TestTransactRetriesSerializationFailures: a repeatable-read transaction
// whose row another commits first fails to serialize (SQLSTATE 40001);
// Transact runs it again, from the start, and it commits.
func TestTransactRetriesSerializationFailures(t *testing.T) {
	db, _ := pgtest.New(t)
	ctx := context.Background()
	if _, err := db.Exec(`CREATE TABLE transact_probe (id int PRIMARY KEY, n int NOT NULL); INSERT INTO transact_probe VALUES (1, 0)`); err != nil {
		t.Fatal(err)
	}
	attempts := 0
	err := db.Transact(ctx, sql.LevelRepeatableRead, func(tx *sqlx.Tx) error {
		attempts++
		var n int
		if err := tx.Get(&n, `SELECT n FROM transact_probe WHERE id = 1`); err != nil {
			return err
		}
		if attempts == 1 { // another transaction changes the row meanwhile
			if _, err := db.Exec(`UPDATE transact_probe SET n = n + 10 WHERE id = 1`); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`UPDATE transact_probe SET n = $1 WHERE id = 1`, n+1)
		return err
	})
	if err != nil || attempts != 2 {
		t.Fatalf("Transact: %v after %d attempts, want success after 2", err, attempts)
	}
	var n int
	if err := db.Get(&n, `SELECT n FROM transact_probe WHERE id = 1`); err != nil || n != 11 {
		t.Fatalf("n = %d (%v), want 11: the retry saw the other transaction's change", n, err)
	}
}
