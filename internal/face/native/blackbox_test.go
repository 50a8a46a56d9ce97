package native_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

func TestUserLifecycle(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		adminID, admin := s.Admin("root", 50)

		// Sign-up answers 201 with the user as they see themselves.
		m := s.Want(s.Do("POST", "/v1/users", "", map[string]any{"name": "Alice", "password": "correct horse", "email": "Alice@Example.com"}), 201)
		id := int64(m["id"].(float64))
		if m["name"] != "Alice" || m["email"] != "Alice@Example.com" || m["level"] != float64(20) || m["password"] != nil || m["password_hash"] != nil {
			t.Fatalf("created = %v", m)
		}
		// Site settings sit in their site's group, not among identity.
		if _, ok := m["blacklisted_tags"]; ok || group(t, m, "danbooru")["blacklisted_tags"] == nil {
			t.Errorf("created user's Danbooru settings = %v (top level blacklisted_tags present: %v)", m["danbooru"], ok)
		}
		_, tok := s.Login("alice", "correct horse")

		// Get by id and by name in another case; anonymous callers see no e-mail.
		for _, ref := range []string{fmt.Sprint(id), "alice", "ALICE"} {
			g := s.Want(s.Do("GET", "/v1/users/"+ref, "", nil), 200)
			if g["id"] != float64(id) || g["name"] != "Alice" {
				t.Errorf("GET %s = %v", ref, g)
			}
			if _, ok := g["email"]; ok {
				t.Errorf("GET %s shows email to anonymous", ref)
			}
		}
		s.Want(s.Do("GET", "/v1/users/nobody", "", nil), 404)

		// A user edits their own profile and settings, but not their standing.
		u := s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), tok, map[string]any{
			"profile": map[string]any{"bio": "hello", "links": []string{"https://a.example"}}, "settings": map[string]any{"per_page": 50}}), 200)
		if group(t, u, "profile")["bio"] != "hello" || group(t, u, "settings")["per_page"] != float64(50) {
			t.Errorf("patched = %v", u)
		}
		// Flat names, as clients wrote them before the groups, still work.
		if u := s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"member_title": "Alice's"}), 200); group(t, u, "profile")["member_title"] != "Alice's" {
			t.Errorf("flat patch = %v", u)
		}
		r := s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), tok, map[string]any{"level": 40, "bio": "sneaky"})
		if p := s.Want(r, 403); p["errors"].(map[string]any)["level"] == nil {
			t.Errorf("403 names no field: %v", p)
		}
		if g := s.Want(s.Do("GET", "/v1/me", tok, nil), 200); group(t, g, "profile")["bio"] != "hello" || g["level"] != float64(20) {
			t.Errorf("a refused PATCH changed something: %v", g)
		}
		// Staff edit standing.
		if u := s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"level": 30, "banned": true}), 200); u["level"] != float64(30) || u["banned"] != true {
			t.Errorf("admin patch = %v", u)
		}
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", adminID), admin, map[string]any{"level": 40}), 403) // not on themselves
		// A banned user changes nothing of their own, then is unbanned.
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"bio": "banned"}), 403)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"banned": false}), 200)

		// Renames by the user are recorded in the name history.
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"name": "Alicia"}), 200)
		h := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d/names", id), "", nil), 200)
		names := h["names"].([]any)
		if len(names) != 1 || names[0].(map[string]any)["old_name"] != "Alice" || names[0].(map[string]any)["new_name"] != "Alicia" {
			t.Errorf("history = %v", h)
		}
		s.Want(s.Do("GET", "/v1/users/alicia", "", nil), 200)

		// Password change needs the current password.
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"password": "new password 1"}), 400)
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"password": "new password 1", "current_password": "wrong"}), 400)
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"password": "new password 1", "current_password": "correct horse"}), 200)
		s.Login("alicia", "new password 1")

		// Soft delete by the user: gone for others, tokens stop working.
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/users/%d", id), tok, nil), 204)
		s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), "", nil), 404)
		s.Want(s.Do("GET", "/v1/me", tok, nil), 401)
		if g := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), admin, nil), 200); g["deleted"] != true || g["deleted_at"] == nil || g["email"] != "Alice@Example.com" {
			t.Errorf("admin view of deleted = %v", g)
		}
		if n := s.Total("", `name = "alicia"`); n != 0 {
			t.Errorf("deleted user listed to anonymous: %d", n)
		}
		if n := s.Total(admin, `name = "alicia" && deleted = true`); n != 1 {
			t.Errorf("staff filter on deleted = %d", n)
		}
		// A deleted account's right password is refused as a wrong one is.
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "alicia", "password": "new password 1"}), 401)
		// Restore by an admin brings everything back.
		if g := s.Want(s.Do("POST", fmt.Sprintf("/v1/users/%d/restore", id), admin, nil), 200); g["deleted"] != false || g["deleted_at"] != nil {
			t.Errorf("restored = %v", g)
		}
		s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), "", nil), 200)
		s.Login("alicia", "new password 1")
	})
}

// seedUsers creates users through the admin API (no passwords, so no
// hashing time) and returns their ids in creation order.
func seedUsers(t *testing.T, s *facetest.Server, admin string) []int64 {
	type spec struct {
		name  string
		level int
		email string
		posts int
	}
	specs := []spec{
		{"apple", 20, "apple@example.com", 5}, {"Banana", 30, "", 1}, {"cherry", 20, "c@example.com", 9},
		{"apricot", 40, "", 0}, {"blueberry", 20, "b@example.com", 5}, {"Avocado", 31, "", 2},
		{"date", 10, "d@example.com", 7}, {"grape_fruit", 20, "", 3}, {"kiwi", 35, "k@example.com", 5},
		{"pineapple", 20, "", 8},
	}
	var ids []int64
	for _, sp := range specs {
		body := map[string]any{"name": sp.name, "level": sp.level, "counters": map[string]any{"post_upload_count": sp.posts}}
		if sp.email != "" {
			body["email"] = sp.email
		}
		m := s.Want(s.Do("POST", "/v1/users", admin, body), 201)
		ids = append(ids, int64(m["id"].(float64)))
	}
	return ids
}

func listIDs(t *testing.T, m map[string]any) []int64 {
	t.Helper()
	out := []int64{}
	for _, u := range m["users"].([]any) {
		out = append(out, int64(u.(map[string]any)["id"].(float64)))
	}
	return out
}

func TestList(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		adminID, admin := s.Admin("root", 50)
		ids := seedUsers(t, s, admin)
		pick := func(is ...int) []int64 {
			out := []int64{}
			for _, i := range is {
				out = append(out, ids[i])
			}
			return out
		}
		tests := []struct {
			filter string
			token  string
			want   []int64
		}{
			{`level = 20`, "", pick(0, 2, 4, 7, 9)},
			{`level != 20 && id != ` + fmt.Sprint(adminID), "", pick(1, 3, 5, 6, 8)},
			{`level > 31 && level < 50`, "", pick(3, 8)},
			{`level >= 31 && level <= 35`, "", pick(5, 8)},
			{`name contains "app"`, "", pick(0, 9)},
			{`name contains "APP"`, "", pick(0, 9)},
			{`name startswith "a"`, "", pick(0, 3, 5)},
			{`name like "*err*"`, "", pick(2, 4)},
			{`name like "b*"`, "", pick(1, 4)},
			{`name like "grape_fruit"`, "", pick(7)},
			{`name = "BANANA"`, "", pick(1)},
			{`name in ("kiwi", "DATE")`, "", pick(6, 8)},
			{`id in (` + fmt.Sprintf("%d, %d", ids[2], ids[3]) + `)`, "", pick(2, 3)},
			{`email is null && id != ` + fmt.Sprint(adminID), admin, pick(1, 3, 5, 7, 9)},
			{`email is not null`, admin, pick(0, 2, 4, 6, 8)},
			{`(level = 10 || level = 40) && post_upload_count >= 0`, "", pick(3, 6)},
			{`!(level <= 30) && id != ` + fmt.Sprint(adminID), "", pick(3, 5, 8)},
			{`post_upload_count = 5 && (name startswith "k" || name startswith "a")`, "", pick(0, 8)},
			{`banned = false && level = 35`, "", pick(8)},
		}
		for _, tt := range tests {
			m := s.Want(s.Do("GET", "/v1/users?limit=100&total=true&filter="+url.QueryEscape(tt.filter), tt.token, nil), 200)
			if got := listIDs(t, m); !slices.Equal(got, tt.want) {
				t.Errorf("filter %s: ids %v, want %v", tt.filter, got, tt.want)
			}
			if m["total"] != float64(len(tt.want)) {
				t.Errorf("filter %s: total %v, want %d", tt.filter, m["total"], len(tt.want))
			}
		}

		// Multi-field sort: level descending, then name ascending (case-insensitive), id last.
		m := s.Want(s.Do("GET", "/v1/users?limit=100&sort=-level,name", "", nil), 200)
		var got []string
		for _, u := range m["users"].([]any) {
			got = append(got, u.(map[string]any)["name"].(string))
		}
		want := []string{"root", "apricot", "kiwi", "Avocado", "Banana", "apple", "blueberry", "cherry", "grape_fruit", "pineapple", "date"}
		if !slices.Equal(got, want) {
			t.Errorf("sorted names %v, want %v", got, want)
		}
		if m["next_cursor"] != nil {
			t.Errorf("one page has a next cursor: %v", m["next_cursor"])
		}

		// Offset pages and cursor pages walk the same sequence.
		all := listIDs(t, s.Want(s.Do("GET", "/v1/users?limit=100&sort=-post_upload_count", "", nil), 200))
		var byPage, byCursor []int64
		for p := 1; p <= 4; p++ {
			byPage = append(byPage, listIDs(t, s.Want(s.Do("GET", fmt.Sprintf("/v1/users?limit=3&page=%d&sort=-post_upload_count", p), "", nil), 200))...)
		}
		cursor := ""
		for range 10 {
			q := "/v1/users?limit=3&sort=-post_upload_count&total=true"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			m := s.Want(s.Do("GET", q, "", nil), 200)
			if m["total"] != float64(11) {
				t.Errorf("total on a cursor page = %v, want 11", m["total"])
			}
			byCursor = append(byCursor, listIDs(t, m)...)
			next, _ := m["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(byPage, all) || !slices.Equal(byCursor, all) {
			t.Errorf("pages %v / cursor %v, want %v", byPage, byCursor, all)
		}
		// A cursor from one sort order is refused under another.
		first := s.Want(s.Do("GET", "/v1/users?limit=2&sort=name", "", nil), 200)
		s.Want(s.Do("GET", "/v1/users?limit=2&sort=-name&cursor="+url.QueryEscape(first["next_cursor"].(string)), "", nil), 400)

		// Field selection.
		m = s.Want(s.Do("GET", "/v1/users?limit=2&fields=id,name,email", "", nil), 200)
		for _, u := range m["users"].([]any) {
			keys := slices.Sorted(mapKeys(u.(map[string]any)))
			if !slices.Equal(keys, []string{"id", "name"}) {
				t.Errorf("fields=id,name,email as anonymous gave %v", keys)
			}
		}
		if _, ok := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d?fields=name", ids[0]), "", nil), 200)["id"]; ok {
			t.Error("fields=name on show still renders id")
		}
		// Groups select whole, dotted names one member; hidden ones stay absent.
		m = s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d?fields=id,counters,profile.bio,profile.timezone,settings", ids[0]), "", nil), 200)
		if keys := slices.Sorted(mapKeys(m)); !slices.Equal(keys, []string{"counters", "id", "profile"}) {
			t.Errorf("fields=id,counters,profile.bio,profile.timezone,settings as anonymous gave %v", keys)
		}
		if p := group(t, m, "profile"); len(p) != 1 || group(t, m, "counters")["post_upload_count"] != float64(5) {
			t.Errorf("selected profile %v, counters %v", p, m["counters"])
		}
		for _, bad := range []string{"bio", "nickname", "profile.nickname", "settings.bio"} {
			p := s.Want(s.Do("GET", "/v1/users?fields="+bad, "", nil), 400)
			if p["errors"].(map[string]any)["fields"] == nil {
				t.Errorf("fields=%s: %v", bad, p)
			}
		}
		// Filtering on a field the caller may not read would leak it.
		s.Want(s.Do("GET", "/v1/users?filter="+url.QueryEscape(`email = "apple@example.com"`), "", nil), 403)
		s.Want(s.Do("GET", "/v1/users?sort=updated_at", "", nil), 403)
	})
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestConcurrentSignup(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		statuses := make([]int, 50)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Names differ only in case: one identity.
				name := "Racer"
				if i%2 == 1 {
					name = "rAcEr"
				}
				statuses[i] = s.Do("POST", "/v1/users", "", map[string]any{"name": name, "password": "password123"}).Status
			}()
		}
		wg.Wait()
		counts := map[int]int{}
		for _, st := range statuses {
			counts[st]++
		}
		if counts[201] != 1 || counts[409] != 49 {
			t.Errorf("statuses %v, want one 201 and 49 409", counts)
		}
		if n := s.Total("", `name = "racer"`); n != 1 {
			t.Errorf("%d users named racer", n)
		}
	})
}

// group returns the named group object of a native user, or an empty map
// when the user has none.
func group(t *testing.T, u map[string]any, name string) map[string]any {
	t.Helper()
	switch g := u[name].(type) {
	case nil:
		return map[string]any{}
	case map[string]any:
		return g
	default:
		t.Fatalf("group %s is not an object: %v", name, u[name])
		return nil
	}
}

// privateFields must never reach anonymous callers or other non-staff
// users, whatever the registry says; this list is written from
// spec/fields.md independently of it.
var privateFields = []string{
	"email", "email_key", "name_key", "first_name_key", "last_name_key", "password_hash", "last_ip", "last_login_at",
	"updated_at", "deleted_at", "timezone", "timezone_rails", "language", "date_of_birth", "gender", "phone",
	"attributes", "attributes_kwargs", "localized_attributes", "localized_attributes_kwargs", "email_allowed",
	"sms_allowed", "call_allowed", "per_page", "comment_threshold", "blacklisted_tags", "favorite_tags", "custom_style",
	"theme", "enable_private_favorites", "dmail_filter_words", "recent_tags", "unread_dmail_count", "private_profile",
	"list_private", "requires_verification", "email_verified", "anonymized", "user_type", "last_sid_reroll_at",
	"last_forum_read_at", "no_flagging", "replacements_beta",
}

// neverFields are never rendered to anyone.
var neverFields = []string{"password_hash", "name_key", "email_key", "first_name_key", "last_name_key", "timezone_rails"}

func TestVisibility(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, modTok := s.Admin("mod", 40)
		pubID, pubTok := s.Signup("public")
		privID, privTok := s.Signup("private")
		_, otherTok := s.Signup("other")
		for i, tok := range []string{pubTok, privTok} {
			s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{
				"email": fmt.Sprintf("u%d@example.com", i), "first_name": "First",
				"profile": map[string]any{"bio": "bio", "timezone": "Europe/Paris"},
			}), 200)
		}
		s.Want(s.Do("PATCH", "/v1/me", privTok, map[string]any{"private_profile": true}), 200)
		// Give the targets a last_ip and last_login_at.
		s.Want(s.Do("GET", "/v1/me", pubTok, nil), 200)

		type viewer struct {
			name  string
			token func(target int64) string
			self  bool
			staff bool
			user  bool
		}
		viewers := []viewer{
			{"anonymous", func(int64) string { return "" }, false, false, false},
			{"other member", func(int64) string { return otherTok }, false, false, true},
			{"self", func(id int64) string {
				if id == pubID {
					return pubTok
				}
				return privTok
			}, true, false, true},
			{"moderator", func(int64) string { return modTok }, false, true, true},
		}
		for _, target := range []struct {
			id      int64
			private bool
		}{{pubID, false}, {privID, true}} {
			for _, v := range viewers {
				tok := v.token(target.id)
				// facetest.FlatUser lifts the groups' members, so presence is asked by
				// field name wherever the representation nests it; it also
				// fails on a group rendered empty instead of left out.
				raw := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", target.id), tok, nil), 200)
				show := facetest.FlatUser(t, raw)
				list := s.Want(s.Do("GET", fmt.Sprintf("/v1/users?filter=id+%%3D+%d", target.id), tok, nil), 200)
				listed := facetest.FlatUser(t, list["users"].([]any)[0].(map[string]any))
				for _, f := range core.Fields {
					var want bool
					switch f.Read {
					case core.ReadAnon:
						want = true
					case core.ReadUser:
						want = v.self || v.staff || (v.user && !target.private)
					case core.ReadSelf:
						want = v.self || v.staff
					}
					for where, m := range map[string]map[string]any{"show": show, "list": listed} {
						if _, got := m[f.Name]; got != want {
							t.Errorf("%s viewing %s (private %v), %s: field %s present = %v, want %v", v.name, s.Backend.Name, target.private, where, f.Name, got, want)
						}
					}
				}
				for _, name := range neverFields {
					if _, ok := show[name]; ok {
						t.Errorf("%s sees never-rendered %s", v.name, name)
					}
				}
				if !v.self && !v.staff {
					// Groups of only private fields are left out whole.
					for _, g := range []string{"settings", "danbooru"} {
						if _, ok := raw[g]; ok {
							t.Errorf("%s sees the %s group of user %d: %v", v.name, g, target.id, raw[g])
						}
					}
					for _, name := range privateFields {
						if _, ok := show[name]; ok {
							t.Errorf("%s sees private %s of user %d", v.name, name, target.id)
						}
						if _, ok := listed[name]; ok {
							t.Errorf("%s sees private %s of user %d in a list", v.name, name, target.id)
						}
					}
				}
			}
		}
		// Token listings never include secrets or their hashes.
		s.Want(s.Do("POST", "/v1/me/tokens", pubTok, map[string]any{"label": "x"}), 201)
		r := s.Do("GET", "/v1/me/tokens", pubTok, nil)
		if strings.Contains(string(r.Body), "usd_") || strings.Contains(string(r.Body), "hash") {
			t.Errorf("token list leaks secrets: %s", r.Body)
		}
	})
}

// TestBadInput: every kind of bad input gets a clear 4xx problem and
// changes nothing.
func TestBadInput(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("root", 50)
		id, tok := s.Signup("taken")
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"email": "taken@example.com"}), 200)
		me := fmt.Sprintf("/v1/users/%d", id)
		huge := `{"name":"x","password":"` + strings.Repeat("a", 2<<20) + `"}`
		clauses := strings.TrimSuffix(strings.Repeat("id = 1 || ", 10000), " || ")
		tests := []struct {
			name        string
			method      string
			path        string
			token       string
			body        any
			contentType string
			status      int
			field       string // expected key of "errors", if any
		}{
			{"malformed JSON", "POST", "/v1/users", "", `{"name": "x",`, "", 400, ""},
			{"not an object", "POST", "/v1/users", "", `["x"]`, "", 400, ""},
			{"trailing data", "POST", "/v1/users", "", `{"name":"abc","password":"password1"} {}`, "", 400, ""},
			{"duplicate key", "POST", "/v1/users", "", `{"name":"abc","name":"abd","password":"password1"}`, "", 400, "name"},
			{"unknown field", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "nickname": "x"}, "", 400, "nickname"},
			{"hidden field", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "password_hash": "x"}, "", 400, "password_hash"},
			{"wrong type", "POST", "/v1/users", "", map[string]any{"name": 5, "password": "password1"}, "", 400, "name"},
			// Problems are named as the client spelled the field: nested
			// (settings.per_page) or, for flat-name clients, flat.
			{"wrong type field", "PATCH", me, tok, `{"settings": {"per_page": "ten"}}`, "", 400, "settings.per_page"},
			{"wrong type flat field", "PATCH", me, tok, map[string]any{"per_page": "ten"}, "", 400, "per_page"},
			{"fraction", "PATCH", me, tok, `{"settings": {"per_page": 1.5}}`, "", 400, "settings.per_page"},
			{"out of range", "PATCH", me, tok, `{"settings": {"per_page": 1000}}`, "", 400, "settings.per_page"},
			{"out of range flat", "PATCH", me, tok, map[string]any{"per_page": 1000}, "", 400, "per_page"},
			{"bad enum", "PATCH", me, tok, `{"settings": {"theme": "neon"}}`, "", 400, "settings.theme"},
			{"bad time zone", "PATCH", me, tok, `{"profile": {"timezone": "Mars/Base"}}`, "", 400, "profile.timezone"},
			{"bad date", "PATCH", me, tok, `{"profile": {"date_of_birth": "2020-02-30"}}`, "", 400, "profile.date_of_birth"},
			{"too many links", "PATCH", me, tok, map[string]any{"profile": map[string]any{"links": make([]string, 26)}}, "", 400, "profile.links"},
			{"NUL in text", "PATCH", me, tok, `{"profile": {"bio": "a\u0000b"}}`, "", 400, "profile.bio"},
			{"NUL in JSON", "PATCH", me, tok, `{"profile": {"custom_preferences": {"k": "a\u0000"}}}`, "", 400, "profile.custom_preferences"},
			{"field given flat and nested", "PATCH", me, tok, `{"bio": "a", "profile": {"bio": "b"}}`, "", 400, "profile.bio"},
			{"duplicate key in a group", "PATCH", me, tok, `{"profile": {"bio": "a", "bio": "b"}}`, "", 400, "profile.bio"},
			{"field in the wrong group", "PATCH", me, tok, `{"settings": {"bio": "a"}}`, "", 400, "settings.bio"},
			{"unknown field in a group", "PATCH", me, tok, `{"danbooru": {"nickname": "a"}}`, "", 400, "danbooru.nickname"},
			{"group not an object", "PATCH", me, tok, `{"profile": "a"}`, "", 400, "profile"},
			{"standing in a group", "PATCH", me, tok, `{"e621": {"can_upload_free": true}}`, "", 403, "e621.can_upload_free"},
			{"oversize body", "POST", "/v1/users", "", huge, "", 413, ""},
			{"invalid UTF-8", "POST", "/v1/users", "", []byte("{\"name\":\"a\xffb\",\"password\":\"password1\"}"), "", 400, ""},
			{"form content type", "POST", "/v1/users", "", `{"name":"abc","password":"password1"}`, "application/x-www-form-urlencoded", 415, ""},
			{"name with space", "POST", "/v1/users", "", map[string]any{"name": "a b", "password": "password1"}, "", 400, "name"},
			{"name with slash", "POST", "/v1/users", "", map[string]any{"name": "a/b", "password": "password1"}, "", 400, "name"},
			{"empty name", "POST", "/v1/users", "", map[string]any{"name": "", "password": "password1"}, "", 400, "name"},
			{"long name", "POST", "/v1/users", "", map[string]any{"name": strings.Repeat("é", 151), "password": "password1"}, "", 400, "name"},
			{"reserved name", "POST", "/v1/users", "", map[string]any{"name": "User_12", "password": "password1"}, "", 400, "name"},
			{"missing name", "POST", "/v1/users", "", map[string]any{"password": "password1"}, "", 400, "name"},
			{"short password", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "short"}, "", 400, "password"},
			{"missing password", "POST", "/v1/users", "", map[string]any{"name": "abc"}, "", 400, "password"},
			{"bad email", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "email": "nope"}, "", 400, "email"},
			{"duplicate name other case", "POST", "/v1/users", "", map[string]any{"name": "TAKEN", "password": "password1"}, "", 409, "name"},
			{"duplicate email other case", "POST", "/v1/users", "", map[string]any{"name": "abc", "password": "password1", "email": "Taken@Example.com"}, "", 409, "email"},
			{"rename onto taken", "PATCH", "/v1/me", admin, map[string]any{"name": "Taken"}, "", 409, "name"},
			{"page size 1001", "GET", "/v1/users?limit=1001", "", nil, "", 400, "limit"},
			{"page size 0", "GET", "/v1/users?limit=0", "", nil, "", 400, "limit"},
			{"page size text", "GET", "/v1/users?limit=ten", "", nil, "", 400, "limit"},
			{"page too deep", "GET", "/v1/users?limit=1000&page=500", "", nil, "", 400, "page"},
			{"unknown parameter", "GET", "/v1/users?limt=5", "", nil, "", 400, "limt"},
			{"filter on unknown field", "GET", "/v1/users?filter=" + url.QueryEscape(`nickname = "x"`), "", nil, "", 400, "nickname"},
			{"filter on secret field", "GET", "/v1/users?filter=" + url.QueryEscape(`password_hash = "x"`), admin, nil, "", 400, "password_hash"},
			{"filter syntax", "GET", "/v1/users?filter=" + url.QueryEscape(`level >`), "", nil, "", 400, "filter"},
			{"filter wrong type", "GET", "/v1/users?filter=" + url.QueryEscape(`level = "high"`), "", nil, "", 400, "level"},
			{"filter bad operator", "GET", "/v1/users?filter=" + url.QueryEscape(`level contains "2"`), "", nil, "", 400, "level"},
			{"filter short substring", "GET", "/v1/users?filter=" + url.QueryEscape(`name contains "ab"`), "", nil, "", 400, "name"},
			{"filter with 10000 clauses", "GET", "/v1/users?filter=" + url.QueryEscape(clauses), "", nil, "", 400, "filter"},
			{"sort on unknown field", "GET", "/v1/users?sort=nickname", "", nil, "", 400, "sort"},
			{"bad cursor", "GET", "/v1/users?cursor=not-a-cursor", "", nil, "", 400, "cursor"},
			{"fields names unknown field", "GET", "/v1/users?fields=id,nickname", "", nil, "", 400, "fields"},
			{"fields names a grouped field flat", "GET", me + "?fields=bio", "", nil, "", 400, "fields"},
			{"bad token", "GET", "/v1/me", "usd_nope", nil, "", 401, ""},
			{"no token", "GET", "/v1/me", "", nil, "", 401, ""},
			{"unknown route", "GET", "/v1/nothing", "", nil, "", 404, ""},
			{"wrong method", "PUT", "/v1/users", "", nil, "", 405, ""},
			{"non-numeric id", "PATCH", "/v1/users/abc", tok, map[string]any{"bio": "x"}, "", 404, ""},
			{"NUL in a name lookup", "GET", "/v1/users/a%00b", "", nil, "", 404, ""},
			{"NUL in a login name", "POST", "/v1/login", "", map[string]any{"name": "a\u0000b", "password": "password1"}, "", 401, ""},
		}
		before := s.Want(s.Do("GET", "/v1/users?total=true&limit=1000", admin, nil), 200)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := s.DoType(tt.method, tt.path, tt.token, tt.body, tt.contentType)
				if r.Status != tt.status {
					t.Fatalf("status = %d, want %d\n%.300s", r.Status, tt.status, r.Body)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type = %q", ct)
				}
				p := r.JSON(t)
				if p["status"] != float64(tt.status) || p["title"] == "" || p["detail"] == "" || p["type"] == "" {
					t.Errorf("problem = %v", p)
				}
				if tt.field != "" {
					errs, _ := p["errors"].(map[string]any)
					if errs[tt.field] == nil {
						t.Errorf("errors = %v, want a reason for %q", p["errors"], tt.field)
					}
				}
			})
		}
		after := s.Want(s.Do("GET", "/v1/users?total=true&limit=1000", admin, nil), 200)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("bad input changed the store:\nbefore %v\nafter  %v", before, after)
		}
	})
}

func TestTokens(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		id, login := s.Signup("tokenuser")
		_, other := s.Signup("someone")

		created := s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "deploy"}), 201)
		secret, _ := created["token"].(string)
		if !strings.HasPrefix(secret, "usd_") || created["label"] != "deploy" || created["scope"] != "write" {
			t.Fatalf("created token = %v", created)
		}
		ro := s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "reader", "scope": "read"}), 201)

		// The new token authenticates, and its use is recorded.
		if me := s.Want(s.Do("GET", "/v1/me", secret, nil), 200); me["id"] != float64(id) {
			t.Errorf("token authenticates as %v", me["id"])
		}
		list := s.Want(s.Do("GET", "/v1/me/tokens", login, nil), 200)["tokens"].([]any)
		if len(list) != 3 { // the login token and two API tokens
			t.Fatalf("tokens = %v", list)
		}
		var deploy map[string]any
		for _, x := range list {
			if m := x.(map[string]any); m["label"] == "deploy" {
				deploy = m
			}
			if _, ok := x.(map[string]any)["token"]; ok {
				t.Errorf("listing shows a secret: %v", x)
			}
		}
		if deploy == nil || deploy["last_used_at"] == nil || deploy["uses"] != float64(1) || deploy["last_used_ip"] != "127.0.0.1" {
			t.Errorf("deploy token usage = %v", deploy)
		}

		// Read-scoped tokens may not write.
		s.Want(s.Do("PATCH", "/v1/me", ro["token"].(string), map[string]any{"bio": "x"}), 403)
		s.Want(s.Do("GET", "/v1/me", ro["token"].(string), nil), 200)

		// Others cannot revoke it; the owner can, and then it stops working.
		tokID := int64(created["id"].(float64))
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/me/tokens/%d", tokID), other, nil), 404)
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/me/tokens/%d", tokID), login, nil), 204)
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/me/tokens/%d", tokID), login, nil), 404)
		r := s.Do("GET", "/v1/me", secret, nil)
		s.Want(r, 401)
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without a Bearer challenge: %v", r.Header)
		}
		s.Want(s.Do("GET", "/v1/me/tokens", "", nil), 401)
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": strings.Repeat("x", 101)}), 400)
		s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"scope": "admin"}), 400)
	})
}

func TestLogin(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--login-account-limit", "3", "--login-addr-limit", "8")
		s.Want(s.Do("POST", "/v1/users", "", map[string]any{"name": "Walter", "password": "right password", "email": "W@Example.com"}), 201)

		for _, body := range []map[string]any{
			{"name": "walter", "password": "right password"},
			{"name": "WALTER", "password": "right password"},
			{"email": "w@example.COM", "password": "right password"},
		} {
			m := s.Want(s.Do("POST", "/v1/login", "", body), 200)
			if u := m["user"].(map[string]any); u["name"] != "Walter" || u["last_login_at"] == nil || u["email"] == nil {
				t.Errorf("login %v: user = %v", body, u)
			}
		}
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"password": "x"}), 400)
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "walter", "email": "w@example.com", "password": "x"}), 400)
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "walter"}), 400)

		// Unknown user and wrong password look the same.
		unknown := s.Do("POST", "/v1/login", "", map[string]any{"name": "nobody", "password": "x"})
		wrong := s.Do("POST", "/v1/login", "", map[string]any{"name": "walter", "password": "wrong"})
		s.Want(unknown, 401)
		s.Want(wrong, 401)
		if unknown.JSON(t)["detail"] != wrong.JSON(t)["detail"] {
			t.Errorf("unknown user and wrong password differ: %s / %s", unknown.Body, wrong.Body)
		}
		// The third failure for the account locks it; then even the right password is refused.
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "walter", "password": "wrong"}), 401)
		// The same account named by e-mail shares the counter.
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"email": "W@example.com", "password": "wrong"}), 401)
		r := s.Do("POST", "/v1/login", "", map[string]any{"email": "w@example.com", "password": "right password"})
		s.Want(r, 429)
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// Per-address limit (8): four failures above, four more here, then
		// every account is cut off from this address.
		for i := range 4 {
			s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": fmt.Sprintf("ghost%d", i), "password": "x"}), 401)
		}
		s.Want(s.Do("POST", "/v1/login", "", map[string]any{"name": "ghost9", "password": "x"}), 429)
	})
}

// TestOpenAPI checks that every route of the document answers (any status
// but the router's own 404 and 405).
func TestOpenAPI(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t))
	id, tok := s.Signup("doc")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r := s.Do("GET", "/v1/openapi.json", "", nil)
	if err := json.Unmarshal(r.Body, &doc); err != nil || doc.OpenAPI != "3.1.0" || len(doc.Paths) < 8 {
		t.Fatalf("openapi.json: %v %v", err, doc.OpenAPI)
	}
	n := 0
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			p := strings.NewReplacer("{id}", fmt.Sprint(id)).Replace(path)
			var body any
			if method == "post" || method == "patch" {
				body = map[string]any{}
			}
			if strings.HasSuffix(path, "/tokens/{id}") {
				p = "/me/tokens/999"
			}
			resp := s.Do(strings.ToUpper(method), "/v1"+p, tok, body)
			if resp.Status == http.StatusMethodNotAllowed || strings.Contains(string(resp.Body), "No such route") {
				t.Errorf("%s %s is in the document but not served: %d %s", method, path, resp.Status, resp.Body)
			}
			n++
		}
	}
	if n < 14 {
		t.Errorf("only %d operations documented", n)
	}
}
