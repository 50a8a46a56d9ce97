package native_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"usersd/internal/core"
	"usersd/internal/facetest"
)

// deepObject nests n objects: {"a":{"a":…{}…}}.
func deepObject(n int) string {
	return strings.Repeat(`{"a":`, n-1) + "{}" + strings.Repeat("}", n-1)
}

// fieldError returns the reason a native 400 gives for field.
func fieldError(t *testing.T, s *facetest.Server, r facetest.Response, field string) string {
	t.Helper()
	p := s.Want(r, 400)
	errs, _ := p["errors"].(map[string]any)
	reason, _ := errs[field].(string)
	if reason == "" {
		t.Errorf("400 names no %s: %s", field, r.Body)
	}
	return reason
}

// TestFieldByteLimits: text and JSON fields are bounded in bytes as well
// as in characters and items, so no field of a public profile holds
// megabytes (four PATCHes once made one profile 3.6 MB).
func TestFieldByteLimits(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, tok := s.Signup("bounded")
		big := func(n int) string { return strings.Repeat("x", n) }
		for _, c := range []struct {
			name, field string
			body        map[string]any
		}{
			// 20,000 characters are within bio's 50,000, but 80,000 bytes are not.
			{"bio in emoji", "profile.bio", map[string]any{"profile": map[string]any{"bio": strings.Repeat("😀", 20000)}}},
			{"one huge name entry", "profile.preferred_names", map[string]any{"profile": map[string]any{"preferred_names": []any{map[string]any{"value": big(200000), "status": "okay"}}}}},
			{"one huge pronoun entry", "profile.pronouns", map[string]any{"profile": map[string]any{"pronouns": []any{map[string]any{"pronouns": big(5000)}}}}},
			{"profile fields", "profile.profile_fields", map[string]any{"profile": map[string]any{"profile_fields": []any{map[string]any{"name": big(100), "entries": []any{big(30000)}}}}}},
			{"custom preference", "profile.custom_preferences", map[string]any{"profile": map[string]any{"custom_preferences": map[string]any{"k": map[string]any{"tooltip": big(100000)}}}}},
			{"many name entries", "profile.preferred_names", map[string]any{"profile": map[string]any{"preferred_names": func() []any {
				var out []any
				for range 100 {
					out = append(out, map[string]any{"value": big(900)})
				}
				return out
			}()}}},
			{"flat spelling", "bio", map[string]any{"bio": strings.Repeat("é", 40000)}},
		} {
			r := s.Do("PATCH", "/v1/me", tok, c.body)
			if reason := fieldError(t, s, r, c.field); !strings.Contains(reason, "bytes") {
				t.Errorf("%s: reason %q does not speak of bytes", c.name, reason)
			}
		}
		// Nothing of the refused PATCHes was written.
		me := s.Want(s.Do("GET", "/v1/me", tok, nil), 200)
		if p := group(t, me, "profile"); p["bio"] != nil || len(p["preferred_names"].([]any)) != 0 {
			t.Errorf("a refused PATCH wrote: %v", p)
		}
		// Within the bounds all is well.
		s.Want(s.Do("PATCH", "/v1/me", tok, map[string]any{"profile": map[string]any{"bio": strings.Repeat("😀", 1000),
			"preferred_names": []any{map[string]any{"value": "Bo", "status": "okay"}}}}), 200)
	})
}

// TestUserByteBound: however many PATCHes a user sends, the stored user
// stays under the whole-user bound, and a list of users at that bound stays
// under page size × bound (20 such users once made an anonymous list 73 MB).
func TestUserByteBound(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("root", 50)
		fill := func(tok string) {
			// Each field large, within its entries' rules (100 entries of
			// 100 characters) and its own byte bound.
			entry := func() map[string]any { return map[string]any{"value": strings.Repeat("n", 100), "status": "okay"} }
			var names, pronouns, fields []any
			for range 100 {
				names = append(names, entry())
				pronouns = append(pronouns, map[string]any{"pronouns": strings.Repeat("p", 100), "display_text": strings.Repeat("d", 100), "status": "okay"})
			}
			for range 25 {
				var entries []any
				for range 15 {
					entries = append(entries, entry())
				}
				fields = append(fields, map[string]any{"name": "f", "entries": entries})
			}
			patches := []map[string]any{
				{"bio": strings.Repeat("b", 49000)},
				{"artist_info": strings.Repeat("a", 49000)},
				{"preferred_names": names},
				{"pronouns": pronouns},
				{"profile_fields": fields},
				{"member_title": strings.Repeat("t", 150)},
			}
			ok := 0
			for _, p := range patches {
				r := s.Do("PATCH", "/v1/me", tok, p)
				switch r.Status {
				case 200:
					ok++
				case 400:
					if p := r.JSON(t); !strings.Contains(fmt.Sprint(p["errors"]), "bytes") {
						t.Errorf("refused for another reason: %s", r.Body)
					}
				default:
					t.Fatalf("PATCH: %d %s", r.Status, r.Body)
				}
			}
			if ok == 0 || ok == len(patches) {
				t.Errorf("%d of %d large PATCHes succeeded; want some, not all", ok, len(patches))
			}
		}
		const users = 8
		for i := range users {
			id, tok := s.Signup(fmt.Sprintf("big%d", i))
			fill(tok)
			// The whole record, as staff see it, is within the bound.
			full := s.Do("GET", fmt.Sprintf("/v1/users/%d", id), admin, nil)
			if len(full.Body) > core.DefaultMaxUserBytes {
				t.Fatalf("user %d renders in %d bytes, over %d", id, len(full.Body), core.DefaultMaxUserBytes)
			}
		}
		list := s.Do("GET", "/v1/users?limit=1000", "", nil)
		s.Want(list, 200)
		if bound := users*core.DefaultMaxUserBytes + 1000; len(list.Body) > bound {
			t.Errorf("anonymous list of %d users at the bound is %d bytes, over %d", users, len(list.Body), bound)
		}
		t.Logf("anonymous list of %d users at the bound: %d bytes", users, len(list.Body))
	})
}

// TestJSONDepthAndRanges: nesting, dates, times and integers outside the
// core's ranges get the same 400 on both backends (PostgreSQL stored JSON
// 9,990 deep where SQLite refused past 1,000; date_of_birth 0000-01-01
// passed one and failed the other).
func TestJSONDepthAndRanges(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		id, tok := s.Signup("ranged")
		_, admin := s.Admin("root", 50)
		me := fmt.Sprintf("/v1/users/%d", id)
		bodies := map[string]string{}
		for _, c := range []struct {
			name, token, body, field string
		}{
			{"deep custom preferences", tok, `{"custom_preferences":` + deepObject(9990) + `}`, "custom_preferences"},
			{"deep past the limit", tok, `{"custom_preferences":{"k":` + deepObject(core.MaxJSONDepth) + `}}`, "custom_preferences"},
			{"deep attributes", admin, `{"attributes":` + deepObject(1200) + `}`, "attributes"},
			{"year 0", tok, `{"date_of_birth":"0000-01-01"}`, "date_of_birth"},
			{"year 10000", tok, `{"date_of_birth":"10000-01-01"}`, "date_of_birth"},
			{"before 1900", tok, `{"date_of_birth":"1899-12-31"}`, "date_of_birth"},
			{"in the future", tok, `{"date_of_birth":"` + time.Now().AddDate(0, 0, 3).Format(time.DateOnly) + `"}`, "date_of_birth"},
			{"time past 9999", admin, `{"last_forum_read_at":"9999-12-31T23:59:59-23:59"}`, "last_forum_read_at"},
			{"time in year 0", admin, `{"last_forum_read_at":"0000-06-01T00:00:00Z"}`, "last_forum_read_at"},
			{"int64 overflow", tok, `{"per_page":99999999999999999999}`, "per_page"},
			{"int32 column", admin, `{"base_upload_limit":2147483648}`, "base_upload_limit"},
			{"counter", admin, `{"post_upload_count":9223372036854775807}`, "post_upload_count"},
			{"post id", tok, `{"avatar_post_id":-1}`, "avatar_post_id"},
		} {
			r := s.DoType("PATCH", me, c.token, c.body, "application/json")
			fieldError(t, s, r, c.field)
			bodies[c.name] = string(r.Body)
		}
		for name, body := range bodies {
			t.Logf("%s: %s", name, body)
		}
		// At the limits, values pass.
		// (custom_preferences has a shape of its own, two deep: free
		// nesting is the attributes'.)
		s.Want(s.DoType("PATCH", me, admin, `{"attributes":{"k":`+deepObject(core.MaxJSONDepth-1)+`}}`, "application/json"), 200)
		s.Want(s.DoType("PATCH", me, tok, `{"date_of_birth":"1900-01-01"}`, "application/json"), 200)
		s.Want(s.DoType("PATCH", me, admin, `{"last_forum_read_at":"9999-12-31T23:59:59Z","base_upload_limit":2147483647}`, "application/json"), 200)
		s.Want(s.DoType("PATCH", me, tok, `{"date_of_birth":"`+time.Now().UTC().Format(time.DateOnly)+`"}`, "application/json"), 200)
	})
}

// TestUserByteBoundConcurrent: PATCHes racing on one user, each within
// the bound on its own, cannot together grow it past the bound (the core
// checks the stored result again inside the update's transaction).
func TestUserByteBoundConcurrent(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, admin := s.Admin("root", 50)
		id, tok := s.Signup("racer")
		fields := []string{"bio", "artist_info", "member_title", "favorite_tags", "blacklisted_tags", "dmail_filter_words", "custom_style", "display_name"}
		sizes := map[string]int{"member_title": 150, "display_name": 100, "dmail_filter_words": 10000}
		var wg sync.WaitGroup
		codes := make([]int, len(fields))
		for i, f := range fields {
			n := sizes[f]
			if n == 0 {
				n = 20000
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = s.Do("PATCH", "/v1/me", tok, map[string]any{f: strings.Repeat("r", n)}).Status
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != 200 && c != 400 {
				t.Errorf("PATCH %s: %d", fields[i], c)
			}
		}
		full := s.Do("GET", fmt.Sprintf("/v1/users/%d", id), admin, nil)
		if len(full.Body) > core.DefaultMaxUserBytes {
			t.Errorf("after racing PATCHes (%v) the user renders in %d bytes, over %d", codes, len(full.Body), core.DefaultMaxUserBytes)
		}
	})
}
