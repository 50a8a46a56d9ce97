package core_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/ratelimit/redisrate"
	"usersd/internal/testdb"
)

// TestLoginThrottle: failed logins lock out the account and the address
// once their limits are spent; a successful login resets the account; on
// both limiters.
func TestLoginThrottle(t *testing.T) {
	const ok = core.Code(-1) // success, for login's want
	limiters := map[string]func(t *testing.T) core.RateLimiter{
		"memory": func(t *testing.T) core.RateLimiter { return core.NewMemoryRateLimiter(1000) },
		"redis": func(t *testing.T) core.RateLimiter {
			url, prefix := testdb.Redis(t)
			rl, err := redisrate.Open(context.Background(), url, prefix)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { rl.Close() })
			return rl
		},
	}
	for name, newLimiter := range limiters {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			svc, _ := newService(t)
			svc.Limiter = newLimiter(t)
			svc.AccountLimit = core.LoginLimit(core.LoginAccount, 3)
			svc.AddrLimit = core.LoginLimit(core.LoginAddr, 5)
			for _, n := range []string{"alice", "bob"} {
				if _, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: n, Password: "pw-" + n}); err != nil {
					t.Fatal(err)
				}
			}
			a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
			login := func(name, pw string, addr netip.Addr, want core.Code) *core.Error {
				t.Helper()
				_, _, _, err := svc.Login(ctx, name, pw, addr)
				if code := core.ErrorCode(err); err != nil && code != want || err == nil && want != ok {
					t.Fatalf("Login(%s, %s, %v) = %v, want %q", name, pw, addr, err, want)
				}
				var e *core.Error
				errors.As(err, &e)
				return e
			}
			login("alice", "wrong", a, core.Unauthenticated)
			login("alice", "wrong", a, core.Unauthenticated)
			login("alice", "pw-alice", a, ok) // resets alice's count, not the address's
			for range 3 {
				login("ALICE", "wrong", b, core.Unauthenticated)
			}
			e := login("alice", "pw-alice", b, core.RateLimited)
			if e.Message != "Too many failed logins; try again later." || e.RetryAfter <= 4*time.Minute || e.RetryAfter > 5*time.Minute {
				t.Errorf("locked account: %q, retry after %v; want one failure's refill (5m)", e.Message, e.RetryAfter)
			}
			login("bob", "pw-bob", b, ok)
			// Address a has spent 2 of 5; three failures on unknown names
			// spend the rest, and then even bob's right password is refused there.
			for _, n := range []string{"nobody1", "nobody2", "nobody3"} {
				login(n, "x", a, core.Unauthenticated)
			}
			if e := login("bob", "pw-bob", a, core.RateLimited); e.RetryAfter <= 0 || e.RetryAfter > 3*time.Minute {
				t.Errorf("locked address: retry after %v, want at most 3m", e.RetryAfter)
			}
			// Other addresses of b's /64 share its bucket (3 failures spent).
			login("nobody1", "x", netip.MustParseAddr("2001:db8::2"), core.Unauthenticated)
			login("nobody2", "x", netip.MustParseAddr("2001:db8::3"), core.Unauthenticated)
			login("bob", "pw-bob", netip.MustParseAddr("2001:db8::ffff"), core.RateLimited)
		})
	}
}
