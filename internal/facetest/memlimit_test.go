package facetest_test

import (
	"math"
	"runtime"
	"testing"

	"usersd/internal/facetest"
)

// TestMemoryLimit: a node sets the Go heap's soft limit to what it holds by
// design (64 MiB, twice the user cache, every password hash that may run at
// once) unless told otherwise.
func TestMemoryLimit(t *testing.T) {
	b := facetest.SQLite(t)
	slots := int64(runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		flags []string
		want  float64
	}{
		{nil, float64(64<<20 + 2*8<<20 + slots*19<<20)},
		{[]string{"--user-cache", "20"}, float64(64<<20 + 2*20<<20 + slots*19<<20)},
		{[]string{"--memory-limit", "300"}, 300 << 20},
		{[]string{"--memory-limit", "0"}, math.MaxInt64},
	} {
		s := facetest.Start(t, b, tc.flags...)
		got := s.Metrics("/metrics")["go_gc_gomemlimit_bytes"]
		if got != tc.want {
			t.Errorf("%v: go_gc_gomemlimit_bytes %v, want %v", tc.flags, got, tc.want)
		}
	}
}
