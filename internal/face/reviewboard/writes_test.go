package reviewboard_test

// Black-box tests of the write side (spec/reviewboard.md §8, §9, §11):
// edge cases 13, 14, 15, 16 (form half), 20 and 25, PUT, method
// tunnelling and RBTools' multipart bodies, on SQLite and PostgreSQL.

import (
	"context"
	"crypto/md5"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// wr is a server with users who may write:
//
//	boss     an admin (superuser)
//	mod      a moderator (staff, no grant)
//	adder    a member holding auth.add_user
//	changer  a member holding auth.change_user
//	plain    a member; other a member with a private profile
type wr struct {
	*rb
	boss, mod, adder, changer, plain, other string // tokens
	otherID                                 int64
}

func writeSetup(t *testing.T, b facetest.Backend) *wr {
	s := facetest.Start(t, b)
	w := &wr{rb: &rb{Server: s, t: t}}
	_, w.boss = s.Admin("boss", core.LevelAdmin)
	_, w.mod = s.Admin("mod", core.LevelModerator)
	adderID, adder := s.Signup("adder")
	changerID, changer := s.Signup("changer")
	w.adder, w.changer = adder, changer
	_, w.plain = s.Signup("plain")
	w.otherID, w.other = s.Signup("other")
	s.Want(s.Do("PATCH", "/v1/me", w.other, map[string]any{"first_name": "Otto", "email": "otto@example.com", "private_profile": true}), 200)
	db := b.Open(t)
	ctx := context.Background()
	for id, code := range map[int64]string{adderID: "add_user", changerID: "change_user"} {
		pm, err := db.FindPermission(ctx, "auth", code)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserPermissions(ctx, id, []int64{pm.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// send sends method to the face with a body of ctype.
func (w *wr) send(method, path, authz, ctype, body string, hdr ...string) facetest.Response {
	w.t.Helper()
	req, err := http.NewRequest(method, w.Base+"/reviewboard"+path, strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return w.Send(req)
}

func (w *wr) form(method, path, tok string, v url.Values) facetest.Response {
	w.t.Helper()
	authz := ""
	if tok != "" {
		authz = token(tok)
	}
	return w.send(method, path, authz, "application/x-www-form-urlencoded", v.Encode())
}

// fieldMsgs returns fields.{name} of an error.
func fieldMsgs(m map[string]any, name string) []string {
	f, _ := m["fields"].(map[string]any)
	var out []string
	list, _ := f[name].([]any)
	for _, s := range list {
		out = append(out, s.(string))
	}
	return out
}

func newUser(name string) url.Values {
	return url.Values{"username": {name}, "email": {name + "@example.com"}, "password": {"password-" + name}}
}

func TestReviewBoardWrites(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		w := writeSetup(t, b)

		t.Run("13 create: 401 before 400 before 403", func(t *testing.T) {
			w.t = t
			w.fail(w.form("POST", "/api/users/", "", newUser("n13")), 401, 103)
			w.fail(w.form("POST", "/api/users/", "", url.Values{}), 401, 103)
			// A member with bad fields gets 400, not 403.
			m := w.fail(w.form("POST", "/api/users/", w.plain, url.Values{"username": {"n13"}, "bogus": {"1"}}), 400, 105)
			if got := fieldMsgs(m, "email"); len(got) != 1 || got[0] != "This field is required" {
				t.Errorf("email: %v", got)
			}
			if got := fieldMsgs(m, "password"); got != nil {
				t.Errorf("password is optional: %v", got)
			}
			if got := fieldMsgs(m, "bogus"); len(got) != 1 || got[0] != "Field is not supported" {
				t.Errorf("bogus: %v", got)
			}
			// A complete, valid body: 403 with the create message; staff
			// without the grant too.
			for _, tok := range []string{w.plain, w.mod} {
				m = w.fail(w.form("POST", "/api/users/", tok, newUser("n13")), 403, 101)
				if e := m["err"].(map[string]any); e["msg"] != "You do not have permission to create users." || e["type"] != "resource-permission-denied" {
					t.Errorf("403: %v", e)
				}
			}
			// A non-holder with an invalid e-mail still gets 403 (the
			// e-mail is checked after the permission).
			v := newUser("n13")
			v.Set("email", "nope")
			w.fail(w.form("POST", "/api/users/", w.plain, v), 403, 101)
			m = w.fail(w.form("POST", "/api/users/", w.boss, v), 400, 105)
			if got := fieldMsgs(m, "email"); len(got) != 1 || got[0] != "Enter a valid email address." {
				t.Errorf("bad e-mail: %v", got)
			}
		})

		t.Run("14 duplicate username is 400 105", func(t *testing.T) {
			w.t = t
			for _, name := range []string{"plain", "PLAIN"} {
				m := w.fail(w.form("POST", "/api/users/", w.boss, newUser(name)), 400, 105)
				if got := fieldMsgs(m, "username"); len(got) != 1 || got[0] != "A user with the requested username already exists." {
					t.Errorf("%s: %v", name, got)
				}
			}
		})

		t.Run("14b a taken e-mail address and a look-alike name are 105", func(t *testing.T) {
			w.t = t
			v := newUser("n14b")
			v.Set("email", "OTTO@example.com")
			m := w.fail(w.form("POST", "/api/users/", w.boss, v), 400, 105)
			if got := fieldMsgs(m, "email"); len(got) != 1 || got[0] != "A user with this e-mail address already exists." {
				t.Errorf("taken e-mail: %v", m)
			}
			m = w.fail(w.form("POST", "/api/users/", w.boss, newUser("p1ain")), 400, 105)
			if got := fieldMsgs(m, "username"); len(got) != 1 || got[0] != "This username looks too much like an existing one." {
				t.Errorf("look-alike: %v", m)
			}
		})

		t.Run("15 create is 201 with the item type; the native API sees the user", func(t *testing.T) {
			w.t = t
			v := newUser("neo")
			v.Set("first_name", "Thomas")
			v.Set("last_name", "Anderson")
			res := w.form("POST", "/api/users/", w.boss, v)
			m := w.Want(res, 201)
			if ct := res.Header.Get("Content-Type"); ct != "application/vnd.reviewboard.org.user+json" || res.Header.Get("Location") != "" {
				t.Errorf("Content-Type %q Location %q", ct, res.Header.Get("Location"))
			}
			u := m["user"].(map[string]any)
			if m["stat"] != "ok" || u["username"] != "neo" || u["email"] != "neo@example.com" || u["fullname"] != "Thomas Anderson" || u["is_active"] != true {
				t.Errorf("created: %s", res.Body)
			}
			if _, ok := u["password"]; ok {
				t.Error("password returned")
			}
			nu := facetest.FlatUser(t, w.Want(w.Do("GET", fmt.Sprintf("/v1/users/%d", int64(u["id"].(float64))), w.boss, nil), 200))
			if nu["name"] != "neo" || nu["email"] != "neo@example.com" || nu["first_name"] != "Thomas" || nu["last_name"] != "Anderson" {
				t.Errorf("native: %v", nu)
			}
			// The new user logs in with the password given.
			w.Login("neo", "password-neo")
			// A holder of auth.add_user creates too.
			w.Want(w.form("POST", "/api/users/", w.adder, newUser("trinity")), 201)
			// Without a password the account has none to log in with (RB
			// 7.0.6's optional password); an empty one is refused.
			w.Want(w.form("POST", "/api/users/", w.adder, url.Values{"username": {"tank"}, "email": {"tank@example.com"}}), 201)
			if res := w.Do("POST", "/v1/login", "", map[string]any{"name": "tank", "password": ""}); res.Status != 401 && res.Status != 400 {
				t.Errorf("login without a password: %d %s", res.Status, res.Body)
			}
			m = w.fail(w.form("POST", "/api/users/", w.adder, url.Values{"username": {"dozer"}, "email": {"dozer@example.com"}, "password": {""}}), 400, 105)
			if got := fieldMsgs(m, "password"); len(got) != 1 || got[0] != "This field is required" {
				t.Errorf("empty password: %v", got)
			}
		})

		t.Run("16 unknown form fields are 105 on create and update; special ones are not", func(t *testing.T) {
			w.t = t
			v := newUser("n16")
			v.Set("is_staff", "1")
			m := w.fail(w.form("POST", "/api/users/", w.boss, v), 400, 105)
			if got := fieldMsgs(m, "is_staff"); len(got) != 1 || got[0] != "Field is not supported" {
				t.Errorf("create: %v", got)
			}
			m = w.fail(w.form("PUT", "/api/users/plain/", w.plain, url.Values{"username": {"x"}}), 400, 105)
			if got := fieldMsgs(m, "username"); len(got) != 1 || got[0] != "Field is not supported" {
				t.Errorf("update: %v", got)
			}
			v = newUser("n16")
			v.Set("api_format", "json")
			v.Set("only-fields", "id")
			w.Want(w.form("POST", "/api/users/", w.boss, v), 201)
		})

		t.Run("25 usernames Review Board could not route are refused", func(t *testing.T) {
			w.t = t
			for name, msg := range map[string]string{
				"a b":                    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_/' characters.",
				"a/b":                    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_/' characters.",
				"ü":                      "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_/' characters.",
				"":                       "This field is required",
				strings.Repeat("x", 151): "Ensure this value has at most 150 characters (it has 151).",
				"user_12":                "", // the core's reserved form
			} {
				m := w.fail(w.form("POST", "/api/users/", w.boss, url.Values{"username": {name}, "email": {"x@example.com"}, "password": {"pw-long-enough"}}), 400, 105)
				got := fieldMsgs(m, "username")
				if len(got) != 1 || msg != "" && got[0] != msg || got[0] == "" {
					t.Errorf("%q: %v", name, got)
				}
			}
			// The URL pattern's odd characters are fine.
			odd := newUser("o'brien+x@y.z-1")
			odd.Set("email", "ob@example.com")
			u := w.Want(w.form("POST", "/api/users/", w.boss, odd), 201)["user"].(map[string]any)
			w.ok(w.get("/api/users/"+url.PathEscape(u["username"].(string))+"/", "", ""), "user")
		})

		t.Run("multipart with RBTools' boundary", func(t *testing.T) {
			w.t = t
			const bd = "===============0000000000000004711=="
			var body strings.Builder
			for _, kv := range [][2]string{{"username", "morpheus"}, {"email", "morpheus@example.com"}, {"password", "password-morpheus"}, {"first_name", "Morpheus"}} {
				body.WriteString("--" + bd + "\r\nContent-Disposition: form-data; name=\"" + kv[0] + "\"\r\n\r\n" + kv[1] + "\r\n")
			}
			body.WriteString("--" + bd + "--\r\n\r\n")
			res := w.send("POST", "/api/users/", basic("boss", "password-boss"), "multipart/form-data; boundary="+bd, body.String())
			if u := w.Want(res, 201)["user"].(map[string]any); u["first_name"] != "Morpheus" {
				t.Errorf("multipart: %s", res.Body)
			}
			// A broken body is a 105, not a 500.
			w.fail(w.send("POST", "/api/users/", token(w.boss), "multipart/form-data; boundary="+bd, "--"+bd+"\r\nbroken"), 400, 105)
		})

		t.Run("XML create response", func(t *testing.T) {
			w.t = t
			res := w.send("POST", "/api/users/?api_format=xml", token(w.boss), "application/x-www-form-urlencoded", newUser("cypher").Encode())
			if res.Status != 201 || res.Header.Get("Content-Type") != "application/vnd.reviewboard.org.user+xml" {
				t.Fatalf("%d %s\n%s", res.Status, res.Header.Get("Content-Type"), res.Body)
			}
			facetest.WellFormedXML(t, "create", res.Body)
			x := string(res.Body)
			if !strings.HasPrefix(x, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rsp>\n <stat>ok</stat>\n <user>\n") || !strings.Contains(x, "<username>cypher</username>") ||
				!strings.Contains(x, "<links>\n   <self>\n    <method>GET</method>\n    <href>"+w.Base+"/reviewboard/api/users/cypher/</href>\n   </self>\n   <update>\n    <method>PUT</method>") {
				t.Errorf("XML:\n%s", x)
			}
		})

		t.Run("PUT: self, admin, change_user holder; only changed fields", func(t *testing.T) {
			w.t = t
			u := w.ok(w.form("PUT", "/api/users/plain/", w.plain, url.Values{"first_name": {"Plato"}, "email": {"plato@example.com"}}), "user")["user"].(map[string]any)
			if u["first_name"] != "Plato" || u["email"] != "plato@example.com" {
				t.Errorf("self: %v", u)
			}
			u = w.ok(w.form("PUT", "/api/users/plain/", w.boss, url.Values{"last_name": {"Nic"}}), "user")["user"].(map[string]any)
			if u["fullname"] != "Plato Nic" {
				t.Errorf("admin: %v", u)
			}
			// The holder of auth.change_user deactivates and reactivates.
			u = w.ok(w.form("PUT", "/api/users/plain/", w.changer, url.Values{"is_active": {"False"}}), "user")["user"].(map[string]any)
			if u["is_active"] != false {
				t.Errorf("is_active=False: %v", u)
			}
			w.fail(w.get("/api/users/", token(w.plain), ""), 401, 104) // no token login while inactive
			u = w.ok(w.form("PUT", "/api/users/plain/", w.changer, url.Values{"is_active": {"TRUE"}}), "user")["user"].(map[string]any)
			if u["is_active"] != true {
				t.Errorf("is_active=TRUE: %v", u)
			}
			w.ok(w.get("/api/users/", token(w.plain), ""), "users")
			// The holder changes a private profile's fields, which Review
			// Board still hides from them (is_profile_visible).
			u = w.ok(w.form("PUT", "/api/users/other/", w.changer, url.Values{"first_name": {"Otis"}}), "user")["user"].(map[string]any)
			if _, shown := u["first_name"]; shown {
				t.Errorf("holder sees a private profile: %v", u)
			}
			if u := w.ok(w.get("/api/users/other/", token(w.boss), ""), "user")["user"].(map[string]any); u["first_name"] != "Otis" {
				t.Errorf("holder on a private profile: %v", u)
			}
			// Nothing changed: 200, no write.
			before := w.Want(w.Do("GET", fmt.Sprintf("/v1/users/%d", w.otherID), w.boss, nil), 200)["updated_at"]
			w.ok(w.form("PUT", "/api/users/other/", w.other, url.Values{"first_name": {"Otis"}}), "user")
			if after := w.Want(w.Do("GET", fmt.Sprintf("/v1/users/%d", w.otherID), w.boss, nil), 200)["updated_at"]; after != before {
				t.Errorf("unchanged update wrote: %v → %v", before, after)
			}
		})

		t.Run("PUT refusals: 401, 400, 404, 403, collected 400", func(t *testing.T) {
			w.t = t
			w.fail(w.form("PUT", "/api/users/plain/", "", url.Values{"first_name": {"x"}}), 401, 103)
			// Unknown fields come before the user is looked up.
			w.fail(w.form("PUT", "/api/users/nobody/", w.plain, url.Values{"bogus": {"x"}}), 400, 105)
			w.fail(w.form("PUT", "/api/users/nobody/", w.plain, url.Values{"first_name": {"x"}}), 404, 100)
			w.fail(w.form("PUT", "/api/users/PLAIN/", w.boss, url.Values{"first_name": {"x"}}), 404, 100)
			// Another member: 403 with the generic message, before values.
			m := w.fail(w.form("PUT", "/api/users/other/", w.plain, url.Values{"email": {"bad"}}), 403, 101)
			if e := m["err"].(map[string]any); e["msg"] != "You don't have permission for this" {
				t.Errorf("403: %v", e)
			}
			// is_active by the user themself: a 105 on the field.
			m = w.fail(w.form("PUT", "/api/users/plain/", w.plain, url.Values{"is_active": {"0"}}), 400, 105)
			if got := fieldMsgs(m, "is_active"); len(got) != 1 || got[0] != "This field can only be set by administrators and users with the auth.change_user permission." {
				t.Errorf("is_active: %v", m)
			}
			// Sending is_active unchanged needs the right too.
			m = w.fail(w.form("PUT", "/api/users/plain/", w.plain, url.Values{"is_active": {"1"}}), 400, 105)
			if got := fieldMsgs(m, "is_active"); len(got) != 1 {
				t.Errorf("unchanged is_active: %v", m)
			}
			w.ok(w.form("PUT", "/api/users/plain/", w.changer, url.Values{"is_active": {"1"}}), "user")
			// Staff without the grant, by the core's rank rule (doc.go).
			w.ok(w.form("PUT", "/api/users/plain/", w.mod, url.Values{"is_active": {"1"}}), "user")
			// Both problems at once, and nothing written.
			m = w.fail(w.form("PUT", "/api/users/plain/", w.plain, url.Values{"email": {"a@b@c"}, "is_active": {"false"}, "first_name": {"Never"}}), 400, 105)
			if got := fieldMsgs(m, "email"); len(got) != 1 || got[0] != "Enter a valid email address." {
				t.Errorf("email: %v", m)
			}
			if got := fieldMsgs(m, "is_active"); len(got) != 1 {
				t.Errorf("is_active with a bad e-mail: %v", m)
			}
			if u := w.ok(w.get("/api/users/plain/", token(w.plain), ""), "user")["user"].(map[string]any); u["first_name"] == "Never" || u["is_active"] != true {
				t.Errorf("a refused update wrote: %v", u)
			}
			// A read-only token may not write.
			ro := w.Want(w.Do("POST", "/v1/me/tokens", w.plain, map[string]any{"label": "ro", "scope": "read"}), 201)["token"].(string)
			w.fail(w.form("PUT", "/api/users/plain/", ro, url.Values{"first_name": {"x"}}), 403, 101)
			w.ok(w.get("/api/users/plain/", token(ro), ""), "user")
		})

		t.Run("_method=PUT tunnels a PUT; 405 Allow values", func(t *testing.T) {
			w.t = t
			u := w.ok(w.form("POST", "/api/users/plain/", w.plain, url.Values{"_method": {"PUT"}, "last_name": {"Tunnel"}}), "user")["user"].(map[string]any)
			if u["last_name"] != "Tunnel" {
				t.Errorf("tunnelled: %v", u)
			}
			// X-HTTP-Method-Override is not read (djblets reads _method only).
			res := w.send("POST", "/api/users/plain/", token(w.plain), "", "", "X-HTTP-Method-Override", "PUT")
			if res.Status != 405 {
				t.Errorf("override header: %d", res.Status)
			}
			for _, c := range []struct{ method, path, body, allow string }{
				{"DELETE", "/api/users/", "", "GET, PUT, POST"},
				{"PUT", "/api/users/", "", "GET, POST"},
				{"POST", "/api/users/", "_method=PUT", "GET, POST"},
				{"PATCH", "/api/users/", "", "GET, PUT, POST"},
				{"POST", "/api/users/plain/", "", "GET, PUT"},
				{"DELETE", "/api/users/plain/", "", "GET, PUT, POST"},
				{"POST", "/api/users/plain/", "_method=DELETE", "GET, PUT, POST"},
				{"POST", "/api/", "", "GET"},
			} {
				res := w.send(c.method, c.path, "", "application/x-www-form-urlencoded", c.body)
				if res.Status != 405 || len(res.Body) != 0 || res.Header.Get("Allow") != c.allow {
					t.Errorf("%s %s %s: %d %q Allow=%q", c.method, c.path, c.body, res.Status, res.Body, res.Header.Get("Allow"))
				}
			}
		})

		t.Run("avatar_html at render-avatars-at / render_avatars_at", func(t *testing.T) {
			w.t = t
			u := w.ok(w.get("/api/users/o'brien+x@y.z-1/?render-avatars-at=32,abc,%2064,32,0", token(w.boss), ""), "user")["user"].(map[string]any)
			html, _ := u["avatar_html"].(map[string]any)
			g := "https://secure.gravatar.com/avatar/" + fmt.Sprintf("%x", md5.Sum([]byte("ob@example.com")))
			want := `<img src="` + g + `?s=32&d=mm" alt="o&#x27;brien+x@y.z-1" width="32" height="32" srcset="` + g + `?s=32&d=mm 1x, ` + g + `?s=64&d=mm 2x, ` + g + `?s=96&d=mm 3x" class="avatar djblets-o-avatar">`
			if len(html) != 2 || html["32"] != want || html["64"] == nil {
				t.Errorf("avatar_html = %v\nwant 32: %s", html, want)
			}
			if u := w.ok(w.get("/api/users/plain/", "", ""), "user")["user"].(map[string]any); u["avatar_html"] != nil {
				t.Errorf("unasked: %v", u["avatar_html"])
			}
			v := newUser("apoc")
			v.Set("render_avatars_at", "48")
			u = w.Want(w.form("POST", "/api/users/", w.boss, v), 201)["user"].(map[string]any)
			if html, _ := u["avatar_html"].(map[string]any); len(html) != 1 || html["48"] == nil {
				t.Errorf("create: %v", u["avatar_html"])
			}
		})

		t.Run("links: create on the list, update on items, for everyone", func(t *testing.T) {
			w.t = t
			m := w.ok(w.get("/api/users/?q=pl", "", ""), "users")
			l := m["links"].(map[string]any)["create"].(map[string]any)
			if l["method"] != "POST" || l["href"] != w.Base+"/reviewboard/api/users/" {
				t.Errorf("create: %v", l)
			}
			u := w.ok(w.get("/api/users/plain/", "", ""), "user")["user"].(map[string]any)
			if l := u["links"].(map[string]any)["update"].(map[string]any); l["method"] != "PUT" || l["href"] != w.Base+"/reviewboard/api/users/plain/" {
				t.Errorf("update: %v", l)
			}
		})
	})
}
