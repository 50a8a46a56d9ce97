package facetest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/facetest"
)

// TestResponseHeaders checks the headers the face kit puts on every face:
// nosniff everywhere, no-store on every private answer and every error.
func TestResponseHeaders(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		id, token := s.Signup("hdruser")
		key := s.Token("hdruser", "hdr")
		basic := "login=hdruser&api_key=" + url.QueryEscape(key)
		type check struct {
			method, path, token string
			body                any
			private             bool // must be no-store
		}
		checks := []check{
			{"GET", "/healthz", "", nil, false},
			{"GET", "/metrics", "", nil, false},
			{"GET", "/v1/openapi.json", "", nil, false},
			{"GET", fmt.Sprintf("/v1/users/%d", id), "", nil, false},
			{"GET", "/v1/users?limit=2", "", nil, false},
			{"GET", "/danbooru/users.json", "", nil, false},
			{"GET", "/e621/users.json", "", nil, false},
			{"GET", "/e621/user/index.json", "", nil, false},
			{"GET", "/nowhere", "", nil, true},
			// Anything answered to credentials.
			{"GET", fmt.Sprintf("/v1/users/%d", id), token, nil, true},
			{"GET", "/v1/users?limit=2", token, nil, true},
			{"GET", "/v1/me", token, nil, true},
			{"GET", "/v1/me/tokens", token, nil, true},
			{"POST", "/v1/me/tokens", token, map[string]any{"label": "x"}, true},
			{"POST", "/v1/login", "", map[string]any{"name": "hdruser", "password": "password-hdruser"}, true},
			{"GET", "/danbooru/profile.json?" + basic, "", nil, true},
			{"GET", "/danbooru/users.json?" + basic, "", nil, true},
			{"GET", "/e621/users/me.json?" + basic, "", nil, true},
			{"GET", "/e621/users.json?expiry=7&" + basic, "", nil, true},
			// Errors.
			{"GET", "/v1/me", "", nil, true},
			{"GET", "/v1/users/999999", "", nil, true},
			{"GET", "/v1/users?filter=" + url.QueryEscape("level >="), "", nil, true},
			{"POST", "/v1/login", "", map[string]any{"name": "hdruser", "password": "wrong-password"}, true},
			{"GET", "/danbooru/users/999999.json", "", nil, true},
			{"GET", "/danbooru/profile.json", "", nil, false}, // the anonymous profile, as upstream
			{"GET", "/e621/users/999999.json", "", nil, true},
			{"GET", "/e621/users/999999/upload_limit.json", "", nil, true},
		}
		for _, c := range checks {
			r := s.Do(c.method, c.path, c.token, c.body)
			what := fmt.Sprintf("%s %s (token %v) → %d", c.method, c.path, c.token != "", r.Status)
			if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
			}
			if cc := r.Header.Get("Cache-Control"); c.private && cc != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", what, cc)
			}
		}
	})
}

// TestCORS checks each face's cross-origin policy: Danbooru's and e621's
// as upstream (doc.go of each), the native API's from --cors-origins,
// none by default.
func TestCORS(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		req := func(s *facetest.Server, method, path, origin string, preflight bool) facetest.Response {
			t.Helper()
			r, err := http.NewRequest(method, s.Base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if origin != "" {
				r.Header.Set("Origin", origin)
			}
			if preflight {
				r.Header.Set("Access-Control-Request-Method", "PATCH")
				r.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			return s.Send(r)
		}
		acao := func(r facetest.Response) string { return r.Header.Get("Access-Control-Allow-Origin") }
		const site = "https://app.example.com"

		// Native, default: no CORS at all.
		if r := req(s, "GET", "/v1/users", site, false); r.Status != 200 || acao(r) != "" {
			t.Errorf("native GET with Origin: %d, Access-Control-Allow-Origin %q; want 200 and none", r.Status, acao(r))
		}
		if r := req(s, "OPTIONS", "/v1/users", site, true); acao(r) != "" || r.Status < 400 {
			t.Errorf("native preflight by default: %d, Access-Control-Allow-Origin %q; want an error and none", r.Status, acao(r))
		}
		// Danbooru: * on every response, no preflight (the catch-all 404).
		if r := req(s, "GET", "/danbooru/users.json", "", false); acao(r) != "*" {
			t.Errorf("danbooru GET: Access-Control-Allow-Origin %q, want *", acao(r))
		}
		if r := req(s, "OPTIONS", "/danbooru/users.json", site, true); r.Status != 404 || acao(r) != "*" {
			t.Errorf("danbooru preflight: %d, Access-Control-Allow-Origin %q; want 404 and *", r.Status, acao(r))
		}
		// e621: rack-cors, every origin and method.
		if r := req(s, "GET", "/e621/users.json", site, false); acao(r) != "*" {
			t.Errorf("e621 GET: Access-Control-Allow-Origin %q, want *", acao(r))
		}
		if r := req(s, "OPTIONS", "/e621/users.json", site, true); r.Status != 200 || acao(r) != "*" ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "PATCH") {
			t.Errorf("e621 preflight: %d, headers %v", r.Status, r.Header)
		}

		// Native with an allow-list.
		s2 := facetest.Start(t, b, "--cors-origins", site+",http://localhost:3000")
		r := req(s2, "OPTIONS", "/v1/users/1", site, true)
		if r.Status != 204 || acao(r) != site || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "PATCH") ||
			!strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")), "authorization") {
			t.Errorf("native preflight from a listed origin: %d, headers %v", r.Status, r.Header)
		}
		if r := req(s2, "GET", "/v1/users", "HTTP://LOCALHOST:3000", false); r.Status != 200 || acao(r) != "HTTP://LOCALHOST:3000" ||
			!strings.Contains(r.Header.Get("Vary"), "Origin") {
			t.Errorf("native GET from a listed origin: %d, headers %v", r.Status, r.Header)
		}
		for _, other := range []string{"https://evil.example", "https://app.example.com.evil.example", "null"} {
			if r := req(s2, "GET", "/v1/users", other, false); acao(r) != "" {
				t.Errorf("native GET from %s: Access-Control-Allow-Origin %q", other, acao(r))
			}
			if r := req(s2, "OPTIONS", "/v1/users", other, true); acao(r) != "" || r.Status == 204 {
				t.Errorf("native preflight from %s: %d, Access-Control-Allow-Origin %q", other, r.Status, acao(r))
			}
		}
	})
}

// TestErrorBodiesLeakNothing provokes errors on every face and checks
// that no body carries a stack trace, source position, SQL or a driver's
// name.
func TestErrorBodiesLeakNothing(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, token := s.Signup("leakuser")
		q := url.QueryEscape
		huge := "99999999999999999999999"
		type probe struct {
			method, path, ctype, body string
		}
		probes := []probe{
			{"GET", "/v1/users?filter=" + q("level >="), "", ""},
			{"GET", "/v1/users?filter=" + q("level > "+huge), "", ""},
			// 64-bit bounds: only the body is checked here; the status
			// is the bounded-data work's (a 500 on PostgreSQL before it).
			{"GET", "/v1/users?filter=" + q("level > 9223372036854775807") + "&x=any", "", ""},
			{"GET", "/v1/users?filter=" + q("level < -9223372036854775808") + "&x=any", "", ""},
			{"GET", "/v1/users?filter=" + q(`created_at > "0000-13-45T99:00:00Z"`), "", ""},
			{"GET", "/v1/users?filter=" + q(`name like "\`), "", ""},
			{"GET", "/v1/users?filter=" + q(`password_hash = "x"`), "", ""},
			{"GET", "/v1/users?sort=password_hash", "", ""},
			{"GET", "/v1/users?limit=" + huge, "", ""},
			{"GET", "/v1/users?cursor=" + q("'; DROP TABLE users; --"), "", ""},
			{"GET", "/v1/users?page=" + huge, "", ""},
			{"GET", "/v1/users/" + huge, "", ""},
			{"GET", "/v1/users/%00", "", ""},
			{"POST", "/v1/users", "application/json", `{"name":`},
			{"POST", "/v1/users", "application/json", `{"name":"a","name":"b"}`},
			{"POST", "/v1/users", "application/json", `{"name":"ok_name","password":"long enough","profile":{"bio":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}}`},
			{"POST", "/v1/users", "application/json", `{"name":"bad\u0000name","password":"long enough"}`},
			{"POST", "/v1/users", "text/plain", `{}`},
			{"POST", "/v1/login", "application/json", `{"name":1}`},
			{"PATCH", "/v1/me", "application/json", `{"profile":{"date_of_birth":"0000-01-01"}}`},
			{"PATCH", "/v1/me", "application/json", `{"settings":{"per_page":` + huge + `}}`},
			{"GET", "/danbooru/users.json?search[id]=abc", "", ""},
			{"GET", "/danbooru/users.json?search[level]=" + huge, "", ""},
			{"GET", "/danbooru/users.json?search[level]=>" + huge, "", ""},
			{"GET", "/danbooru/users.json?search[name_matches]=" + q(`\`), "", ""},
			{"GET", "/danbooru/users.json?search[created_at]=" + q("not a date"), "", ""},
			{"GET", "/danbooru/users.json?search[order]=" + q("password_hash"), "", ""},
			{"GET", "/danbooru/users.json?page=b" + huge, "", ""},
			{"GET", "/danbooru/users.json?limit=" + huge, "", ""},
			{"GET", "/danbooru/users.json?search[id]=1..." + huge, "", ""},
			{"GET", "/danbooru/users/" + huge + ".json", "", ""},
			{"GET", "/danbooru/users.json?search[name]=x&search[name][]=y", "", ""},
			{"POST", "/danbooru/users.json", "application/json", `{"user":`},
			{"POST", "/danbooru/users.json", "application/x-www-form-urlencoded", "user[name]=%zz"},
			{"GET", "/e621/users.json?search[level]=" + huge, "", ""},
			{"GET", "/e621/users.json?search[id]=" + huge, "", ""},
			{"GET", "/e621/users.json?search[created_at]=" + q("yesterday at noon?"), "", ""},
			{"GET", "/e621/users.json?search[name_matches]=" + q("[*"), "", ""},
			{"GET", "/e621/users.json?page=" + huge, "", ""},
			{"GET", "/e621/users.json?page=a" + huge, "", ""},
			{"GET", "/e621/users.json?limit=" + huge, "", ""},
			{"GET", "/e621/users/" + huge + ".json", "", ""},
			{"GET", "/e621/user/show.json?id=abc", "", ""},
			{"GET", "/e621/user/index.xml?level=" + huge, "", ""},
			{"POST", "/e621/users.json", "application/json", `{"user": `},
			{"POST", "/e621/users.json", "multipart/form-data; boundary=x", "--x\r\nbroken"},
		}
		errs := 0
		for _, p := range probes {
			req, err := http.NewRequest(p.method, s.Base+p.path, strings.NewReader(p.body))
			if err != nil {
				t.Fatal(err)
			}
			if p.ctype != "" {
				req.Header.Set("Content-Type", p.ctype)
			}
			if strings.HasPrefix(p.path, "/v1/me") {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			r := s.Send(req)
			if r.Status >= 500 && !strings.HasSuffix(p.path, "&x=any") {
				t.Errorf("%s %s: %d\n%s", p.method, p.path, r.Status, r.Body)
			}
			if r.Status >= 400 {
				errs++
			}
			if leak := leaked(string(r.Body)); leak != "" {
				t.Errorf("%s %s: %d body shows %q:\n%s", p.method, p.path, r.Status, leak, r.Body)
			}
		}
		if errs < len(probes)/2 {
			t.Errorf("only %d of %d probes were errors: the probes no longer provoke what they should", errs, len(probes))
		}
		t.Logf("%d probes, %d errors", len(probes), errs)
	})
}

// leaked returns the first sign of internals in a body, or "".
func leaked(body string) string {
	lower := strings.ToLower(body)
	for _, m := range []string{"goroutine ", ".go:", "runtime.", "panic", "sqlite", "sqlstate", "pq:", "pgx", "pgconn",
		"syntax error at", "database/sql", "sql: ", "modernc", "/usr/local/go", "/root/go"} {
		if strings.Contains(lower, m) {
			return m
		}
	}
	for _, m := range []string{"SELECT ", " FROM users", " WHERE ", "INSERT INTO", "UPDATE users", "COLLATE"} {
		if strings.Contains(body, m) {
			return m
		}
	}
	return ""
}

// TestJSONMediaTypes checks that only application/json and +json types
// are read as JSON bodies: the native API answers others 415, Danbooru
// and e621 read no parameters from them (as Rails does from a type it
// does not know) and keep their form bodies.
func TestJSONMediaTypes(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		id, token := s.Signup("mtuser")
		for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"} {
			if r := s.DoType("PATCH", fmt.Sprintf("/v1/users/%d", id), token, `{"profile":{"bio":"via `+ct+`"}}`, ct); r.Status != 200 {
				t.Errorf("native PATCH as %q: %d\n%s", ct, r.Status, r.Body)
			}
		}
		for _, ct := range []string{"application/jsonp", "application/jsonx", "application/x-json", "text/json", "text/x-json",
			"application/jsonrequest", "text/plain", "application/x-www-form-urlencoded", "+json", "text/+json", "application/json;;", "none"} {
			r := s.DoType("PATCH", fmt.Sprintf("/v1/users/%d", id), token, `{"profile":{"bio":"via `+ct+`"}}`, ct)
			if ct == "none" {
				req, _ := http.NewRequest("PATCH", s.Base+fmt.Sprintf("/v1/users/%d", id), strings.NewReader(`{"profile":{"bio":"none"}}`))
				req.Header.Set("Authorization", "Bearer "+token)
				r = s.Send(req)
			}
			if r.Status != 415 {
				t.Errorf("native PATCH as %q: %d, want 415\n%s", ct, r.Status, r.Body)
			}
		}
		if m := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), token, nil), 200); m["profile"].(map[string]any)["bio"] != "via application/merge-patch+json" {
			t.Errorf("bio = %v after the refused types", m["profile"])
		}

		// Danbooru and e621 sign-ups: a JSON body under a look-alike type
		// carries no parameters, so no user is made; JSON and forms work.
		signup := func(path, name, ct string) int {
			body := `{"user":{"name":"` + name + `","password":"correct-horse-battery","password_confirmation":"correct-horse-battery"}}`
			if ct == "application/x-www-form-urlencoded" {
				body = "user[name]=" + name + "&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery"
			}
			return s.DoType("POST", path, "", body, ct).Status
		}
		for _, f := range []struct{ face, path string }{{"db", "/danbooru/users.json"}, {"e6", "/e621/users.json"}} {
			for i, ct := range []string{"application/jsonp", "text/json", "text/plain"} {
				name := fmt.Sprintf("%s_mt_bad%d", f.face, i)
				signup(f.path, name, ct)
				if r := s.Do("GET", "/v1/users/"+name, "", nil); r.Status != 404 {
					t.Errorf("%s sign-up as %q made user %s (%d)", f.face, ct, name, r.Status)
				}
			}
			for i, ct := range []string{"application/json; charset=utf-8", "application/vnd.api+json", "application/x-www-form-urlencoded"} {
				name := fmt.Sprintf("%s_mt_ok%d", f.face, i)
				if st := signup(f.path, name, ct); st != 201 {
					t.Errorf("%s sign-up as %q: %d, want 201", f.face, ct, st)
				}
			}
		}
	})
}
