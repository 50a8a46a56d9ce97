package native_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"usersd/internal/facetest"
)

// nameCase is one requested name and what the name rule makes of it: a
// status and the reason under errors.name.
type nameCase struct {
	name   string
	status int
	reason string
	signup bool // also try as an anonymous sign-up (a few, to stay clear of sign-up limits)
}

const (
	taken     = "is already taken"
	lookalike = "looks like an existing name"
	invisible = "may not contain invisible or direction-control characters"
	nonchar   = "may not contain unassigned, private-use or noncharacter code points"
	reserved  = "is reserved"
)

// nameCases are the findings of issue 7 against existing users admin,
// café, straße, bill and the deleted ghost.
var nameCases = []nameCase{
	// Renders like an existing name.
	{"cafe\u0301", 409, taken, true}, // decomposed café is stored composed
	{"ａｄｍｉｎ", 409, taken, false},     // full-width is stored narrow
	{"аdmin", 409, lookalike, true},  // Cyrillic а
	{"ΑDMIN", 409, lookalike, false}, // Greek capital alpha
	{"strasse", 409, lookalike, true},
	{"STRASSE", 409, lookalike, false},
	{"bi11", 409, lookalike, false},
	{"ghost", 409, taken, false},       // a deleted user keeps the name
	{"ghоst", 409, lookalike, true},    // Cyrillic о: a look-alike of a deleted user's name
	{"Straße", 409, taken, false},      // case alone
	{"rnodern", 409, lookalike, false}, // rn and m, beside "modern"
	// Renders as nothing, or steers other text.
	{"ad\u200bmin", 400, invisible, true},
	{"ad\u200cmin", 400, invisible, false},
	{"ad\u200dmin", 400, invisible, false},
	{"ad\u00admin", 400, invisible, false},
	{"nimda\u202e", 400, invisible, true},
	{"a\u202ab", 400, invisible, false},
	{"a\u2066b\u2069", 400, invisible, false},
	{"a\u200eb", 400, invisible, false},
	{"a\u200fb", 400, invisible, false},
	{"\u3164", 400, invisible, true},
	{"a\u115fb", 400, invisible, false},
	{"a\u1160b", 400, invisible, false},
	{"a\uffa0b", 400, invisible, false},
	{"\u0301", 400, "may not start with a combining mark", false},
	{"\U0001D41A\U0001D41D\U0001D426\U0001D422\U0001D427", 400, `may not contain '𝐚' (U+1D41A), a compatibility form of "a": write that instead`, false},
	// Breaks XML (U+FFFE, U+FFFF) or is unassigned.
	{"a\ufffeb", 400, nonchar, true},
	{"a\uffffb", 400, nonchar, false},
	{"a\u0378b", 400, nonchar, false},
	// Collides with ids and routes.
	{"9", 400, "may not be a number", true},
	{"12345", 400, "may not be a number", false},
	{"me", 400, reserved, true},
	{"@me", 400, reserved, false},
	{"upload_limit", 400, reserved, false}, // e621's /users/upload_limit
	{"home", 400, reserved, false},         // e621ng's reserved words
	{"deactivate", 400, reserved, false},   // Danbooru's /users/deactivate
	{"x.json", 400, "may not end in .json, which routes read as a format", true},
	{"x.xml", 400, "may not end in .xml, which routes read as a format", false},
	{"x.atom", 400, "may not end in .atom, which routes read as a format", false},
	{"x.png", 400, "may not end in .png, which routes read as a format", false}, // Danbooru splits any extension
	{"user_7", 400, reserved, false},
}

// TestNameRule: one name rule for sign-ups, staff creates, admin renames
// and the CLI, on both backends (issue 7, names).
func TestNameRule(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, root := s.Admin("root", 50)
		for _, n := range []string{"admin", "café", "straße", "bill", "modern"} {
			s.Want(s.Do("POST", "/v1/users", root, map[string]any{"name": n}), 201)
		}
		ghostID, ghost := s.Signup("ghost")
		s.Want(s.Do("DELETE", fmt.Sprintf("/v1/users/%d", ghostID), ghost, nil), 204)
		target := int64(s.Want(s.Do("POST", "/v1/users", root, map[string]any{"name": "target"}), 201)["id"].(float64))

		check := func(what string, r facetest.Response, c nameCase) {
			t.Helper()
			if r.Status != c.status {
				t.Errorf("%s %+q: status %d, want %d\n%s", what, c.name, r.Status, c.status, r.Body)
				return
			}
			m := r.JSON(t)
			errs, _ := m["errors"].(map[string]any)
			if errs["name"] != c.reason {
				t.Errorf("%s %+q: errors.name = %q, want %q\n%s", what, c.name, errs["name"], c.reason, r.Body)
			}
		}
		for _, c := range nameCases {
			if c.signup {
				check("sign-up", s.Do("POST", "/v1/users", "", map[string]any{"name": c.name, "password": "password1"}), c)
			}
			check("staff create", s.Do("POST", "/v1/users", root, map[string]any{"name": c.name}), c)
			check("admin rename", s.Do("PATCH", fmt.Sprintf("/v1/users/%d", target), root, map[string]any{"name": c.name}), c)
		}
		m := s.Do("POST", "/v1/users", "", map[string]any{"name": "аdmin", "password": "password1"}).JSON(t)
		if m["detail"] != "Name looks like an existing name." {
			t.Errorf("look-alike detail = %q", m["detail"])
		}
		// Nothing was written: the target keeps its name.
		if g := s.Want(s.Do("GET", fmt.Sprintf("/v1/users/%d", target), root, nil), 200); g["name"] != "target" {
			t.Errorf("target renamed to %q", g["name"])
		}

		// Names are stored normalized, and found by any spelling that
		// normalizes to them.
		for in, want := range map[string]string{"zoe\u0308": "zoë", "ｂｅｎ": "ben", "ｱｲ": "アイ"} {
			g := s.Want(s.Do("POST", "/v1/users", root, map[string]any{"name": in}), 201)
			if g["name"] != want {
				t.Errorf("created %+q as %+q, want %+q", in, g["name"], want)
			}
			if g := s.Want(s.Do("GET", "/v1/users/"+url.PathEscape(in), "", nil), 200); g["name"] != want {
				t.Errorf("GET %+q = %+q", in, g["name"])
			}
		}
		// A rename to one's own name in another case, or a look-alike of
		// only one's own name, is no conflict.
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", target), root, map[string]any{"name": "TARGET"}), 200)
		s.Want(s.Do("PATCH", fmt.Sprintf("/v1/users/%d", target), root, map[string]any{"name": "tаrget"}), 200) // Cyrillic а

		// The CLI applies the rule too, every face's words included.
		for name, reason := range map[string]string{"аdmin": lookalike, "upload_limit": reserved, "a\u200bb": invisible} {
			_, err := s.CLI("user", "create", "--name", name, "--password", "password1")
			if err == nil || !strings.Contains(err.Error(), reason) {
				t.Errorf("user create %+q: %v, want %q", name, err, reason)
			}
		}
	})
}

// TestRestoreOldName: restoring an account a face's deletion renamed
// gives its old name back only when no look-alike has taken it since.
func TestRestoreOldName(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		_, root := s.Admin("root", 60)
		restore := func(name, lookalike string) string {
			t.Helper()
			id, _ := s.Signup(name)
			key := s.Token(name, "danbooru")
			r := s.DoType("DELETE", fmt.Sprintf("/danbooru/users/%d.json?login=%s&api_key=%s", id, name, url.QueryEscape(key)), "",
				"user[password]=password-"+name, "application/x-www-form-urlencoded")
			if r.Status != 204 {
				t.Fatalf("Danbooru deletion: %d %s", r.Status, r.Body)
			}
			if lookalike != "" {
				s.Want(s.Do("POST", "/v1/users", root, map[string]any{"name": lookalike}), 201)
			}
			return s.Want(s.Do("POST", fmt.Sprintf("/v1/users/%d/restore", id), root, nil), 200)["name"].(string)
		}
		if got := restore("leaver", ""); got != "leaver" {
			t.Errorf("restored as %q, want leaver", got)
		}
		if got := restore("quitter", "quіtter"); got == "quitter" || !strings.HasPrefix(got, "user_") { // Ukrainian і
			t.Errorf("restored beside a look-alike as %q, want the deletion name", got)
		}
	})
}
