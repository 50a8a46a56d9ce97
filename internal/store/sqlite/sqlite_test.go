package sqlite_test

import (
	"context"
	"testing"

	"usersd/internal/core"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store {
		db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestCascade(t *testing.T) {
	db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.Cascade(t, db)
}

func TestDeadline(t *testing.T) {
	db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.Deadline(t, db)
}

func TestBulkDeferredIndexes(t *testing.T) {
	storetest.BulkDeferredIndexes(t, testdb.SQLitePath, func(t *testing.T, where string) *sqlstore.DB {
		db, err := sqlite.Open(context.Background(), where)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestBulkCacheSize: the writer keeps SQLite's default page cache while
// serving and holds 16 MiB only while a bulk load runs.
func TestBulkCacheSize(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		var n int64
		if err := db.W.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := size(); n != -2000 {
		t.Fatalf("serving cache_size %d, want SQLite's default -2000", n)
	}
	done, err := db.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := size(); n != -16384 {
		t.Errorf("bulk cache_size %d, want -16384", n)
	}
	if err := done(); err != nil {
		t.Fatal(err)
	}
	if n := size(); n != -2000 {
		t.Errorf("cache_size after the load %d, want -2000", n)
	}
}
