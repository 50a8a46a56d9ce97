package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"usersd/internal/core"
	"usersd/internal/loadgen"
)

// compareConfig is one compare run.
type compareConfig struct {
	users     int
	seed      uint64
	store     storeArgs
	seeded    bool   // the store holds gen's users already
	usersd    string // binary; "" builds one
	workloads string
	faces     string
	rounds    int
	loop      loadgen.Loop
	perfDir   string // "": no profiles
}

// compareRow is one workload on one face: the ratio of usersd's
// throughput to the ceiling's in each round.
type compareRow struct {
	workload, face string
	ratios         []float64
	usersd, ceil   []float64 // requests per second, by round
	latency        loadgen.Histogram
	errors         int
	firstErr       string
	peakRSS        int64     // usersd's VmHWM after this row; -1 unknown
	hashRates      []float64 // login: verifications per second of the bare hasher, by round
}

// median of xs (not empty).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// serveFlags raise the faces' rate limits out of the way: a benchmark
// measures the work of a request, not the refusals of a limiter.
var serveFlags = []string{
	"--pronouns-rates", "*=6000000", "--drf-rates", "*=100000/s", "--reviewboard-rates", "*=100000/s",
	"--signup=false", "--sweep-interval", "0",
}

// compare seeds (unless cfg.seeded), starts usersd and the ceiling, and
// measures every selected workload on both, interleaved: usersd, then
// the ceiling, cfg.rounds times, so that drift in the machine's speed
// falls on both alike.
func compare(ctx context.Context, cfg compareConfig, stderr io.Writer) (*report, error) {
	rep := &report{}
	var err error
	rep.rows, rep.seedTime, err = compareRows(ctx, cfg, stderr)
	return rep, err
}

// report is what a compare run measured.
type report struct {
	rows     []compareRow
	seedTime time.Duration // 0: the store was seeded before
}

func compareRows(ctx context.Context, cfg compareConfig, stderr io.Writer) (rows []compareRow, seedTime time.Duration, err error) {
	sel, err := selectOps(cfg.workloads, cfg.faces)
	if err != nil {
		return nil, 0, err
	}
	tmp, err := os.MkdirTemp("", "usersbench")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(tmp)
	if cfg.store.db == "" && cfg.store.data == "" {
		cfg.store.data = filepath.Join(tmp, "data")
	}
	bin, err := usersdBinary(ctx, cfg.usersd, tmp, stderr)
	if err != nil {
		return nil, 0, err
	}
	if !cfg.seeded {
		c, err := newGenConfig(cfg.users, cfg.seed)
		if err != nil {
			return nil, 0, err
		}
		t0 := time.Now()
		if err := importUsers(ctx, bin, cfg.store, c, stderr); err != nil {
			return nil, 0, err
		}
		seedTime = time.Since(t0)
		fmt.Fprintf(stderr, "seeded %d users in %s\n", cfg.users, seedTime.Round(time.Millisecond))
	}
	srv, err := startProcess(ctx, bin, append(append([]string{"serve", "--addr", "127.0.0.1:0"}, cfg.store.args()...), serveFlags...), nil, usersdAddr)
	if err != nil {
		return nil, 0, fmt.Errorf("start usersd: %w", err)
	}
	defer srv.stop()
	client, err := loadgen.NewClient("http://" + srv.addr)
	if err != nil {
		return nil, 0, err
	}
	p, err := newPool(ctx, client)
	if err != nil {
		return nil, 0, err
	}
	if sel.has("mixed") {
		if err := p.loginWorkers(ctx, client, cfg.loop.Conns); err != nil {
			return nil, 0, err
		}
	}
	// The ceiling's answer is a real native user, so both servers write
	// bodies of the same size.
	conn := client.Conn()
	user, err := fetch(ctx, conn, &loadgen.Request{Method: "GET", Path: "/v1/users/" + fmt.Sprint(p.ids[len(p.ids)/2])})
	conn.Close()
	if err != nil {
		return nil, 0, err
	}
	bodyFile := filepath.Join(tmp, "user.json")
	if err := os.WriteFile(bodyFile, user, 0o600); err != nil {
		return nil, 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, 0, err
	}
	ceil, err := startProcess(ctx, self, nil, []string{ceilingEnv + "=" + bodyFile}, firstLine)
	if err != nil {
		return nil, 0, fmt.Errorf("start the ceiling: %w", err)
	}
	defer ceil.stop()
	ceilClient, err := loadgen.NewClient("http://" + ceil.addr)
	if err != nil {
		return nil, 0, err
	}
	fmt.Fprintf(stderr, "%d users; usersd pid %d at %s, ceiling at %s (a %d-byte user)\n", p.total, srv.cmd.Process.Pid, srv.addr, ceil.addr, len(user))

	for _, s := range sel {
		row := compareRow{workload: s.workload, face: s.face, peakRSS: -1}
		for range cfg.rounds {
			a := drive(ctx, client, p, s.op, s.loop(cfg.loop))
			b := drive(ctx, ceilClient, p, s.op, s.loop(cfg.loop))
			row.latency.Merge(&a.Latency)
			row.errors += a.Errors + b.Errors
			if row.firstErr == "" {
				row.firstErr = cmp(a.FirstErr, b.FirstErr)
			}
			row.usersd, row.ceil = append(row.usersd, a.Throughput()), append(row.ceil, b.Throughput())
			if b.Throughput() > 0 {
				row.ratios = append(row.ratios, a.Throughput()/b.Throughput())
			}
			if s.workload == "login" {
				row.hashRates = append(row.hashRates, hashRate(ctx, s.loop(cfg.loop)))
			}
			if ctx.Err() != nil {
				return rows, seedTime, ctx.Err()
			}
		}
		if rss, err := loadgen.ProcMemory(srv.cmd.Process.Pid, "VmHWM"); err == nil {
			row.peakRSS = rss
		}
		fmt.Fprintf(stderr, "  %s %s: %s\n", row.workload, row.face, row.summary())
		rows = append(rows, row)
		if cfg.perfDir != "" {
			file := filepath.Join(cfg.perfDir, s.workload+"-"+s.face+".perf.data")
			err := perfRecord(ctx, srv.cmd.Process.Pid, file, func() { drive(ctx, client, p, s.op, s.loop(cfg.loop)) })
			if err != nil {
				return rows, seedTime, err
			}
		}
	}
	return rows, seedTime, nil
}

// perfRecord samples process pid's stacks with Linux perf into file
// while run runs: a CPU profile of usersd under one workload alone,
// taken after the measured rounds so that it costs them nothing. Go
// keeps frame pointers, so perf's default unwinding gives whole stacks.
func perfRecord(ctx context.Context, pid int, file string, run func()) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "perf", "record", "--quiet", "-F", "499", "-g", "-p", strconv.Itoa(pid), "-o", file)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--perf: %w", err)
	}
	time.Sleep(200 * time.Millisecond) // perf attaches to every thread first
	run()
	cmd.Process.Signal(os.Interrupt) // perf writes its file and exits
	if err := cmd.Wait(); err != nil && ctx.Err() == nil {
		if _, statErr := os.Stat(file); statErr != nil {
			return fmt.Errorf("perf record: %v: %s", err, out.String())
		}
	}
	return nil
}

// hashRate is how many verifications of the bench password the core's
// hasher (usersd's parameters, its concurrency bound) does per second in
// l's time: the most a login can do.
func hashRate(ctx context.Context, l loadgen.Loop) float64 {
	h := core.NewHasher(core.DefaultArgon2)
	hash, err := h.Hash(ctx, BenchPassword)
	if err != nil {
		return 0
	}
	r := l.Run(ctx, func(ctx context.Context, _ int, _ *rand.Rand) (int, error) {
		ok, _, err := h.Verify(ctx, hash, BenchPassword)
		if err == nil && !ok {
			err = errors.New("the bench password does not verify")
		}
		return 200, err
	})
	return r.Throughput()
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// summary is a row's figures on one line.
func (r *compareRow) summary() string {
	if len(r.ratios) == 0 {
		return "no ratio (the ceiling answered nothing)"
	}
	return fmt.Sprintf("ratio %.3f (%.3f–%.3f), %.0f vs %.0f req/s, p99 %s, %d errors",
		median(r.ratios), slices.Min(r.ratios), slices.Max(r.ratios), median(r.usersd), median(r.ceil), short(r.latency.Quantile(0.99)), r.errors)
}

// short rounds a latency to three or four significant digits.
func short(d time.Duration) time.Duration {
	switch {
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// printRows writes the report table.
func printRows(w io.Writer, rows []compareRow) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tface\tratio\tspread\tusersd req/s\tceiling req/s\tp50\tp99\tp99.9\terrors\tpeak RSS MiB\t")
	var peak int64 = -1
	for _, r := range rows {
		if len(r.ratios) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t-\t-\t%d\t-\t\n", r.workload, r.face, r.errors)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f–%.3f\t%.0f\t%.0f\t%s\t%s\t%s\t%d\t%.0f\t\n", r.workload, r.face,
			median(r.ratios), slices.Min(r.ratios), slices.Max(r.ratios), median(r.usersd), median(r.ceil),
			short(r.latency.Quantile(0.5)), short(r.latency.Quantile(0.99)), short(r.latency.Quantile(0.999)), r.errors, float64(r.peakRSS)/(1<<20))
		peak = max(peak, r.peakRSS)
	}
	tw.Flush()
	for _, r := range rows {
		if len(r.hashRates) > 0 && len(r.usersd) > 0 {
			fmt.Fprintf(w, "login on %s: %.1f/s, %.2f of the bare argon2id verification rate (%.1f/s, the core's hasher alone)\n",
				r.face, median(r.usersd), median(r.usersd)/median(r.hashRates), median(r.hashRates))
		}
	}
	if peak >= 0 {
		fmt.Fprintf(w, "usersd peak RSS (VmHWM): %.1f MiB\n", float64(peak)/(1<<20))
	}
}

func compareCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("compare", stderr)
	var cfg compareConfig
	fs.IntVar(&cfg.users, "users", 10000, "users to seed")
	fs.Uint64Var(&cfg.seed, "seed", 1, "gen's random seed")
	fs.StringVar(&cfg.store.data, "data", "", "usersd's data directory (SQLite); empty: a fresh temporary one")
	fs.StringVar(&cfg.store.db, "db", "", "usersd's database URL (postgres://…, an empty database unless --seeded)")
	fs.BoolVar(&cfg.seeded, "seeded", false, "the store holds usersbench's users already: skip seeding")
	fs.StringVar(&cfg.usersd, "usersd", "", "the usersd binary; empty builds this module's cmd/usersd")
	fs.StringVar(&cfg.workloads, "workload", "all", "comma-separated workloads, or all: "+workloadNames())
	fs.StringVar(&cfg.faces, "face", "all", "comma-separated faces, or all")
	fs.IntVar(&cfg.rounds, "rounds", 3, "rounds of usersd then ceiling per workload")
	markdown := fs.Bool("markdown", false, "print BENCHMARKS.md table rows (| workload | face | cell |) instead of the report table")
	jsonFile := fs.String("json", "", "also write every figure, by round, as JSON to this file")
	fs.StringVar(&cfg.perfDir, "perf", "", "after each workload's rounds, run it once more on usersd under Linux perf record -g, into DIR/WORKLOAD-FACE.perf.data (read with perf report -i FILE --no-children)")
	var lf loopFlags
	lf.register(fs, 5*time.Second)
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if cfg.loop, err = lf.loop(); err != nil {
		return err
	}
	if cfg.users < 1 || cfg.users > maxUsers || cfg.rounds < 1 || cfg.rounds > 100 {
		return fmt.Errorf("--users must be 1..%d and --rounds 1..100", maxUsers)
	}
	if cfg.perfDir != "" {
		// Refused before seeding and measuring, not after.
		if _, err := exec.LookPath("perf"); err != nil {
			return fmt.Errorf("--perf: %w", err)
		}
		if err := os.MkdirAll(cfg.perfDir, 0o755); err != nil {
			return fmt.Errorf("--perf: %w", err)
		}
	}
	rep, err := compare(ctx, cfg, stderr)
	if *markdown {
		writeMarkdown(stdout, rep)
	} else {
		printRows(stdout, rep.rows)
	}
	if *jsonFile != "" {
		if jerr := writeJSON(*jsonFile, cfg, rep); jerr != nil {
			return errors.Join(err, jerr)
		}
	}
	if err != nil {
		return err
	}
	var failed []string
	for _, r := range rep.rows {
		if r.errors > 0 {
			failed = append(failed, fmt.Sprintf("%s on %s: %d errors, first: %s", r.workload, r.face, r.errors, r.firstErr))
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "\n"))
	}
	return nil
}

// process is a server compare started.
type process struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

// usersdAddr finds the address in usersd's "listening" log line.
func usersdAddr(line string) string {
	if !strings.Contains(line, "msg=listening") {
		return ""
	}
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, "addr="); ok {
			return v
		}
	}
	return ""
}

// firstLine takes the ceiling's first line as its address.
func firstLine(line string) string { return strings.TrimSpace(line) }

// startProcess runs bin with args and waits until addrOf finds its
// address in a line of its output (stdout and stderr together); the rest
// of the output, usersd's access log among it, is discarded so the pipe
// never blocks the server.
func startProcess(ctx context.Context, bin string, args, env []string, addrOf func(string) string) (*process, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	found := make(chan string, 1)
	var mu sync.Mutex
	var tail []string // the last lines, for a server that fails to start
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if a := addrOf(sc.Text()); a != "" {
				found <- a
				break
			}
			mu.Lock()
			tail = append(tail[max(len(tail)-9, 0):], sc.Text())
			mu.Unlock()
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case p.addr = <-found:
		return p, nil
	case <-p.done:
		time.Sleep(50 * time.Millisecond) // let the reader take the last lines
		mu.Lock()
		defer mu.Unlock()
		return nil, fmt.Errorf("%s exited: %s", filepath.Base(bin), strings.Join(tail, "\n"))
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, fmt.Errorf("%s did not listen within 60 s", filepath.Base(bin))
	}
}

// stop interrupts the process and waits for it.
func (p *process) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}
