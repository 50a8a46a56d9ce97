package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress reports a bulk command's advance: a bar with rate and ETA on a
// terminal, else a plain line every interval ("imported 12000 users,
// 5400/s"), which logs and CI keep readable.
type progress struct {
	verb     string
	w        io.Writer
	bar      *progressbar.ProgressBar
	start    time.Time
	last     time.Time
	interval time.Duration
}

// newProgress reports to w. total is the bar's end (bytes of input when
// bytes, else users; -1 unknown).
func newProgress(w io.Writer, verb string, total int64, bytes bool, interval time.Duration) *progress {
	p := &progress{verb: verb, w: w, start: time.Now(), interval: interval}
	p.last = p.start
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		opts := []progressbar.Option{
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(verb),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100 * time.Millisecond),
			progressbar.OptionFullWidth(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		}
		if bytes {
			opts = append(opts, progressbar.OptionShowBytes(true))
		} else {
			opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("users"))
		}
		p.bar = progressbar.NewOptions64(total, opts...)
	}
	return p
}

// update reports n users done, the bar at pos (bytes or users).
func (p *progress) update(n int, pos int64) {
	now := time.Now()
	if p.bar != nil {
		if p.bar.GetMax64() >= 0 && pos > p.bar.GetMax64() {
			pos = p.bar.GetMax64()
		}
		p.bar.Describe(fmt.Sprintf("%s %d users, %.0f/s", p.verb, n, p.rate(n, now)))
		p.bar.Set64(pos)
		return
	}
	if p.interval > 0 && now.Sub(p.last) >= p.interval {
		p.last = now
		fmt.Fprintf(p.w, "%s %d users, %.0f/s\n", p.verb, n, p.rate(n, now))
	}
}

func (p *progress) rate(n int, now time.Time) float64 {
	if d := now.Sub(p.start).Seconds(); d > 0 {
		return float64(n) / d
	}
	return 0
}

// finish ends the bar.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// countingReader counts the bytes read through it; n may be read while
// another goroutine reads.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
