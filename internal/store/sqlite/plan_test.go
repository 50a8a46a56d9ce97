package sqlite_test

import (
	"context"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

func openSeeded(t *testing.T, n int) (*sqlstore.DB, []storetest.Seeded) {
	db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, storetest.Seed(t, db, n)
}

// TestSubstringPlan: on 100,000 users, substring and wildcard name searches
// take their candidates from users_name_fts, never from a scan of users,
// and, the pages being in id order, walk the trigram table in rowid order
// to the page's end: no list of every match, no sort of them.
func TestSubstringPlan(t *testing.T) {
	db, users := openSeeded(t, storetest.BenchUsers)
	s := storetest.NameSubstring(rand.New(rand.NewPCG(5, 6)), users)
	scan := regexp.MustCompile(`(?m)^SCAN users\b`)
	for name, q := range storetest.SubstringPlanQueries(s) {
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "users_name_fts VIRTUAL TABLE INDEX") || scan.MatchString(plan) {
			t.Errorf("%s (%q) is not answered from the trigram index:\n%s", name, s, plan)
		}
		if strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "LIST SUBQUERY") {
			t.Errorf("%s (%q) collects or sorts every match:\n%s", name, s, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// TestListPlan: the level-ordered page walks ix_users_level.
func TestListPlan(t *testing.T) {
	db, _ := openSeeded(t, 20_000)
	plan, err := db.Explain(context.Background(), storetest.ListPlanQuery)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "ix_users_level") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("the level-ordered page does not walk ix_users_level:\n%s", plan)
	}
}

// TestDRFPagePlan: every page of the DRF face's page walks (issue 9) walks
// an index in the page's order; none sorts the matching rows.
func TestDRFPagePlan(t *testing.T) {
	db, users := openSeeded(t, 10_000)
	storetest.SpreadFlags(t, db)
	scan := regexp.MustCompile(`(?m)SCAN users\s*$`)
	for name, q := range storetest.DRFPagePlanQueries(storetest.SeedJoinedAt(4000), users[9000].ID) {
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "TEMP B-TREE") || scan.MatchString(plan) {
			t.Errorf("%s: the page is not walked from an index:\n%s", name, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// TestDRFRelationPlan: pages of the DRF face's groups filter find their
// users from ix_user_groups_group_id and read them by primary key, in the
// page's order: no scan of users or user_groups, no sort of the matches.
func TestDRFRelationPlan(t *testing.T) {
	db, _ := openSeeded(t, 10_000)
	groups := storetest.SpreadGroups(t, db)
	scan := regexp.MustCompile(`(?m)SCAN (users|user_groups)\s*$`)
	for name, q := range storetest.DRFRelationPlanQueries(groups) {
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "TEMP B-TREE") || scan.MatchString(plan) || !strings.Contains(plan, "ix_user_groups_group_id") {
			t.Errorf("%s: the page is not index-backed:\n%s", name, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// TestTotalPlan: the totals the faces ask for sum user_tallies or count
// entries of ix_users_name_key_live; none reads the users table.
func TestTotalPlan(t *testing.T) {
	db, _ := openSeeded(t, 20_000)
	for name, f := range storetest.TotalPlanFilters("user01") {
		plan, err := db.ExplainTotal(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		want := "user_tallies"
		if strings.HasPrefix(name, "name prefix") {
			want = "COVERING INDEX ix_users_name_key_live"
		}
		if !strings.Contains(plan, want) || strings.Contains(plan, "SCAN users") {
			t.Errorf("%s: the total is not from %s:\n%s", name, want, plan)
		}
		t.Logf("%s:\n%s", name, plan)
	}
}

// TestAuditPlan: each filterable column of the audit log answers its
// filtered pages from its own index, newest first past the cursor, with
// no scan of the log and no sort; the dashboard's counts read their
// window from the at index.
func TestAuditPlan(t *testing.T) {
	db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.SeedAudit(t, db)
	for index, q := range storetest.AuditPlanQueries() {
		plan, err := db.ExplainAudit(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, index) || strings.Contains(plan, "SCAN audit_log") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("the page is not walked on %s:\n%s", index, plan)
		}
	}
	// The dashboard's counts read the window from the (at, id) index.
	plan, err := db.ExplainCountAudit(context.Background(), storetest.AuditPlanStart.Add(2*time.Hour), time.Minute, 48)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "ix_audit_log_at") || strings.Contains(plan, "SCAN audit_log") {
		t.Errorf("the counts do not read the window from ix_audit_log_at:\n%s", plan)
	}
}
