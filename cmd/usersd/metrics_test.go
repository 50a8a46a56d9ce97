package main

import (
	"fmt"
	"regexp"
	"testing"

	"usersd/internal/facetest"
)

// expect checks a response's status only.
func expect(s *facetest.Server, r facetest.Response, status int) {
	s.T.Helper()
	if r.Status != status {
		s.T.Fatalf("status = %d, want %d\n%.300s", r.Status, status, r.Body)
	}
}

func requests(face, route string, code int) string {
	return fmt.Sprintf(`usersd_http_requests_total{code="%d",face="%s",route="%s"}`, code, face, route)
}

// TestMetrics: requests are counted by face, route pattern and status,
// timed, and the login events and pool statistics are exported.
func TestMetrics(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := startServer(t, b, "--login-account-limit", "2")
		_, tok := s.Signup("metered")
		s.Want(s.Do("GET", "/v1/me", tok, nil), 200) // authenticated: the face passes a copy of the request on
		s.Want(s.Do("GET", "/v1/users/999999", "", nil), 404)
		s.Want(s.Do("GET", "/v1/no/such/route", "", nil), 404)
		for range 2 {
			s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "metered", "password": "wrong password"}), 401)
		}
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "metered", "password": "wrong password"}), 429)
		expect(s, s.Do("GET", "/danbooru/users.json?search[name]=metered", "", nil), 200)
		expect(s, s.Do("GET", "/danbooru/users/999999.json", "", nil), 404)
		expect(s, s.Do("GET", "/e621/users.json", "", nil), 200)
		expect(s, s.Do("GET", "/e621/users.json", "", nil), 200) // its users held now
		expect(s, s.Do("GET", "/e621/user/index.json", "", nil), 200)
		s.Do("GET", "/e621/users/metered.json", "", nil)
		s.Do("GET", "/nowhere", "", nil)
		s.Do("POST", "/healthz", "", nil)
		// Raw paths never become labels, however many there are.
		for i := range 20 {
			s.Do("GET", fmt.Sprintf("/v1/users/%d/x%d", i, i), "", nil)
			s.Do("GET", fmt.Sprintf("/danbooru/x%d/y.json", i), "", nil)
			s.Do("GET", fmt.Sprintf("/e621/users/%d/x%d", i, i), "", nil)
		}

		m := s.Metrics("/metrics")
		for _, w := range []struct {
			series string
			min    float64
		}{
			{requests("system", "GET /healthz", 200), 1}, // the harness waits for health
			{requests("system", "unmatched", 405), 1},
			{requests("native", "POST /users", 201), 1},
			{requests("native", "POST /login", 200), 1},
			{requests("native", "POST /login", 401), 2},
			{requests("native", "POST /login", 429), 1},
			{requests("native", "GET /me", 200), 1},
			{requests("native", "GET /users/{id}", 404), 1},
			{requests("native", "unmatched", 404), 21},
			{requests("danbooru", "GET /users", 200), 1},
			{requests("danbooru", "GET /users/{id}", 404), 1},
			{requests("danbooru", "unmatched", 404), 20},
			{requests("e621", "GET /users", 200), 1},
			{requests("e621", "GET /user/index", 200), 1},
			{requests("e621", "unmatched", 404), 20},
			{requests("none", "unmatched", 404), 1},
			{`usersd_http_request_duration_seconds_count{face="native",route="POST /login"}`, 4},
			{`usersd_http_request_duration_seconds_bucket{face="native",route="GET /me",le="+Inf"}`, 1},
			{`usersd_login_failures_total`, 2},
			{`usersd_login_rate_limited_total{bucket="account"}`, 1},
			{`usersd_login_rate_limited_total{bucket="addr"}`, 0},
			{`usersd_user_cache_entries`, 1},
			{`usersd_user_cache_bytes`, 1000},
			{`usersd_user_cache_hits_total`, 1},
			{`usersd_user_cache_misses_total`, 1},
		} {
			if v, ok := m[w.series]; !ok || v < w.min {
				t.Errorf("%s = %v (present %v), want ≥ %v", w.series, v, ok, w.min)
			}
		}
		if v := m[`usersd_login_rate_limited_total{bucket="addr"}`]; v != 0 {
			t.Errorf("addr limit hit %v times, want 0", v)
		}
		pools := []string{"readwrite"}
		if b.Name == "sqlite" {
			pools = []string{"read", "write"}
		}
		for _, p := range pools {
			if _, ok := m[`go_sql_max_open_connections{db_name="`+p+`"}`]; !ok {
				t.Errorf("no statistics of the %s pool", p)
			}
		}
		route := regexp.MustCompile(`route="([^"]*)"`)
		pattern := regexp.MustCompile(`^(unmatched|[A-Z]+ (/[a-z_.]*|/\{id\})+)$`)
		routes := map[string]bool{}
		for series := range m {
			if r := route.FindStringSubmatch(series); r != nil {
				routes[r[1]] = true
				if !pattern.MatchString(r[1]) {
					t.Errorf("route label %q is not a pattern", r[1])
				}
			}
		}
		if len(routes) > 20 {
			t.Errorf("%d route labels: %v", len(routes), routes)
		}
	})
}

// TestMetricsPath: --metrics moves the endpoint or turns it off.
func TestMetricsPath(t *testing.T) {
	data := []string{"--data", t.TempDir()}
	s := startServer(t, facetest.Backend{Name: "sqlite", Args: data}, "--metrics", "/internal/metrics")
	if m := s.Metrics("/internal/metrics"); m[requests("system", "GET /healthz", 200)] < 1 {
		t.Errorf("moved endpoint lacks the health checks: %v", m)
	}
	expect(s, s.Do("GET", "/metrics", "", nil), 404)
	off := startServer(t, facetest.SQLite(t), "--metrics", "off")
	if r := off.Do("GET", "/metrics", "", nil); r.Status != 404 {
		t.Errorf("--metrics off: GET /metrics = %d", r.Status)
	}
	// A face at / keeps its paths; /metrics is still the service's.
	root := startServer(t, facetest.SQLite(t), "--mount", "e621=/", "--mount", "danbooru=off")
	expect(root, root.Do("GET", "/users.json", "", nil), 200)
	if m := root.Metrics("/metrics"); m[requests("e621", "GET /users", 200)] != 1 {
		t.Errorf("e621 at /: %v", m[requests("e621", "GET /users", 200)])
	}
}
