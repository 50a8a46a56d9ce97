package pronouns

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"usersd/internal/core"
)

func apiCode(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return -1
}

// TestParseUserPatch: each key's rule, as pronouns.cc's PATCH /users/@me
// checks it (spec §8.3), and the canonical update it becomes.
func TestParseUserPatch(t *testing.T) {
	me := &core.User{ID: 1, Name: "alice"}
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name, body string
		code       int            // 0: accepted
		fields     map[string]any // expected canonical values (JSON text for JSON columns)
		check      func(core.Update) bool
	}{
		{"empty object", `{}`, 400, nil, nil},
		{"only nulls", `{"bio":null,"name":null}`, 400, nil, nil},
		{"only unknown keys", `{"pronoun":"x"}`, 400, nil, nil},
		{"not JSON", `bio=x`, 400, nil, nil},
		{"array", `[{"bio":"x"}]`, 400, nil, nil},
		{"trailing data", `{"bio":"x"} {}`, 400, nil, nil},
		{"duplicate key", `{"bio":"x","bio":"y"}`, 400, nil, nil},
		{"null leaves alone", `{"bio":null,"display_name":"D"}`, 0, map[string]any{"display_name": "D"}, nil},
		{"empty clears", `{"bio":"","display_name":"","member_title":""}`, 0, map[string]any{"bio": nil, "display_name": nil, "member_title": nil}, nil},
		{"bio 1000 characters", `{"bio":"` + long(1000) + `"}`, 0, map[string]any{"bio": long(1000)}, nil},
		{"bio 1001 characters", `{"bio":"` + long(1001) + `"}`, 400, nil, nil},
		{"display_name 101", `{"display_name":"` + long(101) + `"}`, 400, nil, nil},
		{"member_title 150", `{"member_title":"` + long(150) + `"}`, 0, map[string]any{"member_title": long(150)}, nil},
		{"member_title 151", `{"member_title":"` + long(151) + `"}`, 400, nil, nil},
		{"bio wrong type", `{"bio":5}`, 400, nil, nil},
		{"list_private", `{"list_private":true}`, 0, map[string]any{"list_private": true}, nil},
		{"list_private string", `{"list_private":"yes"}`, 400, nil, nil},
		{"name", `{"name":"Bob_2.x-y"}`, 0, map[string]any{"name": "Bob_2.x-y"}, nil},
		{"own name is a no-op", `{"name":"alice"}`, 0, map[string]any{}, nil},
		{"name too short", `{"name":"b"}`, 1006, nil, nil},
		{"name too long", `{"name":"` + strings.Repeat("b", 41) + `"}`, 1006, nil, nil},
		{"name dot dot", `{"name":".."}`, 1006, nil, nil},
		{"name non-ASCII", `{"name":"élan"}`, 1006, nil, nil},
		{"name with @", `{"name":"a@b"}`, 1006, nil, nil},
		{"name reserved", `{"name":"Settings"}`, 1006, nil, nil},
		{"name reserved with dot", `{"name":"pronouns.cc"}`, 1006, nil, nil},
		{"links", `{"links":["https://a.example"]}`, 0, map[string]any{"links": `["https://a.example"]`}, nil},
		{"links unescaped", `{"links":["<a>&\u003c"]}`, 0, map[string]any{"links": `["<a>&<"]`}, nil},
		{"link of 256 emoji", `{"links":["` + strings.Repeat("😀", 256) + `"]}`, 0, map[string]any{"links": `["` + strings.Repeat("😀", 256) + `"]`}, nil},
		{"links cleared", `{"links":[]}`, 0, map[string]any{"links": `[]`}, nil},
		{"26 links", `{"links":[` + strings.TrimSuffix(strings.Repeat(`"l",`, 26), ",") + `]}`, 400, nil, nil},
		{"empty link", `{"links":[""]}`, 400, nil, nil},
		{"link 257", `{"links":["` + long(257) + `"]}`, 400, nil, nil},
		{"names", `{"names":[{"value":"Al","status":"favourite","extra":1}]}`, 0, map[string]any{"preferred_names": `[{"value":"Al","status":"favourite"}]`}, nil},
		{"integer status", `{"names":[{"value":"Al","status":1}]}`, 400, nil, nil},
		{"pronouns", `{"pronouns":[{"pronouns":"they/them","status":"okay"}]}`, 0, map[string]any{"pronouns": `[{"pronouns":"they/them","display_text":null,"status":"okay"}]`}, nil},
		{"fields", `{"fields":[{"name":"Gender"}]}`, 0, map[string]any{"profile_fields": `[{"name":"Gender","entries":[]}]`}, nil},
		{"timezone", `{"timezone":"Europe/Amsterdam"}`, 0, map[string]any{"timezone": "Europe/Amsterdam", "timezone_rails": nil}, nil},
		{"timezone cleared", `{"timezone":""}`, 0, map[string]any{"timezone": nil, "timezone_rails": nil}, nil},
		{"timezone unknown", `{"timezone":"Mars/Olympus"}`, 400, nil, nil},
		{"timezone Local", `{"timezone":"Local"}`, 400, nil, nil},
		{"timezone path", `{"timezone":"../../etc/passwd"}`, 400, nil, nil},
		{"custom preference", `{"custom_preferences":{"1F3A8D3E-6A4B-4B7A-9D0E-3C2B1A000000":{"icon":"heart-fill","tooltip":"Partners","size":"small","muted":true}}}`, 0,
			map[string]any{"custom_preferences": `{"1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000":{"icon":"heart-fill","tooltip":"Partners","size":"small","muted":true,"favourite":false}}`}, nil},
		{"custom preferences cleared", `{"custom_preferences":{}}`, 0, map[string]any{"custom_preferences": `{}`}, nil},
		{"custom preference key not a UUID", `{"custom_preferences":{"x":{"icon":"heart","tooltip":"t","size":"normal"}}}`, 400, nil, nil},
		{"custom preference bad size", `{"custom_preferences":{"1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000":{"icon":"heart","tooltip":"t","size":"huge"}}}`, 400, nil, nil},
		{"custom preference empty tooltip", `{"custom_preferences":{"1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000":{"icon":"heart","tooltip":"","size":"normal"}}}`, 400, nil, nil},
		{"custom preference bad icon", `{"custom_preferences":{"1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000":{"icon":"<b>","tooltip":"t","size":"normal"}}}`, 400, nil, nil},
		{"flags", `{"flags":["a","b"]}`, 0, map[string]any{}, func(u core.Update) bool { return u.Flags != nil && len(*u.Flags) == 2 }},
		{"flags cleared", `{"flags":[]}`, 0, map[string]any{}, func(u core.Update) bool { return u.Flags != nil && len(*u.Flags) == 0 }},
		{"flags not strings", `{"flags":[1]}`, 400, nil, nil},
		{"avatar removed", `{"avatar":""}`, 0, map[string]any{}, func(u core.Update) bool { return u.Avatar != nil && *u.Avatar == "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up, err := parseUserPatch([]byte(tt.body), me)
			if tt.code != 0 {
				if got := apiCode(err); got != tt.code {
					t.Fatalf("code = %d (%v), want %d", got, err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(up.Fields) != len(tt.fields) {
				t.Errorf("fields = %v, want %v", up.Fields, tt.fields)
			}
			for k, want := range tt.fields {
				got, ok := up.Fields[k]
				if raw, isJSON := got.(json.RawMessage); isJSON {
					got = string(raw)
				}
				if !ok || got != want {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
			}
			if tt.check != nil && !tt.check(up) {
				t.Errorf("update = %+v", up)
			}
		})
	}
}

func TestCheckMemberName(t *testing.T) {
	for _, ok := range []string{"Robin", "a", "name with spaces", "ünïcödé", "🌈", "a.b", "a-b_c", strings.Repeat("m", 100)} {
		if err := checkMemberName(ok); err != nil {
			t.Errorf("checkMemberName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "a\\b", "a?", "a!", "#a", "@a", "[a]", "{a}", `"a"`, "'a'", "a$", "a%", "a&", "(a)", "a+", "<a>", "a=", "a^", "a|", "a~", "`a`", "a,b", strings.Repeat("m", 101)} {
		if err := checkMemberName(bad); apiCode(err) != 400 {
			t.Errorf("checkMemberName(%q) = %v, want 400", bad, err)
		}
	}
}

func FuzzParseUserPatch(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"x"}`, `{"names":[{"value":"a","status":"okay"}]}`, `{"custom_preferences":{"1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000":{}}}`, `{"timezone":"UTC"}`, `null`, `{"flags":null}`} {
		f.Add(s)
	}
	me := &core.User{ID: 1, Name: "alice"}
	f.Fuzz(func(t *testing.T, body string) {
		up, err := parseUserPatch([]byte(body), me)
		if err != nil {
			if apiCode(err) <= 0 {
				t.Fatalf("error without a pronouns code: %v", err)
			}
			return
		}
		for k, v := range up.Fields {
			if raw, ok := v.(json.RawMessage); ok && !json.Valid(raw) {
				t.Fatalf("%s: invalid JSON %s", k, raw)
			}
		}
	})
}
