package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"usersd/internal/loadgen"
)

// A soak runs a steady mix of reads and writes on every face for a while
// and samples the server's resources, which must stay flat once warm:
//
//	loadtest -soak -duration 10m -token $ADMIN_TOKEN -pid $(pidof usersd)
//
// Without -pid (a server on another machine's loopback, say) only the
// goroutines from /metrics are sampled.

// soakConfig is one soak run.
type soakConfig struct {
	base        string
	token       string // an admin's, to make the soak's users
	pid         int    // the server's process, for RSS and open files; 0 skips them
	duration    time.Duration
	concurrency int
	every       time.Duration // sampling interval
	log         io.Writer
}

// sample is the server's resources at one moment.
type sample struct {
	at         time.Duration
	rss        int64 // bytes; -1 unknown
	fds        int   // -1 unknown
	goroutines int   // -1 unknown
}

// soakReport is what a soak did and saw.
type soakReport struct {
	requests int64
	byOp     map[string]int64
	failures []string // unexpected statuses and transport errors, the first few
	failed   int64
	samples  []sample
}

// soakUser is one of the soak's own accounts.
type soakUser struct {
	id       int64
	name     string
	password string
	token    string
}

func runSoak(ctx context.Context, c soakConfig) (*soakReport, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * c.concurrency}}
	users, err := soakUsers(ctx, client, c)
	if err != nil {
		return nil, err
	}
	rep := &soakReport{byOp: map[string]int64{}}
	var mu sync.Mutex
	fail := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		rep.failed++
		if len(rep.failures) < 20 {
			rep.failures = append(rep.failures, msg)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(c.every)
		defer t.Stop()
		for {
			s := takeSample(ctx, client, c, time.Since(start))
			mu.Lock()
			rep.samples = append(rep.samples, s)
			mu.Unlock()
			if c.log != nil {
				fmt.Fprintf(c.log, "%6.0fs  rss %6.1f MiB  goroutines %4d  fds %4d  requests %d\n",
					s.at.Seconds(), float64(s.rss)/(1<<20), s.goroutines, s.fds, atomic.LoadInt64(&rep.requests))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	var lastLogin atomic.Int64
	for w := range c.concurrency {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 99))
			counts := map[string]int64{}
			for n := 0; ctx.Err() == nil; n++ {
				op := soakOp(ctx, client, c, rng, users, &lastLogin, w, n, fail)
				if op != "" {
					counts[op]++
					atomic.AddInt64(&rep.requests, 1)
				}
			}
			mu.Lock()
			for k, v := range counts {
				rep.byOp[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return rep, nil
}

// soakOp runs one step of the mix and returns its name ("" when the
// soak's time ran out during it).
func soakOp(ctx context.Context, client *http.Client, c soakConfig, rng *rand.Rand, users []*soakUser, lastLogin *atomic.Int64, w, n int, fail func(string)) string {
	u := users[rng.IntN(len(users))]
	me := users[w%len(users)] // writes go to the worker's own user, so they do not race
	call := func(op, method, path, token string, body any, want int) map[string]any {
		st, m, err := soakDo(ctx, client, c.base, method, path, token, body)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			fail(fmt.Sprintf("%s %s %s: %v", op, method, path, err))
		} else if st != want {
			fail(fmt.Sprintf("%s %s %s: %d, want %d: %v", op, method, path, st, want, m))
		}
		return m
	}
	q := url.QueryEscape
	var op string
	switch x := rng.IntN(100); {
	case x < 15:
		op = "native get by id"
		call(op, "GET", fmt.Sprintf("/v1/users/%d", u.id), "", nil, 200)
	case x < 25:
		op = "native get by name"
		call(op, "GET", "/v1/users/"+strings.ToUpper(u.name), me.token, nil, 200)
	case x < 35:
		op = "native list"
		f := []string{`name startswith "soak_"`, `level >= 20 && name contains "oak"`, `id in (1, 2, 3) || level < 30`}[rng.IntN(3)]
		call(op, "GET", "/v1/users?limit=20&sort=-level,name&total=true&filter="+q(f), "", nil, 200)
	case x < 43:
		op = "danbooru list"
		call(op, "GET", "/danbooru/users.json?limit=20&search[name_matches]="+q("soak_*")+"&search[level]=20..50&search[order]=name", "", nil, 200)
	case x < 48:
		op = "danbooru show"
		call(op, "GET", fmt.Sprintf("/danbooru/users/%d.json", u.id), "", nil, 200)
	case x < 56:
		op = "e621 list"
		call(op, "GET", "/e621/users.json?limit=20&search[name_matches]="+q("*oak*")+"&search[order]=name", "", nil, 200)
	case x < 61:
		op = "e621 show"
		call(op, "GET", "/e621/users/"+u.name+".json", "", nil, 200)
	case x < 64:
		op = "e621 legacy"
		call(op, "GET", fmt.Sprintf("/e621/user/show.json?id=%d", u.id), "", nil, 200)
	case x < 72:
		op = "me"
		call(op, "GET", "/v1/me", me.token, nil, 200)
	case x < 86:
		op = "patch"
		call(op, "PATCH", "/v1/me", me.token, map[string]any{"profile": map[string]any{"bio": fmt.Sprintf("soak %d/%d", w, n)}}, 200)
	case x < 96:
		op = "token create+delete"
		m := call(op, "POST", "/v1/me/tokens", me.token, map[string]any{"label": fmt.Sprintf("soak%d", n), "scope": "read"}, 201)
		if id, ok := m["id"].(float64); ok {
			call(op, "DELETE", fmt.Sprintf("/v1/me/tokens/%d", int64(id)), me.token, nil, 204)
		}
	default:
		// Logins cost an argon2id hash each; at most one every 500 ms
		// keeps the mix a mix, the rest are reads of the list.
		now := time.Now().UnixMilli()
		if last := lastLogin.Load(); now-last < 500 || !lastLogin.CompareAndSwap(last, now) {
			op = "native list"
			call(op, "GET", "/v1/users?limit=5", "", nil, 200)
			break
		}
		op = "login"
		call(op, "POST", "/v1/login", "", map[string]any{"name": u.name, "password": u.password}, 200)
	}
	if ctx.Err() != nil {
		return ""
	}
	return op
}

func soakDo(ctx context.Context, client *http.Client, base, method, path, token string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m, nil
}

// soakUsers makes the soak's accounts (one per worker, at least 4) with
// passwords, through the admin, and logs each in.
func soakUsers(ctx context.Context, client *http.Client, c soakConfig) ([]*soakUser, error) {
	run := fmt.Sprintf("%04x", rand.IntN(1<<16))
	var users []*soakUser
	for i := range max(c.concurrency, 4) {
		u := &soakUser{name: fmt.Sprintf("soak_%s_%d", run, i), password: "soak password " + run}
		st, m, err := soakDo(ctx, client, c.base, "POST", "/v1/users", c.token, map[string]any{"name": u.name, "password": u.password, "level": 20})
		if err != nil || st != 201 {
			return nil, fmt.Errorf("create %s: %d %v %v", u.name, st, m, err)
		}
		u.id = int64(m["id"].(float64))
		st, m, err = soakDo(ctx, client, c.base, "POST", "/v1/login", "", map[string]any{"name": u.name, "password": u.password})
		if err != nil || st != 200 {
			return nil, fmt.Errorf("log in %s: %d %v %v", u.name, st, m, err)
		}
		u.token = m["token"].(string)
		users = append(users, u)
	}
	return users, nil
}

// takeSample reads the server's RSS and open files from /proc and its
// goroutines from /metrics.
func takeSample(ctx context.Context, client *http.Client, c soakConfig, at time.Duration) sample {
	s := sample{at: at, rss: -1, fds: -1, goroutines: -1}
	if c.pid > 0 {
		if rss, err := loadgen.ProcMemory(c.pid, "VmRSS"); err == nil {
			s.rss = rss
		}
		if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", c.pid)); err == nil {
			s.fds = len(ents)
		}
	}
	req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), "GET", c.base+"/metrics", nil)
	if resp, err := client.Do(req); err == nil {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
				g, _ := strconv.ParseFloat(v, 64)
				s.goroutines = int(g)
			}
		}
		resp.Body.Close()
	}
	return s
}

// flat compares the last third of the samples with the second (the first
// is warm-up): RSS may grow by half plus 32 MiB (the garbage collector and
// the hasher's 19 MiB buffers make it breathe), goroutines by 15 and open
// files by 10 on average. A leak of a goroutine, a connection or a file
// per request breaks these within seconds; so does memory that grows with
// the requests served.
func flat(samples []sample) []string {
	n := len(samples) / 3
	if n < 2 {
		return []string{fmt.Sprintf("only %d samples: run longer or sample more often", len(samples))}
	}
	mean := func(ss []sample, f func(sample) float64) float64 {
		t := 0.0
		for _, s := range ss {
			t += f(s)
		}
		return t / float64(len(ss))
	}
	mid, last := samples[n:2*n], samples[len(samples)-n:]
	var bad []string
	check := func(what string, f func(sample) float64, limit func(float64) float64) {
		if f(samples[0]) < 0 {
			return // not sampled
		}
		a, b := mean(mid, f), mean(last, f)
		if b > limit(a) {
			bad = append(bad, fmt.Sprintf("%s grew from a mean of %.0f to %.0f after warm-up (limit %.0f)", what, a, b, limit(a)))
		}
	}
	check("RSS", func(s sample) float64 { return float64(s.rss) }, func(a float64) float64 { return 1.5*a + 32<<20 })
	check("goroutines", func(s sample) float64 { return float64(s.goroutines) }, func(a float64) float64 { return a + 15 })
	check("open files", func(s sample) float64 { return float64(s.fds) }, func(a float64) float64 { return a + 10 })
	return bad
}

// soakSummary is the report's figures as text.
func (r *soakReport) summary() string {
	var b strings.Builder
	first, last := r.samples[0], r.samples[len(r.samples)-1]
	fmt.Fprintf(&b, "%d requests, %d failed; RSS %.1f → %.1f MiB, goroutines %d → %d, open files %d → %d (%d samples)\n",
		r.requests, r.failed, float64(first.rss)/(1<<20), float64(last.rss)/(1<<20), first.goroutines, last.goroutines, first.fds, last.fds, len(r.samples))
	for _, op := range slices.Sorted(maps.Keys(r.byOp)) {
		fmt.Fprintf(&b, "  %-20s %d\n", op, r.byOp[op])
	}
	return b.String()
}
