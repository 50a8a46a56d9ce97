package console_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// act confirms an action on a user and follows it to the user page,
// which it returns.
func (b *browser) act(id int64, action string, form url.Values) page {
	b.t.Helper()
	path := "/users/" + itoa(id) + "/" + action
	b.get(path).want(b.t, "confirmation of "+action, 200, `action="/admin`+path+`"`)
	p := b.post(path, form)
	p.want(b.t, action, http.StatusSeeOther)
	loc := p.header.Get("Location")
	if !strings.Contains(loc, "done=") {
		b.t.Fatalf("%s: Location %q names no request", action, loc)
	}
	return b.get(strings.TrimPrefix(loc, "/admin"))
}

var (
	doneDiffRE = regexp.MustCompile(`(?s)<section class="done".*?data-diff="([^"]*)"`)
	doneByRE   = regexp.MustCompile(`(?s)<section class="done".*?<td>([^<]*)</td><td>([^<]*)</td><td data-diff=`)
)

// doneDiff is the diff of the audit entry shown after an action, decoded
// (PostgreSQL's jsonb spaces and orders it its own way).
func doneDiff(t *testing.T, p page) map[string]any {
	t.Helper()
	m := doneDiffRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no audit entry after the action\n%.3000s", p.body)
	}
	var diff map[string]any
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &diff); err != nil {
		t.Fatalf("diff %q: %v", m[1], err)
	}
	return diff
}

// TestActions: each action of an admin on a member goes through the core
// and shows the audit entry it wrote; the API sees the change.
func TestActions(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, adminToken := s.Admin("root", core.LevelAdmin)
		id, login := s.Signup("member")
		api := s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "robot"}), 201)["token"].(string)
		br := newBrowser(t, s, "/admin")
		br.mustSignIn("root")
		user := func() map[string]any {
			return s.Want(s.Do("GET", "/v1/users/"+itoa(id), adminToken, nil), 200)
		}

		p := br.act(id, "level", url.Values{"level": {"30"}})
		p.want(t, "level", 200, "Done: Set level", core.AuditUserLevel)
		if got := fmt.Sprint(doneDiff(t, p)["level"]); got != "map[new:30 old:20]" {
			t.Errorf("level diff = %s", got)
		}
		if m := doneByRE.FindStringSubmatch(p.body); m == nil || m[1] != "root" || m[2] != "console" {
			t.Errorf("the entry's actor and face = %q, want root and console", m)
		}
		if user()["level"] != float64(30) {
			t.Errorf("level = %v, want 30", user()["level"])
		}

		br.act(id, "deactivate", nil).want(t, "deactivate", 200, core.AuditUserUpdated, `&#34;active&#34;`)
		if user()["active"] != false {
			t.Error("deactivate did not take")
		}
		br.act(id, "activate", nil).want(t, "activate", 200, core.AuditUserUpdated)
		if user()["active"] != true {
			t.Error("activate did not take")
		}

		p = br.act(id, "rename", url.Values{"name": {"renamed"}})
		p.want(t, "rename", 200, core.AuditUserRenamed, "<td>member</td><td>renamed</td>")
		if user()["name"] != "renamed" {
			t.Errorf("name = %v, want renamed", user()["name"])
		}

		pw := "/users/" + itoa(id) + "/password"
		br.post(pw, url.Values{"password": {"short"}, "password2": {"short"}}).want(t, "short password", 400, "at least 8")
		br.post(pw, url.Values{"password": {"long enough 1"}, "password2": {"long enough 2"}}).want(t, "mismatch", 400, "does not match")
		p = br.act(id, "password", url.Values{"password": {"long enough 1"}, "password2": {"long enough 1"}})
		p.want(t, "password", 200, core.AuditUserPassword)
		if got := fmt.Sprint(doneDiff(t, p)); got != "map[password_hash:map[changed:true]]" {
			t.Errorf("password diff = %s", got)
		}
		s.Login("renamed", "long enough 1")
		if r := s.Do("GET", "/v1/me", api, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a token after a password set by staff: %d, want 401", r.Status)
		}

		_, login = s.Login("renamed", "long enough 1") // a second login token
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "again"}), 201)
		p = br.get("/users/" + itoa(id))
		if !strings.Contains(p.body, "again") {
			t.Error("the user page does not list the new token")
		}
		p = br.act(id, "revoke-tokens", nil)
		p.want(t, "revoke all", 200, core.AuditTokenRevoked, "No live tokens.")
		if got := fmt.Sprint(doneDiff(t, p)); got != "map[all:true count:3]" {
			t.Errorf("revoke-all diff = %s, want all three tokens", got)
		}
		if r := s.Do("GET", "/v1/me", login, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("a token after revoking all: %d, want 401", r.Status)
		}

		br.act(id, "delete", nil).want(t, "delete", 200, core.AuditUserDeleted, `class="badge bad">deleted`)
		br.act(id, "restore", nil).want(t, "restore", 200, core.AuditUserRestored)
		if user()["deleted"] != false {
			t.Error("restore did not take")
		}

		// Restoring a user who is not deleted changes nothing, writes no
		// entry, and the page says so.
		br.act(id, "restore", nil).want(t, "restore a live user", 200, "nothing changed")

		br.get("/users/"+itoa(id)+"/explode").want(t, "unknown action", 404)
		br.get("/users/999999").want(t, "unknown user", 404)
		br.post("/users/999999/ban", nil).want(t, "ban of an unknown user", 404)

		// The page lists the user's recent audit entries (an admin reads
		// the log).
		p = br.get("/users/" + itoa(id))
		for _, a := range []string{core.AuditUserCreated, core.AuditUserRenamed, core.AuditUserRestored} {
			if !strings.Contains(p.body, `<td class="action">`+a+`</td>`) {
				t.Errorf("recent entries lack %s", a)
			}
		}
	})
}
