package core

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	prefA = "1f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000"
	prefB = "2f3a8d3e-6a4b-4b7a-9d0e-3c2b1a000000"
)

// storedPrefs are the custom preferences the entries are checked against
// when the patch brings none.
var storedPrefs = []byte(`{"` + prefA + `":{"icon":"heart","tooltip":"Partners only","size":"normal","muted":false,"favourite":false}}`)

func TestCheckEntries(t *testing.T) {
	long := strings.Repeat("x", 101)
	emoji := strings.Repeat("🏳️", 50) // 100 code points, 350 bytes
	pref := func(body string) string { return `{"` + prefB + `":` + body + `}` }
	okPref := `{"icon":"star-fill","tooltip":"Tip","size":"large"}`
	tests := []struct {
		name  string
		patch map[string]string // field → JSON
		field string            // the field with a problem, "" for none
		want  string            // its reason contains this; with no field: the canonical JSON of every patched field, ";"-joined in patch order below
		bad   bool              // ReasonBadStatus
	}{
		// preferred_names
		{name: "names ok", patch: map[string]string{"preferred_names": `[{"value":"Ash","status":"favourite"},{"value":"` + emoji + `","status":"avoid"}]`}},
		{name: "names canonical", patch: map[string]string{"preferred_names": `[{"status":"okay","value":"<b>","extra":1}]`},
			want: `[{"value":"<b>","status":"okay"}]`},
		{name: "names empty list", patch: map[string]string{"preferred_names": `[]`}, want: `[]`},
		{name: "names value empty", patch: map[string]string{"preferred_names": `[{"value":"","status":"okay"}]`}, field: "preferred_names", want: "item 1: value may not be empty"},
		{name: "names value long", patch: map[string]string{"preferred_names": `[{"value":"a","status":"okay"},{"value":"` + long + `","status":"okay"}]`}, field: "preferred_names", want: "item 2: value must be at most 100 characters"},
		{name: "names value missing", patch: map[string]string{"preferred_names": `[{"status":"okay"}]`}, field: "preferred_names", want: "item 1: value is required"},
		{name: "names value number", patch: map[string]string{"preferred_names": `[{"value":5,"status":"okay"}]`}, field: "preferred_names", want: "item 1: value must be a string"},
		{name: "names item not object", patch: map[string]string{"preferred_names": `["Ash"]`}, field: "preferred_names", want: "item 1: must be an object"},
		{name: "names null item", patch: map[string]string{"preferred_names": `[null]`}, field: "preferred_names", want: "item 1: must be an object"},
		{name: "names integer status", patch: map[string]string{"preferred_names": `[{"value":"a","status":"okay"},{"value":"b","status":"okay"},{"value":"c","status":1}]`},
			field: "preferred_names", want: "item 3: status is invalid", bad: true},
		{name: "names unknown status", patch: map[string]string{"preferred_names": `[{"value":"a","status":"great"}]`}, field: "preferred_names", want: "item 1: status is invalid", bad: true},
		{name: "names status case", patch: map[string]string{"preferred_names": `[{"value":"a","status":"Okay"}]`}, field: "preferred_names", want: "status is invalid", bad: true},
		{name: "names missing status", patch: map[string]string{"preferred_names": `[{"value":"a"}]`}, field: "preferred_names", want: "item 1: status is invalid", bad: true},
		{name: "names stored custom status", patch: map[string]string{"preferred_names": `[{"value":"a","status":"` + prefA + `"}]`}},
		{name: "names status of a preference not stored", patch: map[string]string{"preferred_names": `[{"value":"a","status":"` + prefB + `"}]`},
			field: "preferred_names", want: "status is invalid", bad: true},

		// Statuses resolve against the preferences in effect after the write.
		{name: "new preference in the same patch", patch: map[string]string{"custom_preferences": pref(okPref), "pronouns": `[{"pronouns":"she/her","status":"` + prefB + `"}]`}},
		{name: "stored preference dropped in the same patch", patch: map[string]string{"custom_preferences": pref(okPref), "pronouns": `[{"pronouns":"she/her","status":"` + prefA + `"}]`},
			field: "pronouns", want: "item 1: status is invalid", bad: true},
		{name: "preferences cleared", patch: map[string]string{"custom_preferences": `{}`, "preferred_names": `[{"value":"a","status":"` + prefA + `"}]`},
			field: "preferred_names", want: "status is invalid", bad: true},

		// pronouns
		{name: "pronouns canonical", patch: map[string]string{"pronouns": `[{"pronouns":"they/them","status":"okay"},{"display_text":"","pronouns":"it/its","status":"jokingly"},{"pronouns":"she/her/her/hers/herself","display_text":"she/her","status":"friends_only"}]`},
			want: `[{"pronouns":"they/them","display_text":null,"status":"okay"},{"pronouns":"it/its","display_text":null,"status":"jokingly"},{"pronouns":"she/her/her/hers/herself","display_text":"she/her","status":"friends_only"}]`},
		{name: "pronouns empty", patch: map[string]string{"pronouns": `[{"pronouns":"","status":"okay"}]`}, field: "pronouns", want: "item 1: pronouns may not be empty"},
		{name: "pronouns long", patch: map[string]string{"pronouns": `[{"pronouns":"` + long + `","status":"okay"}]`}, field: "pronouns", want: "item 1: pronouns must be at most 100"},
		{name: "display_text long", patch: map[string]string{"pronouns": `[{"pronouns":"a","display_text":"` + long + `","status":"okay"}]`}, field: "pronouns", want: "item 1: display_text must be at most 100"},
		{name: "display_text emoji", patch: map[string]string{"pronouns": `[{"pronouns":"` + emoji + `","display_text":"` + emoji + `","status":"okay"}]`}},
		{name: "display_text number", patch: map[string]string{"pronouns": `[{"pronouns":"a","display_text":1,"status":"okay"}]`}, field: "pronouns", want: "display_text must be a string or null"},
		{name: "pronouns bad status", patch: map[string]string{"pronouns": `[{"pronouns":"a","status":5}]`}, field: "pronouns", want: "item 1: status is invalid", bad: true},

		// profile_fields
		{name: "fields canonical", patch: map[string]string{"profile_fields": `[{"name":"Gender","entries":[{"value":"non-binary","status":"okay","x":true}]},{"name":"Empty"},{"name":"Null","entries":null}]`},
			want: `[{"name":"Gender","entries":[{"value":"non-binary","status":"okay"}]},{"name":"Empty","entries":[]},{"name":"Null","entries":[]}]`},
		{name: "field name empty", patch: map[string]string{"profile_fields": `[{"name":"","entries":[]}]`}, field: "profile_fields", want: "item 1: name may not be empty"},
		{name: "field name long", patch: map[string]string{"profile_fields": `[{"name":"` + long + `","entries":[]}]`}, field: "profile_fields", want: "item 1: name must be at most 100"},
		{name: "field entries not array", patch: map[string]string{"profile_fields": `[{"name":"a","entries":{}}]`}, field: "profile_fields", want: "item 1: entries must be an array"},
		{name: "field too many entries", patch: map[string]string{"profile_fields": `[{"name":"a","entries":[` + strings.Repeat(`{"value":"v","status":"okay"},`, 100) + `{"value":"v","status":"okay"}]}]`},
			field: "profile_fields", want: "item 1: entries must have at most 100 items"},
		{name: "field 100 entries", patch: map[string]string{"profile_fields": `[{"name":"a","entries":[` + strings.Repeat(`{"value":"v","status":"okay"},`, 99) + `{"value":"v","status":"okay"}]}]`}},
		{name: "field entry bad status", patch: map[string]string{"profile_fields": `[{"name":"a","entries":[]},{"name":"b","entries":[{"value":"v","status":"okay"},{"value":"v","status":"nope"}]}]`},
			field: "profile_fields", want: "item 2: entry 2: status is invalid", bad: true},
		{name: "field entry value empty", patch: map[string]string{"profile_fields": `[{"name":"b","entries":[{"value":"","status":"okay"}]}]`},
			field: "profile_fields", want: "item 1: entry 1: value may not be empty"},
		{name: "field entry custom status", patch: map[string]string{"profile_fields": `[{"name":"b","entries":[{"value":"v","status":"` + prefA + `"}]}]`}},

		// custom_preferences
		{name: "prefs canonical", patch: map[string]string{"custom_preferences": pref(`{"favourite":true,"size":"small","tooltip":"T","icon":"heart","extra":"x"}`)},
			want: pref(`{"icon":"heart","tooltip":"T","size":"small","muted":false,"favourite":true}`)},
		{name: "prefs empty", patch: map[string]string{"custom_preferences": `{}`}, want: `{}`},
		{name: "prefs key not uuid", patch: map[string]string{"custom_preferences": `{"partners":` + okPref + `}`}, field: "custom_preferences", want: `key "partners" is not a UUID`},
		{name: "prefs key long", patch: map[string]string{"custom_preferences": `{"` + long + `":` + okPref + `}`}, field: "custom_preferences", want: `…" is not a UUID`},
		{name: "prefs not object", patch: map[string]string{"custom_preferences": pref(`"heart"`)}, field: "custom_preferences", want: "must be an object"},
		{name: "prefs icon missing", patch: map[string]string{"custom_preferences": pref(`{"tooltip":"T","size":"small"}`)}, field: "custom_preferences", want: "icon is required"},
		{name: "prefs icon bad", patch: map[string]string{"custom_preferences": pref(`{"icon":"Heart Fill","tooltip":"T","size":"small"}`)}, field: "custom_preferences", want: "icon must be the name of a Bootstrap icon"},
		{name: "prefs icon long", patch: map[string]string{"custom_preferences": pref(`{"icon":"` + strings.Repeat("a", 65) + `","tooltip":"T","size":"small"}`)}, field: "custom_preferences", want: "icon must be the name of a Bootstrap icon"},
		{name: "prefs icon unknown", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart-fill-not","tooltip":"T","size":"small"}`)}, field: "custom_preferences", want: "icon must be the name of a Bootstrap icon"},
		{name: "prefs icon known", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart-fill","tooltip":"T","size":"small"}`)}},
		{name: "prefs tooltip empty", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart","tooltip":"","size":"small"}`)}, field: "custom_preferences", want: "preference " + prefB + ": tooltip may not be empty"},
		{name: "prefs tooltip long", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart","tooltip":"` + long + `","size":"small"}`)}, field: "custom_preferences", want: "tooltip must be at most 100"},
		{name: "prefs size bad", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart","tooltip":"T","size":"huge"}`)}, field: "custom_preferences", want: "size must be large, normal or small"},
		{name: "prefs size missing", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart","tooltip":"T"}`)}, field: "custom_preferences", want: "size must be"},
		{name: "prefs muted string", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart","tooltip":"T","size":"small","muted":"yes"}`)}, field: "custom_preferences", want: "muted must be true or false"},
		{name: "prefs favourite number", patch: map[string]string{"custom_preferences": pref(`{"icon":"heart","tooltip":"T","size":"small","favourite":1}`)}, field: "custom_preferences", want: "favourite must be true or false"},
	}
	order := []string{"custom_preferences", "preferred_names", "pronouns", "profile_fields"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Patch{}
			for k, v := range tt.patch {
				if !json.Valid([]byte(v)) {
					t.Fatalf("test JSON of %s is not valid: %s", k, v)
				}
				p[k] = json.RawMessage(v)
			}
			probs := problems{}
			checkEntries(p, storedPrefs, probs)
			err := probs.err()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("err = %v (%v), want none", err, AsError(err).Fields)
				}
				if tt.want != "" {
					var got []string
					for _, k := range order {
						if v, ok := p[k]; ok {
							got = append(got, string(v.(json.RawMessage)))
						}
					}
					if g := strings.Join(got, ";"); g != tt.want {
						t.Errorf("stored\n got %s\nwant %s", g, tt.want)
					}
				}
				return
			}
			e := AsError(err)
			if e.Code != Invalid || !strings.Contains(e.Fields[tt.field], tt.want) {
				t.Fatalf("err = %v, fields %q; want Invalid with %s: …%s…", err, e.Fields, tt.field, tt.want)
			}
			if len(e.Fields) != 1 {
				t.Errorf("fields = %q, want only %s", e.Fields, tt.field)
			}
			if got, want := e.Reason == ReasonBadStatus, tt.bad; got != want {
				t.Errorf("reason = %q, want bad_status %v", e.Reason, want)
			}
		})
	}
}

// TestProblemsReason: the Reason problems carry never shows as a field,
// and a client's field named as its key is reported as the client's.
func TestProblemsReason(t *testing.T) {
	probs := problems{}
	probs.add("pronouns", "item 1: status is invalid")
	probs.because(ReasonBadStatus)
	e := AsError(probs.err())
	if e.Reason != ReasonBadStatus || len(e.Fields) != 1 {
		t.Errorf("err = %+v, want bad_status and one field", e)
	}
	probs = problems{}
	probs.add(problemsReason, "is not a field")
	probs.because(ReasonBadStatus)
	e = AsError(probs.err())
	if e.Reason != "" || e.Fields[problemsReason] != "is not a field" {
		t.Errorf("err = %+v, want the client's field reported and no reason", e)
	}
}
