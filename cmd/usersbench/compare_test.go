package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"usersd/internal/loadgen"
)

// TestMain lets the test binary be compare's ceiling process, as the
// usersbench binary is.
func TestMain(m *testing.M) {
	if os.Getenv(ceilingEnv) != "" {
		if err := serveCeiling(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// TestCompareSmoke is the CI smoke run of compare: 10,000 users seeded
// through usersd import, every workload on every face for about a second
// (2 rounds of 150 ms on usersd and on the ceiling, 500 ms for logins;
// some 25 s in all on 2 cores, seeding aside). It checks that the tool
// works (every request answered 2xx, requests answered on every workload
// and face, every ratio a number), not the timings, which BENCHMARKS.md
// records from longer runs: a 150 ms round of a costly workload on a busy
// machine may end before any request does, and its ratio is then 0.
func TestCompareSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds usersd and runs it for about a minute")
	}
	const rounds = 2 // two, so that the rounds' spread is computed
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 85*time.Second)
	defer cancel()
	var log strings.Builder
	bin, err := usersdBinary(ctx, "", t.TempDir(), &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !hasImport(ctx, bin) {
		t.Skip("usersd has no import command yet; the smoke run seeds through \"usersd import --format jsonl -\" and runs once it lands")
	}
	rep, err := compare(ctx, compareConfig{users: 10000, seed: 1, usersd: bin, workloads: "all", faces: "all", rounds: rounds,
		loop: loadgen.Loop{Conns: 4, Duration: 150 * time.Millisecond, Seed: 1}}, &log)
	var table, md strings.Builder
	printRows(&table, rep.rows)
	writeMarkdown(&md, rep)
	t.Logf("in %s:\n%s\n%s", time.Since(start).Round(time.Second), table.String(), md.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	rows := rep.rows
	// One markdown row a workload and face, then peak RSS and seed time.
	if n := strings.Count(md.String(), "\n"); n != len(rows)+2 {
		t.Errorf("%d markdown lines for %d rows, want rows + 2:\n%s", n, len(rows), md.String())
	}
	all, _ := selectOps("all", "all")
	if len(rows) != len(all) {
		t.Errorf("%d rows, want one per workload and face (%d)", len(rows), len(all))
	}
	for _, r := range rows {
		if r.errors > 0 {
			t.Errorf("%s on %s: %d errors, first: %s", r.workload, r.face, r.errors, r.firstErr)
		}
		if len(r.ratios) != rounds {
			t.Errorf("%s on %s: %d ratios, want %d", r.workload, r.face, len(r.ratios), rounds)
		}
		answered := false
		for i, x := range r.ratios {
			if !(x >= 0) || math.IsInf(x, 0) {
				t.Errorf("%s on %s: ratio %v", r.workload, r.face, x)
			}
			answered = answered || r.usersd[i] > 0
		}
		if !answered {
			t.Errorf("%s on %s: no request answered in any round", r.workload, r.face)
		}
	}
	if d := time.Since(start); d > 90*time.Second {
		t.Errorf("the smoke run took %s, over its 90 s", d)
	}
}
