package e621_test

import (
	"net/url"
	"testing"

	"usersd/internal/facetest"
)

// TestSignupNameRule: e621 sign-ups go through the core's name rule after
// the face's own: look-alikes of existing names (made on any face) exist
// already, and every face's route words are reserved (issue 7).
func TestSignupNameRule(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, root := s.Admin("root", 50)
		s.Want(s.Do("POST", "/v1/users", root, map[string]any{"name": "bill"}), 201)
		signup := func(name string) facetest.Response {
			return s.DoType("POST", "/e621/users.json", "", "user[name]="+url.QueryEscape(name)+
				"&user[password]=correct-horse-battery&user[password_confirmation]=correct-horse-battery", "application/x-www-form-urlencoded")
		}
		for _, tt := range []struct{ name, body string }{
			{"bi11", `{"errors":{"name":["already exists"]}}`},
			{"BILL", `{"errors":{"name":["already exists"]}}`},
			{"upload_limit", `{"errors":{"name":["is reserved"]}}`},
			{"deactivate", `{"errors":{"name":["is reserved"]}}`},
			{"l2", `{"errors":{"name":["may not look like a number"]}}`},
		} {
			if r := signup(tt.name); r.Status != 422 || string(r.Body) != tt.body {
				t.Errorf("sign-up %q: %d %s, want 422 %s", tt.name, r.Status, r.Body, tt.body)
			}
		}
		if r := signup("new_fox"); r.Status != 201 {
			t.Errorf("sign-up new_fox: %d %s", r.Status, r.Body)
		}
	})
}
