package loadgen

import (
	"context"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// BenchmarkClient is what one GET of a 1 KiB user costs this client and
// net/http's, each over one keep-alive connection to the same in-process
// server (whose cost both include): the load generator's share of the
// CPU that a benchmark on a small machine takes from the server. cpu-ns/op
// is the process's user and system time per request, which other load on
// the machine moves less than ns/op.
//
//	go test -run '^$' -bench Client -benchmem ./internal/loadgen/
func BenchmarkClient(b *testing.B) {
	srv, _ := testServer(b)
	b.Run("loadgen", func(b *testing.B) {
		c, err := NewClient(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		conn := c.Conn()
		defer conn.Close()
		r := get("/user1k")
		defer cpuPerOp(b)()
		for b.Loop() {
			if resp, err := conn.Do(context.Background(), r); err != nil || resp.Status != 200 {
				b.Fatal(resp.Status, err)
			}
		}
	})
	b.Run("net/http", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}}
		defer client.CloseIdleConnections()
		defer cpuPerOp(b)()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(context.Background(), "GET", srv.URL+"/user1k", nil)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// cpuPerOp starts counting the process's CPU time; the function it
// returns reports it per op.
func cpuPerOp(b *testing.B) func() {
	t0 := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-t0)/float64(b.N), "cpu-ns/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
