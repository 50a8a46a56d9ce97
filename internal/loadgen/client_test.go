package loadgen

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testServer answers by path: /user a fixed body with a length,
// /chunked a streamed body, /status/N status N, /echo the request's
// method, headers and body, /close a body and Connection: close.
func testServer(t testing.TB) (*httptest.Server, *atomic.Int64) {
	user1k := strings.Repeat("x", 1024)
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/user":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"id":1,"name":"ada"}`)
		case r.URL.Path == "/user1k":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, user1k)
		case r.URL.Path == "/chunked":
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			for i := range n {
				io.WriteString(w, strings.Repeat(string(rune('a'+i%26)), 1000))
				w.(http.Flusher).Flush()
			}
		case strings.HasPrefix(r.URL.Path, "/status/"):
			code, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/status/"))
			http.Error(w, "refused", code)
		case r.URL.Path == "/echo":
			b, _ := io.ReadAll(r.Body)
			io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("Authorization")+" "+r.Header.Get("Content-Type")+" "+string(b))
		case r.URL.Path == "/close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		case r.URL.Path == "/empty":
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func get(path string) *Request { return &Request{Method: "GET", Path: path} }

func TestClientKeepAlive(t *testing.T) {
	srv, conns := testServer(t)
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn := c.Conn()
	defer conn.Close()
	ctx := context.Background()
	for i := range 100 {
		resp, err := conn.Do(ctx, get("/user"))
		if err != nil || resp.Status != 200 || string(resp.Body) != `{"id":1,"name":"ada"}` {
			t.Fatalf("request %d: %d %q %v", i, resp.Status, resp.Body, err)
		}
		if resp, err = conn.Do(ctx, get("/empty")); err != nil || resp.Status != 204 || len(resp.Body) != 0 {
			t.Fatalf("204: %d %q %v", resp.Status, resp.Body, err)
		}
	}
	if n := conns.Load(); n != 1 || conn.Dials != 1 {
		t.Errorf("200 requests took %d connections (%d dials), want 1", n, conn.Dials)
	}
}

func TestClientChunked(t *testing.T) {
	srv, conns := testServer(t)
	c, _ := NewClient(srv.URL)
	conn := c.Conn()
	defer conn.Close()
	for _, n := range []int{1, 5, 100, 0} {
		resp, err := conn.Do(context.Background(), get("/chunked?n="+strconv.Itoa(n)))
		if err != nil || resp.Status != 200 || len(resp.Body) != 1000*n {
			t.Fatalf("%d chunks: %d, %d bytes, %v", n, resp.Status, len(resp.Body), err)
		}
		if n > 2 && resp.Body[1000] != 'b' {
			t.Errorf("%d chunks: body out of order", n)
		}
	}
	// The connection carries on after chunked answers.
	if resp, err := conn.Do(context.Background(), get("/user")); err != nil || resp.Status != 200 || conns.Load() != 1 {
		t.Errorf("after chunked: %d %v, %d connections", resp.Status, err, conns.Load())
	}
}

func TestClientPost(t *testing.T) {
	srv, _ := testServer(t)
	c, _ := NewClient(srv.URL)
	conn := c.Conn()
	defer conn.Close()
	for _, r := range []*Request{
		{Method: "POST", Path: "/echo?x=1", Header: []string{"Content-Type", "application/json"}, Body: []byte(`{"name":"ada"}`)},
		{Method: "PATCH", Path: "/echo", Header: []string{"Authorization", "Bearer t", "Content-Type", "application/json"}, Body: []byte(`{"bio":"hi"}`)},
		{Method: "POST", Path: "/echo"},
	} {
		resp, err := conn.Do(context.Background(), r)
		want := r.Method + " " + r.Path + " "
		if len(r.Header) == 4 {
			want += "Bearer t application/json "
		} else if len(r.Header) == 2 {
			want += " application/json "
		} else {
			want += "  "
		}
		want += string(r.Body)
		if err != nil || string(resp.Body) != want {
			t.Errorf("%s %s: %q %v, want %q", r.Method, r.Path, resp.Body, err, want)
		}
	}
}

// TestClientErrorsCounted: 4xx and 5xx answers are not transport errors
// (the connection carries on), and a closed loop counts them as errors.
func TestClientErrorsCounted(t *testing.T) {
	srv, conns := testServer(t)
	c, _ := NewClient(srv.URL)
	ws := make([]*Conn, 2)
	l := Loop{Conns: 2, Requests: 60, Duration: 10 * time.Second, Seed: 1}
	paths := []string{"/user", "/status/404", "/status/503"}
	var next atomic.Int64
	res := l.Run(context.Background(), func(ctx context.Context, n int, _ *rand.Rand) (int, error) {
		if ws[n] == nil {
			ws[n] = c.Conn()
		}
		resp, err := ws[n].Do(ctx, get(paths[(next.Add(1)-1)%3]))
		return resp.Status, err
	})
	for _, w := range ws {
		w.Close()
	}
	if res.Requests != 60 || res.Statuses[200] != 20 || res.Statuses[404] != 20 || res.Statuses[503] != 20 || res.Errors != 40 {
		t.Errorf("requests %d, statuses %v, errors %d; want 60, 20 each, 40 errors", res.Requests, res.Statuses, res.Errors)
	}
	if !strings.Contains(res.FirstErr, "status 404") && !strings.Contains(res.FirstErr, "status 503") {
		t.Errorf("first error %q", res.FirstErr)
	}
	if conns.Load() != 2 {
		t.Errorf("%d connections, want 2: an error status keeps the connection", conns.Load())
	}
}

// TestClientReconnects: a server that closes the connection, by saying
// so or silently while it is idle, costs a new connection, not an
// error.
func TestClientReconnects(t *testing.T) {
	srv, conns := testServer(t)
	c, _ := NewClient(srv.URL)
	conn := c.Conn()
	defer conn.Close()
	ctx := context.Background()
	for i := range 3 {
		if resp, err := conn.Do(ctx, get("/close")); err != nil || string(resp.Body) != "bye" {
			t.Fatalf("close %d: %q %v", i, resp.Body, err)
		}
	}
	if conns.Load() != 3 {
		t.Errorf("3 answers with Connection: close took %d connections, want 3", conns.Load())
	}
	if _, err := conn.Do(ctx, get("/user")); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections() // the server drops the idle connection
	for _, r := range []*Request{get("/user"), {Method: "POST", Path: "/echo", Body: []byte("x")}} {
		if resp, err := conn.Do(ctx, r); err != nil || resp.Status != 200 {
			t.Fatalf("after the server closed: %d %v", resp.Status, err)
		}
		srv.CloseClientConnections()
	}
	if conn.Dials != 6 {
		t.Errorf("%d dials, want 6", conn.Dials)
	}
}

// TestClientBadAnswers: a server that breaks HTTP gives an error, not a
// hang or a bogus answer.
func TestClientBadAnswers(t *testing.T) {
	for _, tc := range []struct{ name, answer, want string }{
		{"garbage", "hello\r\n\r\n", "malformed status line"},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "unexpected EOF"},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length"},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk"},
		{"gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "Transfer-Encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := rawServer(t, func(nc net.Conn) {
				nc.Read(make([]byte, 4096))
				io.WriteString(nc, tc.answer)
			})
			_, err := conn.Do(context.Background(), get("/"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// rawServer accepts one connection and hands it to serve; the Conn
// returned is a client of it.
func rawServer(t *testing.T, serve func(net.Conn)) *Conn {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		if nc, err := ln.Accept(); err == nil {
			defer nc.Close()
			serve(nc)
		}
	}()
	c, err := NewClient("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = 5 * time.Second
	conn := c.Conn()
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestClientCancel: cancelling the context aborts a request in flight.
func TestClientCancel(t *testing.T) {
	conn := rawServer(t, func(nc net.Conn) { io.Copy(io.Discard, nc) }) // never answers
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := conn.Do(ctx, get("/")); err != context.Canceled {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %s", d)
	}
}

func TestClientRefusesOffLoopback(t *testing.T) {
	for _, u := range []string{"http://192.0.2.1:8080", "http://[2001:db8::1]:80", "https://127.0.0.1:8443"} {
		if _, err := NewClient(u); err == nil {
			t.Errorf("NewClient(%q) accepted", u)
		}
	}
}
