package httpx

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMount(t *testing.T) {
	tests := []struct {
		prefix, target    string
		proto             string
		tls               bool
		wantPath, wantURL string
	}{
		{"/e621", "http://example.com/e621/users/1?x=1", "", false, "/users/1", "http://example.com/e621/users/1"},
		{"/a/b/", "http://example.com/a/b/users", "", false, "/users", "http://example.com/a/b/users"},
		{"/", "http://example.com/users", "", false, "/users", "http://example.com/users"},
		{"", "http://h:8080/users", "", true, "/users", "https://h:8080/users"},
		{"/d", "http://h/d/users", "https", false, "/users", "https://h/d/users"},
		{"/d", "http://h/d/users", "gopher", false, "/users", "http://h/d/users"},
	}
	for _, tt := range tests {
		var gotPath, gotURL string
		h := Mount(tt.prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gotPath, gotURL = r.URL.Path, AbsoluteURL(r, r.URL.Path)
		}))
		r := httptest.NewRequest(http.MethodGet, tt.target, nil)
		if tt.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		if tt.tls {
			r.TLS = &tls.ConnectionState{}
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if gotPath != tt.wantPath || gotURL != tt.wantURL {
			t.Errorf("Mount(%q) %s: path %q url %q, want %q %q", tt.prefix, tt.target, gotPath, gotURL, tt.wantPath, tt.wantURL)
		}
	}
	// Outside Mount there is no prefix.
	if p := MountPrefix(httptest.NewRequest(http.MethodGet, "/x", nil).Context()); p != "" {
		t.Errorf("MountPrefix without Mount = %q", p)
	}
}
