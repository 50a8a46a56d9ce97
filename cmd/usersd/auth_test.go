package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		id, login := s.signup("tokenuser")
		_, other := s.signup("someone")

		created := s.want(s.do("POST", "/v1/me/tokens", login, map[string]any{"label": "deploy"}), 201)
		secret, _ := created["token"].(string)
		if !strings.HasPrefix(secret, "usd_") || created["label"] != "deploy" || created["scope"] != "write" {
			t.Fatalf("created token = %v", created)
		}
		ro := s.want(s.do("POST", "/v1/me/tokens", login, map[string]any{"label": "reader", "scope": "read"}), 201)

		// The new token authenticates, and its use is recorded.
		if me := s.want(s.do("GET", "/v1/me", secret, nil), 200); me["id"] != float64(id) {
			t.Errorf("token authenticates as %v", me["id"])
		}
		list := s.want(s.do("GET", "/v1/me/tokens", login, nil), 200)["tokens"].([]any)
		if len(list) != 3 { // the login token and two API tokens
			t.Fatalf("tokens = %v", list)
		}
		var deploy map[string]any
		for _, x := range list {
			if m := x.(map[string]any); m["label"] == "deploy" {
				deploy = m
			}
			if _, ok := x.(map[string]any)["token"]; ok {
				t.Errorf("listing shows a secret: %v", x)
			}
		}
		if deploy == nil || deploy["last_used_at"] == nil || deploy["uses"] != float64(1) || deploy["last_used_ip"] != "127.0.0.1" {
			t.Errorf("deploy token usage = %v", deploy)
		}

		// Read-scoped tokens may not write.
		s.want(s.do("PATCH", "/v1/me", ro["token"].(string), map[string]any{"bio": "x"}), 403)
		s.want(s.do("GET", "/v1/me", ro["token"].(string), nil), 200)

		// Others cannot revoke it; the owner can, and then it stops working.
		tokID := int64(created["id"].(float64))
		s.want(s.do("DELETE", fmt.Sprintf("/v1/me/tokens/%d", tokID), other, nil), 404)
		s.want(s.do("DELETE", fmt.Sprintf("/v1/me/tokens/%d", tokID), login, nil), 204)
		s.want(s.do("DELETE", fmt.Sprintf("/v1/me/tokens/%d", tokID), login, nil), 404)
		r := s.do("GET", "/v1/me", secret, nil)
		s.want(r, 401)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without a Bearer challenge: %v", r.header)
		}
		s.want(s.do("GET", "/v1/me/tokens", "", nil), 401)
		s.want(s.do("POST", "/v1/me/tokens", login, map[string]any{"label": strings.Repeat("x", 101)}), 400)
		s.want(s.do("POST", "/v1/me/tokens", login, map[string]any{"scope": "admin"}), 400)
	})
}

func TestLogin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b, "--login-account-limit", "3", "--login-addr-limit", "8")
		s.want(s.do("POST", "/v1/users", "", map[string]any{"name": "Walter", "password": "right password", "email": "W@Example.com"}), 201)

		for _, body := range []map[string]any{
			{"name": "walter", "password": "right password"},
			{"name": "WALTER", "password": "right password"},
			{"email": "w@example.COM", "password": "right password"},
		} {
			m := s.want(s.do("POST", "/v1/login", "", body), 200)
			if u := m["user"].(map[string]any); u["name"] != "Walter" || u["last_login_at"] == nil || u["email"] == nil {
				t.Errorf("login %v: user = %v", body, u)
			}
		}
		s.want(s.do("POST", "/v1/login", "", map[string]any{"password": "x"}), 400)
		s.want(s.do("POST", "/v1/login", "", map[string]any{"name": "walter", "email": "w@example.com", "password": "x"}), 400)
		s.want(s.do("POST", "/v1/login", "", map[string]any{"name": "walter"}), 400)

		// Unknown user and wrong password look the same.
		unknown := s.do("POST", "/v1/login", "", map[string]any{"name": "nobody", "password": "x"})
		wrong := s.do("POST", "/v1/login", "", map[string]any{"name": "walter", "password": "wrong"})
		s.want(unknown, 401)
		s.want(wrong, 401)
		if unknown.json(t)["detail"] != wrong.json(t)["detail"] {
			t.Errorf("unknown user and wrong password differ: %s / %s", unknown.body, wrong.body)
		}
		// The third failure for the account locks it; then even the right password is refused.
		s.want(s.do("POST", "/v1/login", "", map[string]any{"name": "walter", "password": "wrong"}), 401)
		// The same account named by e-mail shares the counter.
		s.want(s.do("POST", "/v1/login", "", map[string]any{"email": "W@example.com", "password": "wrong"}), 401)
		r := s.do("POST", "/v1/login", "", map[string]any{"email": "w@example.com", "password": "right password"})
		s.want(r, 429)
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// Per-address limit (8): four failures above, four more here, then
		// every account is cut off from this address.
		for i := range 4 {
			s.want(s.do("POST", "/v1/login", "", map[string]any{"name": fmt.Sprintf("ghost%d", i), "password": "x"}), 401)
		}
		s.want(s.do("POST", "/v1/login", "", map[string]any{"name": "ghost9", "password": "x"}), 429)
	})
}

func TestCLI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		out, err := s.cli("user", "create", "--name", "Admin", "--password", "admin password", "--email", "admin@example.com", "--level", "50")
		if err != nil {
			t.Fatal(err)
		}
		var u map[string]any
		if err := json.Unmarshal([]byte(out), &u); err != nil || u["name"] != "Admin" || u["level"] != float64(50) || u["email"] != "admin@example.com" {
			t.Fatalf("user create printed %q (%v)", out, err)
		}
		if out, err = s.cli("user", "set-level", "--name", "admin", "--level", "60"); err != nil || !strings.Contains(out, `"level":60`) {
			t.Fatalf("set-level: %q %v", out, err)
		}
		out, err = s.cli("token", "create", "--name", "ADMIN", "--label", "ops")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		token := lines[len(lines)-1]
		if me := s.want(s.do("GET", "/v1/me", token, nil), 200); me["name"] != "Admin" || me["level"] != float64(60) {
			t.Errorf("CLI token authenticates as %v", me)
		}
		if _, err := s.cli("user", "create", "--name", "admin", "--password", "x"); err == nil || !strings.Contains(err.Error(), "taken") {
			t.Errorf("duplicate user create: %v", err)
		}
		if _, err := s.cli("user", "set-level", "--name", "admin", "--level", "45"); err == nil {
			t.Error("set-level 45 succeeded")
		}
		if out, err := s.cli("migrate"); err != nil || !strings.Contains(out, "version 3") {
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

// TestOpenAPI checks that every route of the document answers (any status
// but the router's own 404 and 405).
func TestOpenAPI(t *testing.T) {
	s := startServer(t, backend{"sqlite", []string{"--data", t.TempDir()}})
	id, tok := s.signup("doc")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r := s.do("GET", "/v1/openapi.json", "", nil)
	if err := json.Unmarshal(r.body, &doc); err != nil || doc.OpenAPI != "3.1.0" || len(doc.Paths) < 8 {
		t.Fatalf("openapi.json: %v %v", err, doc.OpenAPI)
	}
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			p := strings.NewReplacer("{id}", fmt.Sprint(id)).Replace(path)
			var body any
			if method == "post" || method == "patch" {
				body = map[string]any{}
			}
			if strings.HasSuffix(path, "/tokens/{id}") {
				p = "/me/tokens/999"
			}
			resp := s.do(strings.ToUpper(method), "/v1"+p, tok, body)
			if resp.status == http.StatusMethodNotAllowed || strings.Contains(string(resp.body), "No such route") {
				t.Errorf("%s %s is in the document but not served: %d %s", method, path, resp.status, resp.body)
			}
			n++
		}
	}
	if n < 14 {
		t.Errorf("only %d operations documented", n)
	}
}
