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
type DB struct {
	R, W *sql.DB
	F    *Flavor

	stmts sync.Map // SQL text → *sql.Stmt on R, when F.CacheStatements
	nstmt atomic.Int32
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
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.R.QueryContext(ctx, query, args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := db.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.R.QueryRowContext(ctx, query, args...)
}

var _ core.Store = (*DB)(nil)

// Close closes both pools.
func (db *DB) Close() error {
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
	if err := db.R.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
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

// tx runs fn in a write transaction, retrying when the engine asks to
// (serialization failures on distributed PostgreSQL-compatible engines).
func (db *DB) tx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := db.tx1(ctx, fn)
		if err != nil && attempt < 5 && db.F.Retryable(err) {
			continue
		}
		return db.wrap(op, err)
	}
}

func (db *DB) tx1(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
