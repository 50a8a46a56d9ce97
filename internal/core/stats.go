package core

import (
	"context"
	"slices"
	"time"
)

// What the console's dashboard reads beyond sign-ups: audit actions
// counted over time, and how the database is doing.

// MaxAuditBuckets bounds the buckets of one AuditCounts call.
const MaxAuditBuckets = 168

// AuditCounts counts the audit entries of each action in n consecutive
// buckets of width step, the first starting at from: out[action][i] is
// the count in [from+i*step, from+(i+1)*step), in one grouped count over
// the (at, id) index: a call reads each entry of the range once. Admins
// only, as the log is.
// Codes: Unauthenticated, Forbidden, Invalid.
func (f *Face) AuditCounts(ctx context.Context, actor *User, actions []string, from time.Time, step time.Duration, n int) (map[string][]int, error) {
	if err := f.s.may(ctx, f.p, actor, ActAudit, nil); err != nil {
		return nil, err
	}
	if n < 1 || n > MaxAuditBuckets || step <= 0 {
		return nil, FieldError("buckets", "must be 1 to 168 of a positive width")
	}
	for _, a := range actions {
		if !slices.Contains(AuditActions, a) {
			return nil, FieldError("action", "is not an audit action")
		}
	}
	return f.s.store.CountAudit(ctx, actions, from, step, n)
}

// PoolStats is one connection pool of a store.
type PoolStats struct {
	Name              string // "read", "write" or "readwrite"
	Open, InUse, Idle int
	MaxOpen           int // 0: no bound
	WaitCount         int64
	WaitDuration      time.Duration
}

// StorePools is what a store may say of itself beyond Store: its kind
// ("sqlite", "postgres") and its connection pools.
type StorePools interface {
	Kind() string
	Pools() []PoolStats
}

// StoreHealth is the database as the dashboard shows it.
type StoreHealth struct {
	Kind  string        // "" when the store does not say
	Ping  time.Duration // the round trip of one Ping
	Err   error         // the Ping's failure, if any
	Pools []PoolStats
}

// StoreHealth pings the store and reports the round trip, the store's
// kind and its pools where it tells them. Staff only: it names no user,
// but says how loaded the service is. A failed ping is reported in the
// result, not as an error. Codes: Unauthenticated, Forbidden.
func (f *Face) StoreHealth(ctx context.Context, actor *User) (*StoreHealth, error) {
	switch {
	case actor == nil:
		return nil, authRequired()
	case actor != System && !actor.IsStaff():
		return nil, Errorf(Forbidden, "Only staff may read the database's health.")
	}
	h := &StoreHealth{}
	start := time.Now()
	h.Err = f.s.store.Ping(ctx)
	h.Ping = time.Since(start)
	if p, ok := f.s.store.(StorePools); ok {
		h.Kind, h.Pools = p.Kind(), p.Pools()
	}
	return h, nil
}
