package postgres_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"usersd/internal/query"
	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

func openSeeded(t *testing.T, n int) (*sqlstore.DB, []storetest.Seeded) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, storetest.Seed(t, db, n)
}

// TestSubstringPlan: on 100,000 users, substring and wildcard name searches
// are answered from ix_users_name_key_trgm, never by reading all of users.
func TestSubstringPlan(t *testing.T) {
	db, users := openSeeded(t, storetest.BenchUsers)
	s := storetest.NameSubstring(rand.New(rand.NewPCG(5, 6)), users)
	for name, q := range storetest.SubstringPlanQueries(s) {
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "ix_users_name_key_trgm") || strings.Contains(plan, "Seq Scan on users") {
			t.Errorf("%s (%q) is not answered from the trigram index:\n%s", name, s, plan)
		}
	}
}

// TestListPlan: the level-ordered page walks ix_users_level.
func TestListPlan(t *testing.T) {
	db, _ := openSeeded(t, 20_000)
	plan, err := db.Explain(context.Background(), storetest.ListPlanQuery)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "ix_users_level") || strings.Contains(plan, "Sort") {
		t.Errorf("the level-ordered page does not walk ix_users_level:\n%s", plan)
	}
}

// TestDRFPagePlan: every page of the DRF face's page walks (issue 9) walks
// an index in the page's order; none sorts the matching rows.
func TestDRFPagePlan(t *testing.T) {
	db, users := openSeeded(t, 10_000)
	storetest.SpreadFlags(t, db)
	// An Incremental Sort over a unique presorted key (name_key, for the
	// username order) only orders runs of one row: the walk is still the
	// index's. A plain Sort node would order every matching row.
	fullSort := regexp.MustCompile(`(?m)^\s*(->\s+)?Sort\s+\(`)
	for name, q := range storetest.DRFPagePlanQueries(storetest.SeedJoinedAt(4000), users[9000].ID) {
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if fullSort.MatchString(plan) || strings.Contains(plan, "Seq Scan on users") {
			t.Errorf("%s: the page is not walked from an index:\n%s", name, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// TestDRFRelationPlan: pages of the DRF face's groups filter read users
// and user_groups through their indexes (a merge of users_pkey with a
// user_groups index, in the page's order): no scan of either table, no
// sort of the matches.
func TestDRFRelationPlan(t *testing.T) {
	db, _ := openSeeded(t, 10_000)
	groups := storetest.SpreadGroups(t, db)
	fullSort := regexp.MustCompile(`(?m)^\s*(->\s+)?Sort\s+\(`)
	for name, q := range storetest.DRFRelationPlanQueries(groups) {
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if fullSort.MatchString(plan) || strings.Contains(plan, "Seq Scan on users") || strings.Contains(plan, "Seq Scan on user_groups") {
			t.Errorf("%s: the page is not index-backed:\n%s", name, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// TestDRFAttributesPlan: the DRF face's attribute filters (jsonb @>) are
// answered from the column's jsonb_path_ops GIN index (fields.md
// ix_users_attributes), not by reading every user's JSON.
func TestDRFAttributesPlan(t *testing.T) {
	db, _ := openSeeded(t, 10_000)
	for _, col := range []string{"attributes", "attributes_kwargs", "localized_attributes", "localized_attributes_kwargs"} {
		q := query.List{Filter: query.And{
			&query.Cond{Field: col, Op: query.JSONContains, Value: json.RawMessage(`{"tier":"gold"}`)},
			&query.Cond{Field: "deleted", Op: query.Eq, Value: false},
		}, Order: []query.Order{{Field: "id"}}, Limit: 21, Total: true}
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "ix_users_"+col+" ") || strings.Contains(plan, "Seq Scan on users") {
			t.Errorf("%s: containment is not answered from ix_users_%s:\n%s", col, col, plan)
		}
	}
}

// TestTotalPlan: the totals the faces ask for sum user_tallies or count
// entries of ix_users_name_key_live; none reads the users table.
func TestTotalPlan(t *testing.T) {
	db, _ := openSeeded(t, 20_000)
	readsUsers := regexp.MustCompile(`(Seq|Heap|Index) Scan (using \S+ )?on users\b`)
	for name, f := range storetest.TotalPlanFilters("user01") {
		plan, err := db.ExplainTotal(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		want := "user_tallies"
		if strings.HasPrefix(name, "name prefix") {
			want = "Index Only Scan using ix_users_name_key_live"
		}
		if !strings.Contains(plan, want) || readsUsers.MatchString(plan) {
			t.Errorf("%s: the total is not from %s:\n%s", name, want, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// TestAuditPlan: no filtered page of the audit log reads the whole log.
// The planner chooses by the value's frequency, both ways sound: a rare
// one (a target, an actor) from the column's index, sorting the few rows
// it finds; a common one (a face, an action) by walking the ids down from
// the cursor until the page is full. The dashboard's counts read their
// window from the at index.
func TestAuditPlan(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.SeedAudit(t, db)
	if _, err := db.W.Exec("ANALYZE audit_log"); err != nil {
		t.Fatal(err)
	}
	for index, q := range storetest.AuditPlanQueries() {
		plan, err := db.ExplainAudit(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, index) && !strings.Contains(plan, "Index Scan Backward using audit_log_pkey") ||
			strings.Contains(plan, "Seq Scan on audit_log") {
			t.Errorf("the page is neither read from %s nor walked down the ids:\n%s", index, plan)
		}
		t.Logf("%s:\n%s", index, plan)
	}
	// The dashboard's counts read the window from the (at, id) index.
	plan, err := db.ExplainCountAudit(context.Background(), storetest.AuditPlanStart.Add(2*time.Hour), time.Minute, 48)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "ix_audit_log_at") || strings.Contains(plan, "Seq Scan on audit_log") {
		t.Errorf("the counts do not read the window from ix_audit_log_at:\n%s", plan)
	}
}
