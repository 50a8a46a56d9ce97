package main

import (
	"context"
	"io"
	"os"
	"testing"
)

// BenchmarkExport exports the database in $USERSD_BENCH_DATA (a --data
// directory) b.N times; skipped without it.
func BenchmarkExport(b *testing.B) {
	dir := os.Getenv("USERSD_BENCH_DATA")
	if dir == "" {
		b.Skip("USERSD_BENCH_DATA names no --data directory")
	}
	for _, format := range []string{"jsonl", "csv"} {
		b.Run(format, func(b *testing.B) {
			for b.Loop() {
				if err := run(context.Background(), []string{"export", "--data", dir, "--format", format}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
