// Package metrics is usersd's Prometheus instrumentation: HTTP requests by
// face, route and status with their latency, the database connection
// pools, and the core's login events. Each Metrics has its own registry
// rather than the process-wide default, so several servers in one process
// (the tests) count apart.
package metrics

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// Unmatched is the route label of a request no route matched: raw paths
// never become labels, so the number of series stays bounded.
const Unmatched = "unmatched"

// Metrics holds the collectors of one server.
type Metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	loginFailed prometheus.Counter
	rateLimited *prometheus.CounterVec
	hookTries   *prometheus.CounterVec
	hookTime    prometheus.Histogram
}

var _ core.Events = (*Metrics)(nil)

// New returns Metrics with the Go runtime and process collectors
// registered.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usersd_http_requests_total",
			Help: "HTTP requests by face, route pattern (below the face's mount) and status code.",
		}, []string{"face", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "usersd_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by face and route pattern.",
			// From a cached point read (~0.3 ms) to a login's password hash
			// (~50 ms) and a slow search.
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"face", "route"}),
		loginFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "usersd_login_failures_total",
			Help: "Logins refused for a wrong name or password.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usersd_login_rate_limited_total",
			Help: "Logins refused by a failed-login limiter, by limit (account, addr).",
		}, []string{"bucket"}),
		hookTries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "usersd_webhook_attempts_total",
			Help: "Webhook delivery attempts by outcome: delivered, failed (to be retried) or dead (the last attempt failed).",
		}, []string{"outcome"}),
		hookTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "usersd_webhook_attempt_duration_seconds",
			Help:    "Time from sending a webhook delivery to its response (or failure).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	// Zero series exist from the start, so rate() sees the first event.
	m.rateLimited.WithLabelValues("account")
	m.rateLimited.WithLabelValues("addr")
	for _, o := range []string{"delivered", "failed", "dead"} {
		m.hookTries.WithLabelValues(o)
	}
	m.reg.MustRegister(m.requests, m.duration, m.loginFailed, m.rateLimited, m.hookTries, m.hookTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where further collectors go.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// AddDB exports a connection pool's database/sql statistics as go_sql_*
// series labelled db_name=name.
func (m *Metrics) AddDB(name string, db *sql.DB) error {
	return m.reg.Register(collectors.NewDBStatsCollector(db, name))
}

// CacheStats is what a cache reports.
type CacheStats interface {
	Len() int
	Bytes() uint64
	Hits() uint64
	Misses() uint64
}

// AddCache exports a cache's size and hits as usersd_NAME_cache_* series.
func (m *Metrics) AddCache(name string, c CacheStats) error {
	p := "usersd_" + name + "_cache_"
	return errors.Join(
		m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: p + "entries", Help: "Entries held."},
			func() float64 { return float64(c.Len()) })),
		m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: p + "bytes", Help: "Memory the entries take, as weighed."},
			func() float64 { return float64(c.Bytes()) })),
		m.reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: p + "hits_total", Help: "Look-ups answered from the cache."},
			func() float64 { return float64(c.Hits()) })),
		m.reg.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: p + "misses_total", Help: "Look-ups the cache could not answer."},
			func() float64 { return float64(c.Misses()) })),
	)
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// LoginFailed implements core.Events.
func (m *Metrics) LoginFailed() { m.loginFailed.Inc() }

// RateLimited implements core.Events.
func (m *Metrics) RateLimited(bucket string) { m.rateLimited.WithLabelValues(bucket).Inc() }

// Face counts and times the requests next serves under the label face.
// The route is what the face recorded with httpx.SetRoute, else the
// pattern a ServeMux inside next matched on the request Face passed in,
// else Unmatched. Wrap the handler inside http.StripPrefix: the outer
// mux's pattern is the mount, not a route, and Face clears it.
func (m *Metrics) Face(face string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		inner := r.WithContext(httpx.WithRouteSlot(r.Context()))
		inner.Pattern = ""
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		observe := func(status int) {
			route := httpx.Route(inner.Context())
			if route == "" && inner.Pattern != "" {
				route = inner.Pattern
				httpx.SetRoute(inner.Context(), route) // for the access log
			}
			if route == "" {
				route = Unmatched
			}
			m.requests.WithLabelValues(face, route, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(face, route).Observe(time.Since(start).Seconds())
		}
		defer func() {
			if p := recover(); p != nil {
				// The panic is answered further out (httpx.Middleware), as a 500
				// unless a status was already sent.
				status := http.StatusInternalServerError
				if sw.wrote {
					status = sw.status
				}
				observe(status)
				panic(p)
			}
		}()
		next.ServeHTTP(sw, inner)
		observe(sw.status)
	})
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote && code >= 200 { // 1xx informational responses are not the answer
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// WebhookAttempt counts a webhook delivery attempt (internal/webhook): its
// outcome is delivered, failed (to be retried) or dead.
func (m *Metrics) WebhookAttempt(outcome string, latency time.Duration) {
	m.hookTries.WithLabelValues(outcome).Inc()
	m.hookTime.Observe(latency.Seconds())
}
