// Package postgres is the production store: PostgreSQL through pgx. It keeps
// to SQL that PostgreSQL-compatible distributed engines also run: no
// advisory locks, no LISTEN/NOTIFY, gaps in identity sequences allowed, and
// serialization failures retried.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"usersd/internal/core"
	"usersd/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the embedded schema migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Flavor is PostgreSQL's dialect for the shared SQL.
var Flavor = &sqlstore.Flavor{
	Name:        "postgres",
	Placeholder: sqlstore.Dollar,
	EncodeTime:  func(t time.Time) any { return t },
	// pg_trgm's GIN indexes answer LIKE on the folded key and ILIKE on the
	// about texts. The match runs as a fenced sub-select (OFFSET 0 keeps
	// the planner from flattening it): with ORDER BY id LIMIT n the planner
	// may otherwise walk the primary key and filter, betting on early
	// matches, which for a rare substring reads the whole table.
	Substring: func(table, col string, p sqlstore.Pattern, arg func(any) string) string {
		op := " ILIKE "
		if col == "name_key" {
			op = " LIKE "
		}
		return table + ".id IN (SELECT m.id FROM users m WHERE m." + col + op + arg(p.Like()) + ` ESCAPE '\' OFFSET 0)`
	},
	Match: func(col string, p sqlstore.Pattern, caseSensitive bool, arg func(any) string) string {
		if caseSensitive {
			return col + " LIKE " + arg(p.Like()) + ` ESCAPE '\'`
		}
		return col + " ILIKE " + arg(p.Like()) + ` ESCAPE '\'`
	},
	// POSIX ERE; pg_trgm's GIN index also serves ~ on the trigram-indexed columns.
	Regex:    func(col, arg string) string { return col + " ~ " + arg },
	Classify: classify,
	Explain:  "EXPLAIN (FORMAT TEXT) ",
	Retryable: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
	},
}

func classify(err error) *core.Error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code {
	case "23505": // unique_violation
		field := conflictField(e)
		return &core.Error{Code: core.Conflict, Message: "The " + field + " is already taken.", Fields: map[string]string{field: "is already taken"}}
	case "23514", "23502", "22001", "22003", "22P02", "22007", "22008", "22021", "54000":
		// check, not-null, too long, out of range, bad text, bad time, bad UTF-8, too large
		return &core.Error{Code: core.Invalid, Message: "A value is out of range."}
	case "23503": // foreign_key_violation
		return &core.Error{Code: core.Invalid, Message: "A referenced record does not exist."}
	case "2201B": // invalid_regular_expression
		return &core.Error{Code: core.Invalid, Message: "Invalid regular expression."}
	case "57014": // query_canceled (statement timeout)
		return &core.Error{Code: core.Invalid, Message: "The query took too long."}
	}
	return nil
}

// compositeConflicts names the field of the multi-column unique
// constraints, by the names PostgreSQL gives them (table_cols_key): the
// column that is unique within the others.
var compositeConflicts = map[string]string{
	"members_user_id_name_key_key":       "name",
	"permissions_app_label_codename_key": "codename",
}

// conflictField names the field of a unique violation from its constraint:
// ux_users_<col> (migration 001's unique indexes on users), <table>_<col>_key
// (PostgreSQL's name for a column's UNIQUE), or a composite one above.
func conflictField(e *pgconn.PgError) string {
	name := e.ConstraintName
	field := e.ColumnName
	if f, ok := compositeConflicts[name]; ok {
		return f
	}
	if c, ok := strings.CutPrefix(name, "ux_users_"); ok {
		field = c
	} else if c, ok := strings.CutPrefix(name, e.TableName+"_"); ok && e.TableName != "" && strings.HasSuffix(c, "_key") {
		field = strings.TrimSuffix(c, "_key")
	} else if field == "" {
		field = name
	}
	return strings.TrimSuffix(field, "_key")
}

// Open connects to the database at dsn (postgres://…) and applies the
// migrations.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &sqlstore.DB{R: pool, W: pool, F: Flavor}
	if err := ensureExtensions(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	if err := db.Migrate(ctx, Migrations()); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return db, nil
}

// ensureExtensions installs pg_trgm once per database. Concurrent first
// installs race on the catalog's unique index; the loser sees the winner's.
func ensureExtensions(ctx context.Context, pool *sql.DB) error {
	var err error
	for range 5 {
		if _, err = pool.ExecContext(ctx, "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"); err == nil {
			return nil
		}
		var e *pgconn.PgError
		if !errors.As(err, &e) || e.Code != "23505" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("postgres: install pg_trgm (needs a role that may create extensions, or an operator to run CREATE EXTENSION pg_trgm once): %w", err)
}
