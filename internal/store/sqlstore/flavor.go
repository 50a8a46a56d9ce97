// Package sqlstore is the SQL both stores share: the filter compiler, the
// migrator, the transaction seam, and the queries of users, tokens,
// members, pride flags, images, sessions, groups and permissions. Queries
// are written in SQL that SQLite and PostgreSQL both accept; where the
// engines differ, a Flavor hook supplies the difference (placeholders,
// value encodings, the trigram search, error codes).
package sqlstore

import (
	"strconv"
	"time"

	"usersd/internal/core"
)

// Flavor is one SQL engine's differences.
type Flavor struct {
	Name string
	// Placeholder returns the n-th (1-based) bind parameter.
	Placeholder func(n int) string
	// EncodeTime converts a UTC instant to the driver value stored.
	EncodeTime func(time.Time) any
	// Substring returns a condition matching column col of table (the
	// users table or an alias of it) against p, answered from the engine's
	// trigram index on that column: case-sensitive on the folded name_key,
	// case-insensitive on the about texts. arg binds a value and returns its
	// placeholder.
	Substring func(table, col string, p Pattern, arg func(any) string) string
	// SubstringDrive returns, for a pattern on column col of users that
	// Substring answers from a separate index table, that table and the
	// condition on it, so that an id-ordered page can walk the table's
	// matches in rowid order and stop at the page's end instead of
	// collecting every match (sqlstore.pageSelect). ok is false where the
	// engine has no such table or the pattern is better served otherwise;
	// nil: never.
	SubstringDrive func(col string, p Pattern, arg func(any) string) (table, cond string, ok bool)
	// Match returns a plain (unindexed or prefix-range) pattern match of a
	// column expression, case-sensitive or not.
	Match func(col string, p Pattern, caseSensitive bool, arg func(any) string) string
	// JSONContains returns "JSON column col contains the JSON text bound
	// at arg" with the engine's own operator (jsonb @>), or is nil where
	// the store unfolds the containment into json_each sub-selects.
	JSONContains func(col, arg string) string
	// Bucket returns the 0-based number of the step-wide bucket, counted
	// from the time bound at from, that time column col falls in; step
	// binds microseconds.
	Bucket func(col, from, step string) string
	// Regex returns a regular-expression match of a column expression.
	Regex func(col, arg string) string
	// Classify turns a driver error into a domain error, or returns nil.
	Classify func(err error) *core.Error
	// Retryable reports a transaction the engine asks to retry.
	Retryable func(err error) bool
	// Explain prefixes a statement to get the engine's query plan.
	Explain string
	// SplitKeyset pages by keyset as a UNION ALL of index seeks, for
	// planners that cannot seek a composite index by a row value.
	SplitKeyset bool
	// LockRow ends a SELECT that must lock the rows it reads until the
	// transaction ends (" FOR UPDATE"), or is empty where the transaction
	// holds a lock on the whole database already (SQLite).
	LockRow string
	// CacheStatements keeps read statements prepared, for drivers that do
	// not (parsing the wide users select list is most of a SQLite point read).
	CacheStatements bool
	// StatementTimeout returns the statement that limits the following
	// statements of a transaction to ms milliseconds, or is nil where the
	// engine has none (deadline.go).
	StatementTimeout func(ms int64) string
	// MaterializePage computes a whole page in the first step of its
	// statement, for drivers that interrupt a statement on its context's
	// end only during that step (modernc.org/sqlite).
	MaterializePage bool
	// PackRow returns one select-list expression that packs the columns
	// into a JSON array (packed.go), or is nil where the driver reads
	// wide rows cheaply enough column by column. Pages are packed outside
	// their MaterializePage wrapper, so it needs MaterializePage.
	PackRow func(cols []PackedColumn) string
	// BulkDeferred is a query of what a bulk load into an empty users
	// table drops and builds once at its end (bulkindex.go): rows of
	// (name, drop statement or "" for none, create statement), in build
	// order; empty: nothing.
	BulkDeferred string
	// AfterBulk runs after a bulk load's deferred build, outside a
	// transaction, or is empty. On PostgreSQL: until autovacuum gets to a
	// table loaded in one go, the planner has no statistics of it (and
	// read a million rows for a lookup by name), no index-only scan
	// skips the heap (a name-prefix count took 600 ms), and the tallies
	// carry a dead row version for every row loaded (a total took 70 ms).
	AfterBulk string
	// ProbeWindow is how many users, in id order from the cursor, an
	// id-ordered users page whose filter holds a trigram pattern first
	// tests the pattern on one by one (probe.go); 0: never.
	ProbeWindow int
}

// Dollar numbers placeholders $1, $2, … (PostgreSQL).
func Dollar(n int) string { return "$" + strconv.Itoa(n) }

// Question uses ? for every placeholder (SQLite).
func Question(int) string { return "?" }
