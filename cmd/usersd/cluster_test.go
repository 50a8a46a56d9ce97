package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"usersd/internal/facetest"
	"usersd/internal/testdb"
)

// TestClusterLoginLockout runs two usersd nodes on one PostgreSQL schema.
// With --redis (and one --redis-prefix) they share the login buckets, so
// wrong passwords spent half on each node lock the account on both; with
// in-process limiters each node counts only its own half and the account
// stays open.
func TestClusterLoginLockout(t *testing.T) {
	const limit = 4
	cluster := func(t *testing.T, extra ...string) (a, b *facetest.Server) {
		be := facetest.Postgres(t)
		args := append([]string{"--login-account-limit", strconv.Itoa(limit)}, extra...)
		a = startServer(t, be, args...)
		b = startServer(t, be, args...) // after a, which has migrated the schema
		a.Signup("carol")
		b.Signup("dave")
		// limit/2 failures on each node.
		for _, s := range []*facetest.Server{a, a, b, b} {
			s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "carol", "password": "wrong"}), 401)
		}
		return a, b
	}
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		url, prefix := testdb.Redis(t)
		a, b := cluster(t, "--redis", url, "--redis-prefix", prefix)
		for _, s := range []*facetest.Server{a, b} {
			r := s.Do("POST", "/v1/login", "", map[string]any{"name": "carol", "password": "password-carol"})
			m := s.Want(r, 429)
			if m["detail"] != "Too many failed logins; try again later." {
				t.Errorf("locked login: %s", r.Body)
			}
			// One failure refills in 15m/4 = 225s.
			if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 225 {
				t.Errorf("Retry-After = %q, want 1..225 seconds", r.Header.Get("Retry-After"))
			}
			// Only carol is locked: the address bucket (50) is far from spent.
			s.Login("dave", "password-dave")
		}
		if ready := a.Do("GET", "/readyz", "", nil); ready.Status != 200 {
			t.Errorf("readyz with Redis: %d %s", ready.Status, ready.Body)
		}
	})
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		a, b := cluster(t)
		a.Login("carol", "password-carol")
		b.Login("carol", "password-carol")
	})
}

// TestServeLimitFlags: bad login limits and an unreachable or malformed
// Redis stop "serve" before it listens, with a message naming the flag.
func TestServeLimitFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"zero account limit", []string{"--login-account-limit", "0"}, nil, "--login-account-limit 0: must be at least 1"},
		{"negative addr limit", []string{"--login-addr-limit", "-3"}, nil, "--login-addr-limit -3: must be at least 1"},
		{"zero from the environment", nil, map[string]string{"USERSD_LOGIN_ADDR_LIMIT": "0"}, "--login-addr-limit 0: must be at least 1"},
		{"huge limit", []string{"--login-account-limit", "2000000000"}, nil, "--login-account-limit 2000000000 is too large"},
		{"unreachable redis", []string{"--redis", "redis://127.0.0.1:1/0"}, nil, "--redis: redis at 127.0.0.1:1 is unreachable"},
		{"redis from the environment", nil, map[string]string{"USERSD_REDIS": "redis://127.0.0.1:1/0"}, "--redis: redis at 127.0.0.1:1 is unreachable"},
		{"redis without a scheme", []string{"--redis", "127.0.0.1:6379"}, nil, "--redis: redis: want a redis:// or rediss:// URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, tt.args...)
			getenv := func(k string) string { return tt.env[k] }
			err := run(context.Background(), args, getenv, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("serve %v = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}
