// Package logbuf batches a log's writes: a line is held in memory for at
// most a set time and then written out with the lines that followed it,
// instead of costing a write system call of its own (3.7% of a point
// read's CPU was the access log's write).
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer buffers writes to an underlying writer and writes them out when
// the oldest has waited its interval, when 64 KiB wait, and on Flush or
// Close. It is safe for concurrent use; each Write lands
// whole.
type Writer struct {
	mu     sync.Mutex
	out    io.Writer
	buf    *bufio.Writer
	every  time.Duration
	timer  *time.Timer
	armed  bool
	closed bool
}

// New returns a Writer over out holding a line for at most every; every
// ≤ 0 writes each line through at once.
func New(out io.Writer, every time.Duration) *Writer {
	return &Writer{out: out, buf: bufio.NewWriterSize(out, 64<<10), every: every}
}

// Write buffers p, to be written out within the Writer's interval.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.every <= 0 {
		return w.out.Write(p)
	}
	n, err := w.buf.Write(p)
	if !w.armed && w.buf.Buffered() > 0 {
		w.armed = true
		if w.timer == nil {
			w.timer = time.AfterFunc(w.every, w.tick)
		} else {
			w.timer.Reset(w.every)
		}
	}
	return n, err
}

func (w *Writer) tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false
	w.buf.Flush()
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Flush()
}

// Close writes out what is buffered; later writes go straight through.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	return w.buf.Flush()
}
