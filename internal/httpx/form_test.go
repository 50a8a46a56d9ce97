package httpx_test

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"usersd/internal/httpx"
)

func TestMediaType(t *testing.T) {
	for _, c := range []struct {
		in     string
		mt     string
		params map[string]string
	}{
		{"", "", map[string]string{}},
		{"application/x-www-form-urlencoded", "application/x-www-form-urlencoded", map[string]string{}},
		{"Multipart/Form-Data; Boundary=abc", "multipart/form-data", map[string]string{"boundary": "abc"}},
		// RBTools' boundary: "=" signs, unquoted.
		{"multipart/form-data; boundary=" + "===============0000000000000000042==", "multipart/form-data", map[string]string{"boundary": "===============0000000000000000042=="}},
		{`multipart/form-data; boundary="a;b"; charset=utf-8`, "multipart/form-data", map[string]string{"boundary": "a;b", "charset": "utf-8"}},
		{`text/plain; x="a\"b\\c"`, "text/plain", map[string]string{"x": `a"b\c`}},
		{"text/plain; novalue; x = 1 ;x=2", "text/plain", map[string]string{"x": "2"}},
		{`text/plain; x="unterminated;y=1`, "text/plain", map[string]string{"x": `"unterminated;y=1`}},
		{"text/plain; x=\"\"", "text/plain", map[string]string{"x": ""}},
	} {
		mt, params := httpx.MediaType(c.in)
		if mt != c.mt || !maps.Equal(params, c.params) {
			t.Errorf("MediaType(%q) = %q %v, want %q %v", c.in, mt, params, c.mt, c.params)
		}
	}
}

func TestValidBoundary(t *testing.T) {
	for b, want := range map[string]bool{
		"": false, "abc": true, "===============0000000000000000042==": true, "a ": false, " a": true,
		strings.Repeat("x", 70): true, strings.Repeat("x", 71): false, "a\x7f": false, "é": false,
	} {
		if got := httpx.ValidBoundary(b); got != want {
			t.Errorf("ValidBoundary(%q) = %v", b, got)
		}
	}
}

// rbtoolsBody is a body as RBTools' encode_multipart_formdata writes it.
func rbtoolsBody(boundary string, fields ...string) string {
	var b strings.Builder
	for i := 0; i < len(fields); i += 2 {
		b.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"\r\n\r\n" + fields[i+1] + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n\r\n")
	return b.String()
}

func TestReadForm(t *testing.T) {
	const bd = "===============0000000000000000042=="
	for _, c := range []struct {
		ctype, body string
		want        map[string][]string // nil: an error
	}{
		{"application/x-www-form-urlencoded", "a=1&b=x+y&a=2", map[string][]string{"a": {"1", "2"}, "b": {"x y"}}},
		{"application/x-www-form-urlencoded; charset=utf-8", "", map[string][]string{}},
		{"application/x-www-form-urlencoded", "a=%zz", nil},
		{"multipart/form-data; boundary=" + bd, rbtoolsBody(bd, "username", "neo", "_method", "PUT"), map[string][]string{"username": {"neo"}, "_method": {"PUT"}}},
		{"multipart/form-data; boundary=" + bd, "--" + bd + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n\r\ndata\r\n--" + bd + "--\r\n", map[string][]string{}},
		{"multipart/form-data; boundary=" + bd, "--" + bd + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", nil},
		{"multipart/form-data", rbtoolsBody(bd, "a", "1"), nil},
		{"application/json", `{"a":1}`, map[string][]string{}},
		{"", "a=1", map[string][]string{}},
		{"application/x-www-form-urlencoded", "a=\xff", nil},
	} {
		r, _ := http.NewRequest("POST", "/", strings.NewReader(c.body))
		r.Header.Set("Content-Type", c.ctype)
		got, err := httpx.ReadForm(r)
		switch {
		case c.want == nil && err == nil:
			t.Errorf("%q %q: no error, got %v", c.ctype, c.body, got)
		case c.want != nil && err != nil:
			t.Errorf("%q %q: %v", c.ctype, c.body, err)
		case c.want != nil && !maps.EqualFunc(got, c.want, func(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }):
			t.Errorf("%q %q: %v, want %v", c.ctype, c.body, got, c.want)
		}
	}
}
