package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestHealth(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		s.want(s.do("GET", "/healthz", "", nil), 200)
		if m := s.want(s.do("GET", "/readyz", "", nil), 200); m["status"] != "ready" {
			t.Errorf("readyz = %v", m)
		}
		r := s.do("GET", "/v1/users", "", nil)
		if r.header.Get("X-Request-Id") == "" {
			t.Error("no X-Request-Id")
		}
		if !strings.Contains(s.log.String(), "request_id="+r.header.Get("X-Request-Id")) {
			t.Error("request log lacks the request id")
		}
	})
}

func TestUserLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		adminID, admin := s.admin("root", 50)

		// Sign-up answers 201 with the user as they see themselves.
		m := s.want(s.do("POST", "/v1/users", "", map[string]any{"name": "Alice", "password": "correct horse", "email": "Alice@Example.com"}), 201)
		id := int64(m["id"].(float64))
		if m["name"] != "Alice" || m["email"] != "Alice@Example.com" || m["level"] != float64(20) || m["password"] != nil || m["password_hash"] != nil {
			t.Fatalf("created = %v", m)
		}
		// Site settings sit in their site's group, not among identity.
		if _, ok := m["blacklisted_tags"]; ok || group(t, m, "danbooru")["blacklisted_tags"] == nil {
			t.Errorf("created user's Danbooru settings = %v (top level blacklisted_tags present: %v)", m["danbooru"], ok)
		}
		_, tok := s.login("alice", "correct horse")

		// Get by id and by name in another case; anonymous callers see no e-mail.
		for _, ref := range []string{fmt.Sprint(id), "alice", "ALICE"} {
			g := s.want(s.do("GET", "/v1/users/"+ref, "", nil), 200)
			if g["id"] != float64(id) || g["name"] != "Alice" {
				t.Errorf("GET %s = %v", ref, g)
			}
			if _, ok := g["email"]; ok {
				t.Errorf("GET %s shows email to anonymous", ref)
			}
		}
		s.want(s.do("GET", "/v1/users/nobody", "", nil), 404)

		// A user edits their own profile and settings, but not their standing.
		u := s.want(s.do("PATCH", fmt.Sprintf("/v1/users/%d", id), tok, map[string]any{
			"profile": map[string]any{"bio": "hello", "links": []string{"https://a.example"}}, "settings": map[string]any{"per_page": 50}}), 200)
		if group(t, u, "profile")["bio"] != "hello" || group(t, u, "settings")["per_page"] != float64(50) {
			t.Errorf("patched = %v", u)
		}
		// Flat names, as clients wrote them before the groups, still work.
		if u := s.want(s.do("PATCH", "/v1/me", tok, map[string]any{"member_title": "Alice's"}), 200); group(t, u, "profile")["member_title"] != "Alice's" {
			t.Errorf("flat patch = %v", u)
		}
		r := s.do("PATCH", fmt.Sprintf("/v1/users/%d", id), tok, map[string]any{"level": 40, "bio": "sneaky"})
		if p := s.want(r, 403); p["errors"].(map[string]any)["level"] == nil {
			t.Errorf("403 names no field: %v", p)
		}
		if g := s.want(s.do("GET", "/v1/me", tok, nil), 200); group(t, g, "profile")["bio"] != "hello" || g["level"] != float64(20) {
			t.Errorf("a refused PATCH changed something: %v", g)
		}
		// Staff edit standing.
		if u := s.want(s.do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"level": 30, "banned": true}), 200); u["level"] != float64(30) || u["banned"] != true {
			t.Errorf("admin patch = %v", u)
		}
		s.want(s.do("PATCH", fmt.Sprintf("/v1/users/%d", adminID), admin, map[string]any{"level": 40}), 403) // not on themselves

		// Renames by the user are recorded in the name history.
		s.want(s.do("PATCH", "/v1/me", tok, map[string]any{"name": "Alicia"}), 200)
		h := s.want(s.do("GET", fmt.Sprintf("/v1/users/%d/names", id), "", nil), 200)
		names := h["names"].([]any)
		if len(names) != 1 || names[0].(map[string]any)["old_name"] != "Alice" || names[0].(map[string]any)["new_name"] != "Alicia" {
			t.Errorf("history = %v", h)
		}
		s.want(s.do("GET", "/v1/users/alicia", "", nil), 200)

		// Password change needs the current password.
		s.want(s.do("PATCH", "/v1/me", tok, map[string]any{"password": "new password 1"}), 400)
		s.want(s.do("PATCH", "/v1/me", tok, map[string]any{"password": "new password 1", "current_password": "wrong"}), 400)
		s.want(s.do("PATCH", "/v1/me", tok, map[string]any{"password": "new password 1", "current_password": "correct horse"}), 200)
		s.login("alicia", "new password 1")

		// Soft delete by the user: gone for others, tokens stop working.
		s.want(s.do("DELETE", fmt.Sprintf("/v1/users/%d", id), tok, nil), 204)
		s.want(s.do("GET", fmt.Sprintf("/v1/users/%d", id), "", nil), 404)
		s.want(s.do("GET", "/v1/me", tok, nil), 401)
		if g := s.want(s.do("GET", fmt.Sprintf("/v1/users/%d", id), admin, nil), 200); g["deleted"] != true || g["deleted_at"] == nil || g["email"] != "Alice@Example.com" {
			t.Errorf("admin view of deleted = %v", g)
		}
		if n := s.total("", `name = "alicia"`); n != 0 {
			t.Errorf("deleted user listed to anonymous: %d", n)
		}
		if n := s.total(admin, `name = "alicia" && deleted = true`); n != 1 {
			t.Errorf("staff filter on deleted = %d", n)
		}
		s.want(s.do("POST", "/v1/login", "", map[string]any{"name": "alicia", "password": "new password 1"}), 403)
		// Restore by an admin brings everything back.
		if g := s.want(s.do("POST", fmt.Sprintf("/v1/users/%d/restore", id), admin, nil), 200); g["deleted"] != false || g["deleted_at"] != nil {
			t.Errorf("restored = %v", g)
		}
		s.want(s.do("GET", fmt.Sprintf("/v1/users/%d", id), "", nil), 200)
		s.login("alicia", "new password 1")
	})
}

// seedUsers creates users through the admin API (no passwords, so no
// hashing time) and returns their ids in creation order.
func seedUsers(t *testing.T, s *server, admin string) []int64 {
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
		m := s.want(s.do("POST", "/v1/users", admin, body), 201)
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
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
		adminID, admin := s.admin("root", 50)
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
			m := s.want(s.do("GET", "/v1/users?limit=100&total=true&filter="+url.QueryEscape(tt.filter), tt.token, nil), 200)
			if got := listIDs(t, m); !slices.Equal(got, tt.want) {
				t.Errorf("filter %s: ids %v, want %v", tt.filter, got, tt.want)
			}
			if m["total"] != float64(len(tt.want)) {
				t.Errorf("filter %s: total %v, want %d", tt.filter, m["total"], len(tt.want))
			}
		}

		// Multi-field sort: level descending, then name ascending (case-insensitive), id last.
		m := s.want(s.do("GET", "/v1/users?limit=100&sort=-level,name", "", nil), 200)
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
		all := listIDs(t, s.want(s.do("GET", "/v1/users?limit=100&sort=-post_upload_count", "", nil), 200))
		var byPage, byCursor []int64
		for p := 1; p <= 4; p++ {
			byPage = append(byPage, listIDs(t, s.want(s.do("GET", fmt.Sprintf("/v1/users?limit=3&page=%d&sort=-post_upload_count", p), "", nil), 200))...)
		}
		cursor := ""
		for range 10 {
			q := "/v1/users?limit=3&sort=-post_upload_count&total=true"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			m := s.want(s.do("GET", q, "", nil), 200)
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
		first := s.want(s.do("GET", "/v1/users?limit=2&sort=name", "", nil), 200)
		s.want(s.do("GET", "/v1/users?limit=2&sort=-name&cursor="+url.QueryEscape(first["next_cursor"].(string)), "", nil), 400)

		// Field selection.
		m = s.want(s.do("GET", "/v1/users?limit=2&fields=id,name,email", "", nil), 200)
		for _, u := range m["users"].([]any) {
			keys := slices.Sorted(mapKeys(u.(map[string]any)))
			if !slices.Equal(keys, []string{"id", "name"}) {
				t.Errorf("fields=id,name,email as anonymous gave %v", keys)
			}
		}
		if _, ok := s.want(s.do("GET", fmt.Sprintf("/v1/users/%d?fields=name", ids[0]), "", nil), 200)["id"]; ok {
			t.Error("fields=name on show still renders id")
		}
		// Groups select whole, dotted names one member; hidden ones stay absent.
		m = s.want(s.do("GET", fmt.Sprintf("/v1/users/%d?fields=id,counters,profile.bio,profile.timezone,settings", ids[0]), "", nil), 200)
		if keys := slices.Sorted(mapKeys(m)); !slices.Equal(keys, []string{"counters", "id", "profile"}) {
			t.Errorf("fields=id,counters,profile.bio,profile.timezone,settings as anonymous gave %v", keys)
		}
		if p := group(t, m, "profile"); len(p) != 1 || group(t, m, "counters")["post_upload_count"] != float64(5) {
			t.Errorf("selected profile %v, counters %v", p, m["counters"])
		}
		for _, bad := range []string{"bio", "nickname", "profile.nickname", "settings.bio"} {
			p := s.want(s.do("GET", "/v1/users?fields="+bad, "", nil), 400)
			if p["errors"].(map[string]any)["fields"] == nil {
				t.Errorf("fields=%s: %v", bad, p)
			}
		}
		// Filtering on a field the caller may not read would leak it.
		s.want(s.do("GET", "/v1/users?filter="+url.QueryEscape(`email = "apple@example.com"`), "", nil), 403)
		s.want(s.do("GET", "/v1/users?sort=updated_at", "", nil), 403)
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
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b)
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
				statuses[i] = s.do("POST", "/v1/users", "", map[string]any{"name": name, "password": "password123"}).status
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
		if n := s.total("", `name = "racer"`); n != 1 {
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
