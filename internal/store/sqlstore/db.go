package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"usersd/internal/core"
)

// DB is a core.Store over database/sql. Reads go to R; writes to W, which
// for SQLite is a single connection taking the write lock at BEGIN (so
// writers queue instead of failing), and for PostgreSQL is R itself.
type DB struct {
	R, W *sql.DB
	F    *Flavor
}

var _ core.Store = (*DB)(nil)

// Close closes both pools.
func (db *DB) Close() error {
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
