package httpx

import (
	"encoding/json"
	"maps"
	"testing"

	"usersd/internal/core"
)

// FuzzParseObject: the native API's JSON body decoder accepts exactly one
// JSON object with distinct keys; what it accepts is a valid object that
// encoding/json reads alike and that re-encodes to the same members, and
// what it refuses is an Invalid problem, never a panic.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":1,"a":2}`, `{"a":{"b":[1,2,{"c":null}]}}`, `[]`, `"x"`, `null`, `{`,
		`{"a":1}{"b":2}`, `{"a":1} `, " \n{\"a\":\"\\u00e9\"}\n", `{"a":1e999}`, `{"\ud800":1}`, `{"a":"\ufffe"}`, "{\"a\":\"\xff\"}",
		`{"a":01}`, `{"a":1,}`, `{"__proto__":{}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		obj, err := ParseObject(body)
		if err != nil {
			if e := core.AsError(err); e.Code != core.Invalid {
				t.Fatalf("%q: %v is not Invalid", body, err)
			}
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%q: accepted, but encoding/json says %v", body, err)
		}
		if len(m) != len(obj) {
			t.Fatalf("%q: %d members, encoding/json finds %d", body, len(obj), len(m))
		}
		for k, v := range obj {
			if !json.Valid(v) {
				t.Fatalf("%q: member %q is %q", body, k, v)
			}
		}
		again, err := json.Marshal(obj)
		if err != nil {
			t.Fatalf("%q: accepted, but does not re-encode: %v", body, err)
		}
		back, err := ParseObject(again)
		if err != nil || !maps.EqualFunc(back, obj, func(a, b json.RawMessage) bool { return compact(a) == compact(b) }) {
			t.Fatalf("%q re-encodes as %s, which parses to %v, %v", body, again, back, err)
		}
	})
}

func compact(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "invalid: " + string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
