package core

import (
	"cmp"
	"context"
	"hash/maphash"
	"slices"
	"sync"
	"time"
)

// MemoryRateLimiter is the in-process RateLimiter. It stores one GCRA
// theoretical arrival time per key in a sharded map that never holds more
// than its maximum number of keys, so an attacker rotating addresses or
// made-up account names cannot grow it without bound.
type MemoryRateLimiter struct {
	since    func() time.Duration // monotonic time since the limiter began
	seed     maphash.Seed
	perShard int
	shards   []memShard
}

type memShard struct {
	mu  sync.Mutex
	tat map[string]time.Duration // theoretical arrival time per Limit.Key
}

// DefaultMemoryKeys is the key capacity of the service's default limiter:
// about 20 MB at worst.
const DefaultMemoryKeys = 100_000

// NewMemoryRateLimiter returns an in-process limiter holding at most maxKeys
// buckets (at least 1). Once full, buckets that have refilled are dropped
// first, since they hold nothing a fresh bucket would not; then the ones
// closest to refilled, an eighth of a shard at a time so that a flood costs
// amortised O(log n) per key. Locked-out keys, the furthest from refilled,
// go last.
func NewMemoryRateLimiter(maxKeys int) *MemoryRateLimiter {
	maxKeys = max(maxKeys, 1)
	// Shards spread lock contention; each keeps 64 keys or more so a small
	// limiter still evicts by age rather than by shard.
	n := min(32, max(1, maxKeys/64))
	m := &MemoryRateLimiter{seed: maphash.MakeSeed(), perShard: maxKeys / n, shards: make([]memShard, n)}
	for i := range m.shards {
		m.shards[i].tat = map[string]time.Duration{}
	}
	start := time.Now()
	m.since = func() time.Duration { return time.Since(start) }
	return m
}

// Allow implements RateLimiter.
func (m *MemoryRateLimiter) Allow(_ context.Context, l Limit, key string, n int) (RateResult, error) {
	if err := CheckAllow(l, n); err != nil {
		return RateResult{}, err
	}
	k := l.Key(key)
	sh := &m.shards[maphash.String(m.seed, k)%uint64(len(m.shards))]
	t := l.Interval()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	now := m.since()
	tat, ok := sh.tat[k]
	if !ok || tat < now {
		tat = now
	}
	next := tat + t*time.Duration(n)
	if next-now > t*time.Duration(l.Burst) {
		return GCRAResult(l, n, false, tat-now), nil
	}
	if n > 0 {
		if !ok {
			sh.makeRoom(now, m.perShard)
		}
		sh.tat[k] = next
	}
	return GCRAResult(l, n, n > 0, next-now), nil
}

// Reset implements RateLimiter.
func (m *MemoryRateLimiter) Reset(_ context.Context, l Limit, key string) error {
	k := l.Key(key)
	sh := &m.shards[maphash.String(m.seed, k)%uint64(len(m.shards))]
	sh.mu.Lock()
	delete(sh.tat, k)
	sh.mu.Unlock()
	return nil
}

// makeRoom frees space for one more key when the shard is full.
func (sh *memShard) makeRoom(now time.Duration, limit int) {
	if len(sh.tat) < limit {
		return
	}
	for k, tat := range sh.tat {
		if tat <= now {
			delete(sh.tat, k)
		}
	}
	keep := limit - max(limit/8, 1)
	if len(sh.tat) <= keep {
		return
	}
	type entry struct {
		key string
		tat time.Duration
	}
	all := make([]entry, 0, len(sh.tat))
	for k, tat := range sh.tat {
		all = append(all, entry{k, tat})
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.tat, b.tat) })
	for _, e := range all[:len(all)-keep] {
		delete(sh.tat, e.key)
	}
}
