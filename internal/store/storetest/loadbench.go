package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/sqlstore"
)

// CostlyFilter is the native filter of the cost finding: 50 distinct
// wildcard name conditions, each of which the trigram index answers with
// every seeded row as a candidate and none as a match.
func CostlyFilter(n int) string {
	var terms []string
	for k := 2; len(terms) < n; k++ {
		for _, p := range []string{"use", "ser"} {
			terms = append(terms, `name like "*`+p+"*"+strings.Repeat("_*", k)+`"`)
		}
	}
	return strings.Join(terms[:n], " || ")
}

// BenchPointReadsUnderLoad measures a get by id through the core while
// four costly searches with total=true run back to back, and reports it
// as a ratio to an idle get by id ("x-idle"), on 5,000 users: without a
// budget (Off, the service before it) under the 50-condition filter, and
// with the default budget under that filter (refused) and under the
// costliest search it admits (6 conditions, run until the 3 s deadline).
//
//	go test -run '^$' -bench PointReadsUnderLoad -benchtime 20x ./internal/store/sqlite/ ./internal/store/postgres/
func BenchPointReadsUnderLoad(b *testing.B, db *sqlstore.DB) {
	users := Seed(b, db, 5_000)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		budget core.Budget
		terms  int
	}{
		// Off runs last: without a deadline, PostgreSQL runs its searches on
		// after their contexts end, and would slow what follows.
		{"Default", core.DefaultBudget(), 50},
		{"DefaultAdmitted", core.DefaultBudget(), core.DefaultMaxPatterns},
		{"Off", core.Budget{}, 50},
	} {
		b.Run(tc.name, func(b *testing.B) {
			svc := core.NewService(db)
			svc.Budget = tc.budget
			filter, err := query.Parse(CostlyFilter(tc.terms))
			if err != nil {
				b.Fatal(err)
			}
			get := func(i int) {
				if _, err := svc.GetUserByID(ctx, core.System, users[i%len(users)].ID); err != nil {
					b.Fatal(err)
				}
			}
			const idleReads = 200
			start := time.Now()
			for i := range idleReads {
				get(i)
			}
			idle := time.Since(start) / idleReads

			lctx, stop := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for lctx.Err() == nil {
						svc.ListUsers(lctx, nil, core.ListRequest{Filter: filter, Limit: 50, Total: true})
					}
				})
			}
			time.Sleep(100 * time.Millisecond) // the four are running
			i := 0
			for b.Loop() {
				get(i)
				i++
			}
			loaded := b.Elapsed() / time.Duration(b.N)
			stop()
			wg.Wait()
			b.ReportMetric(float64(idle.Microseconds()), "idle-µs")
			b.ReportMetric(float64(loaded)/float64(idle), "x-idle")
		})
	}
}
