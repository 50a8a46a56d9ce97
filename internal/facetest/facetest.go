// Package facetest is the black-box harness every face's tests share: it
// builds the usersd binary once per test process, runs "usersd serve" on a
// random loopback port against SQLite and PostgreSQL, and speaks HTTP to
// it. Nothing is mocked; fixtures are made through the CLI, the native
// API or the core.
package facetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/store/postgres"
	"usersd/internal/store/sqlite"
	"usersd/internal/store/sqlstore"
	"usersd/internal/testdb"
)

var (
	tmpDir    string
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Main runs the package's tests and removes the usersd binary they built:
// call it from TestMain as os.Exit(facetest.Main(m)).
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "usersd-facetest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "facetest:", err)
		return 1
	}
	tmpDir = dir
	defer os.RemoveAll(dir)
	return m.Run()
}

// Binary returns the path of usersd built from the module under test,
// building it on first use.
func Binary(tb testing.TB) string {
	tb.Helper()
	if tmpDir == "" {
		tb.Fatal("facetest: call facetest.Main from TestMain")
	}
	buildOnce.Do(func() { binary, buildErr = build(tmpDir) })
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binary
}

// build compiles ./cmd/usersd of the module the tests run in. It first
// opens every source file of the module, so that go test's result cache,
// which knows only the files a test opens, reruns these tests when any
// part of the server changes, not only the packages they import.
func build(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	if err := touchSources(root); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "usersd")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/usersd")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/usersd: %v\n%s", err, out)
	}
	return bin, nil
}

// touchSources opens the module's Go, SQL and module files.
func touchSources(root string) error {
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".sql", ".mod", ".sum":
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			return f.Close()
		}
		return nil
	})
}

// Backend is one database configuration: the --data or --db flags.
type Backend struct {
	Name string
	Args []string
}

// ForEachBackend runs fn as parallel subtests "sqlite" (a file in a temp
// directory) and "postgres" (a fresh schema; skipped without a server,
// failed without one when CI=true).
func ForEachBackend(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}

// SQLite returns a backend on a new SQLite database.
func SQLite(t testing.TB) Backend { return Backend{"sqlite", []string{"--data", t.TempDir()}} }

// Postgres returns a backend on a new PostgreSQL schema.
func Postgres(t testing.TB) Backend {
	return Backend{"postgres", []string{"--db", testdb.Postgres(t)}}
}

// Fresh returns a new empty database of b's kind.
func Fresh(t testing.TB, b Backend) Backend {
	if b.Name == "postgres" {
		return Postgres(t)
	}
	return SQLite(t)
}

// Server is a running usersd.
type Server struct {
	T       *testing.T
	Base    string // http://127.0.0.1:PORT
	Backend Backend
	PID     int // the server's process id when Start ran it, else 0
	log     *LogBuffer
	// cli runs another subcommand; nil runs the built binary.
	cli func(args ...string) (string, error)
	// kill ends a server Start ran with SIGKILL and waits for it.
	kill func()
}

// Kill ends the server at once with SIGKILL, as a crash would, and waits
// until it has exited; the test's cleanup then expects nothing of it.
func (s *Server) Kill() {
	if s.kill == nil {
		s.T.Fatal("facetest: Kill needs a server that Start ran")
	}
	s.kill()
}

// LogBuffer collects a server's log and reports the address it listens on.
type LogBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	once sync.Once
}

// NewLogBuffer returns an empty log.
func NewLogBuffer() *LogBuffer { return &LogBuffer{addr: make(chan string, 1)} }

// Addr delivers the listen address once the server has logged it.
func (l *LogBuffer) Addr() <-chan string { return l.addr }

var listenRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if m := listenRE.FindSubmatch(l.buf.Bytes()); m != nil {
		l.once.Do(func() { l.addr <- string(m[1]) })
	}
	return len(p), nil
}

// String returns the log so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// NoSignupLimit is the --signup-addr-limit test servers start with: more
// sign-ups per hour than any test makes.
const NoSignupLimit = "1000000"

// NoPronounsRateLimit is the --pronouns-rates test servers start with:
// every pronouns.cc bucket far above what any test spends; a test of the
// limits passes its own (the last flag wins).
const NoPronounsRateLimit = "*=1000000"

// NoReviewBoardRateLimit is the --reviewboard-rates test servers start
// with, far above what any test spends; a test of the limits passes its
// own (the last flag wins).
const NoReviewBoardRateLimit = "*=1000000"

// NoDRFRateLimit is the --drf-rates test servers start with, far above
// what any test spends; a test of the throttle passes its own.
const NoDRFRateLimit = "*=1000000/m"

// Start runs "usersd serve" on a random port until the test ends; extra
// are further serve flags.
func Start(t *testing.T, b Backend, extra ...string) *Server {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "text"}, b.Args...)
	// Tests sign up many users from 127.0.0.1; a test of the sign-up
	// limit passes its own (the last flag wins).
	args = append(args, "--signup-addr-limit", NoSignupLimit, "--pronouns-rates="+NoPronounsRateLimit,
		"--reviewboard-rates="+NoReviewBoardRateLimit, "--drf-rates="+NoDRFRateLimit)
	args = append(args, extra...)
	log := NewLogBuffer()
	cmd := exec.Command(Binary(t), args...)
	cmd.Env = cleanEnv()
	cmd.Stdout = io.Discard
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited closes when the process has ended, with exitErr set.
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	var killed atomic.Bool
	t.Cleanup(func() {
		if killed.Load() {
			return
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			if exitErr != nil {
				t.Errorf("server exited: %v\n%s", exitErr, tail(log.String()))
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("server did not shut down\n%s", tail(log.String()))
		}
	})
	select {
	case addr := <-log.addr:
		s := &Server{T: t, Base: "http://" + addr, Backend: b, PID: cmd.Process.Pid, log: log}
		s.kill = func() {
			killed.Store(true)
			cmd.Process.Kill()
			<-exited
		}
		s.waitHealthy()
		return s
	case <-exited:
		t.Fatalf("server did not start: %v\n%s", exitErr, log.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start in time\n%s", log.String())
	}
	return nil
}

// cleanEnv is the test's environment without USERSD_ settings, so a
// developer's shell cannot change what the tests run.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "USERSD_") {
			env = append(env, kv)
		}
	}
	return env
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// Attach serves the HTTP helpers for a usersd the test runs itself (the
// command's own tests run it in process); cli runs other subcommands on
// its database. It waits until the server answers /healthz.
func Attach(t *testing.T, base string, b Backend, log *LogBuffer, cli func(args ...string) (string, error)) *Server {
	t.Helper()
	s := &Server{T: t, Base: base, Backend: b, log: log, cli: cli}
	s.waitHealthy()
	return s
}

// Log returns what the server has logged so far.
func (s *Server) Log() string { return s.log.String() }

// WaitLog returns the log once it holds want, or after 5 s: the server
// writes its log in batches (--log-flush).
func (s *Server) WaitLog(want string) string {
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.log.String(), want) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return s.log.String()
}

func (s *Server) waitHealthy() {
	for range 200 {
		resp, err := http.Get(s.Base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.T.Fatal("server never became healthy")
}

// CLI runs another usersd subcommand against the server's database and
// returns its standard output.
func (s *Server) CLI(args ...string) (string, error) {
	if s.cli != nil {
		return s.cli(args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(s.T), append(args, s.Backend.Args...)...)
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%v: %s", err, errb.String())
	}
	return out.String(), nil
}

// Response is a completed HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as one JSON object.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// Do sends a request with an optional Bearer token; body is a string,
// bytes or a value sent as JSON.
func (s *Server) Do(method, path, token string, body any) Response {
	s.T.Helper()
	return s.DoType(method, path, token, body, "")
}

// DoType is Do with an explicit Content-Type.
func (s *Server) DoType(method, path, token string, body any, contentType string) Response {
	s.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.T.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.Base+path, rd)
	if err != nil {
		s.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.Send(req)
}

// Send sends req as it is.
func (s *Server) Send(req *http.Request) Response {
	s.T.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.T.Fatal(err)
	}
	return Response{resp.StatusCode, resp.Header, b}
}

// Metrics fetches the server's Prometheus metrics at path as series →
// value.
func (s *Server) Metrics(path string) map[string]float64 {
	s.T.Helper()
	r := s.Do("GET", path, "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		s.T.Fatalf("GET %s: %d %s\n%.300s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			s.T.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// Want checks the status of a response and returns its JSON object.
func (s *Server) Want(r Response, status int) map[string]any {
	s.T.Helper()
	if r.Status != status {
		s.T.Fatalf("status = %d, want %d\n%s", r.Status, status, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.JSON(s.T)
}

// Admin creates a user of the given level through the CLI and logs in
// through the native API.
func (s *Server) Admin(name string, level int) (id int64, token string) {
	s.T.Helper()
	if _, err := s.CLI("user", "create", "--name", name, "--password", "password-"+name, "--level", fmt.Sprint(level)); err != nil {
		s.T.Fatal(err)
	}
	return s.Login(name, "password-"+name)
}

// Signup creates a member through the native API and logs in.
func (s *Server) Signup(name string) (id int64, token string) {
	s.T.Helper()
	s.Want(s.Do("POST", "/v1/users", "", map[string]any{"name": name, "password": "password-" + name}), 201)
	return s.Login(name, "password-"+name)
}

// Login logs in through the native API.
func (s *Server) Login(name, password string) (int64, string) {
	s.T.Helper()
	m := s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": name, "password": password}), 200)
	u := m["user"].(map[string]any)
	return int64(u["id"].(float64)), m["token"].(string)
}

// Token creates an API token for a user through the CLI.
func (s *Server) Token(name, label string) string {
	s.T.Helper()
	out, err := s.CLI("token", "create", "--name", name, "--label", label)
	if err != nil {
		s.T.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// Open opens the backend's database for fixtures made through the core,
// beside the running server.
func (b Backend) Open(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	var db *sqlstore.DB
	var err error
	ctx := context.Background()
	if b.Args[0] == "--data" {
		db, err = sqlite.Open(ctx, filepath.Join(b.Args[1], "usersd.db"))
	} else {
		db, err = postgres.Open(ctx, b.Args[1])
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// RawName writes name straight into user id's row, past the core's name
// rule and without a skeleton: a row from before the rule (or written by
// another program), for tests of what such rows do.
func (b Backend) RawName(tb testing.TB, id int64, name string) {
	tb.Helper()
	db := b.Open(tb)
	ph := db.F.Placeholder
	res, err := db.W.ExecContext(context.Background(), "UPDATE users SET name = "+ph(1)+", name_key = "+ph(2)+", name_skeleton = NULL WHERE id = "+ph(3),
		name, core.Fold(name), id)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n != 1 {
			err = fmt.Errorf("%d rows", n)
		}
	}
	if err != nil {
		tb.Fatalf("rename user %d to %q in the database: %v", id, name, err)
	}
}

// FlatUser lifts the members of a native user's groups (profile, settings,
// counters …: the object-valued keys that are not registry fields) to the
// top level, for checks by field name; a group given empty or a field
// given twice fails the test.
func FlatUser(t testing.TB, u map[string]any) map[string]any {
	t.Helper()
	out := map[string]any{}
	var groups []map[string]any
	for k, v := range u {
		g, isObject := v.(map[string]any)
		if !isObject || core.FieldByName(k) != nil {
			out[k] = v
			continue
		}
		if len(g) == 0 {
			t.Errorf("group %s is empty", k)
		}
		groups = append(groups, g)
	}
	for _, g := range groups {
		for k, x := range g {
			if _, dup := out[k]; dup {
				t.Errorf("field %s is rendered twice", k)
			}
			out[k] = x
		}
	}
	return out
}

// Total counts the users a native filter matches, as the holder of token.
func (s *Server) Total(token, filter string) int {
	s.T.Helper()
	m := s.Want(s.Do("GET", "/v1/users?total=true&limit=1&filter="+url.QueryEscape(filter), token, nil), 200)
	return int(m["total"].(float64))
}
