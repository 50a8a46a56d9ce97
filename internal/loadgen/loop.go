package loadgen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Loop is one closed-loop run: Conns workers each send a request, wait for
// its answer and send the next, until Requests have been sent or Duration
// has passed, whichever comes first.
type Loop struct {
	Conns    int
	Requests int // 0: bounded by Duration alone
	Duration time.Duration
	Seed     uint64 // the workers' random streams derive from it
}

// Do sends one request of a workload and reports its HTTP status (0
// when none came), and an error for a transport failure or an answer
// that is wrong though its status may be 2xx. Worker numbers run from 0 to Conns-1;
// each worker has its own rng.
type Do func(ctx context.Context, worker int, rng *rand.Rand) (status int, err error)

// Result is what a Loop measured.
type Result struct {
	Requests int           // answered within the run
	Errors   int           // transport errors and statuses outside 2xx
	Statuses map[int]int   // count by status; 0 for transport errors
	Elapsed  time.Duration // wall time of the run
	Latency  Histogram     // of every answered request, errors included
	FirstErr string        // the first error or unexpected status, for the report
	errMu    sync.Mutex
}

// Throughput is answered requests per second.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Run drives do as l says. A request cut off by the time bound is not
// counted: its latency is the bound's, not the server's.
func (l Loop) Run(ctx context.Context, do Do) *Result {
	ctx, cancel := context.WithTimeout(ctx, l.Duration)
	defer cancel()
	res := &Result{Statuses: map[int]int{}}
	var sent atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	end, _ := ctx.Deadline()
	for w := range max(l.Conns, 1) {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(l.Seed, uint64(w)))
			var h Histogram
			statuses := map[int]int{}
			n, errs := 0, 0
			for ctx.Err() == nil && (l.Requests == 0 || sent.Add(1) <= int64(l.Requests)) {
				t0 := time.Now()
				status, err := do(ctx, w, rng)
				// The context's timer may fire late on a busy machine;
				// past the bound, its deadline has cut the request off.
				if ctx.Err() != nil || !time.Now().Before(end) {
					break
				}
				h.Record(time.Since(t0))
				n++
				if err == nil && (status < 200 || status > 299) {
					err = fmt.Errorf("status %d", status)
				}
				if err != nil {
					errs++
					res.noteErr(err.Error())
				}
				statuses[status]++
			}
			mu.Lock()
			defer mu.Unlock()
			res.Latency.Merge(&h)
			res.Requests += n
			res.Errors += errs
			for k, v := range statuses {
				res.Statuses[k] += v
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	return res
}

func (r *Result) noteErr(msg string) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	if r.FirstErr == "" {
		r.FirstErr = msg
	}
}
