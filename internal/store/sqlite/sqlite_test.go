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
	open := func(t *testing.T, path string) *sqlstore.DB {
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	paths := map[*sqlstore.DB]string{}
	storetest.BulkDeferredIndexes(t, func(t *testing.T) *sqlstore.DB {
		p := testdb.SQLitePath(t)
		db := open(t, p)
		paths[db] = p
		return db
	}, func(t *testing.T, db *sqlstore.DB) *sqlstore.DB { return open(t, paths[db]) })
}
