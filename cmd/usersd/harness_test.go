package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"usersd/internal/testdb"
)

// backend is one database configuration the black-box tests run against.
type backend struct {
	name string
	args []string // --data or --db flags
}

// backends yields SQLite always and PostgreSQL (a fresh schema) when a
// server is reachable; in CI PostgreSQL is required.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, backend{"sqlite", []string{"--data", t.TempDir()}})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, backend{"postgres", []string{"--db", testdb.Postgres(t)}})
	})
}

// syncBuffer collects the server's log and reports the listen address.
type syncBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	once sync.Once
}

var listenRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	if m := listenRE.FindSubmatch(s.buf.Bytes()); m != nil {
		s.once.Do(func() { s.addr <- string(m[1]) })
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// server is a running usersd.
type server struct {
	t    *testing.T
	base string
	b    backend
	log  *syncBuffer
}

// startServer runs "usersd serve" on a random port until the test ends.
func startServer(t *testing.T, b backend, extra ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{addr: make(chan string, 1)}
	args := append([]string{"serve", "--addr", "127.0.0.1:0"}, b.args...)
	args = append(args, extra...)
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, func(string) string { return "" }, io.Discard, log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server exited: %v", err)
		}
	})
	select {
	case addr := <-log.addr:
		s := &server{t: t, base: "http://" + addr, b: b, log: log}
		s.waitHealthy()
		return s
	case err := <-done:
		t.Fatalf("server did not start: %v\n%s", err, log.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not start in time\n%s", log.String())
	}
	return nil
}

func (s *server) waitHealthy() {
	for range 100 {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatal("server never became healthy")
}

// cli runs another usersd subcommand against the server's database.
func (s *server) cli(args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), append(args, s.b.args...), func(string) string { return "" }, &out, &errb)
	if err != nil {
		return out.String(), fmt.Errorf("%v: %s", err, errb.String())
	}
	return out.String(), nil
}

// response is a completed HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request; body is marshalled as JSON unless it is a string or
// []byte, which are sent as they are.
func (s *server) do(method, path, token string, body any) response {
	s.t.Helper()
	return s.doType(method, path, token, body, "")
}

// doType is do with a Content-Type other than application/json.
func (s *server) doType(method, path, token string, body any, contentType string) response {
	s.t.Helper()
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
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
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
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// want checks the status of a response and returns its JSON object.
func (s *server) want(r response, status int) map[string]any {
	s.t.Helper()
	if r.status != status {
		s.t.Fatalf("status = %d, want %d\n%s", r.status, status, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(s.t)
}

// admin creates an admin through the CLI and logs in.
func (s *server) admin(name string, level int) (id int64, token string) {
	s.t.Helper()
	if _, err := s.cli("user", "create", "--name", name, "--password", "password-"+name, "--level", fmt.Sprint(level)); err != nil {
		s.t.Fatal(err)
	}
	return s.login(name, "password-"+name)
}

// signup creates a member through the API and logs in.
func (s *server) signup(name string) (id int64, token string) {
	s.t.Helper()
	s.want(s.do("POST", "/v1/users", "", map[string]any{"name": name, "password": "password-" + name}), 201)
	return s.login(name, "password-"+name)
}

func (s *server) login(name, password string) (int64, string) {
	s.t.Helper()
	m := s.want(s.do("POST", "/v1/login", "", map[string]any{"name": name, "password": password}), 200)
	u := m["user"].(map[string]any)
	return int64(u["id"].(float64)), m["token"].(string)
}
