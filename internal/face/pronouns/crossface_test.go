package pronouns_test

// One user, several faces: made on the native API, edited through
// pronouns.cc, read back on the native API and on Danbooru; edited on the
// native API, read back on pronouns.cc. The avatar's hash is served under
// /media.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"usersd/internal/face/railstz"
	"usersd/internal/facetest"
)

func TestCrossFace(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := newFx(t, b)
		s := f.s
		id, login := s.Signup("Cross_Face")
		key := s.Want(s.Do("POST", "/v1/me/tokens", login, map[string]any{"label": "pronouns"}), 201)["token"].(string)
		native := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), "", nil), 200)
		x, _ := native["xid"].(string)
		if !xidRE.MatchString(x) {
			t.Fatalf("native xid %q", x)
		}

		// The same user on pronouns.cc, by xid and by name.
		for _, ref := range []string{x, "Cross_Face", "cross_face"} {
			m := f.get(ref, "")
			if m["id"] != x || m["name"] != "Cross_Face" || m["sid"] != native["sid"] {
				t.Errorf("pronouns GET %s = id %v name %v sid %v; native has %s %v", ref, m["id"], m["name"], m["sid"], x, native["sid"])
			}
		}

		// Edit on pronouns.cc.
		names := []any{map[string]any{"value": "Crossy", "status": "favourite"}, map[string]any{"value": "CF", "status": "okay"}}
		prons := []any{map[string]any{"pronouns": "they/them/their/theirs/themself", "display_text": "they/them", "status": "favourite"},
			map[string]any{"pronouns": "it/its", "display_text": nil, "status": "jokingly"}}
		fields := []any{map[string]any{"name": "Gender", "entries": []any{map[string]any{"value": "non-binary", "status": "okay"}}}}
		m := f.ok("PATCH", "/users/@me", key, map[string]any{
			"name": "Cross_Renamed", "names": names, "pronouns": prons, "fields": fields,
			"avatar": pngURI(50, 50), "timezone": "Europe/Amsterdam", "member_title": "Crew", "links": []string{"https://x.example"},
		})
		avatar := str(t, m, "avatar")
		if !hashRE.MatchString(avatar) {
			t.Fatalf("avatar %q", avatar)
		}

		// The native API sees it all, under its own names.
		nat := facetest.FlatUser(t, s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), login, nil), 200))
		if nat["name"] != "Cross_Renamed" || nat["xid"] != x {
			t.Errorf("native name %v xid %v", nat["name"], nat["xid"])
		}
		for _, c := range []struct {
			key  string
			want any
		}{
			{"preferred_names", names}, {"pronouns", prons}, {"profile_fields", fields}, {"avatar", avatar},
			{"timezone", "Europe/Amsterdam"}, {"member_title", "Crew"}, {"links", []any{"https://x.example"}},
		} {
			if !sameJSON(nat[c.key], c.want) {
				t.Errorf("native %s = %v, want %v", c.key, nat[c.key], c.want)
			}
		}
		// And the native API's rename history has the pronouns.cc rename.
		h := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d/names", id), "", nil), 200)
		if hist, _ := h["names"].([]any); len(hist) != 1 || hist[0].(map[string]any)["old_name"] != "Cross_Face" || hist[0].(map[string]any)["new_name"] != "Cross_Renamed" {
			t.Errorf("name history %v", h["names"])
		}

		// Danbooru shows the name to anyone and the zone to the user.
		dan := s.Want(s.Do("GET", fmt.Sprintf("/danbooru/users/%d.json", id), "", nil), 200)
		if dan["name"] != "Cross_Renamed" || dan["id"] != float64(id) {
			t.Errorf("danbooru user %v %v", dan["id"], dan["name"])
		}
		self := s.Want(s.Do("GET", fmt.Sprintf("/danbooru/users/%d.json?login=Cross_Renamed&api_key=%s", id, url.QueryEscape(key)), "", nil), 200)
		tz := "Europe/Amsterdam"
		if want := railstz.Render(&tz, nil); self["time_zone"] != want {
			t.Errorf("danbooru time_zone %v, want %s", self["time_zone"], want)
		}

		// The avatar is served where pronouns.cc clients build its URL.
		f.media("/media/users/"+x+"/"+avatar+".webp", true)
		// An unknown hash, or a known one under another user, is not.
		for _, p := range []string{"/media/users/" + x + "/" + fmt.Sprintf("%064x", 7) + ".webp"} {
			if r := s.Do("GET", p, "", nil); r.Status != 404 {
				t.Errorf("GET %s: %d, want 404", p, r.Status)
			}
		}

		// Edit on native, read on pronouns.cc.
		s.Want(s.Do("PATCH", "/v1/me", login, map[string]any{"bio": "from native", "display_name": "Native Name"}), 200)
		p := f.get(x, "")
		if p["bio"] != "from native" || p["display_name"] != "Native Name" || p["avatar"] != avatar || p["name"] != "Cross_Renamed" {
			t.Errorf("pronouns after native edit: bio %v display_name %v avatar %v name %v", p["bio"], p["display_name"], p["avatar"], p["name"])
		}
		if !sameJSON(p["names"], names) || !sameJSON(p["pronouns"], prons) || !sameJSON(p["fields"], fields) {
			t.Errorf("pronouns entries changed by a native edit: %v %v %v", p["names"], p["pronouns"], p["fields"])
		}
		// Clearing on pronouns.cc clears on native.
		f.ok("PATCH", "/users/@me", key, map[string]any{"avatar": "", "bio": "", "pronouns": []any{}})
		nat = facetest.FlatUser(t, s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", id), login, nil), 200))
		if nat["avatar"] != nil || nat["bio"] != nil || !sameJSON(nat["pronouns"], []any{}) {
			t.Errorf("native after clearing: avatar %v bio %v pronouns %v", nat["avatar"], nat["bio"], nat["pronouns"])
		}
	})
}

// sameJSON compares two values by their JSON.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
