package postgres_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"usersd/internal/query"
	"usersd/internal/store/postgres"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

// TestSubstringPlan guards the trigram index on 100,000 users: the page
// statements FindUsers runs for substring and wildcard name searches (the
// native contains filter, Danbooru's and e621's name_matches=*abc*) must be
// answered from ix_users_name_key_trgm, never by reading all of users.
func TestSubstringPlan(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	users := storetest.Seed(t, db, storetest.BenchUsers)
	s := storetest.NameSubstring(rand.New(rand.NewPCG(5, 6)), users)
	notDeleted := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}
	for name, q := range map[string]query.List{
		"contains, id order":             {Filter: query.And{&query.Cond{Field: "name", Op: query.Contains, Value: s}, notDeleted}, Order: []query.Order{{Field: "id"}}, Limit: 21},
		"name_matches *s*, newest first": {Filter: &query.Cond{Field: "name", Op: query.Like, Value: "*" + s + "*"}, Order: []query.Order{{Field: "id", Desc: true}}, Limit: 20},
		"wildcard inside":                {Filter: &query.Cond{Field: "name", Op: query.Like, Value: "*" + s + "*" + s[:1] + "*"}, Order: []query.Order{{Field: "id", Desc: true}}, Limit: 20},
	} {
		plan, err := db.Explain(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "ix_users_name_key_trgm") || strings.Contains(plan, "Seq Scan on users") {
			t.Errorf("%s (%q) is not answered from the trigram index:\n%s", name, s, plan)
		}
	}
}

// TestListPlan guards the ordered page every native list runs: live users
// by level, newest first, must walk ix_users_level, not sort every row
// (a flag filter on deleted can steer a planner to the flag's index).
func TestListPlan(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.Seed(t, db, 20_000)
	plan, err := db.Explain(context.Background(), query.List{
		Filter: &query.Cond{Field: "deleted", Op: query.Eq, Value: false},
		Order:  []query.Order{{Field: "level", Desc: true}, {Field: "id", Desc: true}},
		Limit:  21, Offset: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "ix_users_level") || strings.Contains(plan, "Sort") {
		t.Errorf("the level-ordered page does not walk ix_users_level:\n%s", plan)
	}
}
