package pronouns_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/color"
	"regexp"
	"slices"
	"testing"

	"usersd/internal/facetest"
	"usersd/internal/imaging/imagingtest"
)

// bbAPI is the face's API below the default mount.
const bbAPI = "/pronouns/api/v1"

// bbUser is a signed-up user with a write token and a read-only token.
type bbUser struct {
	name, token, readOnly string
}

// bbSignup creates a user through the native API, with a read-scoped
// API token beside the login token.
func bbSignup(s *facetest.Server, name string) bbUser {
	s.T.Helper()
	_, tok := s.Signup(name)
	m := s.Want(s.Do("POST", "/v1/me/tokens", tok, map[string]any{"label": "read", "scope": "read"}), 201)
	return bbUser{name: name, token: tok, readOnly: m["token"].(string)}
}

// bbPNG is a data URI of a small PNG of one colour.
func bbPNG(t testing.TB, c color.RGBA) string {
	t.Helper()
	return imagingtest.URI("image/png", imagingtest.PNG(imagingtest.Solid(8, 5, c)))
}

// bbCode checks an error response's status and body code.
func bbCode(t testing.TB, r facetest.Response, status, code int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d\n%s", r.Status, status, r.Body)
	}
	if got := r.JSON(t)["code"]; got != float64(code) {
		t.Fatalf("code = %v, want %d\n%s", got, code, r.Body)
	}
}

var bbHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// bbKeys returns the keys of a JSON object in order.
func bbKeys(t testing.TB, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
	}
	return keys
}

// bbUnmarshal decodes a 200 response's body into v.
func bbUnmarshal(t testing.TB, r facetest.Response, v any) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("status = %d, want 200\n%s", r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%v\n%s", err, r.Body)
	}
}

// TestFlags: a user's pride flags through their life (spec §8.4, §11.13).
func TestFlags(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		alice, bob := bbSignup(s, "flagalice"), bbSignup(s, "flagbob")

		// Empty list, not null.
		if r := s.Do("GET", bbAPI+"/users/@me/flags", alice.token, nil); r.Status != 200 || string(bytes.TrimSpace(r.Body)) != "[]" {
			t.Fatalf("empty flag list: %d %s", r.Status, r.Body)
		}
		// Create: 200, the flag's shape in order.
		r := s.Do("POST", bbAPI+"/users/@me/flags", alice.token, map[string]any{"flag": bbPNG(t, color.RGBA{200, 30, 30, 255}), "name": "Red"})
		f := s.Want(r, 200)
		if got, want := bbKeys(t, r.Body), []string{"id", "hash", "name", "description"}; !slices.Equal(got, want) {
			t.Errorf("flag keys = %v, want %v", got, want)
		}
		id := f["id"].(string)
		if !regexp.MustCompile(`^[0-9a-v]{20}$`).MatchString(id) || !bbHash.MatchString(f["hash"].(string)) || f["name"] != "Red" || f["description"] != nil {
			t.Errorf("created flag = %v", f)
		}
		f2 := s.Want(s.Do("POST", bbAPI+"/users/@me/flags", alice.token, map[string]any{"flag": bbPNG(t, color.RGBA{30, 30, 200, 255}), "name": "Blue", "description": "a blue one"}), 200)
		if f2["description"] != "a blue one" || f2["hash"] == f["hash"] {
			t.Errorf("second flag = %v", f2)
		}
		id2 := f2["id"].(string)

		// Bad creations: 400 code 400, nothing created.
		for name, body := range map[string]map[string]any{
			"no image":         {"name": "X"},
			"no name":          {"flag": bbPNG(t, color.RGBA{1, 2, 3, 255})},
			"empty name":       {"flag": bbPNG(t, color.RGBA{1, 2, 3, 255}), "name": ""},
			"long name":        {"flag": bbPNG(t, color.RGBA{1, 2, 3, 255}), "name": string(bytes.Repeat([]byte("n"), 101))},
			"long description": {"flag": bbPNG(t, color.RGBA{1, 2, 3, 255}), "name": "X", "description": string(bytes.Repeat([]byte("d"), 501))},
			"not an image":     {"flag": "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("not a png")), "name": "X"},
			"gif":              {"flag": "data:image/gif;base64,R0lGODlhAQABAAAAACw=", "name": "X"},
			"name not string":  {"flag": bbPNG(t, color.RGBA{1, 2, 3, 255}), "name": 5},
		} {
			t.Run(name, func(t *testing.T) {
				bbCode(t, s.Do("POST", bbAPI+"/users/@me/flags", alice.token, body), 400, 400)
			})
		}
		// Read-only tokens may not write; no token is 403.
		bbCode(t, s.Do("POST", bbAPI+"/users/@me/flags", alice.readOnly, map[string]any{"flag": bbPNG(t, color.RGBA{9, 9, 9, 255}), "name": "RO"}), 403, 4002)
		bbCode(t, s.Do("POST", bbAPI+"/users/@me/flags", "", map[string]any{"flag": bbPNG(t, color.RGBA{9, 9, 9, 255}), "name": "Anon"}), 403, 403)
		bbCode(t, s.Do("GET", bbAPI+"/users/@me/flags", "", nil), 403, 403)

		var list []map[string]any
		r = s.Do("GET", bbAPI+"/users/@me/flags", alice.readOnly, nil)
		bbUnmarshal(t, r, &list)
		if len(list) != 2 || list[0]["id"] != id || list[1]["id"] != id2 {
			t.Fatalf("flag list = %v", list)
		}
		if r := s.Do("GET", bbAPI+"/users/@me/flags", bob.token, nil); string(bytes.TrimSpace(r.Body)) != "[]" {
			t.Errorf("bob sees alice's flags: %s", r.Body)
		}

		// Update: name, description; "" clears the description.
		u := s.Want(s.Do("PATCH", bbAPI+"/users/@me/flags/"+id2, alice.token, map[string]any{"name": "Navy"}), 200)
		if u["name"] != "Navy" || u["description"] != "a blue one" || u["hash"] != f2["hash"] {
			t.Errorf("renamed flag = %v", u)
		}
		u = s.Want(s.Do("PATCH", bbAPI+"/users/@me/flags/"+id2, alice.token, map[string]any{"description": ""}), 200)
		if u["description"] != nil || u["name"] != "Navy" {
			t.Errorf("cleared description = %v", u)
		}
		bbCode(t, s.Do("PATCH", bbAPI+"/users/@me/flags/"+id2, alice.token, map[string]any{"name": ""}), 400, 400)
		bbCode(t, s.Do("PATCH", bbAPI+"/users/@me/flags/"+id2, alice.token, map[string]any{}), 400, 400)
		bbCode(t, s.Do("PATCH", bbAPI+"/users/@me/flags/not-an-id", alice.token, map[string]any{"name": "X"}), 400, 400)
		bbCode(t, s.Do("PATCH", bbAPI+"/users/@me/flags/aaaaaaaaaaaaaaaaaaaa", alice.token, map[string]any{"name": "X"}), 404, 404)
		bbCode(t, s.Do("PATCH", bbAPI+"/users/@me/flags/"+id2, bob.token, map[string]any{"name": "Mine"}), 404, 404)
		bbCode(t, s.Do("PATCH", bbAPI+"/users/@me/flags/"+id2, alice.readOnly, map[string]any{"name": "RO"}), 403, 4002)
		bbCode(t, s.Do("DELETE", bbAPI+"/users/@me/flags/"+id2, bob.token, nil), 404, 404)

		// Shown on the profile in the order given; a foreign or unknown id
		// is 400 and changes nothing, the bio beside it included.
		s.Want(s.Do("PATCH", bbAPI+"/users/@me", alice.token, map[string]any{"flags": []string{id2, id}, "bio": "before"}), 200)
		bobFlag := s.Want(s.Do("POST", bbAPI+"/users/@me/flags", bob.token, map[string]any{"flag": bbPNG(t, color.RGBA{0, 200, 0, 255}), "name": "Green"}), 200)["id"].(string)
		for _, bad := range [][]string{{id, bobFlag}, {id, "aaaaaaaaaaaaaaaaaaaa"}, {id, id}} {
			bbCode(t, s.Do("PATCH", bbAPI+"/users/@me", alice.token, map[string]any{"flags": bad, "bio": "after"}), 400, 400)
		}
		prof := s.Want(s.Do("GET", bbAPI+"/users/flagalice", "", nil), 200)
		if fl := prof["flags"].([]any); len(fl) != 2 || fl[0].(map[string]any)["id"] != id2 || fl[1].(map[string]any)["id"] != id || prof["bio"] != "before" {
			t.Fatalf("profile after refused flag changes: flags %v, bio %v", prof["flags"], prof["bio"])
		}

		// A member shows flags too; deleting a flag takes it off every
		// profile: 204, empty body.
		m := s.Want(s.Do("POST", bbAPI+"/members", alice.token, map[string]any{"name": "Flagged", "flags": []string{id}}), 200)
		if fl := m["flags"].([]any); len(fl) != 1 || fl[0].(map[string]any)["id"] != id {
			t.Fatalf("member flags = %v", m["flags"])
		}
		r = s.Do("DELETE", bbAPI+"/users/@me/flags/"+id, alice.token, nil)
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("delete: %d %q", r.Status, r.Body)
		}
		bbCode(t, s.Do("DELETE", bbAPI+"/users/@me/flags/"+id, alice.token, nil), 404, 404)
		prof = s.Want(s.Do("GET", bbAPI+"/users/flagalice", "", nil), 200)
		if fl := prof["flags"].([]any); len(fl) != 1 || fl[0].(map[string]any)["id"] != id2 {
			t.Errorf("profile flags after delete = %v", prof["flags"])
		}
		m = s.Want(s.Do("GET", bbAPI+"/members/"+m["id"].(string), "", nil), 200)
		if fl := m["flags"].([]any); len(fl) != 0 {
			t.Errorf("member flags after delete = %v", fl)
		}
		r = s.Do("GET", bbAPI+"/users/@me/flags", alice.token, nil)
		bbUnmarshal(t, r, &list)
		if len(list) != 1 || list[0]["id"] != id2 {
			t.Errorf("flag list after delete = %v", list)
		}
	})
}
