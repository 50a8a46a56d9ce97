package redisrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"usersd/internal/core"
	"usersd/internal/ratelimit/ratelimittest"
	"usersd/internal/ratelimit/redisrate"
	"usersd/internal/testdb"
)

func open(t testing.TB, url, prefix string) *redisrate.Limiter {
	t.Helper()
	l, err := redisrate.Open(context.Background(), url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestRedisConformance(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T) core.RateLimiter {
		url, prefix := testdb.Redis(t)
		return open(t, url, prefix)
	})
}

// TestRedisPrefix: limiters on one prefix share buckets (two nodes), and
// limiters on different prefixes do not; keys carry the prefix.
func TestRedisPrefix(t *testing.T) {
	ctx := context.Background()
	url, prefix := testdb.Redis(t)
	_, other := testdb.Redis(t)
	a, b, c := open(t, url, prefix), open(t, url, prefix), open(t, url, other)
	l := core.Limit{Name: "login-account", Rate: 4, Period: 15 * time.Minute, Burst: 4}
	for _, rl := range []*redisrate.Limiter{a, a, b, b} {
		if r, err := rl.Allow(ctx, l, "acct:7", 1); err != nil || !r.Allowed {
			t.Fatalf("spend: %+v %v", r, err)
		}
	}
	if r, _ := a.Allow(ctx, l, "acct:7", 0); r.Allowed {
		t.Error("four spends across two limiters on one prefix left the bucket open")
	}
	if r, _ := c.Allow(ctx, l, "acct:7", 0); !r.Allowed || r.Remaining != 4 {
		t.Errorf("another prefix sees %+v, want a full bucket", r)
	}
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	keys, err := rdb.Keys(ctx, "*"+prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := "rate:" + prefix + "login-account:acct:7"; len(keys) != 1 || keys[0] != want {
		t.Errorf("keys = %q, want [%q]", keys, want)
	}
	if ttl := rdb.TTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > 15*time.Minute+time.Second {
		t.Errorf("TTL = %v, want the bucket to expire once refilled (≤ 15m)", ttl)
	}
}

func TestRedisOpen(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ url, want string }{
		{"redis://127.0.0.1:1/0", "redis at 127.0.0.1:1 is unreachable"},
		{"127.0.0.1:6379", "want a redis:// or rediss:// URL"},
		{"redis://127.0.0.1:6379/notanumber", "redis: "},
	} {
		l, err := redisrate.Open(ctx, tt.url, redisrate.DefaultPrefix)
		if err == nil {
			l.Close()
			t.Errorf("Open(%q) succeeded", tt.url)
		} else if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) = %v, want %q", tt.url, err, tt.want)
		}
	}
}

func BenchmarkRedisRateLimiter(b *testing.B) {
	url, prefix := testdb.Redis(b)
	ratelimittest.Bench(b, open(b, url, prefix))
}
