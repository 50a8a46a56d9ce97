package postgres_test

import (
	"context"
	"testing"

	"usersd/internal/store/postgres"
	"usersd/internal/store/storetest"
	"usersd/internal/testdb"
)

func BenchmarkStore(b *testing.B) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	storetest.Bench(b, db)
}

func BenchmarkPointReadsUnderLoad(b *testing.B) {
	db, err := postgres.Open(context.Background(), testdb.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	storetest.BenchPointReadsUnderLoad(b, db)
}
