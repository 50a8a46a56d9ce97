package sqlstore

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzUnpackRow: unpackRow never panics, and reads every JSON array of
// scalars (what json_array writes) as encoding/json does.
func FuzzUnpackRow(f *testing.F) {
	for _, s := range []string{
		`[]`, `[null]`, `[1,-2,3.5,"x",null]`, `["a\"b\\c\/d\n\u00e9\ud83d\ude00"]`,
		`["\ud800"]`, `[9e999,-9e999]`, `[1,`, `["abc`, `[01]`, `[true,false]`, `[1]x`,
		`[9223372036854775807,-9223372036854775808]`, `["é漢😀"]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got []any
		n, err := unpackRow(b, func(i int, v token) error {
			got = append(got, v.value())
			return nil
		})
		if err == nil && n != len(got) {
			t.Fatalf("%d values reported, %d seen", n, len(got))
		}
		if !utf8.Valid(b) {
			return // encoding/json replaces invalid UTF-8; the engine writes none
		}
		var want []any
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if d.Decode(&want) != nil || d.InputOffset() != int64(len(b)) || want == nil {
			return // want == nil: null, which encoding/json takes for an empty slice
		}
		for _, w := range want {
			switch x := w.(type) {
			case map[string]any, []any:
				return // not a row
			case json.Number:
				if _, err := strconv.ParseFloat(string(x), 64); err != nil {
					return
				}
				if bytes.ContainsAny([]byte(x), ".eE") {
					continue
				}
				if _, err := strconv.ParseInt(string(x), 10, 64); err != nil {
					return // beyond int64: not a SQLite integer
				}
			}
		}
		if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d values, want %d", b, len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			switch x := w.(type) {
			case nil:
				if g != nil {
					t.Fatalf("%q [%d]: %v, want null", b, i, g)
				}
			case bool:
				if want := map[bool]int64{false: 0, true: 1}[x]; g != want {
					t.Fatalf("%q [%d]: %v, want %v", b, i, g, want)
				}
			case string:
				if g != x {
					t.Fatalf("%q [%d]: %q, want %q", b, i, g, x)
				}
			case json.Number:
				if v, err := x.Int64(); err == nil && !bytes.ContainsAny([]byte(x), ".eE") {
					if g != v {
						t.Fatalf("%q [%d]: %v, want %d", b, i, g, v)
					}
				} else if v, _ := strconv.ParseFloat(string(x), 64); g != v {
					t.Fatalf("%q [%d]: %v, want %v", b, i, g, v)
				}
			}
		}
	})
}
