package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestSignInCookie: the session cookie is HttpOnly, SameSite=Strict,
// scoped to the mount, Secure over TLS (as a proxy reports it); signing
// out ends the session in the database, so the old cookie is refused.
func TestSignInCookie(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--mount", "admin=/ops/console")
		s.Admin("root", core.LevelAdmin)
		br := newBrowser(t, s, "/ops/console")
		p := br.signIn("root", "password-root")
		p.want(t, "sign-in", http.StatusSeeOther)
		if loc := p.header.Get("Location"); loc != "/ops/console/" {
			t.Errorf("after sign-in: Location %q, want /ops/console/", loc)
		}
		c := p.cookie("usersd_console")
		if c == nil || c.Value == "" {
			t.Fatalf("no session cookie: %v", p.header["Set-Cookie"])
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/ops/console" || c.Secure {
			t.Errorf("cookie = %+v; want HttpOnly, SameSite=Strict, Path=/ops/console, not Secure over plain HTTP", c)
		}
		old := c.Value
		br.get("/").want(t, "users table", 200, "root")

		// Signing in again over a live session ends the one it replaces.
		again := newBrowser(t, s, "/ops/console")
		again.mustSignIn("root")
		first := again.c.Jar.Cookies(mustURL(t, s.Base+"/ops/console/"))[0].Value
		again.mustSignIn("root")
		stale := newBrowser(t, s, "/ops/console")
		stale.do("GET", "/", nil, "Cookie", "usersd_console="+first).want(t, "a replaced session", http.StatusSeeOther)

		// Behind a TLS-terminating proxy the cookie is Secure.
		tls := newBrowser(t, s, "/ops/console")
		tls.do("GET", "/login", nil, "X-Forwarded-Proto", "https")
		p = tls.do("POST", "/login", url.Values{"csrf": {tls.csrf}, "name": {"root"}, "password": {"password-root"}}, "X-Forwarded-Proto", "https")
		if c := p.cookie("usersd_console"); c == nil || !c.Secure {
			t.Errorf("over TLS: cookie %+v, want Secure", c)
		}

		p = br.post("/logout", nil)
		p.want(t, "sign-out", http.StatusSeeOther)
		if c := p.cookie("usersd_console"); c == nil || c.MaxAge >= 0 {
			t.Errorf("sign-out does not delete the cookie: %v", p.header["Set-Cookie"])
		}
		// The old cookie, replayed, no longer works: reads go to the
		// sign-in page, writes are refused.
		replay := newBrowser(t, s, "/ops/console")
		hdr := []string{"Cookie", "usersd_console=" + old}
		p = replay.do("GET", "/", nil, hdr...)
		p.want(t, "old cookie, read", http.StatusSeeOther)
		if loc := p.header.Get("Location"); !strings.HasPrefix(loc, "/ops/console/login") {
			t.Errorf("old cookie: Location %q, want the sign-in page", loc)
		}
		memberID, _ := s.Signup("victim")
		p = replay.do("POST", "/users/"+itoa(memberID)+"/ban", url.Values{"csrf": {br.csrf}}, hdr...)
		p.want(t, "old cookie, write", http.StatusForbidden)

		// Nothing is served at the default mount when it is moved.
		if r := s.Do("GET", "/admin/login", "", nil); r.Status != 404 {
			t.Errorf("GET /admin/login with the console moved: %d, want 404", r.Status)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSignInStaffOnly: a member's right password gets a refusal on the
// same page and no session; a wrong password is refused too; a banned
// moderator is no longer staff.
func TestSignInStaffOnly(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		s.Signup("member")
		_, adminToken := s.Admin("root", core.LevelAdmin)
		modID, _ := s.Admin("mod", core.LevelModerator)

		br := newBrowser(t, s, "/admin")
		p := br.signIn("member", "password-member")
		p.want(t, "member sign-in", http.StatusForbidden, "Only staff", `name="password"`)
		if c := p.cookie("usersd_console"); c != nil && c.Value != "" {
			t.Errorf("a member got a session cookie")
		}
		br.get("/").want(t, "member after refusal", http.StatusSeeOther)

		br.signIn("mod", "wrong password").want(t, "wrong password", http.StatusUnauthorized, "Wrong name or password")

		mod := newBrowser(t, s, "/admin")
		mod.mustSignIn("mod")
		s.Want(s.Do("PATCH", "/v1/users/"+itoa(modID), adminToken, map[string]any{"banned": true}), 200)
		mod.get("/").want(t, "banned moderator", http.StatusSeeOther)
		mod.signIn("mod", "password-mod").want(t, "banned moderator sign-in", http.StatusForbidden, "Only staff")
	})
}

// TestFormProtection: every POST needs the session's form token and a
// same-origin request; refused posts change nothing.
func TestFormProtection(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, adminToken := s.Admin("root", core.LevelAdmin)
		id, _ := s.Signup("target")
		br := newBrowser(t, s, "/admin")
		br.mustSignIn("root")
		path := "/users/" + itoa(id) + "/ban"
		br.get(path).want(t, "confirmation", 200, "Ban")

		for _, tt := range []struct {
			what    string
			form    url.Values
			headers []string
		}{
			{"no token", url.Values{"csrf": nil}, nil},
			{"empty token", url.Values{"csrf": {""}}, nil},
			{"another session's token", url.Values{"csrf": {otherToken(t, s)}}, nil},
			{"cross-site Origin", nil, []string{"Origin", "https://evil.example"}},
			{"cross-site fetch metadata", nil, []string{"Sec-Fetch-Site", "cross-site"}},
		} {
			form := url.Values{}
			for k, v := range tt.form {
				form[k] = v
			}
			if _, ok := form["csrf"]; ok && form["csrf"] == nil {
				form.Del("csrf")
				p := br.do("POST", path, form, tt.headers...)
				p.want(t, tt.what, http.StatusForbidden)
				continue
			}
			br.post(path, form, tt.headers...).want(t, tt.what, http.StatusForbidden)
		}
		if banned(t, s, adminToken, id) {
			t.Fatal("a refused post banned the user")
		}
		// The same post, same-origin with its token, works.
		br.post(path, nil, "Origin", s.Base, "Sec-Fetch-Site", "same-origin").want(t, "proper post", http.StatusSeeOther)
		if !banned(t, s, adminToken, id) {
			t.Fatal("the proper post did not ban the user")
		}

		// The sign-in form has its own token, from its cookie.
		fresh := newBrowser(t, s, "/admin")
		fresh.do("POST", "/login", url.Values{"name": {"root"}, "password": {"password-root"}}).want(t, "sign-in without token", http.StatusForbidden)
		fresh.do("POST", "/login", url.Values{"csrf": {"forged"}, "name": {"root"}, "password": {"password-root"}}).want(t, "sign-in with a forged token", http.StatusForbidden)
	})
}

// otherToken signs in another staff member and returns their form token.
func otherToken(t *testing.T, s *facetest.Server) string {
	t.Helper()
	s.Admin("other", core.LevelModerator)
	o := newBrowser(t, s, "/admin")
	o.mustSignIn("other")
	return o.csrf
}

// TestSessionMaxAge: a session ends at its absolute age however busy.
func TestSessionMaxAge(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t), "--admin-session-max-age", "3s")
	s.Admin("root", core.LevelAdmin)
	br := newBrowser(t, s, "/admin")
	start := time.Now()
	br.mustSignIn("root")
	for time.Since(start) < 2*time.Second {
		br.get("/").want(t, "within the age", 200)
		time.Sleep(500 * time.Millisecond)
	}
	time.Sleep(3*time.Second - time.Since(start) + 200*time.Millisecond)
	br.get("/").want(t, "past the age", http.StatusSeeOther)
	// Ended, not just refused: signing in again starts a new session.
	br.mustSignIn("root")
}

// TestModeratorOverAdmin: the console shows a moderator no action on an
// admin, and the core refuses a hand-made post; on a member the actions
// a moderator may take are there and work.
func TestModeratorOverAdmin(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		adminID, adminToken := s.Admin("root", core.LevelAdmin)
		s.Admin("mod", core.LevelModerator)
		memberID, _ := s.Signup("member")
		br := newBrowser(t, s, "/admin")
		br.mustSignIn("mod")

		p := br.get("/users/" + itoa(adminID))
		p.want(t, "admin's page", 200, "root")
		if strings.Contains(p.body, `id="actions-h"`) || strings.Contains(p.body, "/users/"+itoa(adminID)+"/ban") {
			t.Errorf("a moderator is offered actions on an admin")
		}
		for _, a := range []string{"ban", "level", "revoke-tokens", "delete", "password"} {
			form := url.Values{"level": {"20"}, "password": {"new password 1"}, "password2": {"new password 1"}}
			br.post("/users/"+itoa(adminID)+"/"+a, form).want(t, "moderator "+a+" on admin", http.StatusForbidden)
		}
		if banned(t, s, adminToken, adminID) {
			t.Fatal("the refused post banned the admin")
		}

		p = br.get("/users/" + itoa(memberID))
		for _, a := range []string{"ban", "level", "deactivate"} {
			if !strings.Contains(p.body, "/users/"+itoa(memberID)+"/"+a+`"`) {
				t.Errorf("a moderator is not offered %s on a member", a)
			}
		}
		// Renames, passwords, deletions are for admins (the core's field and
		// delete rules): not offered to a moderator.
		for _, a := range []string{"rename", "password", "delete"} {
			if strings.Contains(p.body, "/users/"+itoa(memberID)+"/"+a+`"`) {
				t.Errorf("a moderator is offered %s on a member", a)
			}
		}
		p = br.post("/users/"+itoa(memberID)+"/ban", nil)
		p.want(t, "moderator bans member", http.StatusSeeOther)
		p = br.get(strings.TrimPrefix(p.header.Get("Location"), "/admin"))
		// Moderators may not read the audit log: the page says so.
		p.want(t, "after the ban", 200, "Done: Ban", "Only admins may read the audit log.")
		if !banned(t, s, adminToken, memberID) {
			t.Error("the moderator's ban did not take")
		}
	})
}

// TestSignInNext: after sign-in the console goes back to the page that
// sent the visitor there, never to another host.
func TestSignInNext(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t))
	s.Admin("root", core.LevelAdmin)
	for _, tt := range []struct{ next, want string }{
		{"/admin/users/1?did=x", "/admin/users/1?did=x"},
		{"", "/admin/"},
		{"//evil.example/admin/", "/admin/"},
		{"/admin/\t/evil.example", "/admin/"},
		{"/admin\\evil.example", "/admin/"},
		{"https://evil.example/admin/", "/admin/"},
		{"/v1/me", "/admin/"},
		{"/admin/login", "/admin/"},
	} {
		br := newBrowser(t, s, "/admin")
		br.get("/login?next=" + url.QueryEscape(tt.next))
		p := br.post("/login", url.Values{"name": {"root"}, "password": {"password-root"}, "next": {tt.next}})
		p.want(t, "sign-in with next "+tt.next, http.StatusSeeOther)
		if got := p.header.Get("Location"); got != tt.want {
			t.Errorf("next %q: Location %q, want %q", tt.next, got, tt.want)
		}
	}
	// A read without a session sends the visitor to sign in, and back.
	br := newBrowser(t, s, "/admin")
	p := br.get("/users/1?x=1")
	if got := p.header.Get("Location"); got != "/admin/login?next="+url.QueryEscape("/admin/users/1?x=1") {
		t.Errorf("without a session: Location %q", got)
	}
}
