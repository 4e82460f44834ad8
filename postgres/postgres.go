// Package postgres is Gongjue's store: plain SQL over lib/pq and sqlx.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"gongjue/migrations"
)

// migrationLock is the advisory lock key that serialises concurrent
// migrators (two servers starting at once).
const migrationLock = 0x67_6f6e_676a_7565 // "gongjue"

// Migrate applies, each in its own transaction, the migrations not yet
// recorded in schema_migrations. Applying twice is a no-op, and on a
// current schema Migrate only reads: the server's role, which may not
// create or alter anything (GrantServe), starts on a migrated database.
// When migrations are pending and the role may not apply them, the error
// says to run gongjue migrate as the schema owner.
func Migrate(ctx context.Context, db *DB) (applied []string, err error) {
	pending, err := PendingMigrations(ctx, db)
	if err != nil || len(pending) == 0 {
		return nil, err
	}
	applied, err = migrate(ctx, db, "")
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "42501" { // insufficient_privilege
		return applied, fmt.Errorf("数据库结构需要迁移（%s），本数据库角色无权执行：请以结构所有者运行 gongjue migrate / "+
			"the schema needs migrations (%s) this database role may not apply: run gongjue migrate as the schema owner: %w",
			strings.Join(pending, ", "), strings.Join(pending, ", "), err)
	}
	return applied, err
}

// PendingMigrations lists, in order, the migrations not yet applied to db.
func PendingMigrations(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	names, err := fs.Glob(migrations.Files, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var tracked bool
	if err := sqlx.GetContext(ctx, q, &tracked, `SELECT to_regclass('schema_migrations') IS NOT NULL`); err != nil || !tracked {
		return names, err
	}
	var done []string
	if err := sqlx.SelectContext(ctx, q, &done, `SELECT name FROM schema_migrations`); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(names, func(n string) bool { return slices.Contains(done, n) }), nil
}

// MigrateUpTo applies the pending migrations up to and including the file
// named last, as the release that shipped it did: the start of an upgrade
// test.
func MigrateUpTo(ctx context.Context, db *DB, last string) (applied []string, err error) {
	return migrate(ctx, db, last)
}

// migrate applies the pending migrations in order, up to last ("": all).
func migrate(ctx context.Context, db *DB, last string) (applied []string, err error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, err
	}
	// Another migrator may have applied some while this one waited for the lock.
	names, err := PendingMigrations(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if last != "" && name > last {
			break
		}
		script, err := fs.ReadFile(migrations.Files, name)
		if err != nil {
			return applied, err
		}
		err = transactOnce(ctx, conn, nil, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, string(script)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", name, err)
		}
		applied = append(applied, name)
	}
	return applied, nil
}

// IsUniqueViolation reports whether err is PostgreSQL's unique_violation,
// optionally on the named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" {
		return false
	}
	return constraint == "" || strings.EqualFold(pqErr.Constraint, constraint)
}
