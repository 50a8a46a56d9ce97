package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

// eachStore runs f on a fresh SQLite and a fresh PostgreSQL store.
func eachStore(t *testing.T, f func(t *testing.T, db *sqlstore.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		f(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := postgres.Open(context.Background(), testdb.Postgres(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		f(t, db)
	})
}

func bio(u *core.User) string {
	if u.Bio == nil {
		return "<nil>"
	}
	return *u.Bio
}

// page reads q and returns each user's name=bio.
func page(t *testing.T, s core.Store, q query.List) []string {
	t.Helper()
	us, _, err := s.FindUsers(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = fmt.Sprintf("%s=%s/%d", u.Name, bio(u), u.Level)
	}
	return out
}

func byID(t *testing.T, db *sqlstore.DB, id int64) string {
	t.Helper()
	u, err := db.FindUserByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s=%s/%d", u.Name, bio(u), u.Level)
}

// TestUserCache: pages read through the user cache are the rows as they
// are now, after every kind of write, and a transaction's reads leave
// nothing in it.
func TestUserCache(t *testing.T) {
	eachStore(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if db.Users == nil {
			t.Fatal("a store opens with a user cache")
		}
		var ids []int64
		for i := range 25 {
			u := storetest.MustCreate(t, db, fmt.Sprintf("cache_%02d", i), core.Patch{"bio": "b", "level": 20})
			ids = append(ids, u.ID)
		}
		q := query.List{Limit: 20}
		first := page(t, db, q)
		if len(first) != 20 || db.Users.Len() < 20 {
			t.Fatalf("page of %d, %d users cached", len(first), db.Users.Len())
		}
		if again := page(t, db, q); fmt.Sprint(again) != fmt.Sprint(first) {
			t.Fatalf("cached page %v, first %v", again, first)
		}

		// The core redacts the users it gets in place: a caller's changes
		// reach no one else.
		us, _, err := db.FindUsers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		us[0].Name, us[0].Bio = "changed", nil
		if got := page(t, db, q); got[0] != first[0] {
			t.Fatalf("a caller's change came back: %s", got[0])
		}

		check := func(what string, i int) {
			t.Helper()
			got := page(t, db, q)
			if want := byID(t, db, ids[i]); got[i] != want {
				t.Errorf("after %s: page has %s, the row is %s", what, got[i], want)
			}
		}
		if _, err := db.UpdateUser(ctx, ids[3], core.Patch{"bio": "updated"}, core.UpdateMeta{}); err != nil {
			t.Fatal(err)
		}
		check("an update", 3)
		if err := db.TouchUser(ctx, ids[3], nil, mustAddr("192.0.2.7")); err != nil {
			t.Fatal(err)
		}
		ph := db.F.Placeholder
		for _, stmt := range []string{
			"UPDATE users SET bio = 'raw' WHERE id = " + ph(1),
			"UPDATE users SET bio = 'raw again', row_version = row_version WHERE id = " + ph(1),
		} {
			if _, err := db.W.ExecContext(ctx, stmt, ids[4]); err != nil {
				t.Fatal(err)
			}
			check(stmt, 4)
		}

		// A rolled-back transaction's read of its own write must not be
		// cached: the next committed write reaches the same row_version.
		rollback := errors.New("roll back")
		err = db.Tx(ctx, func(tx core.Store) error {
			if _, err := tx.UpdateUser(ctx, ids[5], core.Patch{"bio": "uncommitted"}, core.UpdateMeta{}); err != nil {
				return err
			}
			if got := page(t, tx, q); got[5] != "cache_05=uncommitted/20" {
				t.Errorf("the transaction reads %s", got[5])
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if _, err := db.UpdateUser(ctx, ids[5], core.Patch{"bio": "committed"}, core.UpdateMeta{}); err != nil {
			t.Fatal(err)
		}
		check("a rolled-back transaction and a commit", 5)
		if got := page(t, db, q)[5]; got != "cache_05=committed/20" {
			t.Errorf("page has %s", got)
		}

		// Orders, filters and pins read through the cache as without it.
		queries := []query.List{
			{Limit: 7, Order: []query.Order{{Field: "name", Desc: true}}},
			{Limit: 5, Filter: query.Cond{Field: "bio", Op: query.Eq, Value: "b"}, Order: []query.Order{{Field: "name"}, {Field: "id"}}, After: []any{"cache_10", ids[10]}},
			{Limit: 4, PinFirst: ids[20]},
			{Limit: 3, Offset: 6},
		}
		for _, q := range queries {
			page(t, db, q) // fills the cache
			hits := db.Users.Hits()
			cached := page(t, db, q)
			if db.Users.Hits() == hits {
				t.Errorf("%+v: read again, no user was found held", q)
			}
			users := db.Users
			db.Users = nil
			plain := page(t, db, q)
			db.Users = users
			if fmt.Sprint(cached) != fmt.Sprint(plain) || len(plain) == 0 {
				t.Errorf("%+v: cached %v, uncached %v", q, cached, plain)
			}
		}
	})
}

// TestUserCacheConcurrent: pages read while users change, from several
// goroutines (run with -race), end as the rows are.
func TestUserCacheConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 30 {
			ids = append(ids, storetest.MustCreate(t, db, fmt.Sprintf("conc_%02d", i), nil).ID)
		}
		q := query.List{Limit: 30}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 40 {
					if _, _, err := db.FindUsers(ctx, q); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Go(func() {
			for i := range 60 {
				if _, err := db.UpdateUser(ctx, ids[i%len(ids)], core.Patch{"bio": fmt.Sprint("v", i)}, core.UpdateMeta{}); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Wait()
		got := page(t, db, q)
		for i, id := range ids {
			if want := byID(t, db, id); got[i] != want {
				t.Errorf("page has %s, the row is %s", got[i], want)
			}
		}
	})
}

// TestUserCacheRace: a user that changes between a cached page's two
// statements (the ids, then the users not held) leaves the page read
// again, so the page is one moment's: a user raised out of a level filter
// is not in the level's page.
func TestUserCacheRace(t *testing.T) {
	eachStore(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var ids []int64
		for i := range 6 {
			ids = append(ids, storetest.MustCreate(t, db, fmt.Sprintf("race_%d", i), core.Patch{"level": 20}).ID)
		}
		q := query.List{Limit: 10, Filter: query.Cond{Field: "level", Op: query.Eq, Value: int64(20)}}
		db.Users = sqlstore.NewUserCache(1 << 20) // every user read whole
		restore := sqlstore.AfterVersions(func() {
			// Changed after the ids were read; not cached at its new version.
			if _, err := db.UpdateUser(ctx, ids[2], core.Patch{"level": 30}, core.UpdateMeta{}); err != nil {
				t.Error(err)
			}
		})
		got := page(t, db, q)
		restore()
		if len(got) != 5 {
			t.Fatalf("level 20 page after a raise to 30: %v", got)
		}
		for _, s := range got {
			if s == "race_2=<nil>/30" || s == "race_2=<nil>/20" {
				t.Fatalf("page holds %s", s)
			}
		}
	})
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
