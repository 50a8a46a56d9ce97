package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
	"usersd/internal/store/sqlstore"
)

// slowFilter is a search whose every row costs hundreds of regular
// expression matches, none of which an index can answer (no pattern
// holds a trigram): it reads the whole table, slowly, on both engines.
// The first seeded user matches its first term, so a one-row page in id
// order is quick while a count is not.
func slowFilter() query.Expr {
	or := query.Or{&query.Cond{Field: "name", Op: query.Regex, Value: "^user000000_"}}
	for i := range 240 {
		or = append(or, &query.Cond{Field: "name", Op: query.Regex, Value: fmt.Sprintf("^%s[%c%c]x", strings.Repeat(".", i%4), 'a'+i/4%26, 'z'-i/4/26)})
	}
	return or
}

// Deadline checks that a page read under a context deadline stops in the
// database once the deadline passes: a statement timeout on PostgreSQL
// (the server's own error, not the driver's), an interrupt on SQLite;
// that a total the deadline cuts short is left out while the page is
// answered; and that the store stays usable afterwards. The deadline is a
// tenth of what the search takes unbounded on this machine (or of 1.5 s),
// and the bounded read must end in under half of that. It needs the SQL handle, so
// each store's tests call it beside Run.
func Deadline(t *testing.T, db *sqlstore.DB) {
	users := Seed(t, db, 5_000)
	ctx := context.Background()
	// The first user matches, the others do not: drivers that interrupt
	// only the step finding the first row would run through the rest.
	slow := query.List{Filter: slowFilter(), Order: []query.Order{{Field: "id"}}, Limit: 20}
	// How long the search takes, up to probe: the page reads every row, as
	// a count would.
	const probe = 1500 * time.Millisecond
	pctx, cancel := context.WithTimeout(ctx, probe)
	start := time.Now()
	_, _, err := db.FindUsers(pctx, slow)
	full := time.Since(start)
	cancel()
	if err != nil && full < probe {
		t.Fatal(err)
	}
	deadline := max(full/10, 20*time.Millisecond)
	t.Logf("unbounded: %v (up to %v); deadline %v", full.Round(time.Millisecond), probe, deadline)
	if full < 5*deadline {
		t.Skipf("the search takes only %v here; nothing to cut short", full)
	}

	t.Run("Page", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, deadline)
		defer cancel()
		start := time.Now()
		_, _, err := db.FindUsers(dctx, slow)
		took := time.Since(start)
		if err == nil {
			t.Fatalf("the search finished under a %v deadline (in %v)", deadline, took)
		}
		if took > full/2 {
			t.Errorf("the search stopped after %v (unbounded %v, deadline %v)", took, full, deadline)
		}
		if db.F.Name == "postgres" && core.ErrorReason(err) != core.ReasonQueryTimeout {
			t.Errorf("got %v, want the database's statement timeout", err)
		}
	})

	t.Run("TotalLeftOut", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, deadline)
		defer cancel()
		q := query.List{Filter: slowFilter(), Order: []query.Order{{Field: "id"}}, Limit: 1, Total: true}
		start := time.Now()
		us, total, err := db.FindUsers(dctx, q)
		took := time.Since(start)
		if err != nil || len(us) != 1 || us[0].ID != users[0].ID || total != -1 {
			t.Fatalf("got %d users, total %d, %v; want the first user and no total", len(us), total, err)
		}
		if took > full/2 {
			t.Errorf("the count stopped after %v (unbounded %v, deadline %v)", took, full, deadline)
		}
	})

	// The connections the stopped statements ran on serve again.
	for i := range 8 {
		if _, err := db.FindUserByID(ctx, users[i].ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.FindUsers(ctx, query.List{Filter: &query.Cond{Field: "id", Op: query.Eq, Value: users[i].ID}, Limit: 1, Total: true}); err != nil {
			t.Fatal(err)
		}
	}
}
