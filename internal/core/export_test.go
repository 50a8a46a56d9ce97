package core

// Len counts the buckets the limiter holds, for the memory-bound test.
func (m *MemoryRateLimiter) Len() int {
	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		n += len(sh.tat)
		sh.mu.Unlock()
	}
	return n
}
