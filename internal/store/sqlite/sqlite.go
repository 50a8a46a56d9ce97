// Package sqlite is the embedded default store: SQLite through the pure-Go
// modernc.org/sqlite driver, one file in the data directory.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

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

// Flavor is SQLite's dialect for the shared SQL.
var Flavor = &sqlstore.Flavor{
	Name:        "sqlite",
	Placeholder: sqlstore.Question,
	// Times are INTEGER microseconds since the epoch (spec/fields.md §0.1).
	EncodeTime: func(t time.Time) any { return t.UnixMicro() },
	Bucket:     func(col, from, step string) string { return "(" + col + " - " + from + ") / " + step },
	Substring: func(table, col string, p sqlstore.Pattern, arg func(any) string) string {
		if col == "name_key" {
			if p.Prefix() != "" {
				// A leading literal: GLOB on the BINARY-collated key is an index range.
				return table + ".name_key GLOB " + arg(p.Glob())
			}
			// Otherwise the FTS5 trigram index finds candidates and checks the pattern.
			return table + ".id IN (SELECT rowid FROM users_name_fts WHERE users_name_fts.name_key GLOB " + arg(p.Glob()) + ")"
		}
		// The about texts: FTS5 answers LIKE (ASCII case folding, as SQLite's
		// LIKE) from the index only without an ESCAPE clause, which a literal
		// % or _ needs; those patterns are still right, from a scan of the
		// trigram table.
		like, escaped := p.Like(), strings.ContainsAny(p.Literal(), "%_\\")
		cond := "users_about_fts." + col + " LIKE " + arg(like)
		if escaped {
			cond += ` ESCAPE '\'`
		}
		return table + ".id IN (SELECT rowid FROM users_about_fts WHERE " + cond + ")"
	},
	SubstringDrive: func(col string, p sqlstore.Pattern, arg func(any) string) (string, string, bool) {
		if col != "name_key" || p.Prefix() != "" {
			return "", "", false
		}
		return "users_name_fts", "users_name_fts.name_key GLOB " + arg(p.Glob()), true
	},
	Match: func(col string, p sqlstore.Pattern, caseSensitive bool, arg func(any) string) string {
		if caseSensitive {
			return col + " GLOB " + arg(p.Glob())
		}
		return col + " LIKE " + arg(p.Like()) + ` ESCAPE '\'`
	},
	Regex:           func(col, arg string) string { return col + " REGEXP " + arg },
	Classify:        classify,
	Explain:         "EXPLAIN QUERY PLAN ",
	SplitKeyset:     true,
	CacheStatements: true,
	MaterializePage: true,
	PackRow:         packRow,
	// Unique indexes stay (they decide conflicts as rows arrive); FTS5
	// tables fed by triggers are rebuilt from users in one pass.
	BulkDeferred: `SELECT name, 'DROP ' || upper(type) || ' ' || name, sql FROM sqlite_master
		WHERE tbl_name = 'users' AND sql IS NOT NULL AND (
			(type = 'index' AND sql NOT LIKE 'CREATE UNIQUE %') OR
			(type = 'trigger' AND sql LIKE '%INSERT INTO %_fts %'))
		UNION ALL
		SELECT name, '', 'INSERT INTO ' || name || ' (' || name || ') VALUES (''rebuild'')' FROM sqlite_master
		WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE % USING fts5 %content = ''users''%'`,
	Retryable: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
	},
}

// packRow selects the columns as one JSON array: a point read of a users
// row returns one column instead of over a hundred, a third of its cost
// with this driver. JSON holds no BLOBs; they travel as hex, NULL kept.
func packRow(cols []sqlstore.PackedColumn) string {
	var b strings.Builder
	b.WriteString("json_array(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.Blob {
			b.WriteString("iif(" + c.Expr + " IS NULL, NULL, hex(" + c.Expr + "))")
		} else {
			b.WriteString(c.Expr)
		}
	}
	b.WriteString(")")
	return b.String()
}

func classify(err error) *core.Error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		field := conflictField(e.Error())
		return &core.Error{Code: core.Conflict, Message: "The " + field + " is already taken.", Fields: map[string]string{field: "is already taken"}}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return &core.Error{Code: core.Invalid, Message: "A value is out of range."}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &core.Error{Code: core.Invalid, Message: "A referenced record does not exist."}
	case sqlite3.SQLITE_TOOBIG:
		return &core.Error{Code: core.Invalid, Message: "A value is too large."}
	}
	if strings.Contains(e.Error(), "invalid regular expression") {
		return &core.Error{Code: core.Invalid, Reason: core.ReasonBadRegex, Message: "Invalid regular expression."}
	}
	return nil
}

// conflictField names the field of a unique violation. SQLite reports the
// columns only in the message ("UNIQUE constraint failed: users.name_key",
// "… members.user_id, members.name_key"); the error code has already
// decided that this is a conflict. Of several columns the last is the one
// unique within the others (a name within a user).
func conflictField(msg string) string {
	i := strings.LastIndex(msg, "constraint failed: ")
	if i < 0 {
		return "record"
	}
	cols := msg[i+len("constraint failed: "):]
	col := cols[strings.LastIndex(cols, ",")+1:]
	col, _, _ = strings.Cut(strings.TrimSpace(col), " ")
	if _, c, ok := strings.Cut(col, "."); ok {
		col = c
	}
	return strings.TrimSuffix(strings.TrimSuffix(col, "_key"), "_hash")
}

func init() {
	// SQLite has the REGEXP operator but no implementation: X REGEXP Y
	// calls regexp(Y, X). Go's RE2 runs in linear time, so a hostile
	// pattern cannot stall a query.
	sqlite.MustRegisterDeterministicScalarFunction("regexp", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		pat, ok1 := args[0].(string)
		s, ok2 := args[1].(string)
		if !ok1 || !ok2 {
			return nil, nil
		}
		re, err := regexps.get(pat)
		if err != nil {
			return nil, err
		}
		return re.MatchString(s), nil
	})
}

// regexCache keeps compiled patterns: one query calls regexp once per row.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp
}

var regexps = &regexCache{m: map[string]*regexp.Regexp{}}

func (c *regexCache) get(pat string) (*regexp.Regexp, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if re, ok := c.m[pat]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression: %w", err)
	}
	if len(c.m) >= 256 {
		clear(c.m)
	}
	c.m[pat] = re
	return re, nil
}

// Open opens (creating if needed) the database file at path and applies
// the migrations.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	dsn := func(txlock string) string {
		q := url.Values{}
		for _, p := range []string{
			"journal_mode(WAL)",   // readers never block the writer
			"synchronous(NORMAL)", // durable at checkpoints; safe with WAL
			"foreign_keys(ON)",
			"busy_timeout(10000)", // wait for other processes' write locks
		} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	r, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)*2))
	r.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)*2))
	r.SetConnMaxIdleTime(0)
	// One writer connection with BEGIN IMMEDIATE: SQLite allows one writer
	// at a time, and queueing in the pool beats failing with SQLITE_BUSY on
	// a read-to-write lock upgrade. Bulk loads raise its page cache
	// (sqlstore.bulkCacheSize).
	w, err := sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		r.Close()
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	db := &sqlstore.DB{R: r, W: w, F: Flavor, Users: sqlstore.NewUserCache(sqlstore.DefaultUserCache)}
	if err := db.Migrate(ctx, Migrations()); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return db, nil
}
