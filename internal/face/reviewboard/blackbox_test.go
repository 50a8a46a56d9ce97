package reviewboard_test

// Black-box tests of the read slice, one per edge case of
// spec/reviewboard.md §14 it covers, on SQLite and PostgreSQL.
//
// The write side's cases (13, 14, 15, 16's form half, 25) are in
// writes_test.go.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

type rb struct {
	*facetest.Server
	t                 *testing.T
	aliceTok, modTok  string
	privTok           string
	aliceID, inactive int64
}

// setup starts a server with users:
//
//	alice   Alice Anders <alice@example.com>, public
//	albert  Zed Young, public
//	zoe     first name Albertine, public (matches q=al only by name)
//	pat     Pat Private <pat@example.com>, private profile
//	alvin   inactive
//	mod     a moderator (staff)
func setup(t *testing.T, b facetest.Backend) *rb {
	s := facetest.Start(t, b)
	r := &rb{Server: s, t: t}
	profile := func(name string, patch map[string]any) (int64, string) {
		id, tok := s.Signup(name)
		s.Want(s.Do("PATCH", "/v1/me", tok, patch), 200)
		return id, tok
	}
	r.aliceID, r.aliceTok = profile("alice", map[string]any{"first_name": "Alice", "last_name": "Anders", "email": "alice@example.com"})
	profile("albert", map[string]any{"first_name": "Zed", "last_name": "Young"})
	profile("zoe", map[string]any{"first_name": "Albertine", "last_name": "Xu"})
	_, r.privTok = profile("pat", map[string]any{"first_name": "Pat", "last_name": "Private", "email": "pat@example.com", "private_profile": true})
	var alvinTok string
	r.inactive, alvinTok = s.Signup("alvin")
	_ = alvinTok
	_, r.modTok = s.Admin("mod", core.LevelModerator)
	s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", r.inactive), r.modTok, map[string]any{"active": false}), 200)
	return r
}

// get sends a GET to the face with optional Authorization and Accept.
func (r *rb) get(path, authz, accept string) facetest.Response {
	r.t.Helper()
	req, err := http.NewRequest("GET", r.Base+"/reviewboard"+path, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return r.Send(req)
}

func token(t string) string { return "token " + t }

func basic(name, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+pw))
}

// ok checks a 200 with the vendor type and returns the body.
func (r *rb) ok(res facetest.Response, typ string) map[string]any {
	r.t.Helper()
	m := r.Want(res, 200)
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.reviewboard.org."+typ+"+json" {
		r.t.Errorf("Content-Type = %q, want %s+json", ct, typ)
	}
	if m["stat"] != "ok" {
		r.t.Errorf("stat = %v", m["stat"])
	}
	return m
}

// fail checks an error envelope.
func (r *rb) fail(res facetest.Response, status, code int) map[string]any {
	r.t.Helper()
	m := r.Want(res, status)
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.reviewboard.org.error+json" {
		r.t.Errorf("Content-Type = %q, want the error type", ct)
	}
	e, _ := m["err"].(map[string]any)
	if m["stat"] != "fail" || e == nil || e["code"] != float64(code) {
		r.t.Errorf("got %s, want code %d", res.Body, code)
	}
	return m
}

func names(m map[string]any) []string {
	var out []string
	for _, u := range m["users"].([]any) {
		out = append(out, u.(map[string]any)["username"].(string))
	}
	return out
}

func byName(m map[string]any, name string) map[string]any {
	for _, u := range m["users"].([]any) {
		if u := u.(map[string]any); u["username"] == name {
			return u
		}
	}
	return nil
}

func href(m map[string]any, rel string) string {
	l, _ := m["links"].(map[string]any)[rel].(map[string]any)
	if l == nil {
		return ""
	}
	return l["href"].(string)
}

var private = []string{"email", "first_name", "last_name", "fullname"}

func TestReviewBoard(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		r := setup(t, b)
		base := r.Base + "/reviewboard"

		t.Run("01 anonymous never sees names or e-mail", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/", "", ""), "users")
			for _, u := range m["users"].([]any) {
				for _, k := range private {
					if _, ok := u.(map[string]any)[k]; ok {
						t.Errorf("anonymous sees %s of %v", k, u.(map[string]any)["username"])
					}
				}
			}
			item := r.ok(r.get("/api/users/alice/", "", ""), "user")["user"].(map[string]any)
			if _, ok := item["email"]; ok {
				t.Errorf("anonymous item shows email: %v", item)
			}
		})

		t.Run("02 hidden fields are absent, shown ones present", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/?max-results=200", token(r.aliceTok), ""), "users")
			alice, pat := byName(m, "alice"), byName(m, "pat")
			if alice["email"] != "alice@example.com" || alice["fullname"] != "Alice Anders" || alice["first_name"] != "Alice" {
				t.Errorf("alice to herself: %v", alice)
			}
			for _, k := range private {
				if _, ok := pat[k]; ok {
					t.Errorf("a member sees %s of a private profile", k)
				}
			}
			// The user themself and staff see a private profile.
			for _, tok := range []string{r.privTok, r.modTok} {
				p := r.ok(r.get("/api/users/pat/", token(tok), ""), "user")["user"].(map[string]any)
				if p["email"] != "pat@example.com" || p["fullname"] != "Pat Private" {
					t.Errorf("private profile to self or staff: %v", p)
				}
			}
			// Another member sees a public profile.
			a := r.ok(r.get("/api/users/alice/", token(r.privTok), ""), "user")["user"].(map[string]any)
			if a["email"] != "alice@example.com" {
				t.Errorf("public profile to a member: %v", a)
			}
		})

		t.Run("03 presence switches counts-only and fullname on; include-inactive=0 is off", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/?counts-only=0", "", ""), "users")
			if _, ok := m["count"]; !ok {
				t.Errorf("counts-only=0: %v", m)
			}
			if got := names(r.ok(r.get("/api/users/?q=al&fullname=0", "", ""), "users")); strings.Join(got, ",") != "alice,albert,zoe" {
				t.Errorf("fullname=0 users = %v", got)
			}
			if got := names(r.ok(r.get("/api/users/?q=al&include-inactive=0", "", ""), "users")); strings.Join(got, ",") != "alice,albert" {
				t.Errorf("include-inactive=0 users = %v", got)
			}
		})

		t.Run("04 counts-only has count and stat only", func(t *testing.T) {
			r.t = t
			res := r.get("/api/users/?counts-only=1&q=a", "", "")
			m := r.ok(res, "users")
			if len(m) != 2 || m["count"] != float64(2) {
				t.Errorf("counts-only: %s", res.Body)
			}
			if !strings.HasPrefix(string(res.Body), `{"count": 2, "stat": "ok"}`) {
				t.Errorf("wire: %s", res.Body)
			}
		})

		t.Run("05 max-results capped at 200, default 25", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/?start=1&max-results=500", "", ""), "users")
			if got, want := href(m, "prev"), base+"/api/users/?start=0&max-results=200"; got != want {
				t.Errorf("prev = %q, want %q", got, want)
			}
			m = r.ok(r.get("/api/users/?start=1", "", ""), "users")
			if got, want := href(m, "prev"), base+"/api/users/?start=0&max-results=25"; got != want {
				t.Errorf("prev = %q, want %q", got, want)
			}
		})

		t.Run("06 start past the end", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/?start=50&max-results=10", "", ""), "users")
			if len(m["users"].([]any)) != 0 || m["total_results"] != float64(5) || href(m, "next") != "" {
				t.Errorf("past the end: %v", m)
			}
			if got, want := href(m, "prev"), base+"/api/users/?start=40&max-results=10"; got != want {
				t.Errorf("prev = %q, want %q", got, want)
			}
		})

		t.Run("07 max-results=0 is an empty page without next", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/?max-results=0", "", ""), "users")
			if len(m["users"].([]any)) != 0 || m["total_results"] != float64(5) || href(m, "next") != "" {
				t.Errorf("max-results=0: %v", m)
			}
			r.fail(r.get("/api/users/?max-results=-1", "", ""), 400, 105)
		})

		t.Run("08 bad integers are 105; negative start is 0", func(t *testing.T) {
			r.t = t
			for _, key := range []string{"start", "max-results"} {
				m := r.fail(r.get("/api/users/?"+key+"=abc", "", ""), 400, 105)
				f, _ := m["fields"].(map[string]any)
				if l, _ := f[key].([]any); len(l) != 1 || l[0] != `"abc" is not an integer` {
					t.Errorf("%s=abc: %v", key, m)
				}
			}
			a := names(r.ok(r.get("/api/users/?start=-5", "", ""), "users"))
			z := names(r.ok(r.get("/api/users/", "", ""), "users"))
			if strings.Join(a, ",") != strings.Join(z, ",") {
				t.Errorf("start=-5: %v, start=0: %v", a, z)
			}
		})

		t.Run("09 self keeps the query; create never has one", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/?q=a&max-results=1", "", ""), "users")
			if got := href(m, "self"); got != base+"/api/users/?q=a&max-results=1" {
				t.Errorf("self = %q", got)
			}
			if got := href(m, "create"); got != base+"/api/users/" {
				t.Errorf("create = %q", got)
			}
		})

		t.Run("10 page links: start and max-results first, the rest sorted, last value", func(t *testing.T) {
			r.t = t
			m := r.ok(r.get("/api/users/?zz=1&q=x&q=a&max-results=1&aa=b%20c", "", ""), "users")
			if got, want := href(m, "next"), base+"/api/users/?start=1&max-results=1&aa=b+c&q=a&zz=1"; got != want {
				t.Errorf("next = %q, want %q", got, want)
			}
		})

		t.Run("11 q is a case-insensitive prefix; fullname adds names", func(t *testing.T) {
			r.t = t
			if got := names(r.ok(r.get("/api/users/?q=AL", "", ""), "users")); strings.Join(got, ",") != "alice,albert" {
				t.Errorf("q=AL: %v", got)
			}
			if got := names(r.ok(r.get("/api/users/?q=ice", "", ""), "users")); len(got) != 0 {
				t.Errorf("q=ice (substring): %v", got)
			}
			if got := names(r.ok(r.get("/api/users/?q=al&fullname=1", "", ""), "users")); strings.Join(got, ",") != "alice,albert,zoe" {
				t.Errorf("fullname by first name: %v", got)
			}
			if got := names(r.ok(r.get("/api/users/?q=priv&fullname=1", "", ""), "users")); strings.Join(got, ",") != "pat" {
				t.Errorf("fullname by last name: %v", got)
			}
		})

		t.Run("12 inactive users: left out of lists, shown by the item URL", func(t *testing.T) {
			r.t = t
			if byName(r.ok(r.get("/api/users/", "", ""), "users"), "alvin") != nil {
				t.Error("inactive user listed")
			}
			if m := r.ok(r.get("/api/users/?counts-only=1", "", ""), "users"); m["count"] != float64(5) {
				t.Errorf("count = %v", m["count"])
			}
			if byName(r.ok(r.get("/api/users/?include-inactive=TRUE", "", ""), "users"), "alvin") == nil {
				t.Error("include-inactive=TRUE leaves alvin out")
			}
			u := r.ok(r.get("/api/users/alvin/", "", ""), "user")["user"].(map[string]any)
			if u["is_active"] != false {
				t.Errorf("alvin: %v", u)
			}
		})

		t.Run("16 unknown query parameters are ignored on GET", func(t *testing.T) {
			r.t = t
			r.ok(r.get("/api/users/?frobnicate=1&only-fields=id", "", ""), "users")
		})

		t.Run("17 18 unrecognised schemes are 103", func(t *testing.T) {
			r.t = t
			for _, h := range []string{"Bearer " + r.aliceTok, "Token " + r.aliceTok, "token  " + r.aliceTok, "Basic !!!", "basic " + base64.StdEncoding.EncodeToString([]byte("alice:password-alice"))} {
				res := r.get("/api/users/", h, "")
				r.fail(res, 401, 103)
				if got := res.Header.Get("WWW-Authenticate"); got != `Basic realm="Web API"` {
					t.Errorf("%q: WWW-Authenticate = %q", h, got)
				}
			}
			// The token scheme, lower-case, works.
			u := r.ok(r.get("/api/users/alice/", token(r.aliceTok), ""), "user")["user"].(map[string]any)
			if u["email"] != "alice@example.com" {
				t.Errorf("token auth did not identify alice: %v", u)
			}
			res := r.get("/api/users/", token("nope"), "")
			r.fail(res, 401, 104)
			if got := res.Header.Get("WWW-Authenticate"); got != `Basic realm="Web API"` {
				t.Errorf("104: WWW-Authenticate = %q", got)
			}
		})

		t.Run("19 Basic takes the name or the e-mail address", func(t *testing.T) {
			r.t = t
			for _, login := range []string{"alice", "alice@example.com"} {
				u := r.ok(r.get("/api/users/alice/", basic(login, "password-alice"), ""), "user")["user"].(map[string]any)
				if u["email"] != "alice@example.com" {
					t.Errorf("%s: not identified: %v", login, u)
				}
			}
			r.fail(r.get("/api/users/", basic("alice", "wrong"), ""), 401, 104)
		})

		t.Run("19b failed logins are throttled as 104", func(t *testing.T) {
			r.t = t
			for range 5 {
				r.fail(r.get("/api/users/", basic("albert", "wrong"), ""), 401, 104)
			}
			m := r.fail(r.get("/api/users/", basic("albert", "password-albert"), ""), 401, 104)
			if e := m["err"].(map[string]any); e["msg"] != "Maximum number of login attempts exceeded." {
				t.Errorf("throttled: %v", e)
			}
		})

		t.Run("20 405 has an empty body and Allow", func(t *testing.T) {
			r.t = t
			for m, allow := range map[string]string{"DELETE": "GET, PUT, POST", "POST": "GET, PUT", "PATCH": "GET, PUT, POST"} {
				req, _ := http.NewRequest(m, base+"/api/users/alice/", nil)
				res := r.Send(req)
				if res.Status != 405 || len(res.Body) != 0 || res.Header.Get("Allow") != allow {
					t.Errorf("%s: %d %q Allow=%q", m, res.Status, res.Body, res.Header.Get("Allow"))
				}
			}
		})

		t.Run("21 XML: insertion order, 1/0 booleans; JSON sorted", func(t *testing.T) {
			r.t = t
			res := r.get("/api/users/alvin/", "", "application/xml")
			if res.Status != 200 || res.Header.Get("Content-Type") != "application/vnd.reviewboard.org.user+xml" {
				t.Fatalf("%d %s", res.Status, res.Header.Get("Content-Type"))
			}
			facetest.WellFormedXML(t, "item", res.Body)
			x := string(res.Body)
			want := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rsp>\n <stat>ok</stat>\n <user>\n  <avatar_html>\n  </avatar_html>\n  <avatar_url>https://secure.gravatar.com/avatar/00000000000000000000000000000000?s=48&amp;d=mm</avatar_url>\n  <is_active>0</is_active>\n"
			if !strings.HasPrefix(x, want) || !strings.HasSuffix(x, "\n </user>\n</rsp>") {
				t.Errorf("XML:\n%s", x)
			}
			if !strings.Contains(x, "<links>\n   <self>\n    <method>GET</method>\n    <href>"+base+"/api/users/alvin/</href>\n   </self>") {
				t.Errorf("XML links:\n%s", x)
			}
			// api_format wins over Accept.
			if res := r.get("/api/users/?api_format=xml&q=zzz", "", "application/json"); !strings.HasSuffix(string(res.Body), "<users>\n  <array>\n  </array>\n </users>\n <links>\n  <self>\n   <method>GET</method>\n   <href>"+base+"/api/users/?api_format=xml&amp;q=zzz</href>\n  </self>\n  <create>\n   <method>POST</method>\n   <href>"+base+"/api/users/</href>\n  </create>\n </links>\n <total_results>0</total_results>\n</rsp>") {
				t.Errorf("XML list:\n%s", res.Body)
			}
			j := string(r.get("/api/users/?q=zzz", "", "").Body)
			if want := `{"links": {"create": {"href": "` + base + `/api/users/", "method": "POST"}, "self": {"href": "` + base + `/api/users/?q=zzz", "method": "GET"}}, "stat": "ok", "total_results": 0, "users": []}`; j != want {
				t.Errorf("JSON:\n%s\nwant\n%s", j, want)
			}
		})

		t.Run("22 errors use the vendor error type in both formats", func(t *testing.T) {
			r.t = t
			r.fail(r.get("/api/users/nobody/", "", ""), 404, 100)
			res := r.get("/api/users/nobody/", "", "application/vnd.reviewboard.org.user+xml")
			want := "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rsp>\n <stat>fail</stat>\n <err>\n  <code>100</code>\n  <msg>Object does not exist</msg>\n  <type>resource-does-not-exist</type>\n </err>\n</rsp>"
			if res.Status != 404 || string(res.Body) != want || res.Header.Get("Content-Type") != "application/vnd.reviewboard.org.error+xml" {
				t.Errorf("%d %s\n%s", res.Status, res.Header.Get("Content-Type"), res.Body)
			}
			// Not routed: no trailing slash, a bad name, anything else.
			r.fail(r.get("/api/users", "", ""), 404, 100)
			r.fail(r.get("/api/users/a%20b/", "", ""), 404, 100)
			r.fail(r.get("/api/nothing/", "", ""), 404, 100)
			// A LIKE wildcard is a literal.
			if got := names(r.ok(r.get("/api/users/?q=a%25", "", ""), "users")); len(got) != 0 {
				t.Errorf("q=a%%: %v", got)
			}
			// APPEND_SLASH for paths of two segments or more, GET only.
			noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			hr, err := noFollow.Get(base + "/api/users/alice?x=1")
			if err != nil {
				t.Fatal(err)
			}
			hr.Body.Close()
			if loc := hr.Header.Get("Location"); hr.StatusCode != 301 || loc != base+"/api/users/alice/?x=1" {
				t.Errorf("redirect: %d %q", hr.StatusCode, loc)
			}
			// Exact, case-sensitive name.
			r.fail(r.get("/api/users/ALICE/", "", ""), 404, 100)
		})

		t.Run("23 ETag per viewer, 304", func(t *testing.T) {
			r.t = t
			a := r.get("/api/users/albert/", "", "")
			b := r.get("/api/users/albert/", token(r.aliceTok), "")
			ea, eb := a.Header.Get("ETag"), b.Header.Get("ETag")
			if ea == "" || ea == eb {
				t.Errorf("ETags %q %q", ea, eb)
			}
			for _, h := range []string{"Cache-Control", "Expires"} {
				if v := a.Header.Get(h); strings.Contains(v, "max-age") || h == "Expires" && v != "" {
					t.Errorf("%s: %q", h, v)
				}
			}
			req, _ := http.NewRequest("GET", base+"/api/users/albert/", nil)
			req.Header.Set("If-None-Match", ea)
			if res := r.Send(req); res.Status != 304 || len(res.Body) != 0 {
				t.Errorf("If-None-Match: %d %s", res.Status, res.Body)
			}
			req.Header.Set("Authorization", token(r.aliceTok))
			if res := r.Send(req); res.Status != 200 {
				t.Errorf("another viewer's ETag: %d", res.Status)
			}
		})

		t.Run("24 url relative, links absolute; the root finds users", func(t *testing.T) {
			r.t = t
			u := r.ok(r.get("/api/users/alice/", "", ""), "user")["user"].(map[string]any)
			if u["url"] != "/users/alice/" {
				t.Errorf("url = %v", u["url"])
			}
			for rel, l := range u["links"].(map[string]any) {
				if h := l.(map[string]any)["href"].(string); !strings.HasPrefix(h, base+"/api/users/alice/") {
					t.Errorf("%s = %q", rel, h)
				}
			}
			res := r.get("/api/", "", "")
			m := r.ok(res, "root")
			tm := m["uri_templates"].(map[string]any)
			if tm["users"] != base+"/api/users/" || tm["user"] != base+"/api/users/{username}/" || href(m, "users") != base+"/api/users/" {
				t.Errorf("root: %s", res.Body)
			}
			if x := r.get("/api/", "", "application/xml"); x.Header.Get("Content-Type") != "application/vnd.reviewboard.org.root+xml" {
				t.Errorf("root XML type %q", x.Header.Get("Content-Type"))
			}
		})

		t.Run("envelope keys and Item-Content-Type", func(t *testing.T) {
			r.t = t
			res := r.get("/api/users/", "", "*/*")
			var m map[string]json.RawMessage
			json.Unmarshal(res.Body, &m)
			if len(m) != 4 || m["users"] == nil || m["links"] == nil || m["total_results"] == nil || m["stat"] == nil {
				t.Errorf("keys: %s", res.Body)
			}
			if res.Header.Get("Item-Content-Type") != "application/vnd.reviewboard.org.user+json" || res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Vary") != "Accept, Cookie" {
				t.Errorf("headers: %v", res.Header)
			}
			if res := r.get("/api/users/", "", "application/json;q=0, application/xml;q=0"); res.Status != 400 || len(res.Body) != 0 {
				t.Errorf("nothing acceptable: %d %s", res.Status, res.Body)
			}
			if res := r.get("/api/users/", "", "text/html, application/xml;q=0.9"); res.Header.Get("Content-Type") != "application/vnd.reviewboard.org.users+xml" {
				t.Errorf("Accept xml;q=0.9: %s", res.Header.Get("Content-Type"))
			}
		})

		t.Run("only-fields, only-links and the JSONP callback", func(t *testing.T) {
			r.t = t
			u := r.ok(r.get("/api/users/alice/?only-fields=id,email,username&only-links=self,update", token(r.aliceTok), ""), "user")["user"].(map[string]any)
			links, _ := u["links"].(map[string]any)
			if len(u) != 4 || u["id"] != float64(r.aliceID) || u["email"] != "alice@example.com" || len(links) != 2 || links["self"] == nil || links["update"] == nil {
				t.Errorf("only-fields=id,email,username&only-links=self,update: %v", u)
			}
			// Neither reveals a hidden field; an empty only-links drops links.
			u = r.ok(r.get("/api/users/alice/?only-fields=email,username&only-links=", "", ""), "user")["user"].(map[string]any)
			if len(u) != 1 || u["username"] != "alice" {
				t.Errorf("anonymous only-fields=email,username&only-links=: %v", u)
			}
			m := r.ok(r.get("/api/users/?only-fields=&max-results=1", "", ""), "users")
			if item := m["users"].([]any)[0].(map[string]any); len(item) != 1 || item["links"] == nil || m["links"] == nil {
				t.Errorf("only-fields= keeps links only, the list's own links stay: %v", m)
			}
			res := r.get("/api/users/alice/?callback=cb.done_1", "", "")
			if body := string(res.Body); res.Status != 200 || !strings.HasPrefix(body, "cb.done_1({") || !strings.HasSuffix(body, "});") {
				t.Errorf("callback: %d %s", res.Status, body)
			}
			if res := r.get("/api/users/alice/?callback=alert(1)//", "", ""); !strings.HasPrefix(string(res.Body), "{") {
				t.Errorf("a callback that is no name wraps: %s", res.Body)
			}
		})
	})
}
