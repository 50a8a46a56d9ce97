package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"usersd/internal/facetest"
)

// TestCrossFace: a user signed up through the Danbooru face, renamed
// through the native API, is found by Danbooru's any_name_matches with the
// old name, and is the same user (id, name, password) on the native API
// and on both e621 APIs.
func TestCrossFace(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := startServer(t, b)
		_, admin := s.Admin("root", 50)

		created := s.Want(s.Do("POST", "/danbooru/users.json", "", map[string]any{
			"user": map[string]any{"name": "Kagamine_Rin", "password": "hunter22", "password_confirmation": "hunter22"},
		}), 201)
		id := int64(created["id"].(float64))
		if created["name"] != "Kagamine_Rin" || created["level"] != float64(20) {
			t.Fatalf("Danbooru sign-up = %v", created)
		}

		renamed := s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", id), admin, map[string]any{"name": "Rin_Renamed"}), 200)
		if renamed["name"] != "Rin_Renamed" {
			t.Fatalf("native rename = %v", renamed)
		}

		// Past names are visible to signed-in Danbooru viewers.
		_, viewerLogin := s.Signup("viewer")
		key := s.Want(s.Do("POST", "/v1/me/tokens", viewerLogin, map[string]any{"label": "danbooru"}), 201)["token"].(string)
		search := "/danbooru/users.json?search[any_name_matches]=kagamine_rin"
		r := s.Do("GET", search+"&login=viewer&api_key="+url.QueryEscape(key), "", nil)
		found := danbooruList(t, r)
		if len(found) != 1 || found[0]["id"] != float64(id) || found[0]["name"] != "Rin_Renamed" {
			t.Errorf("any_name_matches with the old name, signed in: %s", r.Body)
		}
		// Anonymous viewers see no name history (danbooru §4.2).
		if found := danbooruList(t, s.Do("GET", search, "", nil)); len(found) != 0 {
			t.Errorf("anonymous any_name_matches found %v", found)
		}
		if found := danbooruList(t, s.Do("GET", "/danbooru/users.json?search[any_name_matches]=rin_renamed", "", nil)); len(found) != 1 || found[0]["id"] != float64(id) {
			t.Errorf("any_name_matches with the new name: %v", found)
		}

		// The same user on the native API, e621ng and legacy e621.
		if m := s.Want(s.Do("GET", "/v1/users/rin_renamed", "", nil), 200); m["id"] != float64(id) {
			t.Errorf("native by new name = %v", m)
		}
		for _, path := range []string{fmt.Sprintf("/e621/users/%d.json", id), "/e621/users/rin_renamed.json"} {
			if m := s.Want(s.Do("GET", path, "", nil), 200); m["id"] != float64(id) || m["name"] != "Rin_Renamed" {
				t.Errorf("e621ng %s = %v", path, m)
			}
		}
		legacy := s.Do("GET", fmt.Sprintf("/e621/user/show.json?id=%d", id), "", nil)
		if m := s.Want(legacy, 200); m["id"] != float64(id) || m["name"] != "Rin_Renamed" {
			t.Errorf("legacy e621 show = %s", legacy.Body)
		}
		// The password set through Danbooru logs in on the native API.
		s.Login("rin_renamed", "hunter22")
	})
}

func danbooruList(t *testing.T, r facetest.Response) []map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var out []map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, r.Body)
	}
	return out
}
