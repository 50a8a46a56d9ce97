package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/sqlstore"
)

// totalFilters are the filters the faces ask totals under (native
// total=true by level, DRF's is_staff and is_active, Review Board's
// active users by name prefix, every face's live users), and others of
// every kind: each total must equal the rows the page finds.
func totalFilters() map[string]query.Expr {
	c := func(f string, op query.Op, v any) *query.Cond { return &query.Cond{Field: f, Op: op, Value: v} }
	live := c("deleted", query.Eq, false)
	return map[string]query.Expr{
		"all":                  nil,
		"live":                 live,
		"native level":         query.And{c("level", query.Eq, int64(20)), live},
		"drf staff":            query.And{c("level", query.Ge, int64(40)), live},
		"drf not staff":        query.And{c("level", query.Lt, int64(40)), live},
		"drf active":           query.And{c("active", query.Eq, true), live},
		"rb active":            query.And{c("active", query.Eq, true), live},
		"rb prefix":            query.And{c("active", query.Eq, true), query.Or{c("name", query.Prefix, "t")}, live},
		"level in":             &query.Cond{Field: "level", Op: query.In, Values: []any{int64(10), int64(30)}},
		"level ne":             c("level", query.Ne, int64(20)),
		"or banned":            query.Or{c("level", query.Eq, int64(10)), c("banned", query.Eq, true)},
		"not active":           query.Not{X: c("active", query.Eq, true)},
		"deleted":              c("deleted", query.Eq, true),
		"nothing":              query.Or{},
		"contains":             query.And{&query.Cond{Field: "name", Op: query.Contains, Value: "ota"}, live},
		"count and level":      query.And{c("post_upload_count", query.Ge, int64(1)), c("level", query.Eq, int64(20))},
		"inviter of a staffer": query.Sub{Field: "inviter_id", Filter: c("level", query.Ge, int64(40))},
	}
}

// checkTotals compares each filter's total with the rows its page finds.
func checkTotals(t *testing.T, s core.Store, when string) {
	t.Helper()
	for name, f := range totalFilters() {
		us, total, err := s.FindUsers(context.Background(), query.List{Filter: f, Limit: 1000, Total: true})
		if err != nil {
			t.Fatalf("%s, %s: %v", when, name, err)
		}
		if total != len(us) {
			t.Errorf("%s, %s: total %d, the page has %d users", when, name, total, len(us))
		}
	}
}

// testTotals: exact totals under every filter kind stay exact through
// creates, level changes, deactivations, deletions (the flag and the row)
// and renames.
func testTotals(t *testing.T, s core.Store) {
	ctx := context.Background()
	checkTotals(t, s, "empty")
	levels := []int64{10, 20, 20, 30, 40, 50, 20, 60, 31, 20, 37, 20}
	var us []*core.User
	for i, l := range levels {
		us = append(us, MustCreate(t, s, fmt.Sprintf("t%02d_iota", i), core.Patch{"level": l, "banned": i == 3, "active": i != 5, "post_upload_count": int64(i % 3)}))
	}
	checkTotals(t, s, "created")
	steps := []struct {
		name string
		id   int64
		p    core.Patch
	}{
		{"promote", us[1].ID, core.Patch{"level": int64(40)}},
		{"deactivate", us[2].ID, core.Patch{"active": false}},
		{"delete", us[6].ID, core.Patch{"deleted": true, "active": false, "name": "deleted_6", "name_key": "deleted_6"}},
		{"ban and demote", us[7].ID, core.Patch{"banned": true, "level": int64(10)}},
		{"unchanged level", us[9].ID, core.Patch{"level": int64(20), "bio": "same level"}},
		{"rename", us[10].ID, core.Patch{"name": "u10_renamed", "name_key": "u10_renamed"}},
		{"reactivate", us[5].ID, core.Patch{"active": true}},
		{"invited", us[0].ID, core.Patch{"inviter_id": us[4].ID}},
	}
	for _, st := range steps {
		if _, err := s.UpdateUser(ctx, st.id, st.p, core.UpdateMeta{}); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		checkTotals(t, s, st.name)
	}
	MustCreate(t, s, "t99_late", core.Patch{"level": int64(20)})
	checkTotals(t, s, "created late")
	if db, ok := s.(*sqlstore.DB); ok {
		for _, u := range []*core.User{us[3], us[8]} {
			if _, err := db.W.ExecContext(ctx, "DELETE FROM users WHERE id = "+db.F.Placeholder(1), u.ID); err != nil {
				t.Fatal(err)
			}
		}
		checkTotals(t, s, "rows deleted")
	}
}

// testSubstringPages: substring and wildcard pages in id order, either
// way, with other conditions and cursors, find what a filter over every
// user finds, in order.
func testSubstringPages(t *testing.T, s core.Store) {
	ctx := context.Background()
	var all []*core.User
	for i := range 30 {
		all = append(all, MustCreate(t, s, fmt.Sprintf("p%02d_%s", i, []string{"anna", "joanna", "hannah", "bob"}[i%4]), core.Patch{"level": []int64{20, 40, 20}[i%3], "deleted": i%7 == 6}))
	}
	want := func(match func(*core.User) bool, desc bool) []int64 {
		var out []int64
		for _, u := range all {
			if match(u) {
				out = append(out, u.ID)
			}
		}
		if desc {
			slices.Reverse(out)
		}
		return out
	}
	ann := func(u *core.User) bool { return contains(u.Name, "ann") }
	// On PostgreSQL pages of a trigram pattern are first probed in a
	// window of users by id (sqlstore/probe.go): windows that hold every
	// user, too few for a page, and none give the same pages.
	windows := []int{0}
	db, isSQL := s.(*sqlstore.DB)
	if isSQL && db.F.ProbeWindow > 0 {
		windows = []int{0, 2, 7, -1}
	}
	for _, w := range windows {
		if isSQL {
			db.ProbeWindow = w
		}
		for _, tc := range []struct {
			name   string
			filter query.Expr
			match  func(*core.User) bool
		}{
			{"contains", &query.Cond{Field: "name", Op: query.Contains, Value: "ANN"}, ann},
			{"wildcard", &query.Cond{Field: "name", Op: query.Like, Value: "*ann*"}, ann},
			{"wildcard inside", &query.Cond{Field: "name", Op: query.Like, Value: "*nn*a*"}, func(u *core.User) bool {
				_, rest, ok := strings.Cut(core.Fold(u.Name), "nn")
				return ok && strings.Contains(rest, "a")
			}},
			{"contains, live staff", query.And{&query.Cond{Field: "level", Op: query.Ge, Value: int64(40)}, &query.Cond{Field: "name", Op: query.Contains, Value: "ann"}, &query.Cond{Field: "deleted", Op: query.Eq, Value: false}},
				func(u *core.User) bool { return ann(u) && u.Level >= 40 && !u.Deleted }},
			{"contains or", query.And{query.Or{&query.Cond{Field: "level", Op: query.Eq, Value: int64(40)}, &query.Cond{Field: "deleted", Op: query.Eq, Value: true}}, &query.Cond{Field: "name", Op: query.Contains, Value: "ann"}},
				func(u *core.User) bool { return ann(u) && (u.Level == 40 || u.Deleted) }},
		} {
			for _, desc := range []bool{false, true} {
				exp := want(tc.match, desc)
				// Pages of 4 by cursor, and one page by offset.
				var got []int64
				q := query.List{Filter: tc.filter, Order: []query.Order{{Field: "id", Desc: desc}}, Limit: 4, Total: true}
				for range 20 {
					us, total, err := s.FindUsers(ctx, q)
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if total != len(exp) {
						t.Errorf("%s, desc %v, window %d: total %d, want %d", tc.name, desc, w, total, len(exp))
					}
					got = append(got, ids(us)...)
					if len(us) < q.Limit {
						break
					}
					q.After = []any{us[len(us)-1].ID}
				}
				if !slices.Equal(got, exp) {
					t.Errorf("%s, desc %v, window %d: cursor pages %v, want %v", tc.name, desc, w, got, exp)
				}
				us, _, err := s.FindUsers(ctx, query.List{Filter: tc.filter, Order: []query.Order{{Field: "id", Desc: desc}}, Limit: 3, Offset: 2})
				if err != nil {
					t.Fatal(err)
				}
				if w := exp[min(2, len(exp)):min(5, len(exp))]; !slices.Equal(ids(us), w) {
					t.Errorf("%s, desc %v: offset page %v, want %v", tc.name, desc, ids(us), w)
				}
			}
		}
	}
	if isSQL {
		db.ProbeWindow = 0
	}
}

func contains(name, s string) bool { return strings.Contains(core.Fold(name), s) }

// TotalPlanFilters are the totals the faces ask for (issue 10's count
// workload), by the access their plan must use: "tallies" sums
// user_tallies, "name prefix" counts index entries of
// ix_users_name_key_live without reading users.
func TotalPlanFilters(prefix string) map[string]query.Expr {
	live := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}
	active := &query.Cond{Field: "active", Op: query.Eq, Value: true}
	return map[string]query.Expr{
		"tallies: native level": query.And{&query.Cond{Field: "level", Op: query.Eq, Value: int64(20)}, live},
		"tallies: drf is_staff": query.And{&query.Cond{Field: "level", Op: query.Ge, Value: int64(core.LevelModerator)}, live},
		"tallies: drf list":     live,
		"tallies: rb list":      query.And{active, live},
		"name prefix: rb q":     query.And{active, query.Or{&query.Cond{Field: "name", Op: query.Prefix, Value: prefix}}, live},
	}
}
