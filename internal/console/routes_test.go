package console_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"usersd/internal/console"
	"usersd/internal/core"
	"usersd/internal/facetest"
)

// routeRow is what each kind of caller gets from one route: anonymous
// (also a member, who never gets a session), a moderator on an admin, an
// admin on a member. Paths name the target as {id}.
type routeRow struct {
	path                  string
	anon, modOnAdmin, own int
}

// routeRows has a row for every console route; a route without one fails
// TestRoutes, so a new page must say who may reach it.
var routeRows = map[string]routeRow{
	"GET /static/{file}":                       {"/static/console.css", 200, 200, 200},
	"GET /login":                               {"/login", 200, 200, 200},
	"POST /login":                              {"/login", 403, 403, 403}, // no sign-in form token
	"POST /logout":                             {"/logout", 403, 303, 303},
	"GET /{$}":                                 {"/", 303, 200, 200},
	"GET /dashboard":                           {"/dashboard", 303, 200, 200},
	"GET /users/{id}":                          {"/users/{id}", 303, 200, 200},
	"GET /users/{id}/{action}":                 {"/users/{id}/ban", 303, 200, 200},
	"POST /users/{id}/{action}":                {"/users/{id}/ban", 403, 403, 303},
	"GET /audit":                               {"/audit", 303, 403, 200},
	"GET /webhooks":                            {"/webhooks", 303, 403, 200},
	"POST /webhooks":                           {"/webhooks", 403, 403, 400}, // no URL, no events
	"GET /webhooks/{id}":                       {"/webhooks/{hook}", 303, 403, 200},
	"GET /webhooks/{id}/{action}":              {"/webhooks/{hook}/test", 303, 403, 200},
	"POST /webhooks/{id}/{action}":             {"/webhooks/{hook}/test", 403, 403, 303},
	"GET /webhooks/{id}/deliveries/{d}":        {"/webhooks/{hook}/deliveries/{delivery}", 303, 403, 200},
	"GET /webhooks/{id}/deliveries/{d}/retry":  {"/webhooks/{hook}/deliveries/{delivery}/retry", 303, 403, 200},
	"POST /webhooks/{id}/deliveries/{d}/retry": {"/webhooks/{hook}/deliveries/{delivery}/retry", 403, 403, 409}, // still pending
}

// TestRoutes: every route of the console against its row, for callers
// without a session and for staff on someone they do or do not outrank.
func TestRoutes(t *testing.T) {
	for _, r := range console.Routes() {
		if _, ok := routeRows[r]; !ok {
			t.Errorf("route %q has no row in routeRows", r)
		}
	}
	for r := range routeRows {
		if !slices.Contains(console.Routes(), r) {
			t.Errorf("routeRows has %q, which is not a route", r)
		}
	}
	s := facetest.Start(t, facetest.SQLite(t))
	adminID, adminToken := s.Admin("root", core.LevelAdmin)
	s.Admin("mod", core.LevelModerator)
	memberID, _ := s.Signup("member")
	// A webhook whose test delivery stays pending: nothing listens on
	// port 1, and the next attempt is a minute away.
	hook := s.Want(s.Do("POST", "/v1/webhooks", adminToken, map[string]any{"url": "http://127.0.0.1:1/", "events": []string{"*"}}), 201)["id"].(float64)
	delivery := s.Want(s.Do("POST", "/v1/webhooks/"+itoa(int64(hook))+"/test", adminToken, nil), 202)["id"].(float64)
	anon := newBrowser(t, s, "/admin")
	anon.get("/login") // a form token for the posts that carry one
	mod := newBrowser(t, s, "/admin")
	mod.mustSignIn("mod")
	admin := newBrowser(t, s, "/admin")
	admin.mustSignIn("root")
	// Logouts last: they end the session.
	routes := slices.SortedFunc(slices.Values(console.Routes()), func(a, b string) int {
		return strings.Compare(strings.Replace(a, "logout", "~", 1), strings.Replace(b, "logout", "~", 1))
	})
	for _, r := range routes {
		row := routeRows[r]
		method, _, _ := strings.Cut(r, " ")
		for _, c := range []struct {
			who    string
			b      *browser
			target int64
			want   int
		}{
			{"anonymous", anon, memberID, row.anon},
			{"moderator on admin", mod, adminID, row.modOnAdmin},
			{"admin on member", admin, memberID, row.own},
		} {
			path := strings.NewReplacer("{id}", itoa(c.target), "{hook}", itoa(int64(hook)), "{delivery}", itoa(int64(delivery))).Replace(row.path)
			var p page
			if method == "POST" {
				form := url.Values{}
				if r == "POST /login" {
					form.Set("csrf", "") // the session's token is not the sign-in form's
				}
				p = c.b.post(path, form)
			} else {
				p = c.b.get(path)
			}
			if p.status != c.want {
				t.Errorf("%s %s as %s: %d, want %d", method, path, c.who, p.status, c.want)
			}
		}
	}
}
