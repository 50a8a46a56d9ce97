package core

import (
	"context"
	"sync"
	"time"
)

// Limiter counts failures per key in fixed windows. The in-process
// MemoryLimiter serves one node; a shared implementation (Redis) makes the
// limit hold across nodes.
type Limiter interface {
	// Blocked returns how long key stays locked out, or 0.
	Blocked(ctx context.Context, key string) (time.Duration, error)
	// Fail records one failure for key.
	Fail(ctx context.Context, key string) error
	// Reset forgets key's failures.
	Reset(ctx context.Context, key string) error
}

// MemoryLimiter locks a key out once it has Max failures within Window.
type MemoryLimiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu      sync.Mutex
	entries map[string]*window
}

type window struct {
	start time.Time
	count int
}

// maxLimiterKeys bounds the memory an address-rotating attacker can make the
// limiter hold; past it, expired windows are swept and then the oldest go.
const maxLimiterKeys = 100_000

// NewMemoryLimiter returns a limiter allowing max failures per window.
func NewMemoryLimiter(max int, per time.Duration) *MemoryLimiter {
	return &MemoryLimiter{Max: max, Window: per, Now: time.Now, entries: map[string]*window{}}
}

// Blocked implements Limiter.
func (l *MemoryLimiter) Blocked(_ context.Context, key string) (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.entries[key]
	if w == nil {
		return 0, nil
	}
	left := w.start.Add(l.Window).Sub(l.Now())
	if left <= 0 {
		delete(l.entries, key)
		return 0, nil
	}
	if w.count < l.Max {
		return 0, nil
	}
	return left, nil
}

// Fail implements Limiter.
func (l *MemoryLimiter) Fail(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	w := l.entries[key]
	if w == nil || now.Sub(w.start) >= l.Window {
		if len(l.entries) >= maxLimiterKeys {
			l.sweep(now)
		}
		w = &window{start: now}
		l.entries[key] = w
	}
	w.count++
	return nil
}

// Reset implements Limiter.
func (l *MemoryLimiter) Reset(_ context.Context, key string) error {
	l.mu.Lock()
	delete(l.entries, key)
	l.mu.Unlock()
	return nil
}

func (l *MemoryLimiter) sweep(now time.Time) {
	var oldestKey string
	var oldest time.Time
	for k, w := range l.entries {
		if now.Sub(w.start) >= l.Window {
			delete(l.entries, k)
		} else if oldestKey == "" || w.start.Before(oldest) {
			oldestKey, oldest = k, w.start
		}
	}
	if len(l.entries) >= maxLimiterKeys {
		delete(l.entries, oldestKey)
	}
}
