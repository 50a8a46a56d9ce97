package facetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// The standing rows of the authorization matrix: a banned user acting on
// their own account, where the matrix's banned column acts on another.
// One core rule (core/standing.go) refuses every write on every face;
// reads and the revocation of one's own tokens stay open. want is the
// status; e621 locks banned credentials out before any rule (401).
var bannedSelfRows = []struct {
	face, method, path, ctype, body string
	want                            int
}{
	{"native", "GET", "/v1/me", "", "", 200},
	{"native", "GET", "/v1/me/tokens", "", "", 200},
	{"native", "PATCH", "/v1/me", "", `{"bio":"still here"}`, 403},
	{"native", "PATCH", "/v1/users/{id}", "", `{"settings":{"per_page":30}}`, 403},
	{"native", "PATCH", "/v1/me", "", `{"name":"{name}"}`, 403},
	{"native", "PATCH", "/v1/me", "", `{"password":"another password","current_password":"password-{name}"}`, 403},
	{"native", "POST", "/v1/me/tokens", "", `{"label":"more"}`, 403},
	{"native", "DELETE", "/v1/users/{id}", "", "", 403},
	{"native", "DELETE", "/v1/me/tokens/{spare}", "", "", 204},
	{"danbooru", "GET", "/danbooru/profile.json", "", "", 200},
	{"danbooru", "PUT", "/danbooru/users/{id}.json", form, "user[per_page]=30", 403},
	{"danbooru", "PATCH", "/danbooru/users/{id}.json", form, "user[enable_safe_mode]=1", 403},
	// Danbooru's refused self-deletion: back to the deactivation page.
	{"danbooru", "DELETE", "/danbooru/users/{id}.json", form, "user[password]=password-{name}", 302},
	{"e621", "GET", "/e621/users/me.json", "", "", 401},
	{"e621", "PATCH", "/e621/users/{id}.json", form, "user[comment_threshold]=-5", 401},
}

// TestBannedStanding: a banned user may read but not change their own
// account, on every face; the account is unchanged afterwards.
func TestBannedStanding(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		svc := core.NewService(b.Open(t))
		ctx := context.Background()
		const name = "outcast"
		u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: name, Password: "password-" + name})
		if err != nil {
			t.Fatal(err)
		}
		key, _, err := svc.CreateToken(ctx, core.System, u.ID, "key", core.ScopeWrite)
		if err != nil {
			t.Fatal(err)
		}
		_, spare, err := svc.CreateToken(ctx, core.System, u.ID, "spare", core.ScopeWrite)
		if err != nil {
			t.Fatal(err)
		}
		before := s.Want(s.Do("GET", "/v1/me", key, nil), 200)
		if _, err := svc.UpdateUser(ctx, core.System, u.ID, core.Update{Fields: core.Patch{"banned": true}}); err != nil {
			t.Fatal(err)
		}
		for _, rw := range bannedSelfRows {
			path := strings.NewReplacer("{id}", strconv.FormatInt(u.ID, 10), "{spare}", strconv.FormatInt(spare.ID, 10)).Replace(rw.path)
			body := strings.ReplaceAll(rw.body, "{name}", name)
			req, err := http.NewRequest(rw.method, s.Base+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case rw.ctype != "":
				req.Header.Set("Content-Type", rw.ctype)
			case body != "":
				req.Header.Set("Content-Type", "application/json")
			}
			if rw.face == "native" {
				bearer(req, name, key)
			} else {
				basic(req, name, key)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != rw.want {
				t.Errorf("%s %s %s as the banned user: status %d, want %d", rw.face, rw.method, rw.path, resp.StatusCode, rw.want)
			}
		}
		after := s.Want(s.Do("GET", "/v1/me", key, nil), 200)
		after["banned"] = before["banned"]
		for _, k := range []string{"updated_at", "last_login_at", "last_ip"} { // bookkeeping
			delete(after, k)
			delete(before, k)
		}
		if a, b := mustJSON(t, after), mustJSON(t, before); a != b {
			t.Errorf("the banned account changed:\nbefore %s\nafter  %s", b, a)
		}
		// Danbooru's refusal is its access denied, before any parameter.
		r := s.Send(basicReq(t, s, "PUT", fmt.Sprintf("/danbooru/users/%d.json", u.ID), name, key, "user[bogus]=1"))
		if want := `{"success":false,"error":"Pundit::NotAuthorizedError","message":"Access denied","backtrace":[]}`; r.Status != 403 || strings.TrimSpace(string(r.Body)) != want {
			t.Errorf("Danbooru banned update = %d %s, want 403 %s", r.Status, r.Body, want)
		}
		// The native refusal names the reason.
		p := s.Want(s.Do("POST", "/v1/me/tokens", key, map[string]any{"label": "x"}), 403)
		if !strings.Contains(p["detail"].(string), "banned") {
			t.Errorf("token refusal = %v", p)
		}
	})
}

// TestBannedStaff: a ban takes staff powers away on every face: a banned
// moderator neither changes others nor reads what only staff read.
func TestBannedStaff(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, owner := s.Admin("boss", core.LevelOwner)
		memberID, _ := s.Signup("plain")
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", memberID), owner, map[string]any{"email": "plain@example.com"}), 200)
		modID, mod := s.Admin("fallen", core.LevelModerator)
		modKey := s.Token("fallen", "key")
		// Before the ban the moderator reads the member's e-mail.
		if g := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", memberID), mod, nil), 200); g["email"] != "plain@example.com" {
			t.Fatalf("moderator's view = %v", g)
		}
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", modID), owner, map[string]any{"banned": true}), 200)

		if g := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", memberID), mod, nil), 200); g["email"] != nil {
			t.Errorf("banned moderator still reads e-mail: %v", g)
		}
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", memberID), mod, map[string]any{"banned": true}), 403)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", memberID), mod, map[string]any{"level": 10}), 403)
		if r := s.Send(basicReq(t, s, "PUT", fmt.Sprintf("/danbooru/admin/users/%d.json", memberID), "fallen", modKey, "user[level]=10")); r.Status != 403 {
			t.Errorf("Danbooru level change by a banned moderator = %d %s", r.Status, r.Body)
		}
		if r := s.Send(basicReq(t, s, "GET", fmt.Sprintf("/danbooru/users/%d.json", memberID), "fallen", modKey, "")); r.Status != 200 || strings.Contains(string(r.Body), "last_ip_addr") {
			t.Errorf("Danbooru show to a banned moderator = %d %s", r.Status, r.Body)
		}
		if g := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", memberID), owner, nil), 200); g["banned"] != false || g["level"] != float64(20) {
			t.Errorf("the member changed: %v", g)
		}
	})
}

// TestRenameCooldown: users rename themselves once per cooldown, the
// history keeps every name, admins rename at any time.
func TestRenameCooldown(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("chief", core.LevelAdmin)
		id, tok := s.Signup("mover")
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"name": "mover2"}), 200)
		p := s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"name": "mover3"}), 403)
		if p["errors"].(map[string]any)["name"] != "was changed less than 7 days ago" || !strings.Contains(p["detail"].(string), "once every 7 days") {
			t.Errorf("refusal = %v", p)
		}
		// Other changes, and the same name in the same case, still go through.
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"name": "mover2", "bio": "moved"}), 200)
		// An admin renames the member, and themselves, freely.
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"name": "mover4"}), 200)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"name": "mover5"}), 200)
		s.Want(s.Do("PATCH", "/v1/me", admin, map[string]any{"name": "chief2"}), 200)
		s.Want(s.Do("PATCH", "/v1/me", admin, map[string]any{"name": "chief3"}), 200)
		// The admin's rename restarts the member's wait.
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"name": "mover6"}), 403)
		h := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d/names", id), "", nil), 200)
		var got []string
		for _, n := range h["names"].([]any) {
			got = append(got, n.(map[string]any)["new_name"].(string))
		}
		if strings.Join(got, ",") != "mover2,mover4,mover5" {
			t.Errorf("history = %v", got)
		}

		// Concurrent renames of one account: one wins.
		_, tok2 := s.Signup("racer")
		statuses := make(chan int, 8)
		for i := range 8 {
			go func() {
				statuses <- s.Do("PATCH", "/v1/me", tok2, map[string]any{"name": fmt.Sprintf("racer_%d", i)}).Status
			}()
		}
		won := 0
		for range 8 {
			switch st := <-statuses; st {
			case 200:
				won++
			case 403:
			default:
				t.Errorf("concurrent rename: status %d", st)
			}
		}
		if won != 1 {
			t.Errorf("concurrent renames: %d succeeded, want 1", won)
		}
	})
}

// TestRenameCooldownFlag: --rename-cooldown sets the wait; 0 lifts it.
func TestRenameCooldownFlag(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--rename-cooldown", "0")
		_, tok := s.Signup("free")
		for _, n := range []string{"free2", "free3", "free4"} {
			s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"name": n}), 200)
		}
		s = facetest.Start(t, b, "--rename-cooldown", "36h")
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"name": "free5"}), 403)
	})
}

// The hidden-search rows of the authorization matrix: searches and sorts
// on fields a face hides, per caller, with the upstream grants on (the
// default) and off (--upstream-hidden-search=false). A want is "n" (200
// with n users), or another status. The target has favorite_count 40
// and an updated_at after 2001.
var hiddenSearchRows = []struct {
	path    string
	on, off string // anon member mod admin
}{
	// Danbooru searches updated_at and favorite_count for anyone; off, it
	// ignores both keys for everyone (no one sees them on every user).
	{"/danbooru/users.json?search[name]=target&search[favorite_count]=41", "0 0 0 0", "1 1 1 1"},
	{"/danbooru/users.json?search[name]=target&search[favorite_count]=40", "1 1 1 1", "1 1 1 1"},
	{"/danbooru/users.json?search[name]=target&search[updated_at]=..2001-01-01", "0 0 0 0", "1 1 1 1"},
	{"/danbooru/users.json?search[name]=target&search[updated_at_lt]=2001-01-01", "0 0 0 0", "1 1 1 1"},
	{"/danbooru/users.json?search[name]=target&search[favorite_count_gt]=39", "1 1 1 1", "1 1 1 1"},
	{"/danbooru/users.json?search[name]=target&search[favorite_count_gt]=40", "0 0 0 0", "1 1 1 1"},
	{"/danbooru/users.json?search[inviter][favorite_count]=40", "3 3 3 3", "3 3 3 3"},
	{"/danbooru/users.json?search[inviter][favorite_count]=41", "0 0 0 0", "3 3 3 3"},
	// e621ng permits search[updated_at] to anyone; off, it is unpermitted.
	{"/e621/users.json?search[name_matches]=target&search[updated_at]=..2001-01-01", "0 0 0 0", "403 403 403 403"},
	{"/e621/users.json?search[name_matches]=target", "1 1 1 1", "1 1 1 1"},
	// Admins search e-mail addresses and last addresses they are not shown.
	{"/e621/users.json?search[email_matches]=*@example.com", "403 403 403 1", "403 403 403 403"},
	{"/e621/users.json?search[ip_addr]=10.0.0.0/8", "403 403 403 0", "403 403 403 403"},
	// The native API has no grants: staff see updated_at on every user.
	{"/v1/users?filter=" + url.QueryEscape(`name = "target" && updated_at < "2001-01-01T00:00:00Z"`), "403 403 0 0", "403 403 0 0"},
	{"/v1/users?sort=updated_at", "403 403 4 4", "403 403 4 4"},
}

// TestHiddenSearchMatrix runs hiddenSearchRows against two servers on
// one database, the grants on and off, and checks that no sort or only=
// shows updated_at or favorite_count to other users.
func TestHiddenSearchMatrix(t *testing.T) {
	who := []string{"anon", "member", "mod", "admin"}
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		svc := core.NewService(b.Open(t))
		ctx := context.Background()
		target, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: "target",
			Fields: core.Patch{"favorite_count": int64(40), "email": "target@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		keys := map[string]string{}
		for _, c := range who[1:] {
			level := map[string]int{"member": core.LevelMember, "mod": core.LevelModerator, "admin": core.LevelAdmin}[c]
			u, err := svc.CreateUser(ctx, core.System, core.NewUser{Name: c, Fields: core.Patch{"level": int64(level), "inviter_id": target.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if keys[c], _, err = svc.CreateToken(ctx, core.System, u.ID, "k", core.ScopeWrite); err != nil {
				t.Fatal(err)
			}
		}
		servers := map[string]*facetest.Server{"on": facetest.Start(t, b), "off": facetest.Start(t, b, "--upstream-hidden-search=false")}
		get := func(s *facetest.Server, caller, path string) facetest.Response {
			t.Helper()
			req, err := http.NewRequest("GET", s.Base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if caller != "anon" {
				if strings.HasPrefix(path, "/v1/") {
					bearer(req, caller, keys[caller])
				} else {
					basic(req, caller, keys[caller])
				}
			}
			return s.Send(req)
		}
		for _, mode := range []string{"on", "off"} {
			s := servers[mode]
			for _, rw := range hiddenSearchRows {
				want := strings.Fields(map[string]string{"on": rw.on, "off": rw.off}[mode])
				for i, caller := range who {
					if got := outcome(get(s, caller, rw.path)); got != want[i] {
						t.Errorf("%s as %s, upstream hidden search %s: %s, want %s", rw.path, caller, mode, got, want[i])
					}
				}
			}
			// Sorting asks for no hidden field: an unknown order is the default.
			for _, face := range []string{"/danbooru/users.json?search[order]=", "/e621/users.json?search[order]="} {
				for _, caller := range who {
					if a, d := get(s, caller, face+"updated_at"), get(s, caller, face+"id"); a.Status != 200 || string(a.Body) != string(d.Body) {
						t.Errorf("%supdated_at as %s (%s): %d, differs from the default order", face, caller, mode, a.Status)
					}
				}
			}
			// only= shows hidden fields to nobody but the user.
			for _, caller := range who {
				for _, path := range []string{
					fmt.Sprintf("/danbooru/users/%d.json?only=id,updated_at,favorite_count", target.ID),
					"/danbooru/users.json?search[name]=target&only=id,updated_at,favorite_count,inviter",
				} {
					r := get(s, caller, path)
					if r.Status != 200 || strings.Contains(string(r.Body), "updated_at") || strings.Contains(string(r.Body), "favorite_count") {
						t.Errorf("%s as %s: %d %s", path, caller, r.Status, r.Body)
					}
				}
				path := "/danbooru/users.json?search[name]=" + caller + "&only=updated_at,favorite_count,inviter[id,favorite_count]"
				if r := get(s, caller, path); caller != "anon" && (!strings.Contains(string(r.Body), `"favorite_count":0`) || strings.Contains(string(r.Body), `"favorite_count":40`)) {
					t.Errorf("%s as %s: %s (own count shown, the inviter's hidden)", path, caller, r.Body)
				}
			}
		}
	})
}

// outcome is "n" for a 200 listing n users, else the status.
func outcome(r facetest.Response) string {
	if r.Status != 200 {
		return strconv.Itoa(r.Status)
	}
	var list []json.RawMessage
	if json.Unmarshal(r.Body, &list) == nil {
		return strconv.Itoa(len(list))
	}
	var page struct{ Users []json.RawMessage }
	if err := json.Unmarshal(r.Body, &page); err != nil {
		return "200 " + string(r.Body)
	}
	return strconv.Itoa(len(page.Users))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// basicReq is a request to a Rails face with HTTP Basic credentials and
// an optional form body.
func basicReq(t *testing.T, s *facetest.Server, method, path, name, key, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, s.Base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", form)
	}
	basic(req, name, key)
	return req
}
