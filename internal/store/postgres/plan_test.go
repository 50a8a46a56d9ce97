package postgres_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

// TestSubstringPlan guards the trigram index: a contains filter, compiled
// by the flavor and shaped like FindUsers, must be answered from
// ix_users_name_key_trgm, not by reading every row.
func TestSubstringPlan(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	users := storetest.Seed(t, db, 20_000)
	s := storetest.NameSubstring(rand.New(rand.NewPCG(5, 6)), users)
	var args []any
	cond := postgres.Flavor.Substring("users", "name_key", sqlstore.Substring(s), func(v any) string {
		args = append(args, v)
		return sqlstore.Dollar(len(args))
	})
	var out []byte
	err = db.R.QueryRow("EXPLAIN (FORMAT JSON) SELECT users.id FROM users WHERE "+cond+" ORDER BY users.id LIMIT 21", args...).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	var plan []struct{ Plan planNode }
	if err := json.Unmarshal(out, &plan); err != nil || len(plan) != 1 {
		t.Fatalf("plan %s: %v", out, err)
	}
	trgm := false
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.NodeType == "Seq Scan" && n.Relation == "users" {
			t.Errorf("contains %q reads all of users:\n%s", s, out)
		}
		trgm = trgm || n.Index == "ix_users_name_key_trgm"
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plan[0].Plan)
	if !trgm {
		t.Errorf("contains %q does not use ix_users_name_key_trgm:\n%s", s, out)
	}
}

type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Index    string     `json:"Index Name"`
	Plans    []planNode `json:"Plans"`
}
