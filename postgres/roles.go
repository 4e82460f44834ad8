package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The grants of the role gongjue serve runs as (DESIGN §9). It owns
// nothing, so it can neither disable a trigger nor alter a table, and
// holds SELECT and INSERT on every table, USAGE on their sequences, and
// beyond that only the UPDATE and DELETE the server's code really does.
// Counted ballots, the ballot log, results, audit entries and ballots get
// no UPDATE and no DELETE: the triggers refuse them too, even to the owner.
// A table added by a later migration gets SELECT and INSERT the next time
// the grants are given; one the server updates needs its line here.
var serveUpdates = []struct{ table, columns string }{
	// Editing a draft, opening (state, seed), closing, extending, noticing.
	{"consultations", "title, description, scope_zone, scope_building, scope_entrance, veto, opens_at, closes_at, " +
		"previous_id, round, state, opened_at, closed_at, token_seed, " +
		// Opening freezes the rules of procedure into the consultation.
		"procedure_version, procedure_sha256, procedure_settings, procedure_defaulted"},
	// A committee deactivates an account or resets its password.
	{"accounts", "password_hash, deactivated_at"},
	// A rules-of-procedure version moves draft → active → superseded.
	{"procedures", "state, activated_by, activated_at, superseded_at"},
	// A paper entry is decided once: confirmed or rejected.
	{"paper_entries", "state, decided_by, decided_at, note"},
	// The notice is signed once (its trigger refuses any other change).
	{"notices", "result_sha256, unsigned_sha256, signed_pdf, pdf_sha256, signed_at"},
	// An owner's verification attempts on one ballot (DESIGN §5.2).
	{"ballot_verifications", "failures, locked_until, passed, passed_at, code_hash, code_expires, code_tries, sends"},
	// Setting a body's first passphrase erases its master-sealed key.
	{"signing_identities", "sealed_key"},
	// A roll import updates units by id.
	{"units", "building, entrance, room, zone, floor, area_centi, area_source, owner_key, owner_name, owner_phone, developer_held"},
	// No UPDATE of an estate is made, but a roll import serialises on its
	// estate's row (SELECT … FOR NO KEY UPDATE), which PostgreSQL allows
	// only to a role with UPDATE on some column of the table.
	{"communities", "address"},
}

// serveDeletes are the tables the server deletes from: units and zones a
// roll import drops, a draft's matters when it is edited, ended sessions,
// a notice's wrapped key once both bodies have signed.
var serveDeletes = []string{"units", "zones", "matters", "sessions", "notice_pending_keys"}

// CheckServeRole says why role is unfit to run gongjue serve, or returns
// nil: it must exist and be no superuser, and must own nothing — neither a
// table nor the schema, directly or through a role it belongs to — since
// an owner can disable a table's triggers or drop it.
func CheckServeRole(ctx context.Context, q sqlx.QueryerContext, role string) error {
	var r struct {
		Super bool `db:"rolsuper"`
		Owns  bool `db:"owns"`
	}
	// The database's owner owns the public schema (pg_database_owner).
	err := sqlx.GetContext(ctx, q, &r, `
		SELECT r.rolsuper,
		       EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
		               AND pg_has_role(r.oid, c.relowner, 'MEMBER'))
		       OR pg_has_role(r.oid, (SELECT nspowner FROM pg_namespace WHERE nspname = 'public'), 'MEMBER') AS owns
		FROM pg_roles r WHERE r.rolname = $1`, role)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("数据库角色 %q 不存在，请先创建：CREATE ROLE %s LOGIN PASSWORD '…' / role %q does not exist: create it first with CREATE ROLE %s LOGIN PASSWORD '…'",
			role, pq.QuoteIdentifier(role), role, pq.QuoteIdentifier(role))
	case err != nil:
		return err
	case r.Super:
		return fmt.Errorf("角色 %q 是超级用户，不能作为服务角色 / role %q is a superuser: gongjue serve must run as a role without privileges of its own", role, role)
	case r.Owns:
		return fmt.Errorf("角色 %q 拥有数据库对象，不能作为服务角色 / role %q owns tables or the schema: gongjue serve must run as a role that owns nothing", role, role)
	}
	return nil
}

// GrantServe gives role exactly the grants gongjue serve needs on db's
// schema, revoking any others it holds there; giving them again is a
// no-op. The role must pass CheckServeRole. Run it as the schema owner,
// after Migrate.
func GrantServe(ctx context.Context, db *DB, role string) error {
	if err := CheckServeRole(ctx, db, role); err != nil {
		return err
	}
	q := pq.QuoteIdentifier(role)
	var dbName string
	if err := db.GetContext(ctx, &dbName, `SELECT current_database()`); err != nil {
		return err
	}
	stmts := []string{
		`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ` + q,
		`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ` + q,
		`REVOKE ALL ON SCHEMA public FROM ` + q,
		// Before PostgreSQL 15 every role may create in public by default.
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
		`GRANT USAGE ON SCHEMA public TO ` + q,
		// TEMPORARY: a roll import stages the file in a temporary table.
		`GRANT CONNECT, TEMPORARY ON DATABASE ` + pq.QuoteIdentifier(dbName) + ` TO ` + q,
		`GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ` + q,
		`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ` + q,
		// The server reads which migrations are applied and applies none.
		`REVOKE INSERT ON schema_migrations FROM ` + q,
	}
	for _, u := range serveUpdates {
		stmts = append(stmts, fmt.Sprintf(`GRANT UPDATE (%s) ON %s TO %s`, u.columns, u.table, q))
	}
	stmts = append(stmts, fmt.Sprintf(`GRANT DELETE ON %s TO %s`, strings.Join(serveDeletes, ", "), q))
	return db.Transact(ctx, sql.LevelDefault, func(tx *sqlx.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
}
