// Package ratelimittest is the conformance suite of core.RateLimiter: the
// in-process and the Redis limiter run it, so they answer alike.
package ratelimittest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"usersd/internal/core"
)

// hourly refills one unit every 12 minutes: slow enough that no unit comes
// back while a test runs, so counts are exact.
var hourly = core.Limit{Name: "hourly", Rate: 5, Period: time.Hour, Burst: 5}

// slack absorbs the time calls take (and, for Redis, clock reading) in the
// durations a result reports.
const slack = time.Second

// Run runs the suite. newLimiter returns a limiter whose buckets no other
// test sees (for Redis: a fresh key prefix).
func Run(t *testing.T, newLimiter func(t *testing.T) core.RateLimiter) {
	tests := []struct {
		name string
		fn   func(t *testing.T, rl core.RateLimiter)
	}{
		{"Spend", testSpend},
		{"SpendN", testSpendN},
		{"BurstBelowRate", testBurstBelowRate},
		{"Refill", testRefill},
		{"Reset", testReset},
		{"IndependentKeys", testIndependentKeys},
		{"Concurrent", testConcurrent},
		{"Invalid", testInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newLimiter(t)) })
	}
}

// allow calls Allow and fails the test on an error.
func allow(t *testing.T, rl core.RateLimiter, l core.Limit, key string, n int) core.RateResult {
	t.Helper()
	r, err := rl.Allow(context.Background(), l, key, n)
	if err != nil {
		t.Fatalf("Allow(%s, %q, %d): %v", l.Name, key, n, err)
	}
	if r.Limit != l {
		t.Errorf("Allow(%s, %q, %d).Limit = %+v", l.Name, key, n, r.Limit)
	}
	return r
}

// want is what a result should say; durations within slack.
type want struct {
	allowed    bool
	remaining  int
	retryAfter time.Duration
	resetAfter time.Duration
}

func check(t *testing.T, what string, r core.RateResult, w want) {
	t.Helper()
	if r.Allowed != w.allowed || r.Remaining != w.remaining || !near(r.RetryAfter, w.retryAfter) || !near(r.ResetAfter, w.resetAfter) {
		t.Errorf("%s = allowed %v, remaining %d, retry after %v, reset after %v; want %v, %d, ≈%v, ≈%v",
			what, r.Allowed, r.Remaining, r.RetryAfter, r.ResetAfter, w.allowed, w.remaining, w.retryAfter, w.resetAfter)
	}
}

// near: got is at most slack below want and not above it (but for a
// microsecond of rounding), since time only passes between the calls.
func near(got, want time.Duration) bool {
	if want == 0 {
		return got == 0
	}
	return got <= want+time.Microsecond && got > want-slack
}

func testSpend(t *testing.T, rl core.RateLimiter) {
	const every = 12 * time.Minute
	for range 2 {
		check(t, "peek of a fresh key", allow(t, rl, hourly, "k", 0), want{true, 5, 0, 0})
	}
	for i := 1; i <= 5; i++ {
		check(t, "spend", allow(t, rl, hourly, "k", 1), want{true, 5 - i, 0, time.Duration(i) * every})
	}
	check(t, "spend past the burst", allow(t, rl, hourly, "k", 1), want{false, 0, every, time.Hour})
	check(t, "peek of a spent key", allow(t, rl, hourly, "k", 0), want{false, 0, every, time.Hour})
	check(t, "refused spend leaves the bucket", allow(t, rl, hourly, "k", 1), want{false, 0, every, time.Hour})
}

func testSpendN(t *testing.T, rl core.RateLimiter) {
	const every = 12 * time.Minute
	check(t, "spend 3", allow(t, rl, hourly, "k", 3), want{true, 2, 0, 3 * every})
	check(t, "spend 3 of 2", allow(t, rl, hourly, "k", 3), want{false, 2, every, 3 * every})
	check(t, "spend 2", allow(t, rl, hourly, "k", 2), want{true, 0, 0, time.Hour})
	check(t, "spend 5 of 0", allow(t, rl, hourly, "k", 5), want{false, 0, time.Hour, time.Hour})
}

// testBurstBelowRate: a bucket smaller than the period's rate (DRF's
// "burst" throttles, Review Board's per-hour limits with short bursts).
func testBurstBelowRate(t *testing.T, rl core.RateLimiter) {
	l := core.Limit{Name: "burst", Rate: 3600, Period: time.Hour, Burst: 3}
	for i := 1; i <= 3; i++ {
		check(t, "spend", allow(t, rl, l, "k", 1), want{true, 3 - i, 0, time.Duration(i) * time.Second})
	}
	r := allow(t, rl, l, "k", 1)
	if r.Allowed || r.Remaining != 0 || r.RetryAfter <= 0 || r.RetryAfter > time.Second || r.ResetAfter > 3*time.Second {
		t.Errorf("past the burst: %+v", r)
	}
}

// testRefill waits, in real time, for units to come back.
func testRefill(t *testing.T, rl core.RateLimiter) {
	l := core.Limit{Name: "fast", Rate: 10, Period: time.Second, Burst: 2}
	allow(t, rl, l, "k", 1)
	allow(t, rl, l, "k", 1)
	r := allow(t, rl, l, "k", 1)
	if r.Allowed || r.RetryAfter <= 0 || r.RetryAfter > 100*time.Millisecond {
		t.Fatalf("third spend: %+v, want refused for at most 100ms", r)
	}
	time.Sleep(r.RetryAfter + 20*time.Millisecond)
	if r := allow(t, rl, l, "k", 1); !r.Allowed {
		t.Errorf("after RetryAfter: %+v, want allowed", r)
	}
	time.Sleep(250 * time.Millisecond)
	check(t, "peek once refilled", allow(t, rl, l, "k", 0), want{true, 2, 0, 0})
}

func testReset(t *testing.T, rl core.RateLimiter) {
	ctx := context.Background()
	allow(t, rl, hourly, "k", 5)
	if err := rl.Reset(ctx, hourly, "k"); err != nil {
		t.Fatal(err)
	}
	check(t, "peek after Reset", allow(t, rl, hourly, "k", 0), want{true, 5, 0, 0})
	check(t, "spend after Reset", allow(t, rl, hourly, "k", 1), want{true, 4, 0, 12 * time.Minute})
	if err := rl.Reset(ctx, hourly, "never used"); err != nil {
		t.Errorf("Reset of an unknown key: %v", err)
	}
	// Reset under one limit leaves the key's bucket under another.
	other := hourly
	other.Name = "other"
	allow(t, rl, other, "k", 2)
	if err := rl.Reset(ctx, hourly, "k"); err != nil {
		t.Fatal(err)
	}
	check(t, "other limit after Reset", allow(t, rl, other, "k", 0), want{true, 3, 0, 24 * time.Minute})
}

func testIndependentKeys(t *testing.T, rl core.RateLimiter) {
	allow(t, rl, hourly, "a", 5)
	check(t, "another key", allow(t, rl, hourly, "b", 0), want{true, 5, 0, 0})
	other := hourly
	other.Name = "other"
	check(t, "the key under another limit", allow(t, rl, other, "a", 0), want{true, 5, 0, 0})
	// Names and keys do not run together: limit "x" with key "y:z" is not
	// limit "x:y" with key "z" (a name may not hold ':').
	x := core.Limit{Name: "x", Rate: 5, Period: time.Hour, Burst: 5}
	allow(t, rl, x, "y:z", 5)
	check(t, "limit x, key y", allow(t, rl, x, "y", 0), want{true, 5, 0, 0})
	// Long keys (stored hashed) stay apart when they differ only at the end.
	long := strings.Repeat("n", 5000)
	allow(t, rl, hourly, long+"1", 5)
	check(t, "long key", allow(t, rl, hourly, long+"2", 0), want{true, 5, 0, 0})
	check(t, "spent long key", allow(t, rl, hourly, long+"1", 0), want{false, 0, 12 * time.Minute, time.Hour})
	if err := rl.Reset(context.Background(), hourly, long+"1"); err != nil {
		t.Fatal(err)
	}
	check(t, "reset long key", allow(t, rl, hourly, long+"1", 0), want{true, 5, 0, 0})
}

// testConcurrent: many goroutines spending one bucket are granted exactly
// its burst, never more.
func testConcurrent(t *testing.T, rl core.RateLimiter) {
	l := core.Limit{Name: "conc", Rate: 40, Period: time.Hour, Burst: 40}
	const workers, tries = 8, 15
	var granted, refused atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range tries {
				r, err := rl.Allow(context.Background(), l, "shared", 1)
				switch {
				case err != nil:
					t.Error(err)
					return
				case r.Allowed:
					granted.Add(1)
				default:
					refused.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if granted.Load() != 40 || refused.Load() != workers*tries-40 {
		t.Errorf("granted %d, refused %d of %d; want 40 granted", granted.Load(), refused.Load(), workers*tries)
	}
}

func testInvalid(t *testing.T, rl core.RateLimiter) {
	for _, tt := range []struct {
		l core.Limit
		n int
	}{
		{hourly, -1},
		{hourly, 6},
		{core.Limit{Name: "zero"}, 1},
		{core.Limit{Rate: 5, Period: time.Hour, Burst: 5}, 1},
		{core.Limit{Name: "x:y", Rate: 5, Period: time.Hour, Burst: 5}, 1},
		{core.Limit{Name: "neg", Rate: -1, Period: time.Hour, Burst: 5}, 1},
		{core.Limit{Name: "too fast", Rate: 10_000, Period: time.Millisecond, Burst: 5}, 1},
		{core.Limit{Name: "too long", Rate: 1, Period: 20 * 365 * 24 * time.Hour, Burst: 1}, 1},
	} {
		if r, err := rl.Allow(context.Background(), tt.l, "k", tt.n); err == nil {
			t.Errorf("Allow(%+v, %d) = %+v, want an error", tt.l, tt.n, r)
		}
	}
}

// Bench measures Allow on a spread of keys, as login throttling uses it.
func Bench(b *testing.B, rl core.RateLimiter) {
	l := core.Limit{Name: "bench", Rate: 1_000_000, Period: time.Hour, Burst: 1_000_000}
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("addr:192.0.%d.%d", i/256, i%256)
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := rl.Allow(ctx, l, keys[i%len(keys)], 1); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
