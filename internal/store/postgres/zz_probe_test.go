package postgres_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"usersd/internal/store/postgres"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

func TestProbe(t *testing.T) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users := storetest.Seed(t, db, 100000)
	rng := rand.New(rand.NewPCG(9, 9))
	s := storetest.NameSubstring(rng, users)
	for _, q := range []string{
		"SELECT id FROM users WHERE users.name_key LIKE $1 ESCAPE '\\' ORDER BY users.id LIMIT 21 OFFSET 0",
		"SELECT * FROM users WHERE users.name_key LIKE $1 ESCAPE '\\' ORDER BY users.id LIMIT 21 OFFSET 0",
		"SELECT * FROM users WHERE position($2 in users.name_key) > 0 and $1 <> '' ORDER BY users.id LIMIT 21",
		"SELECT * FROM users WHERE (users.level, users.id) < (20, 1000) and $1 <> '' ORDER BY users.level DESC, users.id DESC LIMIT 21",
		"SELECT * FROM users WHERE users.id = 5 and $1 <> ''",
	} {
		rows, err := db.R.Query("EXPLAIN (ANALYZE, BUFFERS) "+q, "%"+s+"%", s)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d string
			rows.Scan(&d)
			t.Log(d)
		}
		rows.Close()
		t.Log("--")
	}
}
