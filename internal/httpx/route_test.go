package httpx

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRoute: the route a handler records on a copy of the request reaches
// the access log; without a slot, SetRoute does nothing.
func TestRoute(t *testing.T) {
	var log bytes.Buffer
	h := Middleware(slog.New(slog.NewTextHandler(&log, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(context.WithValue(r.Context(), ctxKey(99), "copy"))
		if r.URL.Path == "/users/7" {
			SetRoute(r.Context(), "GET /users/{id}")
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/users/7", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/other", nil))
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `route="GET /users/{id}"`) || strings.Contains(lines[1], "route=") {
		t.Errorf("access log:\n%s", log.String())
	}

	ctx := context.Background()
	SetRoute(ctx, "GET /x")
	if Route(ctx) != "" {
		t.Error("SetRoute without a slot recorded a route")
	}
	ctx = WithRouteSlot(ctx)
	if WithRouteSlot(ctx) != ctx {
		t.Error("WithRouteSlot replaced an existing slot")
	}
	SetRoute(ctx, "GET /x")
	if Route(ctx) != "GET /x" {
		t.Errorf("Route = %q", Route(ctx))
	}
}
