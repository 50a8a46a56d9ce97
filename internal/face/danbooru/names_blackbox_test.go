package danbooru_test

import (
	"net/url"
	"testing"

	"usersd/internal/facetest"
)

// TestSignupNameRule: Danbooru sign-ups go through the core's name rule
// after the face's own: look-alikes of existing names (made on any face)
// are taken, and every face's route words are reserved (issue 7).
func TestSignupNameRule(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		f := danSetup(t, b)
		f.user("paypal", nil)
		f.user("ロロ", nil) // Katakana ro
		for _, tt := range []struct{ name, body string }{
			{"paypa1", `{"errors":{"name":["already taken"]}}`},
			{"PAYPAl", `{"errors":{"name":["already taken"]}}`},
			{"口口", `{"errors":{"name":["already taken"]}}`}, // Han kou
			{"me", `{"errors":{"name":["is reserved"]}}`},
			{"upload_limit", `{"errors":{"name":["is reserved"]}}`},
			{"home", `{"errors":{"name":["is reserved"]}}`},
			{"l2", `{"errors":{"name":["may not look like a number"]}}`},
		} {
			f.expect(f.req("POST", "/users.json", "user[name]="+url.QueryEscape(tt.name)+"&user[password]=hunter22"), 422, tt.body)
		}
		// Half-width katakana, which Danbooru's letters admit, is stored
		// in its usual width.
		if m := f.signup("ｱｲ", "hunter22"); m["name"] != "アイ" {
			t.Errorf("signed up as %q", m["name"])
		}
	})
}
