package logbuf

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the timer writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHeldThenWritten(t *testing.T) {
	var out syncBuffer
	w := New(&out, 50*time.Millisecond)
	defer w.Close()
	fmt.Fprintln(w, "one")
	if got := out.String(); got != "" {
		t.Fatalf("written at once: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "one\n" {
		if time.Now().After(deadline) {
			t.Fatalf("not written within 5 s: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The timer is armed again by the next line.
	fmt.Fprintln(w, "two")
	for out.String() != "one\ntwo\n" {
		if time.Now().After(deadline) {
			t.Fatalf("second line not written: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCloseFlushesAndWritesThrough(t *testing.T) {
	var out syncBuffer
	w := New(&out, time.Hour)
	fmt.Fprintln(w, "held")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, "after")
	if got := out.String(); got != "held\nafter\n" {
		t.Fatalf("got %q", got)
	}
}

func TestZeroIntervalWritesThrough(t *testing.T) {
	var out syncBuffer
	w := New(&out, 0)
	fmt.Fprintln(w, "now")
	if got := out.String(); got != "now\n" {
		t.Fatalf("got %q", got)
	}
}

// TestConcurrentLinesWhole: lines from many goroutines each land whole,
// none lost, when the buffer fills and flushes under them.
func TestConcurrentLinesWhole(t *testing.T) {
	var out syncBuffer
	w := New(&out, time.Millisecond)
	var wg sync.WaitGroup
	line := strings.Repeat("x", 1000)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				fmt.Fprintf(w, "%d %d %s\n", g, i, line)
			}
		}()
	}
	wg.Wait()
	w.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, " "+line) {
			t.Fatalf("torn line %.40q", l)
		}
	}
}
