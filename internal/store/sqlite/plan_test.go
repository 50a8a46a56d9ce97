package sqlite_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

// TestSubstringPlan guards the FTS5 trigram index: a contains filter,
// compiled by the flavor and shaped like FindUsers, must be answered from
// users_name_fts, not by scanning users.
func TestSubstringPlan(t *testing.T) {
	db, err := sqlite.Open(context.Background(), testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	users := storetest.Seed(t, db, 20_000)
	s := storetest.NameSubstring(rand.New(rand.NewPCG(5, 6)), users)
	var args []any
	cond := sqlite.Flavor.Substring("users", "name_key", sqlstore.Substring(s), func(v any) string {
		args = append(args, v)
		return "?"
	})
	rows, err := db.R.Query("EXPLAIN QUERY PLAN SELECT users.id FROM users WHERE "+cond+" ORDER BY users.id LIMIT 21", args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	vtab := false
	for _, d := range plan {
		// "SCAN users_name_fts …" is the index itself; "SCAN users" alone,
		// or with a USING clause, reads the whole table.
		if d == "SCAN users" || strings.HasPrefix(d, "SCAN users ") {
			t.Errorf("contains %q scans users:\n%s", s, text)
		}
		vtab = vtab || strings.Contains(d, "VIRTUAL TABLE INDEX")
	}
	if !vtab {
		t.Errorf("contains %q does not use users_name_fts:\n%s", s, text)
	}
}
