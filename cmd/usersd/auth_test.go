package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"usersd/internal/facetest"
	"usersd/internal/store/sqlite"
)

func TestCLI(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := startServer(t, b)
		out, err := s.CLI("user", "create", "--name", "Admin", "--password", "admin password", "--email", "admin@example.com", "--level", "50")
		if err != nil {
			t.Fatal(err)
		}
		var u map[string]any
		if err := json.Unmarshal([]byte(out), &u); err != nil || u["name"] != "Admin" || u["level"] != float64(50) || u["email"] != "admin@example.com" {
			t.Fatalf("user create printed %q (%v)", out, err)
		}
		if out, err = s.CLI("user", "set-level", "--name", "admin", "--level", "60"); err != nil || !strings.Contains(out, `"level":60`) {
			t.Fatalf("set-level: %q %v", out, err)
		}
		out, err = s.CLI("token", "create", "--name", "ADMIN", "--label", "ops")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		token := lines[len(lines)-1]
		if me := s.Want(s.Do("GET", "/v1/me", token, nil), 200); me["name"] != "Admin" || me["level"] != float64(60) {
			t.Errorf("CLI token authenticates as %v", me)
		}
		if _, err := s.CLI("user", "create", "--name", "admin", "--password", "x"); err == nil || !strings.Contains(err.Error(), "taken") {
			t.Errorf("duplicate user create: %v", err)
		}
		if _, err := s.CLI("user", "set-level", "--name", "admin", "--level", "45"); err == nil {
			t.Error("set-level 45 succeeded")
		}
		// The schema is at the last migration (both backends have as many).
		files, _ := fs.Glob(sqlite.Migrations(), "*.sql")
		if out, err := s.CLI("migrate"); err != nil || !strings.Contains(out, fmt.Sprintf("version %d\n", len(files))) {
			t.Errorf("migrate: %q %v", out, err)
		}
	})
}

func TestEnvironmentAndMounts(t *testing.T) {
	if _, err := resolveMounts([]string{"e621=/", "danbooru=/danbooru"}); err != nil {
		t.Errorf("e621 at /: %v", err)
	}
	for _, bad := range [][]string{
		{"e621=/danbooru"},          // two faces on one prefix
		{"drf=/v1"},                 // the native API's prefix
		{"nosuch=/x"},               // unknown face
		{"e621"},                    // no prefix
		{"e621=relative"},           // not a path
		{"e621=/a", "danbooru=/a/"}, // same prefix after normalising
	} {
		if _, err := resolveMounts(bad); err == nil {
			t.Errorf("resolveMounts(%v) = nil error", bad)
		}
	}
	m, err := resolveMounts([]string{"e621=off", "drf=/shop/"})
	if err != nil || m["e621"] != "" || m["drf"] != "/shop" {
		t.Errorf("resolveMounts = %v, %v", m, err)
	}
	// USERSD_* environment fills flags; a bad mount is a startup error.
	env := map[string]string{"USERSD_DATA": t.TempDir(), "USERSD_MOUNT": "e621=/x,danbooru=/x"}
	err = run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, new(strings.Builder), new(strings.Builder))
	if err == nil || !strings.Contains(err.Error(), "both claim") {
		t.Errorf("conflicting USERSD_MOUNT: err = %v", err)
	}
}
