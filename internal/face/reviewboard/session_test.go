package reviewboard_test

// Black-box tests of the rbsessionid cookie, the API rate limits and the
// require-login switch (spec §10, §12; issue 9: what RBTools needs).

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// sessionOf returns the rbsessionid cookie a response sets, or nil.
func sessionOf(res facetest.Response) *http.Cookie {
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == "rbsessionid" {
			return c
		}
	}
	return nil
}

// send is a GET with any headers, name-value pairs.
func (r *rb) send(path string, kv ...string) facetest.Response {
	r.t.Helper()
	req, err := http.NewRequest("GET", r.Base+"/reviewboard"+path, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	return r.Send(req)
}

// login logs in on the face and returns the session cookie it set.
func (r *rb) login(authz string) string {
	r.t.Helper()
	res := r.send("/api/", "Authorization", authz)
	r.ok(res, "root")
	c := sessionOf(res)
	if c == nil || c.Value == "" {
		r.t.Fatalf("no session cookie: %v", res.Header)
	}
	return "rbsessionid=" + c.Value
}

func TestSessionCookie(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		r := setup(t, b)
		email := func(res facetest.Response) any {
			r.t.Helper()
			return r.ok(res, "user")["user"].(map[string]any)["email"]
		}

		t.Run("Basic login sets the cookie Django would", func(t *testing.T) {
			r.t = t
			res := r.send("/api/users/alice/", "Authorization", basic("alice", "password-alice"))
			r.ok(res, "user")
			c := sessionOf(res)
			if c == nil || len(c.Value) < 40 || !c.HttpOnly || c.Path != "/reviewboard/" || c.SameSite != http.SameSiteLaxMode || c.Secure ||
				c.MaxAge != 14*24*3600 || time.Until(c.Expires) < 13*24*time.Hour {
				t.Fatalf("Set-Cookie = %q", res.Header.Values("Set-Cookie"))
			}
			if got := email(r.send("/api/users/alice/", "Cookie", "rbsessionid="+c.Value)); got != "alice@example.com" {
				t.Errorf("with the cookie alone: email %v, want alice's own", got)
			}
			if got := email(r.send("/api/users/alice/")); got != nil {
				t.Errorf("anonymous sees email %v", got)
			}
			// A request that already holds the caller's session keeps it.
			again := r.send("/api/", "Authorization", basic("alice", "password-alice"), "Cookie", "rbsessionid="+c.Value)
			if r.ok(again, "root"); sessionOf(again) != nil {
				t.Errorf("a second session for a caller who holds one: %q", again.Header.Values("Set-Cookie"))
			}
		})

		t.Run("token login sets it too; a read-only token does not", func(t *testing.T) {
			r.t = t
			cookie := r.login(token(r.privTok))
			if got := r.ok(r.send("/api/users/pat/", "Cookie", cookie), "user")["user"].(map[string]any)["fullname"]; got != "Pat Private" {
				t.Errorf("pat's session: fullname %v", got)
			}
			m := r.Want(r.Do("POST", "/v1/me/tokens", r.aliceTok, map[string]any{"label": "ro", "scope": "read"}), 201)
			res := r.send("/api/", "Authorization", token(m["token"].(string)))
			if r.ok(res, "root"); sessionOf(res) != nil {
				t.Errorf("a read-only token got a session: %q", res.Header.Values("Set-Cookie"))
			}
		})

		t.Run("the cookie is set on a 304 too, and TLS makes it Secure", func(t *testing.T) {
			r.t = t
			authz := basic("alice", "password-alice")
			// Links are absolute: the https request has its own body.
			first := r.send("/api/users/alice/", "Authorization", authz, "X-Forwarded-Proto", "https")
			etag := first.Header.Get("ETag")
			res := r.send("/api/users/alice/", "Authorization", authz, "If-None-Match", etag, "X-Forwarded-Proto", "https")
			if res.Status != http.StatusNotModified {
				t.Fatalf("status %d, want 304", res.Status)
			}
			c := sessionOf(res)
			if c == nil || !c.Secure || !c.HttpOnly {
				t.Fatalf("304 Set-Cookie = %q", res.Header.Values("Set-Cookie"))
			}
			// The cookie revalidates the same entry: the ETag is the viewer's.
			if res := r.send("/api/users/alice/", "Cookie", "rbsessionid="+c.Value, "If-None-Match", etag, "X-Forwarded-Proto", "https"); res.Status != http.StatusNotModified {
				t.Errorf("revalidation with the cookie: %d, want 304", res.Status)
			}
			if res := r.send("/api/users/alice/", "If-None-Match", etag, "X-Forwarded-Proto", "https"); res.Status != http.StatusOK {
				t.Errorf("anonymous revalidation of alice's entry: %d, want 200 (ETags are per viewer)", res.Status)
			}
		})

		t.Run("API GETs are revalidated, never kept for a time", func(t *testing.T) {
			r.t = t
			for _, res := range []facetest.Response{r.send("/api/users/"), r.send("/api/users/", "Cookie", r.login(token(r.aliceTok)))} {
				cc := res.Header.Get("Cache-Control")
				if res.Header.Get("Expires") != "" || strings.Contains(cc, "max-age") || (cc != "no-cache" && cc != "private, no-cache") {
					t.Errorf("Cache-Control %q, Expires %q", cc, res.Header.Get("Expires"))
				}
			}
		})

		t.Run("a bad cookie is anonymous and cleared", func(t *testing.T) {
			r.t = t
			res := r.send("/api/users/alice/", "Cookie", "rbsessionid=not-a-session")
			if got := email(res); got != nil {
				t.Errorf("bad cookie sees email %v", got)
			}
			if c := sessionOf(res); c == nil || c.Value != "" || c.MaxAge >= 0 || c.Path != "/reviewboard/" {
				t.Errorf("bad cookie: Set-Cookie %q, want it cleared", res.Header.Values("Set-Cookie"))
			}
		})

		t.Run("the Authorization header wins over the cookie", func(t *testing.T) {
			r.t = t
			alice := r.login(token(r.aliceTok))
			if got := email(r.send("/api/users/pat/", "Cookie", alice)); got != nil {
				t.Errorf("alice sees pat's private email %v", got)
			}
			if got := email(r.send("/api/users/pat/", "Cookie", alice, "Authorization", token(r.privTok))); got != "pat@example.com" {
				t.Errorf("pat's token with alice's cookie: email %v, want pat's", got)
			}
			res := r.send("/api/users/alice/", "Cookie", alice, "Authorization", basic("alice", "wrong"))
			r.fail(res, 401, 104)
			if res.Header.Get("WWW-Authenticate") != `Basic realm="Web API"` {
				t.Errorf("WWW-Authenticate = %q", res.Header.Values("WWW-Authenticate"))
			}
		})

		t.Run("deactivated and deleted users' sessions stop working", func(t *testing.T) {
			r.t = t
			for i, gone := range []map[string]any{{"active": false}, nil} {
				name := fmt.Sprintf("leaver%d", i)
				id, tok := r.Signup(name)
				cookie := r.login(token(tok))
				if got := r.ok(r.send("/api/users/"+name+"/", "Cookie", cookie), "user")["user"].(map[string]any)["username"]; got != name {
					t.Fatalf("%s: %v", name, got)
				}
				if gone != nil {
					r.Want(r.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), r.modTok, gone), 200)
				} else {
					res := r.Do("DELETE", fmt.Sprintf("/v1/users/%d", id), tok, nil)
					if res.Status != 200 && res.Status != 204 {
						t.Fatalf("delete: %d %s", res.Status, res.Body)
					}
				}
				res := r.send("/api/users/alice/", "Cookie", cookie)
				if got := email(res); got != nil {
					t.Errorf("%s: the session still sees email %v", name, got)
				}
				if c := sessionOf(res); c == nil || c.MaxAge >= 0 {
					t.Errorf("%s: Set-Cookie %q, want the cookie cleared", name, res.Header.Values("Set-Cookie"))
				}
			}
		})

		t.Run("revoking a token ends the sessions it opened", func(t *testing.T) {
			r.t = t
			_, login := r.Signup("revoker")
			r.Want(r.Do("PATCH", "/v1/me", login, map[string]any{"email": "revoker@example.com"}), 200)
			m := r.Want(r.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "rbtools"}), 201)
			byToken := r.login(token(m["token"].(string)))
			byPassword := r.login(basic("revoker", "password-revoker"))
			for _, c := range []string{byToken, byPassword} {
				if got := email(r.send("/api/users/revoker/", "Cookie", c)); got != "revoker@example.com" {
					t.Fatalf("session before the revocation: email %v", got)
				}
			}
			res := r.Do("DELETE", fmt.Sprintf("/v1/me/tokens/%v", m["id"]), login, nil)
			if res.Status != 200 && res.Status != 204 {
				t.Fatalf("revoke: %d %s", res.Status, res.Body)
			}
			if got := email(r.send("/api/users/revoker/", "Cookie", byToken)); got != nil {
				t.Errorf("the revoked token's session still sees email %v", got)
			}
			if got := email(r.send("/api/users/revoker/", "Cookie", byPassword)); got != "revoker@example.com" {
				t.Errorf("the password session ended with the token: email %v", got)
			}
		})

		t.Run("an expired token names its date", func(t *testing.T) {
			r.t = t
			m := r.Want(r.Do("POST", "/v1/me/tokens", r.aliceTok, map[string]any{"label": "short", "expires_in": 1}), 201)
			at, err := time.Parse(time.RFC3339Nano, m["expires_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Until(at) + 50*time.Millisecond)
			e := r.fail(r.send("/api/", "Authorization", token(m["token"].(string))), 401, 104)["err"].(map[string]any)
			// Django's localize(): "Aug. 2, 2022, 10:45 a.m."; the month and
			// year are enough to tell it from the generic message.
			want := "This API token expired on "
			if msg := e["msg"].(string); !strings.HasPrefix(msg, want) || !strings.Contains(msg, strconv.Itoa(at.UTC().Year())) || !strings.HasSuffix(msg, ".") {
				t.Errorf("msg = %q, want %q…", msg, want)
			}
		})
	})
}

func TestRateLimits(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--reviewboard-rates=anon=3,user=4")
		r := &rb{Server: s, t: t}
		_, tok := s.Signup("busy")
		over := func(res facetest.Response, limit int) {
			t.Helper()
			r.fail(res, http.StatusTooManyRequests, 114)
			if res.Header.Get("X-RateLimit-Limit") != strconv.Itoa(limit) {
				t.Errorf("X-RateLimit-Limit = %q, want %d", res.Header.Get("X-RateLimit-Limit"), limit)
			}
			if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 || n > 3600 {
				t.Errorf("Retry-After = %q", res.Header.Get("Retry-After"))
			}
		}
		for i := range 3 {
			r.ok(r.send("/api/users/"), "users")
			_ = i
		}
		over(r.send("/api/users/"), 3)
		// Signed-in callers count per account, not per address: the
		// login, then three by cookie.
		cookie := r.login(token(tok))
		for range 3 {
			r.ok(r.send("/api/users/busy/", "Cookie", cookie), "user")
		}
		over(r.send("/api/users/busy/", "Cookie", cookie), 4)
		over(r.send("/api/", "Authorization", token(tok)), 4)
	})
}

func TestRequireLogin(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--reviewboard-require-login")
		r := &rb{Server: s, t: t}
		_, tok := s.Admin("staffer", core.LevelModerator)
		for _, p := range []string{"/api/", "/api/users/", "/api/users/staffer/"} {
			res := r.send(p)
			r.fail(res, 401, 103)
			if got := res.Header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != `Basic realm="Web API"` {
				t.Errorf("%s: WWW-Authenticate = %q", p, got)
			}
		}
		cookie := r.login(token(tok))
		r.ok(r.send("/api/users/", "Cookie", cookie), "users")
		r.ok(r.send("/api/users/staffer/", "Authorization", basic("staffer", "password-staffer")), "user")
	})
}
