package drf_test

import (
	"strings"
	"testing"

	"usersd/internal/facetest"
)

// TestThrottle covers DRF's throttling (spec/drf.md §6): per user for
// signed-in callers, per address for anonymous ones, after
// authentication and permission and before the method check, 429 with
// whole seconds in the body and Retry-After.
func TestThrottle(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFixture(t, b, "/drf", "--drf-rates=user=2/min,anon=1/s")
		f.staff("a")
		f.staff("b")
		f.user("member", nil)
		for range 2 {
			if r := f.get("/users/", "a"); r.Status != 200 {
				t.Fatalf("within the rate: %d %s", r.Status, r.Body)
			}
		}
		for _, m := range []string{"GET", "DELETE"} { // before the method (405)
			r := f.req(m, "/users/", "a", nil, "")
			f.want(r, 429, `{"detail":"Request was throttled. Expected available in 30 seconds."}`)
			if r.Header.Get("Retry-After") != "30" {
				t.Errorf("%s: Retry-After %q", m, r.Header.Get("Retry-After"))
			}
		}
		// Another user's token is counted apart.
		if r := f.get("/users/", "b"); r.Status != 200 {
			t.Errorf("another user: %d %s", r.Status, r.Body)
		}
		// Authentication and permission come first.
		f.want(f.req("GET", "/users/", "", map[string]string{"Authorization": "Token nosuchkey"}, ""), 401, `{"detail":"Invalid token."}`)
		for range 3 {
			f.want(f.get("/users/", "member"), 403, `{"detail":"You do not have permission to perform this action."}`)
		}
		// Anonymous callers reach the login route, counted per address;
		// a wait under a second reads "1 second".
		body := `{"username":"nobody","password":"x"}`
		jsonType := map[string]string{"Content-Type": "application/json"}
		var got []string
		for range 5 {
			r := f.req("POST", "/auth/login/", "", jsonType, body)
			got = append(got, string(r.Body))
			if r.Status == 429 {
				f.want(r, 429, `{"detail":"Request was throttled. Expected available in 1 second."}`)
				if r.Header.Get("Retry-After") != "1" {
					t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
				}
				return
			}
		}
		t.Errorf("five logins at 1/s were never throttled: %s", strings.Join(got, " "))
	})
}
