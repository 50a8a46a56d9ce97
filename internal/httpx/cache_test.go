package httpx

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCacheControl: credentialed answers are no-store, unless the face
// asked for revalidation of a successful read; errors and writes always.
func TestCacheControl(t *testing.T) {
	for _, tt := range []struct {
		method, authz string
		revalidate    bool
		status        int
		want          string
	}{
		{"GET", "", false, 200, "face"},
		{"GET", "", true, 200, "face"},
		{"GET", "token x", false, 200, "no-store"},
		{"GET", "token x", true, 200, "private, no-cache"},
		{"GET", "token x", true, 304, "private, no-cache"},
		{"GET", "token x", true, 401, "no-store"},
		{"GET", "", true, 404, "no-store"},
		{"POST", "token x", true, 200, "no-store"},
	} {
		h := Middleware(slog.New(slog.NewTextHandler(io.Discard, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.revalidate {
				SetRevalidate(r.Context())
			}
			w.Header().Set("Cache-Control", "face")
			w.WriteHeader(tt.status)
		}))
		req := httptest.NewRequest(tt.method, "/x", nil)
		if tt.authz != "" {
			req.Header.Set("Authorization", tt.authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Cache-Control"); got != tt.want {
			t.Errorf("%s %d (authz %q, revalidate %v): Cache-Control %q, want %q", tt.method, tt.status, tt.authz, tt.revalidate, got, tt.want)
		}
	}
}
