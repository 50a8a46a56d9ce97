package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"text/tabwriter"
	"time"

	"usersd/internal/loadgen"
)

// bounds of a run, so that no flag makes it endless or huge.
const (
	maxConns    = 1024
	maxDuration = 10 * time.Minute
	maxRequests = 100_000_000
)

// drive runs one workload's op with l's bounds, each worker on its own
// keep-alive connection of client.
func drive(ctx context.Context, client *loadgen.Client, p *pool, o op, l loadgen.Loop) *loadgen.Result {
	ws := make([]*worker, max(l.Conns, 1))
	defer func() {
		for _, w := range ws {
			if w != nil {
				w.conn.Close()
			}
		}
	}()
	jsonType := []string{"Content-Type", "application/json"}
	return l.Run(ctx, func(ctx context.Context, n int, rng *rand.Rand) (int, error) {
		w := ws[n]
		if w == nil {
			w = &worker{rng: rng, token: p.tokenFor(n), conn: client.Conn()}
			ws[n] = w
		}
		c := o(p, w)
		r := loadgen.Request{Method: c.method, Path: c.path}
		if c.body != "" {
			r.Body, r.Header = []byte(c.body), jsonType
		}
		if c.auth != "" {
			r.Header = append(r.Header[:len(r.Header):len(r.Header)], "Authorization", c.auth)
		}
		resp, err := w.conn.Do(ctx, &r)
		if err != nil {
			return 0, err
		}
		if resp.Status/100 != 2 {
			return resp.Status, fmt.Errorf("%s %s: %d %.200s", c.method, c.path, resp.Status, resp.Body)
		}
		if c.follow {
			var pg struct {
				NextCursor *string `json:"next_cursor"`
			}
			if err := json.Unmarshal(resp.Body, &pg); err != nil {
				return resp.Status, fmt.Errorf("%s: %w", c.path, err)
			}
			w.cursor = ""
			if pg.NextCursor != nil {
				w.cursor = *pg.NextCursor
			}
		}
		return resp.Status, nil
	})
}

// loginWorkers gives each of n workers its own user's token, for the
// writes of mixed: writes to one's own user do not contend on one row.
func (p *pool) loginWorkers(ctx context.Context, client *loadgen.Client, n int) error {
	conn := client.Conn()
	defer conn.Close()
	for i := range n {
		name := p.names[i%len(p.names)]
		t, err := login(ctx, conn, name)
		if err != nil {
			return fmt.Errorf("log in as %s: %w", name, err)
		}
		p.tokens = append(p.tokens, t)
	}
	return nil
}

func (p *pool) tokenFor(worker int) string {
	if len(p.tokens) == 0 {
		return ""
	}
	return p.tokens[worker%len(p.tokens)]
}

// loopFlags are the bounds run and compare share.
type loopFlags struct {
	conns    int
	requests int
	duration time.Duration
}

func (f *loopFlags) register(fs interface {
	IntVar(*int, string, int, string)
	DurationVar(*time.Duration, string, time.Duration, string)
}, duration time.Duration) {
	fs.IntVar(&f.conns, "conns", 64, "connections, each sending its next request when the last is answered")
	fs.IntVar(&f.requests, "requests", 0, "requests per measurement, at most (0: --duration alone bounds it)")
	fs.DurationVar(&f.duration, "duration", duration, "time per measurement, at most")
}

func (f *loopFlags) loop() (loadgen.Loop, error) {
	switch {
	case f.conns < 1 || f.conns > maxConns:
		return loadgen.Loop{}, fmt.Errorf("--conns must be 1..%d", maxConns)
	case f.requests < 0 || f.requests > maxRequests:
		return loadgen.Loop{}, fmt.Errorf("--requests must be 0..%d", maxRequests)
	case f.duration <= 0 || f.duration > maxDuration:
		return loadgen.Loop{}, fmt.Errorf("--duration must be positive and at most %s", maxDuration)
	}
	return loadgen.Loop{Conns: f.conns, Requests: f.requests, Duration: f.duration, Seed: 1}, nil
}

// selection is the workloads and faces to measure, in report order.
type selection []selected

type selected struct {
	workload, face string
	op             op
	minDuration    time.Duration
}

// loop is l lengthened to the workload's least duration.
func (s selected) loop(l loadgen.Loop) loadgen.Loop {
	l.Duration = max(l.Duration, s.minDuration)
	return l
}

// selectOps picks the workloads named in list (comma-separated, or
// "all") on the faces named in faces ("all": every face that has it).
func selectOps(list, faces string) (selection, error) {
	want := func(set, x string) bool {
		return set == "all" || strings.Contains(","+set+",", ","+x+",")
	}
	var sel selection
	for _, wl := range workloads {
		if !want(list, wl.name) {
			continue
		}
		for _, f := range wl.faces {
			if want(faces, f.face) {
				sel = append(sel, selected{wl.name, f.face, f.op, minDuration[wl.name]})
			}
		}
	}
	if len(sel) == 0 {
		return nil, fmt.Errorf("no workload %q on face %q (workloads: %s)", list, faces, workloadNames())
	}
	return sel, nil
}

func workloadNames() string {
	var ns []string
	for _, wl := range workloads {
		ns = append(ns, wl.name)
	}
	return strings.Join(ns, ", ")
}

func (s selection) has(workload string) bool {
	for _, x := range s {
		if x.workload == workload {
			return true
		}
	}
	return false
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	target := fs.String("target", "http://127.0.0.1:8080", "base URL of a running usersd seeded by usersbench seed (loopback only)")
	wls := fs.String("workload", "get", "comma-separated workloads, or all: "+workloadNames())
	faces := fs.String("face", "all", "comma-separated faces (native, danbooru, e621, pronouns, reviewboard, drf), or all")
	var lf loopFlags
	lf.register(fs, 10*time.Second)
	if err := fs.Parse(args); err != nil {
		return err
	}
	l, err := lf.loop()
	if err != nil {
		return err
	}
	client, err := loadgen.NewClient(*target)
	if err != nil {
		return fmt.Errorf("--target: %w", err)
	}
	sel, err := selectOps(*wls, *faces)
	if err != nil {
		return err
	}
	p, err := newPool(ctx, client)
	if err != nil {
		return err
	}
	if sel.has("mixed") {
		if err := p.loginWorkers(ctx, client, l.Conns); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%d users at %s; %d connections, %s or %d requests per workload\n", p.total, *target, l.Conns, l.Duration, l.Requests)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tface\trequests\terrors\treq/s\tp50\tp99\tp99.9\tmax\t")
	var failed []string
	for _, s := range sel {
		r := drive(ctx, client, p, s.op, s.loop(l))
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", s.workload, s.face, r.Requests, r.Errors, r.Throughput(),
			short(r.Latency.Quantile(0.5)), short(r.Latency.Quantile(0.99)), short(r.Latency.Quantile(0.999)), short(r.Latency.Max()))
		if r.Errors > 0 {
			failed = append(failed, fmt.Sprintf("%s on %s: %d errors, first: %s", s.workload, s.face, r.Errors, r.FirstErr))
		}
		if ctx.Err() != nil {
			break
		}
	}
	tw.Flush()
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "\n"))
	}
	return ctx.Err()
}
