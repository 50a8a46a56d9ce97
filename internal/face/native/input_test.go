package native

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

func TestParseFields(t *testing.T) {
	tests := []struct {
		in      string
		want    []string // registry names, sorted; nil: every field
		problem string   // part of the error reason
	}{
		{"", nil, ""},
		{"id,name", []string{"id", "name"}, ""},
		{" id , name ", []string{"id", "name"}, ""},
		{"profile.bio,id", []string{"bio", "id"}, ""},
		{"settings", []string{"list_private", "per_page", "theme"}, ""},
		{"settings,settings.theme", []string{"list_private", "per_page", "theme"}, ""},
		{"bio", nil, "did you mean profile.bio"},
		{"settings.bio", nil, "did you mean profile.bio"},
		{"profile.id", nil, "did you mean id"},
		{"nickname", nil, `"nickname" is not a field`},
		{"profile.nickname", nil, "is not a field"},
		{"password_hash", nil, "is not a field"},
		{"profile.", nil, "is not a field"},
		{"id,,name", nil, `"" is not a field`},
		{"Profile", nil, "is not a field"},
	}
	for _, tt := range tests {
		only, err := parseFields(tt.in)
		if tt.problem != "" {
			if err == nil || !strings.Contains(core.AsError(err).Fields["fields"], tt.problem) {
				t.Errorf("parseFields(%q) error = %v, want one about %q", tt.in, err, tt.problem)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseFields(%q): %v", tt.in, err)
			continue
		}
		var got []string
		if only != nil {
			got = slices.Sorted(maps.Keys(only))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("parseFields(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseFields(f *testing.F) {
	for _, s := range []string{"id,name", "profile", "profile.bio", "a.b.c", ",", "e621.recent_tags"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		only, err := parseFields(s)
		if err != nil {
			if core.ErrorCode(err) != core.Invalid {
				t.Fatalf("parseFields(%q): %v is not Invalid", s, err)
			}
			return
		}
		for name := range only {
			if f := core.FieldByName(name); f == nil || f.Read == core.ReadNever {
				t.Fatalf("parseFields(%q) selects %q", s, name)
			}
		}
	})
}

func TestDecodeUser(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		want   map[string]string // registry name -> spelling
		probs  []string          // keys of the error's Fields
		reason string            // part of the first problem's reason
	}{
		{"nested", `{"profile":{"bio":"x"},"settings":{"per_page":5},"level":30}`,
			map[string]string{"bio": "profile.bio", "per_page": "settings.per_page", "level": "level"}, nil, ""},
		{"flat names still work", `{"bio":"x","per_page":5,"blacklisted_tags":""}`,
			map[string]string{"bio": "bio", "per_page": "per_page", "blacklisted_tags": "blacklisted_tags"}, nil, ""},
		{"special members are left", `{"password":"x","current_password":"y","e621":{}}`, map[string]string{}, nil, ""},
		{"given twice", `{"bio":"x","profile":{"bio":"y"}}`, nil, []string{"profile.bio"}, "twice, as bio and profile.bio"},
		{"twice in a group", `{"profile":{"bio":"x","bio":"y"}}`, nil, []string{"profile.bio"}, "twice"},
		{"wrong group", `{"settings":{"bio":"x"}}`, nil, []string{"settings.bio"}, "it is profile.bio"},
		{"top-level field inside a group", `{"profile":{"level":30}}`, nil, []string{"profile.level"}, "it is level"},
		{"unknown in a group", `{"danbooru":{"nickname":"x"}}`, nil, []string{"danbooru.nickname"}, "is not a field"},
		{"unknown", `{"nickname":"x"}`, nil, []string{"nickname"}, "is not a field"},
		{"never readable", `{"password_hash":"x"}`, nil, []string{"password_hash"}, "is not a field"},
		{"group not an object", `{"profile":"bio"}`, nil, []string{"profile"}, "must be an object"},
		{"group null", `{"profile":null}`, nil, []string{"profile"}, "must be an object"},
		{"bad value in a group", `{"settings":{"per_page":"ten"}}`, nil, []string{"settings.per_page"}, ""},
		{"bad flat value", `{"per_page":1.5}`, nil, []string{"per_page"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := httpx.ParseObject([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			in, err := decodeUser(obj, "password", "current_password")
			if tt.probs != nil {
				e := core.AsError(err)
				if err == nil || e.Code != core.Invalid || !slices.Equal(slices.Sorted(maps.Keys(e.Fields)), tt.probs) {
					t.Fatalf("error = %v (fields %v), want problems %v", err, e.Fields, tt.probs)
				}
				if !strings.Contains(e.Fields[tt.probs[0]], tt.reason) {
					t.Errorf("reason %q lacks %q", e.Fields[tt.probs[0]], tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(in.spelled, tt.want) || len(in.fields) != len(tt.want) {
				t.Errorf("spelled %v, fields %v; want %v", in.spelled, in.fields, tt.want)
			}
		})
	}
}

// TestRespell: problems the core reports by registry name come back under
// the name the client used, or under the field's path.
func TestRespell(t *testing.T) {
	obj, _ := httpx.ParseObject([]byte(`{"bio":"x","settings":{"per_page":5}}`))
	in, err := decodeUser(obj)
	if err != nil {
		t.Fatal(err)
	}
	coreErr := &core.Error{Code: core.Forbidden, Message: "No.", Fields: map[string]string{
		"bio": "a", "per_page": "b", "theme": "c", "level": "d", "password": "e"}}
	got := core.AsError(in.respell(coreErr))
	want := map[string]string{"bio": "a", "settings.per_page": "b", "settings.theme": "c", "level": "d", "password": "e"}
	if got.Code != core.Forbidden || !maps.Equal(got.Fields, want) {
		t.Errorf("respelled %v, want %v", got.Fields, want)
	}
	if _, ok := coreErr.Fields["settings.per_page"]; ok {
		t.Error("respell changed the core's error")
	}
}

func FuzzDecodeUser(f *testing.F) {
	for _, s := range []string{`{"profile":{"bio":"x"}}`, `{"bio":"x","profile":{"bio":"y"}}`, `{"e621":{"recent_tags":1}}`, `{"settings":[]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		obj, err := httpx.ParseObject([]byte(body))
		if err != nil {
			return
		}
		in, err := decodeUser(obj)
		if err != nil {
			if core.ErrorCode(err) != core.Invalid {
				t.Fatalf("%s: %v is not Invalid", body, err)
			}
			return
		}
		for name := range in.fields {
			s, ok := slotOf[name]
			if !ok || in.spelled[name] != s.path() && in.spelled[name] != name {
				t.Fatalf("%s: %s spelled %q", body, name, in.spelled[name])
			}
		}
	})
}

// TestAppendUser: groups hold their fields, a group the viewer can read
// nothing of is absent, and a selection keeps only what it names.
func TestAppendUser(t *testing.T) {
	bio := "hi"
	u := &core.User{ID: 7, Name: "ann", Level: 20, Bio: &bio, PerPage: 20, Theme: "auto", BlacklistedTags: "a",
		Links: json.RawMessage(`[]`), PreferredNames: json.RawMessage(`[]`), Pronouns: json.RawMessage(`[]`),
		ProfileFields: json.RawMessage(`[]`), CustomPreferences: json.RawMessage(`{}`), ArtistTags: json.RawMessage(`[]`),
		Attributes: json.RawMessage(`{}`), AttributesKwargs: json.RawMessage(`{}`), LocalizedAttributes: json.RawMessage(`{}`),
		LocalizedAttributesKwargs: json.RawMessage(`{}`)}
	render := func(viewer *core.User, fields string) map[string]any {
		t.Helper()
		only, err := parseFields(fields)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		// The core hands faces users redacted for their viewer.
		appendUser(&buf, core.NativeProfile.Redact(viewer, u), viewer, only)
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatalf("%v: %s", err, buf.Bytes())
		}
		return m
	}
	anon := render(nil, "")
	for _, g := range []string{"settings", "danbooru"} {
		if _, ok := anon[g]; ok {
			t.Errorf("anonymous sees the %s group: %v", g, anon[g])
		}
	}
	if p, _ := anon["profile"].(map[string]any); p["bio"] != "hi" || p["timezone"] != nil {
		t.Errorf("anonymous profile = %v", anon["profile"])
	}
	if _, ok := anon["bio"]; ok {
		t.Error("bio is also at the top level")
	}
	self := render(u, "")
	if s, _ := self["settings"].(map[string]any); s["per_page"] != float64(20) || s["theme"] != "auto" {
		t.Errorf("self settings = %v", self["settings"])
	}
	if d, _ := self["danbooru"].(map[string]any); d["blacklisted_tags"] != "a" {
		t.Errorf("self danbooru = %v", self["danbooru"])
	}
	sel := render(u, "id,profile.bio,settings")
	if got := slices.Sorted(maps.Keys(sel)); !slices.Equal(got, []string{"id", "profile", "settings"}) {
		t.Errorf("selection keys = %v", got)
	}
	if p := sel["profile"].(map[string]any); len(p) != 1 {
		t.Errorf("profile.bio selected %v", p)
	}
	if got := render(nil, "settings,id"); len(got) != 1 {
		t.Errorf("anonymous selecting settings got %v", got)
	}
}
