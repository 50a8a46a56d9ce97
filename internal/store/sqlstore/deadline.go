package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"usersd/internal/core"
)

// statementGrace is how long a statement's context outlives the deadline
// the database enforces, so that the database's timeout, not the
// driver's, ends a statement: pgx closes the connection when a context
// ends mid-statement, and the server may run on until it notices.
const statementGrace = 2 * time.Second

// reader runs the statements of one page read. When ctx has a deadline and
// the engine has a statement timeout (PostgreSQL), they run in a read-only
// transaction that sets the timeout to the time left before each
// statement. Otherwise they run on the read path with ctx, whose end the
// driver turns into an interrupt (SQLite: modernc.org/sqlite calls
// sqlite3_interrupt while a statement's first step runs, which is why
// Flavor.MaterializePage computes a whole page in that step).
type reader struct {
	db       *DB
	ctx      context.Context
	deadline time.Time // zero: none
	tx       *sql.Tx
	stop     func()
}

func (db *DB) reader(ctx context.Context) (*reader, error) {
	r := &reader{db: db, ctx: ctx, stop: func() {}}
	dl, ok := ctx.Deadline()
	if !ok {
		return r, nil
	}
	r.deadline = dl
	if db.F.StatementTimeout == nil || db.txn != nil {
		return r, nil
	}
	// Cancellation (the client left) still ends the statements at once;
	// the deadline is the database's to enforce.
	sctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), dl.Add(statementGrace))
	stopAfter := context.AfterFunc(ctx, func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	r.ctx, r.stop = sctx, func() { stopAfter(); cancel() }
	tx, err := db.R.BeginTx(sctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		r.stop()
		return nil, err
	}
	r.tx = tx
	return r, nil
}

// close ends the read; a read-only transaction has nothing to commit.
func (r *reader) close() {
	if r.tx != nil {
		r.tx.Rollback()
	}
	r.stop()
}

// limit sets the statement timeout to the time left.
func (r *reader) limit() error {
	if r.tx == nil {
		return nil
	}
	left := time.Until(r.deadline)
	if left <= 0 {
		return context.DeadlineExceeded
	}
	ms := max((left+time.Millisecond-1)/time.Millisecond, 1) // 0 would disable it
	_, err := r.tx.ExecContext(r.ctx, r.db.F.StatementTimeout(int64(ms)))
	return err
}

func (r *reader) query(query string, args ...any) (*sql.Rows, error) {
	if r.tx == nil {
		return r.db.query(r.ctx, query, args...)
	}
	if err := r.limit(); err != nil {
		return nil, err
	}
	return r.tx.QueryContext(r.ctx, query, args...)
}

// count runs a statement returning one integer.
func (r *reader) count(query string, args ...any) (int, error) {
	var n int
	if r.tx == nil {
		return n, r.db.queryRow(r.ctx, query, args...).Scan(&n)
	}
	if err := r.limit(); err != nil {
		return 0, err
	}
	return n, r.tx.QueryRowContext(r.ctx, query, args...).Scan(&n)
}

// timedOut reports whether err is the read's deadline: the database's
// statement timeout, or any failure once the deadline has passed (the
// driver's interrupt surfaces as the context's error or as its own).
func (r *reader) timedOut(err error) bool {
	if r.deadline.IsZero() || err == nil {
		return false
	}
	if e := r.db.F.Classify(err); e != nil && e.Reason == core.ReasonQueryTimeout {
		return true
	}
	return !time.Now().Before(r.deadline)
}
