package core_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"usersd/internal/core"
)

// depthOf is the nesting depth of a valid JSON value, by the decoder's
// tokens (an independent count from the core's scan).
func depthOf(t *testing.T, raw []byte) int {
	dec := json.NewDecoder(bytes.NewReader(raw))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			deepest = max(deepest, depth)
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
}

// FuzzFieldValue sends any bytes as the JSON value of a settable user
// field, as a PATCH body member is: decoding and checking never panic, and
// nothing accepted is past the field's bounds.
func FuzzFieldValue(f *testing.F) {
	seeds := []struct {
		field, value string
	}{
		{"bio", `"hello"`},
		{"bio", `"` + strings.Repeat("😀", 17000) + `"`}, // within the characters, past the bytes
		{"links", `["https://a.example"]`},
		{"links", `[""]`},
		{"preferred_names", `[{"value":"Bo","status":"okay"}]`},
		{"preferred_names", `[{"value":"` + strings.Repeat("x", 2000) + `"}]`}, // one item past its bytes
		{"custom_preferences", `{"k":{"tooltip":"t"}}`},
		{"custom_preferences", strings.Repeat(`{"a":`, 40) + `{}` + strings.Repeat(`}`, 40)}, // too deep
		{"custom_preferences", `{"a":"\"{[{[{[{["}`},                                         // brackets in strings do not nest
		{"profile_fields", `[{"name":"n","entries":[{"value":"v","status":"s"}]}]`},
		{"attributes", `{"a":[[[[[[[[1]]]]]]]]}`},
		{"date_of_birth", `"0000-01-01"`},
		{"date_of_birth", `"10000-01-01"`},
		{"date_of_birth", `"1990-02-30"`},
		{"date_of_birth", `"1990-05-01"`},
		{"last_forum_read_at", `"9999-12-31T23:59:59-23:59"`},
		{"last_forum_read_at", `"2026-01-01T00:00:00Z"`},
		{"per_page", `99999999999999999999`},
		{"base_upload_limit", `2147483648`},
		{"comment_threshold", `-49999`},
		{"email", `"` + strings.Repeat("a", 250) + `@b.c"`},
		{"name", `"a\u0000b"`},
		{"artist_tags", `["` + strings.Repeat("t", 101) + `"]`},
		{"links", `[` + strings.Repeat(`"x",`, 30) + `"x"]`},
		{"bio", `null`},
		{"links", `{`},
	}
	for _, s := range seeds {
		f.Add(s.field, []byte(s.value))
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, name string, raw []byte) {
		fd := core.FieldByName(name)
		if fd == nil || !fd.Settable() {
			return
		}
		v, reason := fd.DecodeJSON(raw)
		if reason != "" {
			return
		}
		if fd.CheckAt(v, now) != "" {
			return
		}
		switch x := v.(type) {
		case string:
			if len(x) > fd.MaxBytes || utf8.RuneCountInString(x) > fd.Max {
				t.Fatalf("%s accepted %d bytes, %d characters; bounds %d, %d", name, len(x), utf8.RuneCountInString(x), fd.MaxBytes, fd.Max)
			}
		case json.RawMessage:
			if len(x) > fd.MaxBytes || !json.Valid(x) {
				t.Fatalf("%s accepted %d bytes of JSON (valid %v); bound %d", name, len(x), json.Valid(x), fd.MaxBytes)
			}
			if d := depthOf(t, x); d > core.MaxJSONDepth {
				t.Fatalf("%s accepted JSON %d deep", name, d)
			}
		case core.Date:
			if x < fd.DateMin || x > core.MaxDate {
				t.Fatalf("%s accepted %s, before %s or after %s", name, x, fd.DateMin, core.MaxDate)
			}
		case time.Time:
			if x.Before(core.MinTime) || x.After(core.MaxTime) {
				t.Fatalf("%s accepted %v", name, x)
			}
		case int64:
			if x < int64(fd.Min) || x > int64(fd.Max) {
				t.Fatalf("%s accepted %d outside %d..%d", name, x, fd.Min, fd.Max)
			}
		}
	})
}

// TestRecordBytes: a user's serialized size as the core counts it is at
// least what encoding/json writes for its fields.
func TestRecordBytes(t *testing.T) {
	bio := strings.Repeat(`<&>"\`, 100) + "\u2028\x01é😀"
	u := &core.User{Name: "n", Bio: &bio, Links: json.RawMessage(`["<a>"]`), Level: 20}
	m := map[string]any{}
	for _, f := range core.Fields {
		m[f.Name] = f.Value(u)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if got := core.Users.RecordBytes(u); got < len(b) {
		t.Errorf("RecordBytes = %d, encoding/json writes %d", got, len(b))
	}
}
