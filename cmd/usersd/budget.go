package main

import (
	"fmt"
	"time"

	"usersd/internal/core"
)

// queryBudget builds the list cost budget from the --query-* flags,
// refusing negative values (0 turns a limit off).
func queryBudget(timeout time.Duration, patterns, concurrency int, wait time.Duration) (core.Budget, error) {
	for _, f := range []struct {
		name string
		neg  bool
	}{
		{"--query-timeout", timeout < 0},
		{"--query-max-patterns", patterns < 0},
		{"--query-concurrency", concurrency < 0},
		{"--query-queue-wait", wait < 0},
	} {
		if f.neg {
			return core.Budget{}, fmt.Errorf("%s: must not be negative", f.name)
		}
	}
	return core.Budget{MaxPatterns: patterns, QueryTimeout: timeout, MaxExpensive: concurrency, QueueWait: wait}, nil
}
