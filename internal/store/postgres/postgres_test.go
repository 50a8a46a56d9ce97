package postgres_test

import (
	"context"
	"math"
	"testing"

	"usersd/internal/core"
	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store {
		db, err := postgres.Open(context.Background(), testdb.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestCascade(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.Cascade(t, db)
}

func TestDeadline(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.Deadline(t, db)
}

// TestIntegerColumnRanges: the core's column ranges, by which it clamps
// integer filters, are the schema's: integer columns 32 bits, bigint 64.
func TestIntegerColumnRanges(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rows, err := db.R.Query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'users'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			t.Fatal(err)
		}
		f := core.FieldByName(col)
		if f == nil || f.Kind != core.KindInt {
			continue
		}
		lo, hi := core.ColumnRange(f)
		want := map[string][2]int64{"integer": {math.MinInt32, math.MaxInt32}, "bigint": {math.MinInt64, math.MaxInt64}}[typ]
		if [2]int64{lo, hi} != want {
			t.Errorf("%s is %s, but the core's range is %d..%d", col, typ, lo, hi)
		}
		n++
	}
	if err := rows.Err(); err != nil || n < 10 {
		t.Fatalf("checked %d integer columns: %v", n, err)
	}
}

func TestBulkDeferredIndexes(t *testing.T) {
	storetest.BulkDeferredIndexes(t, testdb.Postgres, func(t *testing.T, where string) *sqlstore.DB {
		db, err := postgres.Open(context.Background(), where)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
