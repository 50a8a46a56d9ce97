package railsparams

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// FuzzFormBodies: Rack reads a form the same whether it comes urlencoded
// or as multipart/form-data, so the two parsers must agree on any three
// fields, in success and in failure; and every error is ErrInvalid.
func FuzzFormBodies(f *testing.F) {
	for _, s := range [][6]string{
		{"user[name]", "ann", "user[password]", "x y", "commit", "Save"},
		{"a[]", "1", "a[]", "2", "a[][b]", "3"},
		{"a", "1", "a[b]", "2", "c", ""},
		{"a[b][c]", "é", "a[b][d]", "\x00", "a[b]", "x"},
		{"user[name", "1", "]]", "2", "[", "3"},
		{"x", "\xff", "y", "z", "", "empty name"},
		{"q[]", "a", "q[][x]", "b", "q[][x]", "c"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5])
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		keys, vals := []string{k1, k2, k3}, []string{v1, v2, v3}
		for _, k := range keys {
			// A multipart name is a quoted header parameter: it cannot
			// carry controls, and an empty one is no field at all.
			if k == "" || strings.ContainsFunc(k, unicode.IsControl) || !utf8.ValidString(k) || strings.ContainsAny(k, `"\`) {
				return
			}
		}
		form := url.Values{}
		var enc []string
		var mp bytes.Buffer
		w := multipart.NewWriter(&mp)
		for i := range keys {
			form.Add(keys[i], vals[i])
			enc = append(enc, url.QueryEscape(keys[i])+"="+url.QueryEscape(vals[i]))
			if err := w.WriteField(keys[i], vals[i]); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		hq, errQ := ParseQuery(strings.Join(enc, "&"))
		hm, errM := ParseMultipart(mp.Bytes(), w.Boundary())
		for _, err := range []error{errQ, errM} {
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
		}
		if (errQ == nil) != (errM == nil) {
			t.Fatalf("%v: urlencoded gives %v, multipart %v", form, errQ, errM)
		}
		if errQ != nil {
			return
		}
		check(t, hq)
		if diff := cmp.Diff(plain(hq), plain(hm)); diff != "" {
			t.Fatalf("%v: urlencoded and multipart differ (-urlencoded +multipart):\n%s", form, diff)
		}
		// A flat key's last value wins, as in Rack.
		for i := len(keys) - 1; i >= 0; i-- {
			if !strings.ContainsAny(keys[i], "[]") {
				if got, ok := hq.Get(keys[i]); ok && got != vals[i] && !isList(got) && !isHash(got) {
					t.Fatalf("%v: %q = %#v, want %q", form, keys[i], got, vals[i])
				}
				break
			}
		}
	})
}

func isList(v any) bool { _, ok := v.([]any); return ok }
func isHash(v any) bool { _, ok := v.(*Hash); return ok }

// plain turns parameters into maps and slices, keys in order, for
// comparison.
func plain(v any) any {
	switch x := v.(type) {
	case *Hash:
		var out []any
		for _, k := range x.Keys() {
			val, _ := x.Get(k)
			out = append(out, fmt.Sprintf("%q", k), plain(val))
		}
		return out
	case []any:
		out := []any{"list"}
		for _, y := range x {
			out = append(out, plain(y))
		}
		return out
	}
	return v
}
