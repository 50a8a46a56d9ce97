package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/ratelimit/ratelimittest"
)

func TestMemoryRateLimiter(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T) core.RateLimiter { return core.NewMemoryRateLimiter(1000) })
}

// TestMemoryRateLimiterBound: keys rotated past the capacity never grow the
// limiter beyond it, and a locked-out key outlives the flood.
func TestMemoryRateLimiterBound(t *testing.T) {
	ctx := context.Background()
	const max = 2048
	rl := core.NewMemoryRateLimiter(max)
	l := core.Limit{Name: "login", Rate: 5, Period: 15 * time.Minute, Burst: 5}
	if r, _ := rl.Allow(ctx, l, "victim", 5); !r.Allowed {
		t.Fatal("could not spend the victim's burst")
	}
	for i := range 20 * max {
		if _, err := rl.Allow(ctx, l, fmt.Sprintf("addr:198.51.%d.%d", i/256, i%256), 1); err != nil {
			t.Fatal(err)
		}
		if n := rl.Len(); n > max {
			t.Fatalf("after %d keys the limiter holds %d, more than %d", i+1, n, max)
		}
	}
	if r, _ := rl.Allow(ctx, l, "victim", 0); r.Allowed {
		t.Error("the locked-out key was evicted before keys closer to refilled")
	}
	// A tiny limiter still works.
	small := core.NewMemoryRateLimiter(1)
	small.Allow(ctx, l, "a", 1)
	small.Allow(ctx, l, "b", 1)
	if n := small.Len(); n != 1 {
		t.Errorf("limiter of 1 holds %d", n)
	}
}

func BenchmarkMemoryRateLimiter(b *testing.B) {
	ratelimittest.Bench(b, core.NewMemoryRateLimiter(core.DefaultMemoryKeys))
}
