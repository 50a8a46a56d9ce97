package core_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"usersd/internal/core"
)

// BenchmarkImport imports b.N users of a realistic shape into SQLite, in
// batches of 1,000 (go test -bench Import -benchtime 100000x).
func BenchmarkImport(b *testing.B) {
	svc, db := newService(&testing.T{})
	defer db.Close()
	hash := "$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
	at := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &generated{n: b.N, make: func(i int) core.Patch {
		name := fmt.Sprintf("bench_%d", i)
		bio := "hello there"
		return core.Patch{"name": name, "email": name + "@example.org", "level": int64(20), "password_hash": hash,
			"created_at": at.Add(time.Duration(i) * time.Minute), "bio": bio, "post_upload_count": int64(i % 500)}
	}}
	b.ResetTimer()
	sum, err := svc.Import(context.Background(), core.System, r, core.ImportOptions{})
	if err != nil || sum.Created != b.N {
		b.Fatalf("%+v %v", sum, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// generated is a RecordReader of n records made on the fly.
type generated struct {
	n, i int
	make func(int) core.Patch
}

func (g *generated) Next() (core.ImportRecord, error) {
	if g.i == g.n {
		return core.ImportRecord{}, io.EOF
	}
	g.i++
	return core.ImportRecord{Line: g.i, Fields: g.make(g.i)}, nil
}
