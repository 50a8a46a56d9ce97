package facetest_test

// Users made through the Review Board and DRF faces are the same users on
// every face: the same id, name and (to those shown them) e-mail address
// and names; each logs in with its password through the other faces; a
// Review Board update shows on DRF.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

func TestCrossFaceWrites(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, token := s.Admin("cross_admin", core.LevelAdmin)
		basic := func(req *http.Request) *http.Request {
			req.SetBasicAuth("cross_admin", "password-cross_admin")
			return req
		}
		drf := func(req *http.Request) *http.Request { req.Header.Set("Authorization", "Token "+token); return req }
		send := func(auth func(*http.Request) *http.Request, method, path, contentType, body string, status int) map[string]any {
			t.Helper()
			req, err := http.NewRequest(method, s.Base+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			return s.Want(s.Send(auth(req)), status)
		}

		type made struct {
			id                                 int64
			name, password, email, first, last string
		}
		rb := made{name: "rb_made", password: "rb-password-1", email: "rb.made@example.com", first: "Rhea", last: "Board"}
		form := url.Values{"username": {rb.name}, "password": {rb.password}, "email": {rb.email}, "first_name": {rb.first}, "last_name": {rb.last}}
		m := send(basic, "POST", "/reviewboard/api/users/", "application/x-www-form-urlencoded", form.Encode(), 201)
		rb.id = int64(m["user"].(map[string]any)["id"].(float64))

		dj := made{name: "drf_made", password: "drf-password-1", email: "drf.made@example.com", first: "Django", last: "Rest"}
		m = send(drf, "POST", "/drf/users/", "application/json",
			fmt.Sprintf(`{"username":%q,"password":%q,"email":%q,"first_name":%q,"last_name":%q}`, dj.name, dj.password, dj.email, dj.first, dj.last), 201)
		dj.id = int64(m["id"].(float64))
		if rb.id == dj.id || rb.id == 0 || dj.id == 0 {
			t.Fatalf("ids %d and %d", rb.id, dj.id)
		}

		for _, u := range []made{rb, dj} {
			nat := facetest.FlatUser(t, s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", u.id), token, nil), 200))
			for k, want := range map[string]any{"name": u.name, "email": u.email, "first_name": u.first, "last_name": u.last, "active": true} {
				if nat[k] != want {
					t.Errorf("native %s of %s = %v, want %v", k, u.name, nat[k], want)
				}
			}
			if got := s.Want(s.Do("GET", fmt.Sprintf("/danbooru/users/%d.json", u.id), "", nil), 200)["name"]; got != u.name {
				t.Errorf("Danbooru name of %d = %v", u.id, got)
			}
			if got := s.Want(s.Do("GET", fmt.Sprintf("/e621/users/%d.json", u.id), "", nil), 200)["name"]; got != u.name {
				t.Errorf("e621 name of %d = %v", u.id, got)
			}
			if got := s.Want(s.Do("GET", "/pronouns/api/v1/users/"+u.name, "", nil), 200)["name"]; got != u.name {
				t.Errorf("pronouns.cc name of %s = %v", u.name, got)
			}
			ru := send(basic, "GET", "/reviewboard/api/users/"+u.name+"/", "", "", 200)["user"].(map[string]any)
			du := send(drf, "GET", fmt.Sprintf("/drf/users/%d/", u.id), "", "", 200)
			for k, want := range map[string]any{"id": float64(u.id), "username": u.name, "email": u.email, "first_name": u.first, "last_name": u.last, "is_active": true} {
				if ru[k] != want {
					t.Errorf("Review Board %s of %s = %v, want %v", k, u.name, ru[k], want)
				}
				if du[k] != want {
					t.Errorf("DRF %s of %s = %v, want %v", k, u.name, du[k], want)
				}
			}
			// The password works on the other faces.
			s.Login(u.name, u.password)
			send(func(r *http.Request) *http.Request { return r }, "POST", "/drf/auth/login/", "application/json",
				fmt.Sprintf(`{"username":%q,"password":%q}`, u.name, u.password), 200)
			send(func(r *http.Request) *http.Request { r.SetBasicAuth(u.name, u.password); return r }, "GET", "/reviewboard/api/users/"+u.name+"/", "", "", 200)
		}

		// An update through Review Board shows on DRF and the native API.
		send(basic, "PUT", "/reviewboard/api/users/"+dj.name+"/", "application/x-www-form-urlencoded", "first_name=Djangoa&is_active=0", 200)
		du := send(drf, "GET", fmt.Sprintf("/drf/users/%d/", dj.id), "", "", 200)
		if du["first_name"] != "Djangoa" || du["is_active"] != false {
			t.Errorf("DRF after the Review Board update: first_name %v, is_active %v", du["first_name"], du["is_active"])
		}
		if nat := facetest.FlatUser(t, s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", dj.id), token, nil), 200)); nat["first_name"] != "Djangoa" || nat["active"] != false {
			t.Errorf("native after the Review Board update: first_name %v, active %v", nat["first_name"], nat["active"])
		}
	})
}
