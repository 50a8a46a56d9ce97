package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
	"usersd/internal/store/storetest"
)

// BenchmarkCeiling measures "usersd serve" on SQLite against a bare net/http
// server answering a fixed JSON user of the same size (the ceiling), in
// the same run, A B A B, and reports each workload's throughput as a ratio
// to the ceiling. It is a measurement, not a check: one run whatever b.N,
// and only when asked:
//
//	go test -run '^$' -bench Ceiling -benchtime 1x ./cmd/usersd/
//
// USERSD_CEILING_USERS (100000), _DURATION (3s a round), _CONNS (64) and
// _DATA (a directory that keeps the seeded database between runs) tune
// it; _DB=postgres://… measures PostgreSQL instead (its search_path
// schema keeps the seeded users between runs); with _PROFILE=DIR each workload is run once more alone with a CPU
// profile written to DIR/WORKLOAD.pprof, the load generator's goroutines
// labelled side=client (go tool pprof -tagignore side=client).
func BenchmarkCeiling(tb *testing.B) {
	var t testing.TB = tb
	users := envInt(t, "USERSD_CEILING_USERS", 100_000)
	conns := envInt(t, "USERSD_CEILING_CONNS", 64)
	dur := 3 * time.Second
	if s := os.Getenv("USERSD_CEILING_DURATION"); s != "" {
		var err error
		if dur, err = time.ParseDuration(s); err != nil {
			t.Fatal(err)
		}
	}
	dir := os.Getenv("USERSD_CEILING_DATA")
	if dir == "" {
		dir = t.TempDir()
	}
	storeArgs := []string{"--data", dir}
	if dsn := os.Getenv("USERSD_CEILING_DB"); dsn != "" {
		db, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		seedCeilingUsers(t, db, users)
		db.Close()
		storeArgs = []string{"--db", dsn}
	} else {
		db, err := sqlite.Open(context.Background(), filepath.Join(dir, "usersd.db"))
		if err != nil {
			t.Fatal(err)
		}
		seedCeilingUsers(t, db, users)
		db.Close()
	}

	addr := freeAddr(t)
	logf, err := os.Create(filepath.Join(t.TempDir(), "usersd.log"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr}, storeArgs...), func(string) string { return "" }, io.Discard, logf)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
		logf.Close()
	})
	waitUp(t, addr)

	// The ceiling answers the body usersd gives for one user.
	resp, err := http.Get("http://" + addr + "/v1/users/1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	bare := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go bare.Serve(ln)
	t.Cleanup(func() { bare.Close() })
	t.Logf("%d users, %d connections, %s a round, user body %d bytes", users, conns, dur, len(body))

	workloads := []struct {
		name string
		path func(*rand.Rand) string
	}{
		{"get", func(r *rand.Rand) string { return "/v1/users/" + strconv.Itoa(1+r.IntN(users)) }},
		{"list20", func(r *rand.Rand) string { return "/v1/users?limit=20" }},
		{"list20-sorted", func(r *rand.Rand) string { return "/v1/users?limit=20&sort=name" }},
	}
	ceiling := func(*rand.Rand) string { return "/" }
	for _, w := range workloads {
		var ratios, rates, bareRates []float64
		for range 3 {
			b := drive(t, ln.Addr().String(), ceiling, conns, dur)
			u := drive(t, addr, w.path, conns, dur)
			bareRates, rates, ratios = append(bareRates, b), append(rates, u), append(ratios, u/b)
		}
		slices.Sort(ratios)
		t.Logf("%-14s usersd %6.0f req/s, ceiling %6.0f req/s, ratio median %.3f (%.3f..%.3f)",
			w.name, median(rates), median(bareRates), ratios[1], ratios[0], ratios[2])
	}
	if pdir := os.Getenv("USERSD_CEILING_PROFILE"); pdir != "" {
		for _, w := range workloads {
			f, err := os.Create(filepath.Join(pdir, w.name+".pprof"))
			if err != nil {
				t.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				t.Fatal(err)
			}
			drive(t, addr, w.path, conns, dur)
			pprof.StopCPUProfile()
			f.Close()
		}
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func envInt(t testing.TB, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// seedCeilingUsers writes n users into db unless it holds them already,
// then gives them what real accounts carry beside a name (an e-mail
// address, a display name, a bio, links, a time zone), so a rendered user
// is not mostly nulls.
func seedCeilingUsers(t testing.TB, db *sqlstore.DB, n int) {
	var have int
	if err := db.R.QueryRow("SELECT count(*) FROM users").Scan(&have); err != nil {
		t.Fatal(err)
	}
	if have == n {
		return
	}
	if have != 0 {
		t.Fatalf("the database holds %d users, want 0 or %d", have, n)
	}
	storetest.Seed(t, db, n)
	links := `('["https://example.com/' || name || '"]')`
	if db.F.Name == "postgres" {
		links += "::jsonb"
	}
	_, err := db.W.Exec(`UPDATE users SET email = name || '@example.com', email_key = name_key || '@example.com',
		display_name = upper(substr(name, 1, 1)) || substr(name, 2), bio = 'Hello, I am ' || name || '. I draw, write and sometimes code; ask me about tags.',
		links = ` + links + `, timezone = 'Europe/Berlin', language = 'en', favorite_count = id % 977, comment_count = id % 131`)
	if err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitUp(t testing.TB, addr string) {
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
	}
	t.Fatal("server did not start")
}

// drive sends GETs over conns keep-alive connections, closed loop, for
// dur and returns the completed requests per second. It speaks
// HTTP/1.1 on the socket itself: a net/http client costs as much CPU as
// the server, which on a small machine would measure the client.
func drive(t testing.TB, addr string, path func(*rand.Rand) string, conns int, dur time.Duration) float64 {
	var n, bad atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			pprof.Do(context.Background(), pprof.Labels("side", "client"), func(context.Context) {
				if err := client(addr, rand.New(rand.NewPCG(uint64(c), 9)), path, deadline, &n, &bad); err != nil {
					once.Do(func() { firstErr = err })
				}
			})
		})
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if bad.Load() > 0 {
		t.Fatalf("%d responses were not 200", bad.Load())
	}
	return float64(n.Load()) / dur.Seconds()
}

func client(addr string, rng *rand.Rand, path func(*rand.Rand) string, deadline time.Time, n, bad *atomic.Int64) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	br := bufio.NewReaderSize(c, 64<<10)
	var req []byte
	for time.Now().Before(deadline) {
		req = append(req[:0], "GET "...)
		req = append(req, path(rng)...)
		req = append(req, " HTTP/1.1\r\nHost: bench\r\n\r\n"...)
		if _, err := c.Write(req); err != nil {
			return err
		}
		status, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if !strings.HasPrefix(string(status), "HTTP/1.1 200 ") {
			bad.Add(1)
		}
		length, chunked := -1, false
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return err
			}
			if len(line) <= 2 {
				break
			}
			k, v, _ := strings.Cut(string(line), ":")
			switch {
			case strings.EqualFold(k, "Content-Length"):
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			case strings.EqualFold(k, "Transfer-Encoding"):
				chunked = strings.TrimSpace(v) == "chunked"
			}
		}
		if err := discardBody(br, length, chunked); err != nil {
			return fmt.Errorf("body: %w", err)
		}
		n.Add(1)
	}
	return nil
}

// discardBody reads a response body of length bytes, or in chunks.
func discardBody(br *bufio.Reader, length int, chunked bool) error {
	if !chunked {
		if length < 0 {
			return errors.New("response without a length")
		}
		_, err := br.Discard(length)
		return err
	}
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		size, err := strconv.ParseInt(strings.TrimSpace(string(line)), 16, 64)
		if err != nil {
			return err
		}
		if _, err := br.Discard(int(size) + 2); err != nil { // the chunk and its CRLF
			return err
		}
		if size == 0 {
			return nil
		}
	}
}
