package e621_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"usersd/internal/facetest"
)

// e621ClientDir finds the installed npm e621 client: the directory in
// USERSD_E621_CLIENT_DIR, holding node_modules/e621 at the version
// testdata/e621client/package.json pins. Without it the test is skipped,
// or fails when CI=true. Install it with
//
//	npm install --prefix /tmp/e621client e621@2.2.6
//	USERSD_E621_CLIENT_DIR=/tmp/e621client go test ./internal/face/e621 -run TestE621NpmClient
func e621ClientDir(t *testing.T) string {
	t.Helper()
	missing := func(format string, args ...any) string {
		msg := fmt.Sprintf(format, args...) + "; install it with: npm install --prefix /tmp/e621client e621@<version in internal/face/e621/testdata/e621client/package.json> and set USERSD_E621_CLIENT_DIR=/tmp/e621client"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
		return ""
	}
	var pinned struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	b, err := os.ReadFile(filepath.Join("testdata", "e621client", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pinned); err != nil || pinned.Dependencies["e621"] == "" {
		t.Fatalf("testdata/e621client/package.json pins no e621 version: %v", err)
	}
	dir := os.Getenv("USERSD_E621_CLIENT_DIR")
	if dir == "" {
		return missing("USERSD_E621_CLIENT_DIR is not set")
	}
	b, err = os.ReadFile(filepath.Join(dir, "node_modules", "e621", "package.json"))
	if err != nil {
		return missing("no npm e621 client in %s: %v", dir, err)
	}
	var installed struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &installed); err != nil {
		t.Fatal(err)
	}
	if installed.Version != pinned.Dependencies["e621"] {
		t.Fatalf("%s holds e621 %s; the scenario pins %s", dir, installed.Version, pinned.Dependencies["e621"])
	}
	if _, err := exec.LookPath("node"); err != nil {
		return missing("node is not installed")
	}
	return dir
}

// TestE621NpmClient runs the npm e621 client's scenario
// (testdata/e621client/scenario.mjs) against usersd with the e621 face at
// "/": users by id and by name, name-wildcard, level, order and cursor
// searches, getSelf and editSelf.
func TestE621NpmClient(t *testing.T) {
	dir := e621ClientDir(t)
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--mount", "e621=/")
		_, admin := s.Admin("root", 60)
		ids := map[string]int64{}
		for _, u := range []struct {
			name   string
			level  int
			fields map[string]any
		}{
			{"scen_alice", 20, map[string]any{"post_upload_count": 5, "favorite_count": 7}},
			{"scen_bob", 30, map[string]any{"post_upload_count": 12}},
			{"scen_carol", 40, map[string]any{"post_upload_count": 1, "post_update_count": 9}},
			{"Scen_Dave", 20, nil},
		} {
			out, err := s.CLI("user", "create", "--name", u.name, "--password", "password-"+u.name, "--level", fmt.Sprint(u.level))
			if err != nil {
				t.Fatal(err)
			}
			var created struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal([]byte(out), &created); err != nil {
				t.Fatal(err)
			}
			ids[u.name] = created.ID
			if u.fields != nil {
				s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", created.ID), admin, u.fields), 200)
			}
		}
		// The client's own account signs up through the e621 face.
		form := "user[name]=scen_me&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery"
		r := s.DoType("POST", "/users.json", "", form, "application/x-www-form-urlencoded")
		me := s.Want(r, 201)
		ids["scen_me"] = int64(me["id"].(float64))
		out, err := s.CLI("token", "create", "--name", "scen_me", "--label", "npm")
		if err != nil {
			t.Fatal(err)
		}
		key := e6KeyRE.FindString(out)
		if key == "" {
			t.Fatalf("no token in %q", out)
		}
		u, err := url.Parse(s.Base)
		if err != nil {
			t.Fatal(err)
		}
		idsJSON, _ := json.Marshal(ids)

		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "e621client", "scenario.mjs"))
		cmd.Env = append(os.Environ(),
			"USERSD_E621_CLIENT_DIR="+dir,
			"E621_HOST="+u.Hostname(),
			"E621_PORT="+u.Port(),
			"E621_USER=scen_me",
			"E621_KEY="+key,
			"E621_IDS="+string(idsJSON),
		)
		output, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("npm e621 client scenario failed: %v\n%s", err, output)
		}
		if !strings.Contains(string(output), "ok: ") {
			t.Fatalf("scenario did not finish:\n%s", output)
		}
		t.Logf("%s", strings.TrimSpace(string(output)))
	})
}
