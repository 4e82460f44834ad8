package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// DB is Gongjue's store: a connection pool together with what the voting
// hot paths keep for that pool — its prepared statements, the caster that
// batches casts (cast.go) and the matters of opened consultations
// (matters.go). Queries that take a sqlx.QueryerContext
// take a *DB as well as a transaction.
type DB struct {
	*sqlx.DB
	stmts  sync.Map // query → *sqlx.Stmt
	caster *caster
	// matters caches the matters of opened consultations (matters.go).
	matters *matterCache
	// explain says why a ballot found was not counted (cast.go); a
	// test makes it slow to show that casting does not wait for it.
	explain func(ctx context.Context, q sqlx.QueryerContext, o *castOrder, r castRow) error
}

// Open connects to the database at url (lib/pq form) and checks it answers.
func Open(ctx context.Context, url string) (*DB, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	return newDB(db), nil
}

func newDB(db *sqlx.DB) *DB {
	d := &DB{DB: db, explain: explain, matters: newMatterCache()}
	d.caster = newCaster(d)
	return d
}

// Close closes the pool and the statements prepared on it.
func (db *DB) Close() error {
	db.stmts.Range(func(_, v any) bool {
		v.(*sqlx.Stmt).Close()
		return true
	})
	return db.DB.Close()
}

// transactAttempts bounds how often Transact runs a transaction that keeps
// meeting serialization failures.
const transactAttempts = 10

// Transact runs fn in one transaction at isolation level iso
// (sql.LevelDefault is read committed), committing when fn returns nil and
// rolling back otherwise, so nothing is ever half-written. A transaction
// that fails to serialize (SQLSTATE 40001) or is chosen as a deadlock's
// victim (40P01) is run again from the start, so fn must not have effects
// outside tx, or must repeat them harmlessly.
func (db *DB) Transact(ctx context.Context, iso sql.IsolationLevel, fn func(*sqlx.Tx) error) error {
	var err error
	for range transactAttempts {
		err = transactOnce(ctx, db.DB, &sql.TxOptions{Isolation: iso}, fn)
		if !isSerializationFailure(err) {
			return err
		}
	}
	return fmt.Errorf("postgres: gave up after %d attempts: %w", transactAttempts, err)
}

type txBeginner interface {
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

func transactOnce(ctx context.Context, db txBeginner, opts *sql.TxOptions, fn func(*sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, opts)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func isSerializationFailure(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "40001" || pqErr.Code == "40P01")
}

// getPrepared is sqlx.GetContext through a cached prepared statement when
// q is a *DB, and a plain query otherwise (in a transaction).
func getPrepared(ctx context.Context, q sqlx.QueryerContext, dest any, query string, args ...any) error {
	db, ok := q.(*DB)
	if !ok {
		return sqlx.GetContext(ctx, q, dest, query, args...)
	}
	stmt, err := db.prepared(ctx, query)
	if err != nil {
		return err
	}
	return stmt.GetContext(ctx, dest, args...)
}

// selectPrepared is sqlx.SelectContext through a cached prepared statement
// when q is a *DB, and a plain query otherwise (in a transaction).
func selectPrepared(ctx context.Context, q sqlx.QueryerContext, dest any, query string, args ...any) error {
	db, ok := q.(*DB)
	if !ok {
		return sqlx.SelectContext(ctx, q, dest, query, args...)
	}
	stmt, err := db.prepared(ctx, query)
	if err != nil {
		return err
	}
	return stmt.SelectContext(ctx, dest, args...)
}

// prepared returns query prepared once for the pool: each pooled
// connection then plans it once rather than once per request (planning
// the ballot query costs several times executing it).
func (db *DB) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if v, ok := db.stmts.Load(query); ok {
		return v.(*sqlx.Stmt), nil
	}
	stmt, err := db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := db.stmts.LoadOrStore(query, stmt); loaded {
		stmt.Close()
		return v.(*sqlx.Stmt), nil
	}
	return stmt, nil
}
