package console_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

var dayRE = regexp.MustCompile(`data-day="(\d{4}-\d\d-\d\d)" data-count="(\d+)"`)

// TestDashboard: the accounts by standing; sign-ups per day for two
// weeks, today last, deleted accounts counted, as an SVG a screen reader
// can read.
func TestDashboard(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t))
	_, adminToken := s.Admin("root", core.LevelAdmin)
	s.Signup("alice")
	bob, _ := s.Signup("bob")
	s.Want(s.Do("PATCH", "/v1/users/"+itoa(bob), adminToken, map[string]any{"banned": true}), 200)
	gone, _ := s.Signup("carol")
	s.Want(s.Do("DELETE", "/v1/users/"+itoa(gone), adminToken, nil), 204)
	today := time.Now().UTC().Format("2006-01-02")

	br := newBrowser(t, s, "/admin")
	br.mustSignIn("root")
	p := br.get("/dashboard")
	p.want(t, "dashboard", 200, `role="img"`, "<title id=\"signups-title\">Sign-ups per day: ")
	days := dayRE.FindAllStringSubmatch(p.body, -1)
	if len(days) != 14 {
		t.Fatalf("%d days charted, want 14", len(days))
	}
	if last := days[13]; last[1] != today || last[2] != "4" {
		t.Errorf("today's bar = %s with %s, want %s with 4 (root, alice, bob, deleted carol)", last[1], last[2], today)
	}
	for _, d := range days[:13] {
		if d[2] != "0" {
			t.Errorf("%s: %s sign-ups, want 0", d[1], d[2])
		}
		if d[1] >= today {
			t.Errorf("day %s is not before today", d[1])
		}
	}
	// root (admin), alice, bob (banned), deleted carol.
	for name, want := range map[string]string{"all accounts": "4", "active": "2", "not activated": "0", "banned": "1",
		"staff (moderators and above)": "1", "deleted": "1"} {
		if m := regexp.MustCompile(`data-total="` + regexp.QuoteMeta(name) + `">(\d+)<`).FindStringSubmatch(p.body); m == nil || m[1] != want {
			t.Errorf("users %s: %v, want %s", name, m, want)
		}
	}
	if !strings.Contains(p.body, "Logins per hour") {
		t.Error("the dashboard does not say why logins are not charted")
	}
}
