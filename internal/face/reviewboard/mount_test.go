package reviewboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestMountedAtRoot: with --mount reviewboard=/ a client that assumes
// http://HOST/api/ finds the users resource there, creates a user, and
// its session cookie covers the whole site; the native API stays at /v1.
func TestMountedAtRoot(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t), "--mount", "reviewboard=/")
	s.Admin("rootadmin", core.LevelAdmin)
	root := s.Want(s.Do("GET", "/api/", "", nil), 200)
	if tm := root["uri_templates"].(map[string]any); tm["users"] != s.Base+"/api/users/" || tm["user"] != s.Base+"/api/users/{username}/" {
		t.Errorf("templates at /: %v", tm)
	}
	req, _ := http.NewRequest("POST", s.Base+"/api/users/", strings.NewReader(url.Values{"username": {"at_root"}, "email": {"r@example.com"}, "password": {"root-password-1"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("rootadmin", "password-rootadmin")
	res := s.Send(req)
	u := s.Want(res, 201)["user"].(map[string]any)
	if u["username"] != "at_root" || u["links"].(map[string]any)["self"].(map[string]any)["href"] != s.Base+"/api/users/at_root/" {
		t.Errorf("created at /: %v", u)
	}
	if c := res.Header.Get("Set-Cookie"); !strings.HasPrefix(c, "rbsessionid=") || !strings.Contains(c, "Path=/;") {
		t.Errorf("Set-Cookie at /: %q", c)
	}
	if m := s.Want(s.Do("GET", "/v1/users?filter=name%20%3D%20%22at_root%22", "", nil), 200); len(m["users"].([]any)) != 1 {
		t.Errorf("native list: %v", m)
	}
}
