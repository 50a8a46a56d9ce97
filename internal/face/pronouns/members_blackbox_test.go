package pronouns_test

import (
	"bytes"
	"image/color"
	"regexp"
	"slices"
	"strings"
	"testing"

	"usersd/internal/facetest"
)

var bbMemberSID = regexp.MustCompile(`^[a-z]{6}$`)

// TestMembers: members through their life: create, the three ways to
// read one, lists, visibility, edits, rerolls, deletion (spec §7.3, §8.5,
// §8.6; pronouns.cc docs/api/endpoints/members.md).
func TestMembers(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		alice, bob := bbSignup(s, "memalice"), bbSignup(s, "membob")

		// No members yet: [] on every list.
		for _, path := range []string{"/users/memalice/members", "/users/@me/members"} {
			if r := s.Do("GET", bbAPI+path, alice.token, nil); r.Status != 200 || string(bytes.TrimSpace(r.Body)) != "[]" {
				t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
			}
		}

		// Create: 200 with the full member, keys in order.
		r := s.Do("POST", bbAPI+"/members", alice.token, map[string]any{
			"name": "Robin", "display_name": "Rob", "bio": "a member", "links": []string{"https://example.com"},
			"names":    []map[string]any{{"value": "Robin", "status": "favourite"}},
			"pronouns": []map[string]any{{"pronouns": "they/them", "status": "okay"}},
			"fields":   []map[string]any{{"name": "Likes", "entries": []map[string]any{{"value": "tea", "status": "favourite"}}}},
		})
		m := s.Want(r, 200)
		wantKeys := []string{"id", "sid", "name", "display_name", "bio", "avatar", "links", "names", "pronouns", "fields", "flags", "user", "unlisted"}
		if got := bbKeys(t, r.Body); !slices.Equal(got, wantKeys) {
			t.Errorf("member keys = %v, want %v", got, wantKeys)
		}
		id := m["id"].(string)
		if !bbMemberSID.MatchString(m["sid"].(string)) || m["name"] != "Robin" || m["display_name"] != "Rob" || m["avatar"] != nil || m["unlisted"] != false {
			t.Errorf("created member = %v", m)
		}
		if p := m["pronouns"].([]any)[0].(map[string]any); p["display_text"] != nil || p["pronouns"] != "they/them" {
			t.Errorf("pronoun entry = %v", p)
		}
		owner := m["user"].(map[string]any)
		if owner["name"] != "memalice" || owner["custom_preferences"] == nil {
			t.Errorf("member's user = %v", owner)
		}

		// Read by id (anyone), by the owner's name and the member's id or
		// name; others see no unlisted key.
		for _, path := range []string{"/members/" + id, "/users/memalice/members/" + id, "/users/memalice/members/robin", "/users/" + owner["id"].(string) + "/members/Robin"} {
			r := s.Do("GET", bbAPI+path, "", nil)
			got := s.Want(r, 200)
			if got["id"] != id || got["fields"].([]any)[0].(map[string]any)["name"] != "Likes" {
				t.Errorf("GET %s = %v", path, got)
			}
			if _, shown := got["unlisted"]; shown {
				t.Errorf("GET %s shows unlisted to others", path)
			}
		}
		if got := s.Want(s.Do("GET", bbAPI+"/users/@me/members/Robin", alice.readOnly, nil), 200); got["unlisted"] != false {
			t.Errorf("owner's @me member = %v", got)
		}
		bbCode(t, s.Do("GET", bbAPI+"/users/@me/members", "", nil), 403, 403)
		bbCode(t, s.Do("GET", bbAPI+"/members/aaaaaaaaaaaaaaaaaaaa", "", nil), 404, 3001)
		bbCode(t, s.Do("GET", bbAPI+"/members/Robin", "", nil), 404, 3001)
		bbCode(t, s.Do("GET", bbAPI+"/users/membob/members/Robin", "", nil), 404, 3001)
		bbCode(t, s.Do("GET", bbAPI+"/users/nobody_here/members", "", nil), 404, 2001)
		bbCode(t, s.Do("GET", bbAPI+"/users/nobody_here/members/Robin", "", nil), 404, 2001)

		// The list: members with flags, without fields; the user object
		// shows the partial shape.
		r = s.Do("GET", bbAPI+"/users/memalice/members", "", nil)
		var list []map[string]any
		bbUnmarshal(t, r, &list)
		if len(list) != 1 || list[0]["id"] != id || list[0]["flags"] == nil {
			t.Fatalf("member list = %v", list)
		}
		if _, has := list[0]["fields"]; has {
			t.Error("member list shows fields")
		}
		prof := s.Want(s.Do("GET", bbAPI+"/users/memalice", "", nil), 200)
		pm := prof["members"].([]any)
		if len(pm) != 1 {
			t.Fatalf("profile members = %v", pm)
		}
		var partial []string
		for k := range pm[0].(map[string]any) {
			partial = append(partial, k)
		}
		slices.Sort(partial)
		if want := []string{"avatar", "bio", "display_name", "id", "links", "name", "names", "pronouns", "sid"}; !slices.Equal(partial, want) {
			t.Errorf("partial member keys = %v, want %v", partial, want)
		}

		// Names: unique per owner, case-insensitively (3003); another
		// user may reuse one; the charset and length are checked (400).
		bbCode(t, s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"name": "ROBIN"}), 400, 3003)
		s.Want(s.Do("POST", bbAPI+"/members", bob.token, map[string]any{"name": "Robin"}), 200)
		for _, bad := range []string{"", ".", "..", "a/b", "who?", "x@y", "a,b", strings.Repeat("m", 101)} {
			bbCode(t, s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"name": bad}), 400, 400)
		}
		bbCode(t, s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"display_name": "no name"}), 400, 400)
		bbCode(t, s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"name": "Sam", "bio": strings.Repeat("b", 1001)}), 400, 400)
		bbCode(t, s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"name": "Sam", "names": []map[string]any{{"value": "Sam", "status": 1}}}), 400, 400)
		bbCode(t, s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"name": "Sam", "names": []map[string]any{{"value": "Sam", "status": "nonsense"}}}), 400, 400)
		bbCode(t, s.Do("POST", bbAPI+"/members", alice.readOnly, map[string]any{"name": "Sam"}), 403, 4002)
		bbCode(t, s.Do("POST", bbAPI+"/members", "", map[string]any{"name": "Sam"}), 403, 403)
		// Emoji count as one character each (spec §11.17).
		s.Want(s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"name": "Sam", "bio": strings.Repeat("🌈", 1000)}), 200)

		// Edits: all or nothing; "" clears; {} is 400; others' members 3004.
		u := s.Want(s.Do("PATCH", bbAPI+"/members/"+id, alice.token, map[string]any{"display_name": "", "bio": "edited", "avatar": bbPNG(t, color.RGBA{10, 20, 30, 255})}), 200)
		if u["display_name"] != nil || u["bio"] != "edited" || !bbHash.MatchString(u["avatar"].(string)) {
			t.Errorf("edited member = %v", u)
		}
		bbCode(t, s.Do("PATCH", bbAPI+"/members/"+id, alice.token, map[string]any{"bio": "half", "name": "Sam"}), 400, 3003)
		bbCode(t, s.Do("PATCH", bbAPI+"/members/"+id, alice.token, map[string]any{"bio": "half", "links": []string{""}}), 400, 400)
		bbCode(t, s.Do("PATCH", bbAPI+"/members/"+id, alice.token, map[string]any{"bio": "half", "avatar": "data:text/plain;base64,aGk="}), 400, 400)
		bbCode(t, s.Do("PATCH", bbAPI+"/members/"+id, alice.token, map[string]any{}), 400, 400)
		bbCode(t, s.Do("PATCH", bbAPI+"/members/"+id, bob.token, map[string]any{"bio": "mine"}), 403, 3004)
		bbCode(t, s.Do("PATCH", bbAPI+"/members/"+id, alice.readOnly, map[string]any{"bio": "ro"}), 403, 4002)
		bbCode(t, s.Do("PATCH", bbAPI+"/members/aaaaaaaaaaaaaaaaaaaa", alice.token, map[string]any{"bio": "x"}), 404, 3001)
		if got := s.Want(s.Do("GET", bbAPI+"/members/"+id, "", nil), 200); got["bio"] != "edited" || got["name"] != "Robin" {
			t.Errorf("member after refused edits = %v", got)
		}
		u = s.Want(s.Do("PATCH", bbAPI+"/members/"+id, alice.token, map[string]any{"name": "Robyn", "avatar": ""}), 200)
		if u["name"] != "Robyn" || u["avatar"] != nil {
			t.Errorf("renamed member = %v", u)
		}

		// Unlisted members: hidden from others' lists and profile, shown to
		// the owner, still found by id.
		s.Want(s.Do("PATCH", bbAPI+"/members/"+id, alice.token, map[string]any{"unlisted": true}), 200)
		bbUnmarshal(t, s.Do("GET", bbAPI+"/users/memalice/members", bob.token, nil), &list)
		if slices.ContainsFunc(list, func(m map[string]any) bool { return m["id"] == id }) {
			t.Error("an unlisted member is in another user's view of the list")
		}
		bbUnmarshal(t, s.Do("GET", bbAPI+"/users/@me/members", alice.token, nil), &list)
		if !slices.ContainsFunc(list, func(m map[string]any) bool { return m["id"] == id && m["unlisted"] == true }) {
			t.Errorf("the owner's list lacks the unlisted member: %v", list)
		}
		if got := s.Want(s.Do("GET", bbAPI+"/users/memalice", "", nil), 200)["members"].([]any); len(got) != 1 {
			t.Errorf("others' profile members = %v", got)
		}
		if got := s.Want(s.Do("GET", bbAPI+"/users/@me", alice.token, nil), 200)["members"].([]any); len(got) != 2 {
			t.Errorf("owner's profile members = %v", got)
		}
		s.Want(s.Do("GET", bbAPI+"/members/"+id, "", nil), 200)

		// A private list: 2002 on the list route, [] in the profile, for
		// others only.
		s.Want(s.Do("PATCH", bbAPI+"/users/@me", alice.token, map[string]any{"list_private": true}), 200)
		bbCode(t, s.Do("GET", bbAPI+"/users/memalice/members", bob.token, nil), 403, 2002)
		bbCode(t, s.Do("GET", bbAPI+"/users/memalice/members", "", nil), 403, 2002)
		if got := s.Want(s.Do("GET", bbAPI+"/users/memalice", "", nil), 200)["members"].([]any); len(got) != 0 {
			t.Errorf("private list in others' profile = %v", got)
		}
		bbUnmarshal(t, s.Do("GET", bbAPI+"/users/memalice/members", alice.token, nil), &list)
		if len(list) != 2 {
			t.Errorf("owner's private list = %v", list)
		}

		// Rerolls share the owner's hourly cooldown with the user's own;
		// a fresh user may reroll at once; read-only tokens may not.
		bbCode(t, s.Do("GET", bbAPI+"/members/"+id+"/reroll", alice.readOnly, nil), 403, 4002)
		bbCode(t, s.Do("GET", bbAPI+"/members/"+id+"/reroll", bob.token, nil), 403, 3004)
		before := s.Want(s.Do("GET", bbAPI+"/members/"+id, "", nil), 200)["sid"]
		rr := s.Want(s.Do("GET", bbAPI+"/members/"+id+"/reroll", alice.token, nil), 200)
		if !bbMemberSID.MatchString(rr["sid"].(string)) || rr["sid"] == before || rr["id"] != id {
			t.Errorf("rerolled member = %v (sid was %v)", rr, before)
		}
		bbCode(t, s.Do("GET", bbAPI+"/members/"+id+"/reroll", alice.token, nil), 403, 2004)
		bbCode(t, s.Do("GET", bbAPI+"/users/@me/reroll", alice.token, nil), 403, 2004)

		// Delete: 204, empty; then 3001 everywhere; others get 3004.
		bbCode(t, s.Do("DELETE", bbAPI+"/members/"+id, bob.token, nil), 403, 3004)
		bbCode(t, s.Do("DELETE", bbAPI+"/members/"+id, alice.readOnly, nil), 403, 4002)
		r = s.Do("DELETE", bbAPI+"/members/"+id, alice.token, nil)
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("delete: %d %q", r.Status, r.Body)
		}
		bbCode(t, s.Do("GET", bbAPI+"/members/"+id, "", nil), 404, 3001)
		bbCode(t, s.Do("DELETE", bbAPI+"/members/"+id, alice.token, nil), 404, 3001)
		bbCode(t, s.Do("GET", bbAPI+"/users/@me/members/Robyn", alice.token, nil), 404, 3001)
	})
}

// TestMemberRateBuckets: member routes spend their own buckets, the
// most specific one (spec §4): DELETE /members/* allows 5 a minute.
func TestMemberRateBuckets(t *testing.T) {
	s := facetest.Start(t, facetest.SQLite(t), "--pronouns-rates="+facetest.NoPronounsRateLimit+",DELETE /members/*=2")
	alice := bbSignup(s, "ratealice")
	for i, want := range []int{404, 404, 429} {
		r := s.Do("DELETE", bbAPI+"/members/aaaaaaaaaaaaaaaaaaaa", alice.token, nil)
		if r.Status != want {
			t.Fatalf("delete %d: status %d, want %d\n%s", i, r.Status, want, r.Body)
		}
		if got := r.Header.Get("X-RateLimit-Bucket"); got != "DELETE /members/*" {
			t.Errorf("bucket = %q", got)
		}
		if want == 429 {
			m := r.JSON(t)
			if m["code"] != float64(429) || m["ratelimit_reset"] == nil || r.Header.Get("Retry-After") == "" {
				t.Errorf("429: %v, Retry-After %q", m, r.Header.Get("Retry-After"))
			}
		}
	}
	// Other buckets are untouched.
	r := s.Do("GET", bbAPI+"/members/aaaaaaaaaaaaaaaaaaaa", alice.token, nil)
	if r.Status != 404 || r.Header.Get("X-RateLimit-Bucket") != "GET /members/*" || r.Header.Get("X-RateLimit-Limit") != "1000000" {
		t.Errorf("GET member: %d, bucket %q limit %q", r.Status, r.Header.Get("X-RateLimit-Bucket"), r.Header.Get("X-RateLimit-Limit"))
	}
}

// TestOwnedLimits: past --max-flags and --max-members, uploads and
// creations are 400 with codes 2003 and 3002 and create nothing; the
// limits are per owner.
func TestOwnedLimits(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b, "--max-flags=2", "--max-members=2")
		alice, bob := bbSignup(s, "limitalice"), bbSignup(s, "limitbob")
		flag := func(u bbUser, i int) facetest.Response {
			return s.Do("POST", bbAPI+"/users/@me/flags", u.token, map[string]any{"flag": bbPNG(t, color.RGBA{uint8(i), 9, 9, 255}), "name": "F"})
		}
		member := func(u bbUser, i int) facetest.Response {
			return s.Do("POST", bbAPI+"/members", u.token, map[string]any{"name": "M" + string(rune('a'+i))})
		}
		for i := range 2 {
			s.Want(flag(alice, i), 200)
			s.Want(member(alice, i), 200)
		}
		bbCode(t, flag(alice, 3), 400, 2003)
		bbCode(t, member(alice, 3), 400, 3002)
		for path, want := range map[string]int{"/users/@me/flags": 2, "/users/@me/members": 2} {
			var got []any
			bbUnmarshal(t, s.Do("GET", bbAPI+path, alice.token, nil), &got)
			if len(got) != want {
				t.Errorf("%s after the refusals: %d items, want %d", path, len(got), want)
			}
		}
		s.Want(flag(bob, 1), 200)
		s.Want(member(bob, 1), 200)
	})
}
