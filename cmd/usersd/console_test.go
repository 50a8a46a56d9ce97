package main

import (
	"strings"
	"testing"

	"usersd/internal/facetest"
)

// TestConsoleMount: the admin console is at /admin by default, moves or
// goes with --mount admin=..., and its session flags are checked.
func TestConsoleMount(t *testing.T) {
	m, err := resolveMounts(nil)
	if err != nil || m["admin"] != "/admin" {
		t.Errorf("default mounts: %v, %v; want admin at /admin", m, err)
	}
	m, err = resolveMounts([]string{"admin=off", "e621=/admin"})
	if _, on := m["admin"]; err != nil || on || m["e621"] != "/admin" {
		t.Errorf("admin=off: %v, %v", m, err)
	}
	if _, err := resolveMounts([]string{"admin=/danbooru"}); err == nil {
		t.Error("the console and Danbooru on one prefix: no error")
	}

	s := startServer(t, facetest.SQLite(t))
	r := s.Do("GET", "/admin/login", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.Body), `name="password"`) {
		t.Errorf("GET /admin/login: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := s.Do("GET", "/admin/static/console.css", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), "prefers-color-scheme") {
		t.Errorf("GET /admin/static/console.css: %d", r.Status)
	}

	off := startServer(t, facetest.SQLite(t), "--mount", "admin=off")
	if r := off.Do("GET", "/admin/login", "", nil); r.Status != 404 {
		t.Errorf("admin=off: GET /admin/login = %d, want 404", r.Status)
	}

	for _, bad := range [][]string{
		{"--admin-session-idle", "10s"},
		{"--admin-session-max-age", "0s"},
		{"--mount", "admin=console"},
	} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, bad...)
		if err := run(t.Context(), args, func(string) string { return "" }, new(strings.Builder), new(strings.Builder)); err == nil {
			t.Errorf("serve %v: no error", bad)
		}
	}
}
