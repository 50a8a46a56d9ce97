package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"usersd/internal/loadgen"
)

// scenario makes the path of one request; names are the seeded users.
type scenario struct {
	name string
	path func(rng *rand.Rand, names []string, ids []int64) string
}

var scenarios = map[string]scenario{
	"native-get": {"native-get", func(rng *rand.Rand, _ []string, ids []int64) string {
		return fmt.Sprintf("/v1/users/%d", ids[rng.IntN(len(ids))])
	}},
	"native-name": {"native-name", func(rng *rand.Rand, names []string, _ []int64) string {
		return "/v1/users/" + url.PathEscape(strings.ToUpper(names[rng.IntN(len(names))]))
	}},
	"native-list": {"native-list", func(rng *rand.Rand, _ []string, _ []int64) string {
		return "/v1/users?limit=20&sort=-level,-id&page=" + fmt.Sprint(1+rng.IntN(20))
	}},
	"native-search": {"native-search", func(rng *rand.Rand, names []string, _ []int64) string {
		return "/v1/users?limit=20&filter=" + url.QueryEscape(fmt.Sprintf("name contains %q", substring(rng, names)))
	}},
	"danbooru-search": {"danbooru-search", func(rng *rand.Rand, names []string, _ []int64) string {
		return "/danbooru/users.json?search[name_matches]=" + url.QueryEscape("*"+substring(rng, names)+"*")
	}},
	"e621-search": {"e621-search", func(rng *rand.Rand, names []string, _ []int64) string {
		return "/e621/users.json?search[name_matches]=" + url.QueryEscape("*"+substring(rng, names)+"*")
	}},
}

// substring picks 3 letters from the random part of a seeded name.
func substring(rng *rand.Rand, names []string) string {
	n := names[rng.IntN(len(names))]
	tail := n[strings.LastIndexByte(n, '_')+1:]
	i := rng.IntN(len(tail) - 2)
	return tail[i : i+3]
}

type config struct {
	base        *url.URL
	token       string
	seed        int
	requests    int
	duration    time.Duration
	concurrency int
	scenarios   []scenario
	soak        bool
	pid         int
}

func parse(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "http://127.0.0.1:8080", "base URL of a running usersd (loopback only)")
	token := fs.String("token", "", "an admin token, to seed users (usersd token create --name ADMIN)")
	seed := fs.Int("seed", 1000, "users to create before measuring (0: use existing load_* users)")
	requests := fs.Int("requests", 2000, "requests per scenario, at most")
	duration := fs.Duration("duration", 20*time.Second, "time per scenario, at most")
	concurrency := fs.Int("concurrency", 4, "requests in flight")
	soak := fs.Bool("soak", false, "run the soak instead: a steady mix of reads and writes on every face for -duration, sampling the server's RSS, goroutines and open files, which must stay flat")
	pid := fs.Int("pid", 0, "with -soak: the server's process id, to sample RSS and open files from /proc")
	names := fs.String("scenarios", "native-get,native-name,native-list,native-search", "comma-separated; the first is the baseline")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	c := &config{token: *token, seed: *seed, requests: *requests, duration: *duration, concurrency: *concurrency, soak: *soak, pid: *pid}
	switch {
	case c.requests < 1 || c.requests > 1_000_000:
		return nil, errors.New("-requests must be 1..1000000")
	case c.duration <= 0 || c.duration > 10*time.Minute:
		return nil, errors.New("-duration must be positive and at most 10m")
	case c.concurrency < 1 || c.concurrency > 256:
		return nil, errors.New("-concurrency must be 1..256")
	case c.seed < 0 || c.seed > 1_000_000:
		return nil, errors.New("-seed must be 0..1000000")
	}
	u, err := loadgen.ParseTarget(*rawURL)
	if err != nil {
		return nil, fmt.Errorf("-url: %w", err)
	}
	c.base = u
	for _, n := range strings.Split(*names, ",") {
		s, ok := scenarios[strings.TrimSpace(n)]
		if !ok {
			return nil, fmt.Errorf("unknown scenario %q", n)
		}
		c.scenarios = append(c.scenarios, s)
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parse(args, stderr)
	if err != nil {
		return err
	}
	if c.soak {
		return soakCommand(ctx, c, stdout)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: c.concurrency}}
	names, ids, err := seedUsers(ctx, client, c)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errors.New("no load_* users: seed some with -seed and -token")
	}
	fmt.Fprintf(stdout, "%d users, %d requests or %s per scenario, %d in flight\n", len(ids), c.requests, c.duration, c.concurrency)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests\terrors\treq/s\tp50\tp90\tp99\tmax\tp50 ÷ baseline\t")
	var base time.Duration
	for i, s := range c.scenarios {
		r := measure(ctx, client, c, s, names, ids)
		p50 := r.Latency.Quantile(0.5)
		if i == 0 {
			base = p50
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%.2f\t\n", s.name, r.Requests, r.Errors, r.Throughput(),
			p50, r.Latency.Quantile(0.9), r.Latency.Quantile(0.99), r.Latency.Max().Round(time.Microsecond), float64(p50)/float64(max(base, 1)))
		if ctx.Err() != nil {
			break
		}
	}
	return tw.Flush()
}

// measure runs one scenario until its request count or time is spent.
func measure(ctx context.Context, client *http.Client, c *config, s scenario, names []string, ids []int64) *loadgen.Result {
	loop := loadgen.Loop{Conns: c.concurrency, Requests: c.requests, Duration: c.duration, Seed: 42}
	return loop.Run(ctx, func(ctx context.Context, _ int, rng *rand.Rand) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", c.base.String()+s.path(rng, names, ids), nil)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return resp.StatusCode, fmt.Errorf("status %d", resp.StatusCode)
		}
		return resp.StatusCode, nil
	})
}

// seedUsers creates c.seed users named load_<n>_<4 letters> through the
// native API (no passwords, so no hashing), then lists the load_* users.
func seedUsers(ctx context.Context, client *http.Client, c *config) ([]string, []int64, error) {
	if c.seed > 0 {
		if c.token == "" {
			return nil, nil, errors.New("-seed needs -token (an admin's)")
		}
		run := fmt.Sprintf("%04x", rand.IntN(1<<16))
		var next atomic.Int64
		var firstErr error
		var once sync.Once
		var wg sync.WaitGroup
		for w := range c.concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				for {
					i := next.Add(1)
					if i > int64(c.seed) || ctx.Err() != nil {
						return
					}
					name := fmt.Sprintf("load_%s%06d_%s", run, i, letters(rng, 6))
					body, _ := json.Marshal(map[string]any{"name": name, "level": 20, "post_upload_count": rng.IntN(500)})
					req, _ := http.NewRequestWithContext(ctx, "POST", c.base.String()+"/v1/users", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+c.token)
					resp, err := client.Do(req)
					if err == nil {
						msg, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusCreated {
							err = fmt.Errorf("create %s: %d %s", name, resp.StatusCode, msg)
						}
					}
					if err != nil {
						once.Do(func() { firstErr = err })
						return
					}
				}
			}()
		}
		wg.Wait()
		if firstErr != nil {
			return nil, nil, firstErr
		}
	}
	return listLoadUsers(ctx, client, c)
}

func letters(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return string(b)
}

// listLoadUsers walks the load_* users with cursor pages.
func listLoadUsers(ctx context.Context, client *http.Client, c *config) ([]string, []int64, error) {
	var names []string
	var ids []int64
	cursor := ""
	for {
		q := "/v1/users?limit=1000&fields=id,name&filter=" + url.QueryEscape(`name startswith "load_"`)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", c.base.String()+q, nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		var page struct {
			Users []struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"users"`
			NextCursor *string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, nil, fmt.Errorf("list users: status %d: %v", resp.StatusCode, err)
		}
		for _, u := range page.Users {
			names = append(names, u.Name)
			ids = append(ids, u.ID)
		}
		if page.NextCursor == nil {
			return names, ids, nil
		}
		cursor = *page.NextCursor
	}
}

// soakCommand runs -soak and fails on any failed request or resource
// growth.
func soakCommand(ctx context.Context, c *config, stdout io.Writer) error {
	if c.token == "" {
		return errors.New("-soak needs -token (an admin's, to make its users)")
	}
	rep, err := runSoak(ctx, soakConfig{base: c.base.String(), token: c.token, pid: c.pid, duration: c.duration,
		concurrency: c.concurrency, every: max(c.duration/30, time.Second), log: stdout})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, rep.summary())
	problems := append(rep.failures, flat(rep.samples)...)
	if len(problems) > 0 {
		return fmt.Errorf("soak failed:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}
