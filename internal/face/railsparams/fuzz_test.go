package railsparams

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds query strings and JSON bodies through the parsers: none
// may panic, every error is ErrInvalid, and a parsed query's hashes are
// consistent.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"a=1&b=2",                          // flat
		"search[inviter][name]=x+y",        // nesting
		"a[][b]=1&a[][c]=2&a[][b]=3",       // arrays of hashes
		"a[][b][c]=1&a[][b][d]=2",          // deep has_key?
		"a=1&a[b]=2",                       // conflict
		"a[b&[]=1&]]=2&[=3",                // odd brackets
		"a=%zz&b=%ff",                      // bad escapes
		"a[a][a][a][a][a][a][a][a][a][a]=", // deep
		`{"user":{"name":"x","n":1.5e3,"t":[true,null]}}`,
		`[1, "a"]`,
		`{"a":`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseQuery(s)
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("ParseQuery(%q) error %v is not ErrInvalid", s, err)
		}
		if err == nil {
			check(t, h)
		}
		h, err = ParseJSON([]byte(s), JSONOptions{})
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("ParseJSON(%q) error %v is not ErrInvalid", s, err)
		}
		if err == nil {
			check(t, h)
		}
		_, _ = ParseMultipart([]byte(s), "XX")
		lenient := Options{Clean: func(s string) string { return strings.ToValidUTF8(s, "") }, Lenient: true}
		h, err = lenient.ParseQuery(s)
		if err != nil {
			t.Fatalf("lenient ParseQuery(%q): %v", s, err)
		}
		check(t, h)
		_, _ = lenient.ParseMultipart([]byte(s), "XX")
	})
}

// check verifies that every hash's key list matches its map.
func check(t *testing.T, v any) {
	switch x := v.(type) {
	case *Hash:
		if len(x.keys) != len(x.vals) {
			t.Fatalf("hash has %d keys, %d values", len(x.keys), len(x.vals))
		}
		for _, k := range x.keys {
			check(t, x.vals[k])
		}
	case []any:
		for _, y := range x {
			check(t, y)
		}
	}
}
