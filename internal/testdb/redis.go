package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedis is tried when USERSD_TEST_REDIS is unset.
const DefaultRedis = "redis://127.0.0.1:6379/0"

// RedisBase returns the URL of the Redis server for tests (USERSD_TEST_REDIS
// may be a redis:// URL or host:port). Without a server it skips the test,
// or fails it when CI=true, because CI must run the Redis paths.
func RedisBase(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("USERSD_TEST_REDIS")
	if url == "" {
		url = DefaultRedis
	}
	if !strings.Contains(url, "://") {
		url = "redis://" + url
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("USERSD_TEST_REDIS: %v", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	err = c.Ping(ctx).Err()
	cancel()
	c.Close()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("Redis is required in CI but unreachable at %s: %v", opt.Addr, err)
		}
		tb.Skipf("Redis unreachable at %s (set USERSD_TEST_REDIS): %v", opt.Addr, err)
	}
	return url
}

// Redis returns the test server's URL and a key prefix no other test uses;
// every key containing the prefix is deleted when the test ends.
func Redis(tb testing.TB) (url, prefix string) {
	tb.Helper()
	url = RedisBase(tb)
	var b [6]byte
	rand.Read(b[:])
	prefix = "usersd_test_" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		opt, _ := redis.ParseURL(url)
		c := redis.NewClient(opt)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, "*"+prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			tb.Errorf("clean up Redis keys %s*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				tb.Errorf("clean up Redis keys %s*: %v", prefix, err)
			}
		}
	})
	return url, prefix
}
