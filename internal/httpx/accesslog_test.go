package httpx

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"usersd/internal/core"
)

// TestAccessLogFields: the access line carries every field, in order,
// the route and user only when known.
func TestAccessLogFields(t *testing.T) {
	var log bytes.Buffer
	h := Middleware(slog.New(slog.NewTextHandler(&log, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetRoute(r.Context(), "GET /users/{id}")
		WithCaller(r.Context(), &core.User{ID: 42}, nil)
		w.WriteHeader(http.StatusTeapot)
		w.Write([]byte("hello"))
	}))
	req := httptest.NewRequest("GET", "/users/7?x=1", nil)
	req.Header.Set("X-Request-Id", "abc")
	h.ServeHTTP(httptest.NewRecorder(), req)
	want := regexp.MustCompile(`^time=\S+ level=INFO msg=request request_id=abc method=GET path=/users/7 status=418 bytes=5 duration_ms=[0-9.]+ remote=192\.0\.2\.1:1234 route="GET /users/\{id\}" user_id=42\n$`)
	if !want.Match(log.Bytes()) {
		t.Errorf("access log: %q", log.String())
	}
	log.Reset()
	h = Middleware(slog.New(slog.NewTextHandler(&log, nil)), http.NotFoundHandler())
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	want = regexp.MustCompile(`^time=\S+ level=INFO msg=request request_id=[0-9a-f]{16} method=GET path=/ status=404 bytes=19 duration_ms=[0-9.]+ remote=192\.0\.2\.1:1234\n$`)
	if !want.Match(log.Bytes()) {
		t.Errorf("access log: %q", log.String())
	}
}

// BenchmarkMiddleware is what the plumbing every request passes through
// costs: request id, context slots, the recorder and the access line.
func BenchmarkMiddleware(b *testing.B) {
	h := Middleware(slog.New(slog.NewTextHandler(io.Discard, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetRoute(r.Context(), "GET /users/{id}")
		w.Write([]byte("{}"))
	}))
	req := httptest.NewRequest("GET", "/users/7", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}
