package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// RateLimiter spends units from per-key buckets under the generic cell rate
// algorithm (GCRA): a bucket holds up to Burst units and refills one unit
// every Period/Rate. The in-process MemoryRateLimiter serves one node; the
// Redis one (internal/ratelimit/redisrate) holds the buckets for many nodes,
// so a limit holds across them. Both pass internal/ratelimit/ratelimittest.
type RateLimiter interface {
	// Allow spends n units from key's bucket under l if all n are there,
	// else spends nothing. n = 0 peeks: nothing is spent and Allowed says
	// whether one unit is there. n < 0 or n > l.Burst, and an invalid l,
	// are errors.
	Allow(ctx context.Context, l Limit, key string, n int) (RateResult, error)
	// Reset refills key's bucket under l (forgets what was spent).
	Reset(ctx context.Context, l Limit, key string) error
}

// Limit is one named bucket: Rate units per Period, at most Burst at once.
// The name keeps buckets of different limits apart for one key, so login
// failures and, say, API calls of one address never share a count.
type Limit struct {
	Name   string
	Rate   int
	Period time.Duration
	Burst  int
}

// minInterval is the shortest refill interval a Limit may have: Redis
// reckons time in microseconds.
const minInterval = time.Microsecond

// maxRefill bounds how long an empty bucket may take to refill, which keeps
// the arithmetic on durations far from overflow.
const maxRefill = 10 * 365 * 24 * time.Hour

// Check reports why l cannot be used, or nil.
func (l Limit) Check() error {
	switch {
	case l.Name == "" || strings.Contains(l.Name, ":"):
		return fmt.Errorf("rate limit %q: the name must be non-empty and free of ':'", l.Name)
	case l.Rate < 1 || l.Burst < 1 || l.Period <= 0:
		return fmt.Errorf("rate limit %s: rate, burst and period must be positive (%d/%v, burst %d)", l.Name, l.Rate, l.Period, l.Burst)
	case l.Interval() < minInterval:
		return fmt.Errorf("rate limit %s: %d per %v refills faster than one per %v", l.Name, l.Rate, l.Period, minInterval)
	case l.Burst > int(maxRefill/l.Interval()):
		return fmt.Errorf("rate limit %s: a burst of %d takes longer than %v to refill", l.Name, l.Burst, maxRefill)
	}
	return nil
}

// Interval is the time one unit takes to refill.
func (l Limit) Interval() time.Duration { return l.Period / time.Duration(l.Rate) }

// maxRawKey is the longest key a limiter stores as it is; longer ones (an
// attacker's made-up account names) are stored by their hash, so one entry
// costs a bounded amount of memory.
const maxRawKey = 128

// Key is the storage key of key's bucket under l: the limit's name (which
// has no ':'), ':', then the key, hashed when long. Every RateLimiter keys
// its buckets by it.
func (l Limit) Key(key string) string {
	if len(key) > maxRawKey {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	return l.Name + ":" + key
}

// CheckAllow checks the arguments of RateLimiter.Allow; every
// implementation refuses the same ones.
func CheckAllow(l Limit, n int) error {
	if err := l.Check(); err != nil {
		return err
	}
	if n < 0 || n > l.Burst {
		return fmt.Errorf("rate limit %s: cannot spend %d units of a burst of %d", l.Name, n, l.Burst)
	}
	return nil
}

// RateResult is the answer of RateLimiter.Allow, with what rate-limit
// headers need (X-RateLimit-Limit is the Limit's Burst, -Remaining is
// Remaining, -Reset is ResetAfter; Retry-After is RetryAfter).
type RateResult struct {
	Limit Limit
	// Allowed: the n units were spent; for a peek (n = 0), one unit is
	// there to spend.
	Allowed bool
	// Remaining is how many whole units are left after the call.
	Remaining int
	// RetryAfter is how long until the refused n units (for a peek, one
	// unit) would be allowed; 0 when allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the bucket is full again; 0 when full.
	ResetAfter time.Duration
}

// GCRAResult derives the whole answer from what GCRA stores: resetAfter is
// the bucket's theoretical arrival time less now, after the call, and
// spent says whether n > 0 units were granted. Both limiters answer through
// it so that they agree to the unit.
func GCRAResult(l Limit, n int, spent bool, resetAfter time.Duration) RateResult {
	resetAfter = max(resetAfter, 0)
	t := l.Interval()
	full := t * time.Duration(l.Burst)
	r := RateResult{Limit: l, ResetAfter: resetAfter, Remaining: max(int((full-resetAfter)/t), 0)}
	switch {
	case n > 0 && spent:
		r.Allowed = true
	case n > 0:
		r.RetryAfter = max(resetAfter+t*time.Duration(n)-full, 0)
	default:
		r.RetryAfter = max(resetAfter+t-full, 0)
		r.Allowed = r.RetryAfter == 0
	}
	return r
}

// The login limits' names; their buckets count failed logins.
const (
	LoginAccount = "login-account" // per account (by id, or by the name tried)
	LoginAddr    = "login-addr"    // per client address (IPv6: per /64)
)

// LoginPeriod is the period over which failed logins are counted.
const LoginPeriod = 15 * time.Minute

// LoginLimit allows n failed logins at once, refilling to n over
// LoginPeriod: after n failures the key is locked out until one refills
// (LoginPeriod/n), and n failures a period is the most it can sustain.
func LoginLimit(name string, n int) Limit {
	return Limit{Name: name, Rate: n, Period: LoginPeriod, Burst: n}
}

// Spend takes n units from key's bucket under l, for a face's own request
// limits (pronouns.cc's per-route buckets). The answer carries what
// rate-limit headers need; a refusal is Allowed false, not an error. An
// invalid l or n is the face's mistake: Internal.
func (f *Face) Spend(ctx context.Context, l Limit, key string, n int) (RateResult, error) {
	if err := CheckAllow(l, n); err != nil {
		return RateResult{}, &Error{Code: Internal, Message: "Internal error.", Err: err}
	}
	return f.s.Limiter.Allow(ctx, l, key, n)
}
