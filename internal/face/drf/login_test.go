package drf_test

import (
	"context"
	"encoding/json"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// TestLogin covers POST /auth/login/ (spec/drf.md §2) with the face at
// "/", as a DRF client expects it.
func TestLogin(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/")
		ctx := context.Background()
		mk := func(name string, level int) {
			u, err := f.svc.CreateUser(ctx, core.System, core.NewUser{Name: name, Password: "password-" + name, Fields: core.Patch{"level": int64(level)}})
			if err != nil {
				t.Fatal(err)
			}
			f.ids[name] = u.ID
		}
		mk("boss", core.LevelModerator)
		mk("off", core.LevelMember)
		if _, err := f.svc.Face(core.NativeProfile).UpdateUser(ctx, core.System, f.ids["off"], core.Update{Fields: core.Patch{"active": false}}); err != nil {
			t.Fatal(err)
		}
		jsonType := map[string]string{"Content-Type": "application/json"}
		key := func(r facetest.Response) string {
			t.Helper()
			var m map[string]string
			if r.Status != 200 || decode(r.Body, &m) != nil || m["key"] == "" {
				t.Fatalf("login: %d %s", r.Status, r.Body)
			}
			return m["key"]
		}
		k1 := key(f.req("POST", "/auth/login/", "", jsonType, `{"username":"boss","password":"password-boss"}`))
		k2 := key(f.req("POST", "/auth/login/", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "username=boss&password=password-boss"))
		if k1 == k2 {
			t.Error("two logins gave one key; each login mints a new one")
		}
		for _, k := range []string{k1, k2} {
			if r := f.req("GET", "/users/", "", map[string]string{"Authorization": "Token " + k}, ""); r.Status != 200 {
				t.Errorf("GET /users/ with a login key: %d %s", r.Status, r.Body)
			}
		}
		for body, want := range map[string]string{
			`{"username":"boss","password":"wrong"}`: `{"non_field_errors":["Unable to log in with provided credentials."]}`,
			`{"username":"nobody","password":"x"}`:   `{"non_field_errors":["Unable to log in with provided credentials."]}`,
			// Django's ModelBackend refuses inactive users before the
			// serializer's "User account is disabled." branch can run.
			`{"username":"off","password":"password-off"}`: `{"non_field_errors":["Unable to log in with provided credentials."]}`,
			`{"username":"boss"}`:                          `{"password":["This field is required."]}`,
			`{"username":"","password":""}`:                `{"password":["This field may not be blank."],"username":["This field may not be blank."]}`,
		} {
			f.want(f.req("POST", "/auth/login/", "", jsonType, body), 400, want)
		}
		if r := f.req("POST", "/auth/login/", "", jsonType, `{"username":`); r.Status != 400 || !containsDetail(r.Body, "JSON parse error - ") {
			t.Errorf("malformed JSON: %d %s", r.Status, r.Body)
		}
		f.want(f.req("POST", "/auth/login/", "", map[string]string{"Content-Type": "text/plain"}, "x"), 415, `{"detail":"Unsupported media type \"text/plain\" in request."}`)
		r := f.req("GET", "/auth/login/", "", nil, "")
		f.want(r, 405, `{"detail":"Method \"GET\" not allowed."}`)
		if r.Header.Get("Allow") != "POST, OPTIONS" {
			t.Errorf("Allow %q", r.Header.Get("Allow"))
		}
	})
}

func decode(b []byte, v any) error { return json.Unmarshal(b, v) }

func containsDetail(b []byte, prefix string) bool {
	var m map[string]string
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	return len(m["detail"]) > len(prefix) && m["detail"][:len(prefix)] == prefix
}
