package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"usersd/internal/facetest"
)

func TestMain(m *testing.M) { os.Exit(facetest.Main(m)) }

// TestSoak runs the soak against a real server for 60 s (by hand:
// USERSD_SOAK_DURATION=10m go test -run Soak -timeout 15m ./cmd/loadtest/;
// USERSD_SOAK_POSTGRES=1 for PostgreSQL): no request may fail, and RSS,
// goroutines and open files must be flat after warm-up.
func TestSoak(t *testing.T) {
	d := 60 * time.Second
	if v := os.Getenv("USERSD_SOAK_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatalf("USERSD_SOAK_DURATION=%q: %v", v, err)
		}
	}
	b := facetest.SQLite(t)
	if os.Getenv("USERSD_SOAK_POSTGRES") != "" {
		b = facetest.Postgres(t)
	}
	s := facetest.Start(t, b)
	_, admin := s.Admin("soakroot", 50)
	var log strings.Builder
	rep, err := runSoak(context.Background(), soakConfig{base: s.Base, token: admin, pid: s.PID, duration: d,
		concurrency: 4, every: max(d/30, time.Second), log: &log})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s on %s for %s:\n%s%s", "soak", b.Name, d, log.String(), rep.summary())
	for _, f := range rep.failures {
		t.Error(f)
	}
	for _, p := range flat(rep.samples) {
		t.Error(p)
	}
	if rep.requests < 100 {
		t.Errorf("only %d requests in %s", rep.requests, d)
	}
}
