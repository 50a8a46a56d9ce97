package drf_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
	"usersd/internal/store/storetest"
)

// TestPagingWalk10k is TestPagingWalk on 10,000 users (issue 9), seeded
// straight into the database: following next from page 1 at the largest
// page size shows every matching user once, in sort order, and count is
// the number of matching users on every page. The store's plans for these
// pages are checked by TestDRFPagePlan in the store packages.
func TestPagingWalk10k(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 users")
	}
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf")
		start := time.Now()
		seeded := storetest.Seed(t, f.db, 10_000)
		storetest.SpreadFlags(t, f.db)
		type row struct {
			id      int64
			name    string
			active  bool
			updated time.Time
		}
		rows := make([]row, 0, len(seeded)+1)
		for i, s := range seeded {
			rows = append(rows, row{id: s.ID, name: s.NameKey, active: s.ID%7 != 0, updated: storetest.SeedJoinedAt(i)})
		}
		// The reader, made after the seed: the newest id, active, updated
		// now, with a short id past the seed's (which counts up from aaaaa).
		walker := f.user("walker", core.Patch{"level": int64(core.LevelModerator), "sid": "zzzzz"})
		rows = append(rows, row{id: walker, name: "walker", active: true, updated: time.Now()})
		cut := storetest.SeedJoinedAt(4000)
		lastID := seeded[9000].ID
		t.Logf("seeded in %v", time.Since(start).Round(time.Millisecond))

		cases := []struct {
			query string
			match func(row) bool
			less  func(a, b row) int
		}{
			{"is_active=true&sort=username", func(r row) bool { return r.active }, func(a, b row) int { return cmp.Compare(a.name, b.name) }},
			{"modified_date__gte=" + cut.Format(time.RFC3339) + "&sort=modified_date", func(r row) bool { return !r.updated.Before(cut) },
				func(a, b row) int { return a.updated.Compare(b.updated) }},
			{fmt.Sprintf("is_active=false&id__lt=%d&sort=-id", lastID), func(r row) bool { return !r.active && r.id < lastID },
				func(a, b row) int { return -cmp.Compare(a.id, b.id) }},
		}
		for _, c := range cases {
			caseStart := time.Now()
			sorted := slices.Clone(rows)
			slices.SortStableFunc(sorted, func(a, b row) int { return cmp.Or(c.less(a, b), cmp.Compare(a.id, b.id)) })
			var want []string
			for _, r := range sorted {
				if c.match(r) {
					want = append(want, r.name)
				}
			}
			if len(want) < 1000 {
				t.Fatalf("%s: only %d matching users; the walk would prove little", c.query, len(want))
			}
			got, pages := f.walk(t, "/users/?"+c.query+"&limit=100", len(want), 200)
			if !slices.Equal(got, want) {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Errorf("%s: walked %d users over %d pages, want %d; first difference at %d", c.query, len(got), pages, len(want), i)
			}
			t.Logf("%s: %d users, %d pages in %v", c.query, len(got), pages, time.Since(caseStart).Round(time.Millisecond))
		}
	})
}
