package console_test

import (
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

var (
	handleRE  = regexp.MustCompile(`revoke-session\?session=([0-9a-f]+)"`)
	previewRE = regexp.MustCompile(`(?s)<details class="preview">(.*?)</details>`)
)

// TestSessions: an admin sees a moderator's console session by its
// handle (never the cookie's hash), ends it after confirmation, and the
// moderator's cookie stops working; the end is one session.revoked
// entry.
func TestSessions(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t))
	s.Admin("root", core.LevelAdmin)
	modID, _ := s.Admin("mod", core.LevelModerator)
	mod := newBrowser(t, s, "/admin")
	mod.mustSignIn("mod")
	var cookie string
	for _, c := range mod.c.Jar.Cookies(mustURL(t, s.Base+"/admin/")) {
		if c.Name == "usersd_console" {
			cookie = c.Value
		}
	}
	if cookie == "" {
		t.Fatal("the moderator has no session cookie")
	}
	full := hex.EncodeToString(core.HashSecret(cookie))

	admin := newBrowser(t, s, "/admin")
	admin.mustSignIn("root")
	p := admin.get("/users/" + itoa(modID))
	p.want(t, "the moderator's page", 200, `id="sessions-h"`, "<td>console</td>", full[:core.SessionHandleLen])
	if strings.Contains(p.body, full) || strings.Contains(p.body, cookie) {
		t.Fatal("the page shows the session's full hash or its cookie")
	}
	m := handleRE.FindStringSubmatch(p.body)
	if m == nil || m[1] != full[:core.SessionHandleLen] {
		t.Fatalf("the revoke link's handle = %v, want %s", m, full[:core.SessionHandleLen])
	}
	after := admin.act(modID, "revoke-session", url.Values{"session": {m[1]}})
	after.want(t, "after ending the session", 200, "Done: End session", core.AuditSessionRevoked, "No live sessions.")
	if d := doneDiff(t, after); d["kind"] != "console" || d["created_at"] == nil || len(d) != 2 {
		t.Errorf("the entry's diff = %v, want the kind and the creation time", d)
	}
	if p := mod.get("/"); p.status != 303 {
		t.Errorf("the ended session still works: %d", p.status)
	}
	// Ending it again finds nothing, and says so on the form.
	admin.get("/users/"+itoa(modID)+"/revoke-session?session="+m[1]).want(t, "confirm a gone session", 200, "it may have ended already")
	admin.post("/users/"+itoa(modID)+"/revoke-session", url.Values{"session": {m[1]}}).want(t, "end a gone session", 404)

	// A moderator may not end an admin's sessions: no button, and a 403.
	mod.mustSignIn("mod")
	adminPage := mod.get("/users/1")
	adminPage.want(t, "the admin's page as a moderator", 200, "You may not manage this user&#39;s sessions.")
	mod.post("/users/1/revoke-session", url.Values{"session": {"0123456789abcdef"}}).want(t, "a moderator ending an admin's session", 403)
}

// TestPreviews: the user page shows each face's answer to an anonymous
// read of the user; the name is in every one that shows users to anyone
// (all but DRF's), the e-mail (private to anonymous callers) in none,
// though the page itself shows it to staff.
func TestPreviews(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t))
	_, adminToken := s.Admin("root", core.LevelAdmin)
	id, _ := s.Signup("alice")
	s.Want(s.Do("PATCH", "/v1/users/"+itoa(id), adminToken, map[string]any{"email": "alice.secret@example.com", "bio": "<b>bold</b>"}), 200)
	br := newBrowser(t, s, "/admin")
	br.mustSignIn("root")
	p := br.get("/users/" + itoa(id))
	p.want(t, "alice's page", 200, "alice.secret@example.com", `id="previews-h"`)
	previews := previewRE.FindAllStringSubmatch(p.body, -1)
	faces := map[string]bool{}
	for _, pv := range previews {
		body := pv[1]
		face, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(body), "<summary>"), ":")
		faces[face] = true
		if face == "drf" {
			// The DRF face shows users to staff alone (--drf-all-users
			// widens it to members): anyone gets its refusal.
			if !strings.Contains(body, "→ 401") && !strings.Contains(body, "→ 403") {
				t.Errorf("drf: not a refusal\n%s", body)
			}
		} else if !strings.Contains(body, "→ 200") || !strings.Contains(body, `&#34;alice&#34;`) {
			t.Errorf("%s: not a 200 with the name\n%s", face, body)
		}
		if strings.Contains(body, "alice.secret") {
			t.Errorf("%s: the e-mail is shown to anyone\n%s", face, body)
		}
		if strings.Contains(body, "<b>bold") {
			t.Errorf("%s: the body is not escaped", face)
		}
	}
	for _, f := range []string{"native", "danbooru", "e621", "pronouns", "reviewboard", "drf"} {
		if !faces[f] {
			t.Errorf("no preview of %s (have %v)", f, faces)
		}
	}
}

var loginTotalRE = regexp.MustCompile(`id="(logins|failed|locks)-total">(\d+)<`)

// TestDashboardLogins: successful logins (a token login, a console
// sign-in), failed ones and lock-outs are counted per hour from the
// audit log; moderators, who may not read the log, are told so; the
// rate-limit counters and the database's health are shown.
func TestDashboardLogins(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t), "--login-account-limit", "3")
	s.Admin("root", core.LevelAdmin) // a token login
	s.Admin("mod", core.LevelModerator)
	s.Signup("bob")
	for range 3 {
		s.Do("POST", "/v1/login", "", map[string]any{"name": "bob", "password": "wrong password"})
	}
	s.Do("POST", "/v1/login", "", map[string]any{"name": "bob", "password": "password-bob"}) // locked out: refused
	br := newBrowser(t, s, "/admin")
	br.mustSignIn("root")
	p := br.get("/dashboard")
	p.want(t, "dashboard", 200, `aria-labelledby="logins-title"`, "<th scope=\"col\">Lock-outs</th>", "since it started",
		"logins refused by the failed-login limit (account)", `id="db-ping"`, "<dd>sqlite</dd>", "<td>read</td>", "<td>write</td>")
	got := map[string]string{}
	for _, m := range loginTotalRE.FindAllStringSubmatch(p.body, -1) {
		got[m[1]] = m[2]
	}
	// root, mod and bob by token, root by console; bob's three failures,
	// the third of which locks the account.
	if got["logins"] != "4" || got["failed"] != "3" || got["locks"] != "1" {
		t.Errorf("totals = %v, want 4 logins, 3 failed, 1 lock-out", got)
	}
	if n := strings.Count(p.body, `<g class="hour"`); n != 48 {
		t.Errorf("%d hours charted, want 48", n)
	}
	mod := newBrowser(t, s, "/admin")
	mod.mustSignIn("mod")
	mod.get("/dashboard").want(t, "dashboard as a moderator", 200, "Only admins may read the audit log.", `id="db-ping"`)
}
