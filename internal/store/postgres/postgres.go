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
	"net"
	"strconv"
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
	LockRow:     " FOR UPDATE",
	EncodeTime:  func(t time.Time) any { return t },
	Bucket: func(col, from, step string) string {
		return "floor(extract(epoch FROM " + col + " - " + from + "::timestamptz) * 1000000 / " + step + ")::bigint"
	},
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
	Regex: func(col, arg string) string { return col + " ~ " + arg },
	// jsonb @>, answered from the jsonb_path_ops GIN index of each
	// attribute column (ix_users_attributes and its siblings).
	JSONContains: func(col, arg string) string { return col + " @> CAST(" + arg + " AS jsonb)" },
	Classify:     classify,
	// Unique indexes stay: they decide conflicts as rows arrive.
	BulkDeferred: `SELECT c.relname, 'DROP INDEX ' || quote_ident(c.relname), pg_get_indexdef(c.oid)
		FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
		WHERE x.indrelid = 'users'::regclass AND NOT x.indisunique AND NOT x.indisprimary
		ORDER BY c.relname`,
	AfterBulk: "VACUUM (ANALYZE) users, user_tallies",
	// A fragment many names hold: the trigram index's matches are
	// thousands of rows to collect and sort for a page of 20 (a second at
	// 1M users under load), while the next users by id hold the page. At
	// 1M users (usersbench's search) windows of 4,096 and 8,192 left the
	// query budget's queue answering 503s; 32,768 and 131,072 did not.
	ProbeWindow: 32768,
	Explain:     "EXPLAIN (FORMAT TEXT) ",
	// Lists run in a read-only transaction under their deadline (sqlstore/deadline.go).
	StatementTimeout: func(ms int64) string { return "SET LOCAL statement_timeout = " + strconv.FormatInt(ms, 10) },
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
		return &core.Error{Code: core.Invalid, Reason: core.ReasonBadRegex, Message: "Invalid regular expression."}
	case "57014": // query_canceled (statement timeout)
		return &core.Error{Code: core.Invalid, Reason: core.ReasonQueryTimeout, Message: "The query took too long."}
	}
	return nil
}

// connectTimeout bounds the first connection, so a server that drops
// packets is reported in seconds rather than after the OS's TCP timeout.
const connectTimeout = 15 * time.Second

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
// migrations. Errors say whether the server could not be reached, refused
// the connection, or lacks pg_trgm; they never contain the password.
func Open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		// pgconn's message may quote the URL, password and all.
		return nil, &connectError{msg: "postgres: the database URL does not parse; want postgres://user:password@host:port/database?options", err: err}
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, &connectError{msg: "postgres: the database URL does not parse", err: err}
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &sqlstore.DB{R: pool, W: pool, F: Flavor, Users: sqlstore.NewUserCache(sqlstore.DefaultUserCache)}
	pctx, cancel := context.WithTimeout(ctx, connectTimeout)
	err = pool.PingContext(pctx)
	cancel()
	if err != nil {
		pool.Close()
		return nil, describeConnect(cfg, err, ctx.Err() == nil)
	}
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

// connectError is a connection failure told in our words; the driver's
// error stays reachable through errors.As.
type connectError struct {
	msg string
	err error
}

func (e *connectError) Error() string { return e.msg }
func (e *connectError) Unwrap() error { return e.err }

// describeConnect says why the first connection failed: the server
// answered and refused (wrong database, role or password), did not answer
// in time, or could not be reached at all. timedOut counts only when the
// caller's own context is still live.
func describeConnect(cfg *pgconn.Config, err error, ownTimeout bool) error {
	where := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if strings.HasPrefix(cfg.Host, "/") {
		where = fmt.Sprintf("%s/.s.PGSQL.%d", cfg.Host, cfg.Port)
	}
	var pe *pgconn.PgError
	var ne *net.OpError
	var msg string
	switch {
	case errors.As(err, &pe):
		msg = fmt.Sprintf("postgres: the server at %s refused the connection (user %q, database %q): %s (SQLSTATE %s)",
			where, cfg.User, cfg.Database, pe.Message, pe.Code)
	case ownTimeout && errors.Is(err, context.DeadlineExceeded):
		msg = fmt.Sprintf("postgres: the server at %s did not answer within %s", where, connectTimeout)
	case errors.As(err, &ne):
		msg = fmt.Sprintf("postgres: cannot reach the server at %s: %v", where, ne)
	default:
		// pgconn lists each attempt (TLS, then plain) on its own line.
		detail := strings.ReplaceAll(strings.ReplaceAll(err.Error(), "\n\t", "; "), "\n", "; ")
		msg = fmt.Sprintf("postgres: cannot connect to the server at %s: %s", where, detail)
	}
	return &connectError{msg: msg, err: err}
}

// ensureExtensions makes sure pg_trgm is installed, installing it once per
// database when it is missing. Concurrent first installs race on the
// catalog's unique index; the loser sees the winner's.
func ensureExtensions(ctx context.Context, pool *sql.DB) error {
	var have bool
	if err := pool.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')").Scan(&have); err != nil {
		return fmt.Errorf("postgres: look for the pg_trgm extension: %w", err)
	}
	if have {
		return nil // an operator may have installed it for a role that cannot
	}
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
	if e := (*pgconn.PgError)(nil); !errors.As(err, &e) {
		return fmt.Errorf("postgres: install pg_trgm: %w", err) // not the server's refusal: say what happened
	}
	return fmt.Errorf("postgres: the pg_trgm extension is missing and this role may not install it (grant it CREATE on the database, or have an operator run CREATE EXTENSION pg_trgm once): %w", err)
}
