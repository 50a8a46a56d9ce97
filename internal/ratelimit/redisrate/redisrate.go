// Package redisrate is the Redis-backed core.RateLimiter. Every usersd node
// that names the same Redis and key prefix spends from the same buckets, so
// a limit holds across the cluster. The GCRA itself is
// github.com/go-redis/redis_rate's script, run atomically inside Redis.
package redisrate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"usersd/internal/core"
)

// DefaultPrefix begins every key usersd writes, after redis_rate's own
// "rate:": a bucket is "rate:usersd:rl:<limit>:<key>".
const DefaultPrefix = "usersd:rl:"

// Limiter is a core.RateLimiter on one Redis.
type Limiter struct {
	client *redis.Client
	rate   *redis_rate.Limiter
	prefix string
}

var _ core.RateLimiter = (*Limiter)(nil)

// New returns a limiter on client whose keys begin with prefix (see
// DefaultPrefix); nodes must agree on the prefix to share limits.
func New(client *redis.Client, prefix string) *Limiter {
	return &Limiter{client: client, rate: redis_rate.NewLimiter(client), prefix: prefix}
}

// Open connects to the Redis at url (redis://[user:password@]host:port/db,
// or rediss:// for TLS) and pings it, so a wrong address fails at startup.
func Open(ctx context.Context, url, prefix string) (*Limiter, error) {
	if !strings.HasPrefix(url, "redis://") && !strings.HasPrefix(url, "rediss://") {
		return nil, fmt.Errorf("redis: want a redis:// or rediss:// URL")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	c := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("redis at %s is unreachable: %w", opt.Addr, err)
	}
	return New(c, prefix), nil
}

// Close closes the connection pool.
func (l *Limiter) Close() error { return l.client.Close() }

// Ping reports whether Redis answers, for readiness checks.
func (l *Limiter) Ping(ctx context.Context) error { return l.client.Ping(ctx).Err() }

// Allow implements core.RateLimiter.
func (l *Limiter) Allow(ctx context.Context, lim core.Limit, key string, n int) (core.RateResult, error) {
	if err := core.CheckAllow(lim, n); err != nil {
		return core.RateResult{}, err
	}
	res, err := l.rate.AllowN(ctx, l.prefix+lim.Key(key), redis_rate.Limit{Rate: lim.Rate, Burst: lim.Burst, Period: lim.Period}, n)
	if err != nil {
		return core.RateResult{}, fmt.Errorf("redis rate limit %s: %w", lim.Name, err)
	}
	// The script reckons in float seconds since 2017, a few tens of
	// nanoseconds off; Redis's clock has microseconds, so rounding to them
	// restores exact multiples of the refill interval.
	return core.GCRAResult(lim, n, n > 0 && res.Allowed > 0, res.ResetAfter.Round(time.Microsecond)), nil
}

// Reset implements core.RateLimiter.
func (l *Limiter) Reset(ctx context.Context, lim core.Limit, key string) error {
	if err := l.rate.Reset(ctx, l.prefix+lim.Key(key)); err != nil {
		return fmt.Errorf("redis rate limit %s: %w", lim.Name, err)
	}
	return nil
}
