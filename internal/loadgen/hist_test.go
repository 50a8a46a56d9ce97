package loadgen

import (
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	// Every value lies in its bucket: at most its top, above the
	// previous bucket's top; and a bucket is at most 1/64 wide.
	prev := -1
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 129, 255, 256, 1000, 4095, 4096, 1 << 20, 1<<20 + 1, 1<<40 - 1} {
		i := bucketOf(v)
		if i < prev {
			t.Errorf("bucketOf(%d) = %d, below bucketOf of a smaller value (%d)", v, i, prev)
		}
		prev = i
		top := bucketTop(i)
		low := uint64(0)
		if i > 0 {
			low = bucketTop(i-1) + 1
		}
		if v < low || v > top {
			t.Errorf("%d in bucket %d = [%d, %d]", v, i, low, top)
		}
		if width := top - low + 1; v >= 64 && float64(width) > float64(low)/64+1 {
			t.Errorf("bucket %d = [%d, %d] is wider than 1/64 of its values", i, low, top)
		}
	}
}

func TestQuantile(t *testing.T) {
	us := time.Microsecond
	ms := time.Millisecond
	seq := func(n int, unit time.Duration) []time.Duration {
		var ds []time.Duration
		for i := 1; i <= n; i++ {
			ds = append(ds, time.Duration(i)*unit)
		}
		return ds
	}
	for _, tc := range []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
		relErr float64 // 0: exact
	}{
		{"empty", nil, 0.5, 0, 0},
		{"one", []time.Duration{7 * us}, 0.999, 7 * us, 0},
		{"median of 1..10", seq(10, us), 0.5, 5 * us, 0},
		{"p99 of 1..10 is the top", seq(10, us), 0.99, 10 * us, 0},
		{"p90 of 1..10", seq(10, us), 0.9, 9 * us, 0},
		{"p50 of 1..100 ms", seq(100, ms), 0.5, 50 * ms, 1.0 / 64},
		{"p99 of 1..100 ms", seq(100, ms), 0.99, 99 * ms, 1.0 / 64},
		{"p99.9 of 1..1000 ms", seq(1000, ms), 0.999, 999 * ms, 1.0 / 64},
		{"p100 is the max exactly", seq(1000, ms), 1, 1000 * ms, 0},
		{"p99.9 of a 0.1% tail", append(seq(999, 0), time.Second), 0.999, 0, 0},
		{"p99.9 above a 0.2% tail", append(seq(998, 0), time.Second, time.Second), 0.999, time.Second, 0},
		{"sub-microsecond is 0", []time.Duration{300, 400, 900}, 0.5, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tc.values {
				h.Record(v)
			}
			got := h.Quantile(tc.q)
			if tc.relErr == 0 && got != tc.want || tc.relErr > 0 && (got < tc.want || float64(got-tc.want) > tc.relErr*float64(tc.want)) {
				t.Errorf("Quantile(%v) = %v, want %v (within %.1f%%, never below)", tc.q, got, tc.want, 100*tc.relErr)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	var a, b, all Histogram
	for i := 1; i <= 500; i++ {
		d := time.Duration(i*i) * time.Microsecond
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		if got, want := a.Quantile(q), all.Quantile(q); got != want {
			t.Errorf("merged Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if a.Count() != 500 || a.Max() != all.Max() || a.Mean() != all.Mean() {
		t.Errorf("merged count %d max %v mean %v, want 500 %v %v", a.Count(), a.Max(), a.Mean(), all.Max(), all.Mean())
	}
}
