package metrics

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"usersd/internal/httpx"
)

// TestFace: the route label comes from httpx.SetRoute, else from a
// ServeMux inside the face, else is "unmatched"; the mount's own pattern
// never leaks in, and panics count as 500s.
func TestFace(t *testing.T) {
	m := New()
	inner := http.NewServeMux()
	inner.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	inner.HandleFunc("GET /custom/", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r.Context(), "GET /custom/{rest}")
		// A copy of the request, as faces make: its Pattern is lost.
		r2 := r.WithContext(r.Context())
		w.Write([]byte(r2.URL.Path))
	})
	inner.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	outer := http.NewServeMux()
	outer.Handle("/face/", http.StripPrefix("/face", m.Face("f", inner)))
	outer.Handle("/plain", m.Face("system", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})))
	srv := httptest.NewServer(httpx.Middleware(discard(), outer))
	defer srv.Close()

	for _, p := range []string{"/face/users/1", "/face/users/2", "/face/custom/a/b", "/face/nope", "/face/boom", "/plain"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, _ := http.Post(srv.URL+"/face/users/1", "text/plain", nil)
	resp.Body.Close()
	for _, c := range []struct {
		face, route, code string
		want              float64
	}{
		{"f", "GET /users/{id}", "204", 2},
		{"f", "GET /custom/{rest}", "200", 1},
		{"f", Unmatched, "404", 1},
		{"f", Unmatched, "405", 1},
		{"f", "GET /boom", "500", 1},
		{"system", Unmatched, "418", 1}, // not a mux: no pattern, and not the outer "/plain"
	} {
		if got := testutil.ToFloat64(m.requests.WithLabelValues(c.face, c.route, c.code)); got != c.want {
			t.Errorf("requests{%s,%s,%s} = %v, want %v", c.face, c.route, c.code, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.requests); n != 6 {
		t.Errorf("%d request series, want 6", n)
	}
	if n := testutil.CollectAndCount(m.duration); n != 5 {
		t.Errorf("%d latency series, want 5", n)
	}
	m.LoginFailed()
	m.RateLimited("addr")
	m.RateLimited("addr")
	if got := testutil.ToFloat64(m.loginFailed); got != 1 {
		t.Errorf("login failures = %v", got)
	}
	if a, b := testutil.ToFloat64(m.rateLimited.WithLabelValues("addr")), testutil.ToFloat64(m.rateLimited.WithLabelValues("account")); a != 2 || b != 0 {
		t.Errorf("rate limited addr %v account %v", a, b)
	}

	// The exposition lists what was counted.
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, w := range []string{
		`usersd_http_requests_total{code="204",face="f",route="GET /users/{id}"} 2`,
		`usersd_login_failures_total 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(string(body), w) {
			t.Errorf("exposition lacks %q", w)
		}
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
