package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/store/postgres"
	"usersd/internal/testdb"
)

// TestOpenUnreachable: a closed port is reported as an unreachable server
// at its address, without the password and without blaming pg_trgm. It
// needs no server.
func TestOpenUnreachable(t *testing.T) {
	tests := []struct {
		dsn  string
		want string
	}{
		{"postgres://usersd:s3cr3t-pw@127.0.0.1:1/test?sslmode=disable", "cannot reach the server at 127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused"},
		{"postgres://usersd:s3cr3t-pw@127.0.0.1:1/test", "cannot reach the server at 127.0.0.1:1"},
		{"postgres://usersd:s3cr3t-pw@127.0.0.1:notaport/test", "the database URL does not parse"},
		{"postgres://usersd:s3cr3t-pw@[::1/test", "the database URL does not parse"},
		{"postgres:///test?host=/nonexistent-dir&password=s3cr3t-pw", "cannot reach the server at /nonexistent-dir/.s.PGSQL.5432"},
	}
	for _, tt := range tests {
		db, err := postgres.Open(t.Context(), tt.dsn)
		if err == nil {
			db.Close()
			t.Errorf("Open(%s) succeeded", tt.dsn)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.want) || strings.Contains(msg, "s3cr3t-pw") || strings.Contains(msg, "pg_trgm") || strings.Contains(msg, "\n") {
			t.Errorf("Open(%s):\n got %q\nwant %q, on one line, without the password or pg_trgm", tt.dsn, msg, tt.want)
		}
	}
}

// TestOpenRefused: a server that answers but refuses is told apart from
// one that cannot be reached.
func TestOpenRefused(t *testing.T) {
	u, err := url.Parse(testdb.PostgresBase(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/usersd_no_such_database"
	_, err = postgres.Open(t.Context(), u.String())
	if err == nil || !strings.Contains(err.Error(), `refused the connection (user "`+u.User.Username()+`", database "usersd_no_such_database")`) ||
		!strings.Contains(err.Error(), "3D000") {
		t.Errorf("Open on a missing database: %v", err)
	}
}

// TestOpenExtension: pg_trgm is blamed only when it is missing and the
// role may not install it; installed by an operator, the same role opens
// the store.
func TestOpenExtension(t *testing.T) {
	base := testdb.PostgresBase(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [6]byte
	rand.Read(b[:])
	name := "usersd_noext_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	exec := func(db *sql.DB, q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(admin, "CREATE ROLE "+name+" LOGIN")
	t.Cleanup(func() { exec(admin, "DROP ROLE "+name) })
	exec(admin, "CREATE DATABASE "+name)
	t.Cleanup(func() { exec(admin, "DROP DATABASE "+name+" WITH (FORCE)") })

	u, _ := url.Parse(base)
	u.Path = "/" + name
	asAdmin := u.String()
	u.User = url.User(name)
	asRole := u.String()

	_, err = postgres.Open(t.Context(), asRole)
	if err == nil || !strings.Contains(err.Error(), "pg_trgm extension is missing") || !strings.Contains(err.Error(), "42501") {
		t.Fatalf("Open without pg_trgm, as a role that may not create it: %v", err)
	}

	dbAdmin, err := sql.Open("pgx", asAdmin)
	if err != nil {
		t.Fatal(err)
	}
	exec(dbAdmin, "CREATE EXTENSION pg_trgm")
	exec(dbAdmin, "GRANT CREATE ON SCHEMA public TO "+name)
	dbAdmin.Close()
	db, err := postgres.Open(t.Context(), asRole)
	if err != nil {
		t.Fatalf("Open with pg_trgm installed by an operator: %v", err)
	}
	db.Close()
}
