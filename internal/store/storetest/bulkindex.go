package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/sqlstore"
)

// BulkDeferredIndexes: a bulk load into an empty users table drops the
// secondary indexes part way and builds them at its end, leaving the
// schema as it was and every index (and search table) in step with the
// rows; a unique key still refuses a duplicate while they are away; and a
// load that never ends (a crash) is finished by the next open. fresh
// returns where a new, empty database is; open opens (and migrates) the
// database there, closing it when t ends.
func BulkDeferredIndexes(t *testing.T, fresh func(testing.TB) string, open func(t *testing.T, where string) *sqlstore.DB) {
	ctx := context.Background()
	db := open(t, fresh(t))
	before := schemaOf(t, db)
	db.BulkDeferAfter = 100
	done, err := db.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	load(t, db, 0, 3)
	if got := schemaOf(t, db); len(got) >= len(before) || pending(t, db) == 0 {
		t.Fatalf("after 300 rows with BulkDeferAfter 100: %d schema objects of %d, %d deferred; want some dropped and recorded", len(got), len(before), pending(t, db))
	}
	// The unique keys stay and decide conflicts.
	err = db.Tx(ctx, func(tx core.Store) error {
		_, err := tx.InsertUsers(ctx, []core.Patch{NewUserPatch("bulk_5", time.Now().UTC())})
		return err
	})
	if core.ErrorCode(err) != core.Conflict {
		t.Fatalf("a duplicate name while indexes are deferred: %v, want a conflict", err)
	}
	if err := done(); err != nil {
		t.Fatal(err)
	}
	checkRebuilt(t, db, before, 300)

	// A load that dies with its indexes dropped: the next open builds them.
	where := fresh(t)
	crashed := open(t, where)
	crashed.BulkDeferAfter = 100
	if _, err := crashed.BulkLoad(ctx); err != nil {
		t.Fatal(err)
	}
	load(t, crashed, 0, 3)
	if pending(t, crashed) == 0 {
		t.Fatal("nothing deferred")
	}
	crashed.Close()
	checkRebuilt(t, open(t, where), before, 300)

	// A small load into an empty table keeps its indexes throughout.
	small := open(t, fresh(t))
	done, err = small.BulkLoad(ctx)
	if err != nil {
		t.Fatal(err)
	}
	load(t, small, 0, 2)
	if got := schemaOf(t, small); !slices.Equal(got, before) {
		t.Errorf("a 200-row load changed the schema while it ran")
	}
	if err := done(); err != nil {
		t.Fatal(err)
	}
}

// load inserts batches [from, to) of 100 users named bulk_N, with a bio
// and a level, one transaction a batch.
func load(t *testing.T, db *sqlstore.DB, from, to int) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	for b := from; b < to; b++ {
		var ps []core.Patch
		for i := b * 100; i < (b+1)*100; i++ {
			p := NewUserPatch(fmt.Sprintf("bulk_%d", i), at.Add(time.Duration(i)*time.Minute))
			p["bio"] = fmt.Sprintf("about number %d", i)
			p["level"] = int64([]int{20, 30, 40}[i%3])
			ps = append(ps, p)
		}
		err := db.Tx(ctx, func(tx core.Store) error {
			n, err := tx.InsertUsers(ctx, ps)
			if err == nil && n != len(ps) {
				err = fmt.Errorf("%d of %d written", n, len(ps))
			}
			return err
		})
		if err != nil {
			t.Fatalf("batch %d: %v", b, err)
		}
	}
}

// checkRebuilt checks db has schema want again, nothing deferred, and
// that its indexes, search tables and tallies answer for n users.
func checkRebuilt(t *testing.T, db *sqlstore.DB, want []string, n int) {
	t.Helper()
	ctx := context.Background()
	if got := schemaOf(t, db); !slices.Equal(got, want) {
		t.Errorf("schema after the build differs:\n got %q\nwant %q", got, want)
	}
	if k := pending(t, db); k != 0 {
		t.Errorf("%d statements still deferred", k)
	}
	if db.F.Name == "sqlite" {
		for _, check := range []string{
			"PRAGMA integrity_check",
			"INSERT INTO users_name_fts (users_name_fts) VALUES ('integrity-check')",
			"INSERT INTO users_about_fts (users_about_fts) VALUES ('integrity-check')",
		} {
			var res string
			err := db.W.QueryRowContext(ctx, check).Scan(&res)
			if err != nil && err.Error() != "sql: no rows in result set" || err == nil && res != "ok" {
				t.Errorf("%s: %q %v", check, res, err)
			}
		}
	}
	if db.F.Name == "postgres" {
		// Analyzed: the planner has statistics of the loaded rows.
		var cols int
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'users'").Scan(&cols); err != nil || cols == 0 {
			t.Errorf("no planner statistics of users after the build (%v)", err)
		}
	}
	// Index-backed answers: a name substring (trigram), an about-text
	// substring, a level total (tallies) and a level page (ix_users_level).
	for _, tc := range []struct {
		filter query.Expr
		want   int
	}{
		{&query.Cond{Field: "name", Op: query.Contains, Value: "k_29"}, 11},     // bulk_29, bulk_290…299
		{&query.Cond{Field: "bio", Op: query.Contains, Value: "number 15"}, 11}, // 15, 150…159
		{&query.Cond{Field: "level", Op: query.Eq, Value: int64(40)}, n / 3},
	} {
		want := tc.want
		us, total, err := db.FindUsers(ctx, query.List{Filter: tc.filter, Order: []query.Order{{Field: "id"}}, Limit: 500, Total: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != want || total != want {
			t.Errorf("%v: %d users, total %d; want %d", tc.filter, len(us), total, want)
		}
	}
}

// schemaOf lists the users table's indexes and triggers with their SQL.
func schemaOf(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	q := "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master WHERE tbl_name LIKE 'users%' ORDER BY name"
	if db.F.Name == "postgres" {
		q = "SELECT indexname || ' ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'users' ORDER BY indexname"
	}
	rows, err := db.R.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func pending(t *testing.T, db *sqlstore.DB) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), "SELECT count(*) FROM deferred_ddl").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
