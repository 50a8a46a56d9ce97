package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// A bulk load into an empty users table keeps only the indexes that
// decide conflicts (the primary and unique keys) while it runs, and
// builds the rest once at its end. Keeping fifty-odd secondary indexes
// (and on SQLite the FTS5 trigram tables) in step row by row was most of
// an import's time at a million users: each batch wrote pages of every
// index all over its b-tree, and a sorted build writes each page once.
//
// What is dropped is recorded in deferred_ddl in the transaction that
// drops it, so a load that dies half way leaves the statements that put
// it back: Migrate (every start) builds whatever is recorded.

// DefaultBulkDeferAfter is the rows a bulk load writes, with every index
// kept, before it defers the secondary ones: a small import into an
// empty database is not worth a rebuild.
const DefaultBulkDeferAfter = 5000

// deferIndexes drops what F.BulkDeferred lists, recording each create
// statement in deferred_ddl, in the transaction db.txn.
func (db *DB) deferIndexes(ctx context.Context) error {
	if db.F.BulkDeferred == "" {
		return nil
	}
	type ddl struct{ name, drop, create string }
	rows, err := db.txn.QueryContext(ctx, db.F.BulkDeferred)
	if err != nil {
		return err
	}
	var list []ddl
	for rows.Next() {
		var d ddl
		if err := rows.Scan(&d.name, &d.drop, &d.create); err != nil {
			rows.Close()
			return err
		}
		list = append(list, d)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	var next int64
	if err := db.txn.QueryRowContext(ctx, "SELECT COALESCE(max(seq), 0) + 1 FROM deferred_ddl").Scan(&next); err != nil {
		return err
	}
	ph := db.F.Placeholder
	for _, d := range list {
		if _, err := db.txn.ExecContext(ctx, "INSERT INTO deferred_ddl (seq, name, create_sql) VALUES ("+ph(1)+", "+ph(2)+", "+ph(3)+")", next, d.name, d.create); err != nil {
			return err
		}
		next++
		if d.drop == "" {
			continue
		}
		if _, err := db.txn.ExecContext(ctx, d.drop); err != nil {
			return fmt.Errorf("%s: %w", d.drop, err)
		}
	}
	return nil
}

// BuildDeferred runs the statements deferred_ddl records, in order, and
// forgets them, in one transaction: all of them are built or none.
// It reports how many it ran.
func (db *DB) BuildDeferred(ctx context.Context) (int, error) {
	// Read first: every open runs this, and on SQLite a write
	// transaction would wait on (and time out behind) another process's
	// import.
	var pending bool
	if err := db.R.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM deferred_ddl)").Scan(&pending); err != nil {
		return 0, fmt.Errorf("build deferred indexes: %w", err)
	}
	if !pending {
		return 0, nil
	}
	n := 0
	err := db.tx1(ctx, func(tx *sql.Tx) error {
		// FOR UPDATE (PostgreSQL): a second builder waits, then finds none.
		rows, err := tx.QueryContext(ctx, "SELECT create_sql FROM deferred_ddl ORDER BY seq"+db.F.LockRow)
		if err != nil {
			return err
		}
		var list []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return err
			}
			list = append(list, s)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, s := range list {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		n = len(list)
		if n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM deferred_ddl")
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("build deferred indexes: %w", err)
	}
	if n > 0 && db.F.AfterBulk != "" {
		if _, err := db.W.ExecContext(ctx, db.F.AfterBulk); err != nil {
			return n, fmt.Errorf("build deferred indexes: %w", err)
		}
	}
	return n, nil
}
