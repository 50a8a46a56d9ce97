package httpx_test

import (
	"strings"
	"testing"

	"usersd/internal/httpx"
)

// FuzzMediaType: any header reads without panicking, the type is
// lower-case and trimmed, and a boundary written unquoted after a plain
// type reads back as written when it holds no quote, semicolon or space.
func FuzzMediaType(f *testing.F) {
	f.Add("multipart/form-data; boundary===============0000000000000000042==", "==x==")
	f.Add(`a/b; x="y;z"; q`, "abc")
	f.Add(`;;"\`, `"`)
	f.Fuzz(func(t *testing.T, header, boundary string) {
		mt, params := httpx.MediaType(header)
		if mt != strings.ToLower(strings.TrimSpace(mt)) {
			t.Errorf("type %q of %q not normalized", mt, header)
		}
		for k := range params {
			if k != strings.ToLower(strings.TrimSpace(k)) {
				t.Errorf("name %q of %q not normalized", k, header)
			}
		}
		if strings.ContainsAny(boundary, "\";\\ \t\r\n\v\f") || boundary == "" || !httpx.ValidBoundary(boundary) {
			return
		}
		_, params = httpx.MediaType("multipart/form-data; boundary=" + boundary)
		if params["boundary"] != boundary {
			t.Errorf("boundary %q read as %q", boundary, params["boundary"])
		}
	})
}
