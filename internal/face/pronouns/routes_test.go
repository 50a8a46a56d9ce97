package pronouns

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/face/throttle"
	"usersd/internal/httpx"
	"usersd/internal/store/sqlite"
	"usersd/internal/testdb"
)

// pipeline is the face in process over a real SQLite store.
type pipeline struct {
	t       *testing.T
	svc     *core.Service
	h       http.Handler
	write   string // alice's write token
	read    string // alice's read-only token
	aliceID int64
}

func newPipeline(t *testing.T, rates []throttle.Bucket) *pipeline {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, testdb.SQLitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := core.NewService(db)
	h, err := NewHandler(svc, nil, Options{Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := svc.CreateToken(ctx, core.System, u.ID, "w", core.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := svc.CreateToken(ctx, core.System, u.ID, "r", core.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline{t: t, svc: svc, h: httpx.Middleware(discardLog(), httpx.Mount("/pronouns", h)), write: w, read: r, aliceID: u.ID}
}

func (p *pipeline) do(method, path, auth, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "/pronouns/api/v1"+path, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	return rec
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) int {
	t.Helper()
	var e struct {
		Code int `json:"code"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("not an error body: %s", rec.Body)
	}
	return e.Code
}

// TestPipeline: tokens, routes, scopes and error codes, with the
// rate-limit headers on every answer (spec §2, §3, §4).
func TestPipeline(t *testing.T) {
	p := newPipeline(t, nil)
	tests := []struct {
		name, method, path, auth, body string
		status, code                   int // code 0: a success body
		bucket                         string
	}{
		{"public user", "GET", "/users/alice", "", "", 200, 0, "GET /users/*"},
		{"bare token", "GET", "/users/@me", p.write, "", 200, 0, "GET /users/*"},
		{"bearer token", "GET", "/users/@me", "Bearer " + p.write, "", 200, 0, "GET /users/*"},
		{"bearer lower case", "GET", "/users/@me", "bearer " + p.write, "", 200, 0, "GET /users/*"},
		{"read-only token reads", "GET", "/users/@me", p.read, "", 200, 0, "GET /users/*"},
		{"no token on @me", "GET", "/users/@me", "", "", 403, 403, "GET /users/*"},
		{"bad token on @me", "GET", "/users/@me", "nope", "", 401, 1003, "GET /users/*"},
		{"bad token on a public route", "GET", "/users/alice", "Bearer nope", "", 401, 1003, "GET /users/*"},
		{"other scheme", "GET", "/users/alice", "Token " + p.write, "", 401, 1003, "GET /users/*"},
		{"Bearer alone", "GET", "/users/alice", "Bearer", "", 401, 1003, "GET /users/*"},
		{"unknown user", "GET", "/users/nobody", "", "", 404, 2001, "GET /users/*"},
		{"unknown route", "GET", "/nothing", "", "", 404, 404, "/"},
		{"outside the API", "GET", "/../users/alice", "", "", 404, 404, "/"},
		{"wrong method", "PUT", "/users/@me", p.write, "{}", 405, 405, "/"},
		{"read-only PATCH", "PATCH", "/users/@me", p.read, `{"bio":"x"}`, 403, 4002, "PATCH /users/@me"},
		{"read-only reroll", "GET", "/users/@me/reroll", p.read, "", 403, 4002, "/"},
		{"read-only member reroll", "GET", "/members/aaaaaaaaaaaaaaaaaaaa/reroll", p.read, "", 403, 4002, "/"},
		{"read-only DELETE", "DELETE", "/members/aaaaaaaaaaaaaaaaaaaa", p.read, "", 403, 4002, "DELETE /members/*"},
		{"no token PATCH", "PATCH", "/users/@me", "", `{"bio":"x"}`, 403, 403, "PATCH /users/@me"},
		{"empty PATCH", "PATCH", "/users/@me", p.write, `{}`, 400, 400, "PATCH /users/@me"},
		{"malformed JSON", "PATCH", "/users/@me", p.write, `{"bio":`, 400, 400, "PATCH /users/@me"},
		{"no body", "PATCH", "/users/@me", p.write, ``, 400, 400, "PATCH /users/@me"},
		{"PATCH", "PATCH", "/users/@me", p.write, `{"bio":"hello"}`, 200, 0, "PATCH /users/@me"},
		{"body over 2 MB", "PATCH", "/users/@me", p.write, `{"bio":"` + strings.Repeat("x", 2<<20) + `"}`, 413, 4001, "PATCH /users/@me"},
		{"bad flag id", "PATCH", "/users/@me/flags/x", p.write, `{"name":"n"}`, 400, 400, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := p.do(tt.method, tt.path, tt.auth, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			if tt.code != 0 {
				if got := errorCode(t, rec); got != tt.code {
					t.Errorf("code = %d, want %d", got, tt.code)
				}
			}
			h := rec.Header()
			if got := h.Get("X-RateLimit-Bucket"); got != tt.bucket {
				t.Errorf("bucket = %q, want %q", got, tt.bucket)
			}
			for _, k := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
				if _, err := strconv.ParseInt(h.Get(k), 10, 64); err != nil {
					t.Errorf("%s = %q", k, h.Get(k))
				}
			}
			if ct := h.Get("Content-Type"); ct != contentJSON {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
	if rec := p.do("PUT", "/users/@me", p.write, "{}"); rec.Header().Get("Allow") == "" {
		t.Error("405 without Allow")
	}
	var u map[string]any
	json.Unmarshal(p.do("GET", "/users/alice", "", "").Body.Bytes(), &u)
	if u["bio"] != "hello" {
		t.Errorf("bio after PATCH = %v", u["bio"])
	}
	if _, shown := u["timezone"]; shown {
		t.Error("an owner-only key shows to others")
	}
}

// TestPipelineRateLimit: the most specific bucket applies, per user
// when signed in, per address otherwise; a refusal is 429 with
// ratelimit_reset and Retry-After.
func TestPipelineRateLimit(t *testing.T) {
	rates, err := ParseRates("PATCH /users/@me=2,GET /users/*=3")
	if err != nil {
		t.Fatal(err)
	}
	p := newPipeline(t, rates)
	for i := range 2 {
		if rec := p.do("PATCH", "/users/@me", p.write, `{"bio":"b`+strconv.Itoa(i)+`"}`); rec.Code != 200 {
			t.Fatalf("PATCH %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := p.do("PATCH", "/users/@me", p.write, `{"bio":"over"}`)
	if rec.Code != 429 || errorCode(t, rec) != 429 || rec.Header().Get("Retry-After") == "" || rec.Header().Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("third PATCH: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	var body map[string]any
	json.Unmarshal(rec.Body.Bytes(), &body)
	reset, _ := strconv.ParseInt(rec.Header().Get("X-RateLimit-Reset"), 10, 64)
	if body["ratelimit_reset"] != float64(reset) || reset <= p.svc.Now().Unix() {
		t.Errorf("ratelimit_reset %v, header %d", body["ratelimit_reset"], reset)
	}
	// The same user's reads spend another bucket; the read-only token is
	// the same user.
	if rec := p.do("GET", "/users/@me", p.read, ""); rec.Code != 200 || rec.Header().Get("X-RateLimit-Remaining") != "2" {
		t.Errorf("GET after PATCHes: %d remaining %s", rec.Code, rec.Header().Get("X-RateLimit-Remaining"))
	}
	// Anonymous callers spend their address's bucket, bad tokens too.
	for range 2 {
		p.do("GET", "/users/alice", "", "")
	}
	if rec := p.do("GET", "/users/alice", "Bearer wrong", ""); rec.Code != 401 {
		t.Errorf("third anonymous read: %d", rec.Code)
	}
	if rec := p.do("GET", "/users/alice", "", ""); rec.Code != 429 {
		t.Errorf("fourth anonymous read: %d", rec.Code)
	}
	if rec := p.do("GET", "/users/alice", p.write, ""); rec.Code != 200 {
		t.Errorf("alice's own read: %d %s", rec.Code, rec.Body)
	}
}

// failingLimiter is a limiter that cannot answer (Redis down).
type failingLimiter struct{}

func (failingLimiter) Allow(context.Context, core.Limit, string, int) (core.RateResult, error) {
	return core.RateResult{}, errors.New("connection refused")
}
func (failingLimiter) Reset(context.Context, core.Limit, string) error { return nil }

// TestPipelineLimiterDown: without a limiter the face refuses with 503
// and Retry-After rather than serve unlimited.
func TestPipelineLimiterDown(t *testing.T) {
	p := newPipeline(t, nil)
	p.svc.Limiter = failingLimiter{}
	rec := p.do("GET", "/users/alice", "", "")
	if rec.Code != 503 || errorCode(t, rec) != 503 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("limiter down: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
