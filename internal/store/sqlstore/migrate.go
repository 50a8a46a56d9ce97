package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Migrate applies the numbered migrations NNN_name.sql in fsys that the
// database has not recorded, each in its own transaction. The version row
// is written first, so when several nodes start at once the others wait on
// it and then skip the file, with no advisory lock.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS) error {
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		num, _, ok := strings.Cut(path.Base(name), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migrate: %s: name must start with a number and _", name)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		if err := db.migrate1(ctx, version, name, string(body)); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	// Steps the SQL cannot do: skeletons are computed in Go (names.go).
	if _, err := db.BackfillNameSkeletons(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// What a bulk load that did not finish left unbuilt (bulkindex.go).
	// A writer busy past the busy timeout is a load still running (its
	// end builds them) or building them now: this open goes on without.
	if _, err := db.BuildDeferred(ctx); err != nil && !db.F.Retryable(err) {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func (db *DB) migrate1(ctx context.Context, version int, name, body string) error {
	var done int
	ph := db.F.Placeholder
	if err := db.W.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = "+ph(1), version).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ("+ph(1)+", "+ph(2)+", "+ph(3)+")",
		version, name, time.Now().Unix())
	if err != nil {
		if e := db.F.Classify(err); e != nil {
			return nil // another node applied it meanwhile
		}
		return err
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	return tx.Commit()
}

// Version returns the highest applied migration.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.R.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&v)
	return int(v.Int64), err
}
