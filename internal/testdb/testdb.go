// Package testdb gives tests throwaway databases: a SQLite file in a temp
// directory, and a fresh PostgreSQL schema per test.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver
)

// DefaultPostgres is tried when USERSD_TEST_POSTGRES is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresBase returns the DSN of the PostgreSQL server for tests. Without
// a server it skips the test, or fails it when CI=true, because CI must run
// the PostgreSQL paths.
func PostgresBase(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("USERSD_TEST_POSTGRES")
	if dsn == "" {
		dsn = DefaultPostgres
	}
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is required in CI but unreachable at %s: %v", dsn, err)
		}
		tb.Skipf("PostgreSQL unreachable at %s (set USERSD_TEST_POSTGRES): %v", dsn, err)
	}
	return dsn
}

// Postgres creates a fresh schema for the test and returns a DSN whose
// search_path selects it; the schema is dropped when the test ends.
func Postgres(tb testing.TB) string {
	tb.Helper()
	base := PostgresBase(tb)
	var b [6]byte
	rand.Read(b[:])
	schema := "usersd_test_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("USERSD_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// SQLitePath returns a database file path in the test's temp directory.
func SQLitePath(tb testing.TB) string {
	return tb.TempDir() + "/usersd.db"
}
