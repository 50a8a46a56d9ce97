package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"usersd/internal/core"
)

// DB is a core.Store over database/sql. Reads go to R; writes to W, which
// for SQLite is a single connection taking the write lock at BEGIN (so
// writers queue instead of failing), and for PostgreSQL is R itself.
//
// A DB made by Tx is bound to one transaction (txn): reads and writes both
// go to it, so reads see the transaction's writes.
type DB struct {
	R, W *sql.DB
	F    *Flavor

	// BulkDeferAfter is the rows a BulkLoad into an empty users table
	// writes before it defers the secondary indexes (0: the default).
	BulkDeferAfter int
	// ProbeWindow resizes F.ProbeWindow when not 0 (negative: never probe).
	ProbeWindow int
	// Users, when set, keeps users read by pages (usercache.go).
	Users *UserCache

	stmts sync.Map // SQL text → *sql.Stmt on R, when F.CacheStatements
	nstmt atomic.Int32

	txn *sql.Tx // set on the Store that Tx hands to its function
	// txStmts are statements prepared on txn (txstmt.go), closed with it.
	txStmts map[string]*sql.Stmt
}

// conn is what a *sql.DB and a *sql.Tx both offer.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// rd is where reads go: the transaction, or the read pool.
func (db *DB) rd() conn {
	if db.txn != nil {
		return db.txn
	}
	return db.R
}

// maxStatements bounds the prepared-statement cache. Statements differ by
// the shape of a filter, not its values, so real traffic stays far below.
const maxStatements = 512

// stmt returns a cached prepared statement for a read, or nil.
func (db *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	if !db.F.CacheStatements {
		return nil
	}
	if s, ok := db.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	if db.nstmt.Load() >= maxStatements {
		return nil
	}
	s, err := db.R.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query will report the error
	}
	if prev, loaded := db.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt)
	}
	db.nstmt.Add(1)
	return s
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.txn != nil {
		return db.txn.QueryContext(ctx, query, args...)
	}
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.R.QueryContext(ctx, query, args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.txn != nil {
		return db.txn.QueryRowContext(ctx, query, args...)
	}
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.R.QueryRowContext(ctx, query, args...)
}

var _ core.Store = (*DB)(nil)

// Close closes both pools. On a Store bound to a transaction it does
// nothing: Tx ends the transaction.
func (db *DB) Close() error {
	if db.txn != nil {
		return nil
	}
	db.stmts.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	err := db.R.Close()
	if db.W != db.R {
		err = errors.Join(err, db.W.Close())
	}
	return err
}

// Ping implements core.Store.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.rd().QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return db.wrap("ping", err)
	}
	return nil
}

// wrap turns driver errors into domain errors at the store boundary.
func (db *DB) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *core.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &core.Error{Code: core.NotFound, Message: "Not found.", Err: err}
	}
	if e := db.F.Classify(err); e != nil {
		e.Err = fmt.Errorf("%s: %w", op, err)
		return e
	}
	return fmt.Errorf("%s: %w", op, err)
}

// maxAttempts bounds the runs of one transaction that the engine asks to
// retry (SQLite busy, PostgreSQL serialization failure or deadlock).
const maxAttempts = 5

// savepoint names the savepoint that store methods and nested Tx calls set
// inside a transaction. Savepoints of one name stack: RELEASE and ROLLBACK
// TO act on the innermost.
const savepoint = "usersd_sp"

// tx runs fn atomically. On the pools it is a write transaction, retried
// when the engine asks to; inside a Tx it is a savepoint, so a failed
// method undoes only its own writes and (on PostgreSQL) leaves the
// transaction usable, as callers that recover from a Conflict need.
func (db *DB) tx(ctx context.Context, op string, fn func(conn) error) error {
	if db.txn != nil {
		return db.wrap(op, db.inSavepoint(ctx, func() error { return fn(db.txn) }))
	}
	for attempt := 1; ; attempt++ {
		err := db.tx1(ctx, func(tx *sql.Tx) error { return fn(tx) })
		if err != nil && attempt < maxAttempts && db.F.Retryable(err) {
			continue
		}
		return db.wrap(op, err)
	}
}

// exec runs one write statement: on the write pool (autocommit), or in a
// savepoint inside a Tx.
func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.txn == nil {
		return db.W.ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := db.inSavepoint(ctx, func() error {
		var err error
		res, err = db.txn.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// writeRow runs one write statement returning a row (INSERT … RETURNING)
// and scans it, as exec does.
func (db *DB) writeRow(ctx context.Context, dest []any, query string, args ...any) error {
	if db.txn == nil {
		return db.W.QueryRowContext(ctx, query, args...).Scan(dest...)
	}
	return db.inSavepoint(ctx, func() error { return db.txn.QueryRowContext(ctx, query, args...).Scan(dest...) })
}

func (db *DB) inSavepoint(ctx context.Context, fn func() error) error {
	if _, err := db.txn.ExecContext(ctx, "SAVEPOINT "+savepoint); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := db.txn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+savepoint); rerr != nil {
			return errors.Join(err, rerr)
		}
		// ROLLBACK TO keeps the savepoint; release it so they do not pile up.
		if _, rerr := db.txn.ExecContext(ctx, "RELEASE SAVEPOINT "+savepoint); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := db.txn.ExecContext(ctx, "RELEASE SAVEPOINT "+savepoint)
	return err
}

func (db *DB) tx1(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit a no-op; on error or panic the undo
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Tx implements core.Store: fn runs with a Store bound to one transaction,
// which commits when fn returns nil and rolls back when it returns an error
// or panics (the panic continues).
//
// On SQLite the transaction holds the single writer connection from BEGIN
// IMMEDIATE on, so fn must not use the outer Store for writes (it would
// wait for itself); reads of the outer Store do not see fn's writes.
// On PostgreSQL the transaction runs at the server's default isolation
// (READ COMMITTED).
//
// Retries: when the engine reports a transaction it asks to retry
// (PostgreSQL-compatible engines' serialization failure 40001 or deadlock
// 40P01; SQLite busy), the whole transaction, fn included, runs again, up
// to 5 times in all. fn must therefore not have effects outside the Store
// it is given that cannot be repeated.
//
// A Tx on a Store that is already bound to a transaction runs fn in that
// transaction under a savepoint: fn's error undoes fn's writes only, and
// the outer transaction decides the commit.
//
// The Store given to fn must not be used from several goroutines at once,
// nor after fn returns.
func (db *DB) Tx(ctx context.Context, fn func(tx core.Store) error) error {
	if db.txn != nil {
		return db.inSavepoint(ctx, func() error { return fn(db) })
	}
	for attempt := 1; ; attempt++ {
		err := db.tx1(ctx, func(tx *sql.Tx) error {
			return fn(&DB{R: db.R, W: db.W, F: db.F, txn: tx})
		})
		if err != nil && attempt < maxAttempts && db.F.Retryable(err) {
			continue
		}
		return db.wrap("transaction", err)
	}
}

var errNoRows = sql.ErrNoRows

// oneRow turns an UPDATE or DELETE that matched no row into sql.ErrNoRows.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}
