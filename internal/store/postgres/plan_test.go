package postgres_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

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
