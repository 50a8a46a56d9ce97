package httpx

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
)

// MediaType reads a Content-Type header leniently, as Django's
// parse_header_parameters does: the type lower-cased, then parameters
// split at semicolons outside quotes and each at its first "=", quotes
// removed. mime.ParseMediaType refuses a value such as RBTools'
// unquoted boundary of "=" signs ("boundary===============0…==");
// here it is the boundary "===============0…==". A parameter without
// "=" is skipped; the last of a repeated name wins.
func MediaType(v string) (string, map[string]string) {
	parts := splitParams(v)
	params := map[string]string{}
	for _, p := range parts[1:] {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(value[1 : len(value)-1])
		}
		params[name] = value
	}
	return strings.ToLower(strings.TrimSpace(parts[0])), params
}

// splitParams splits at semicolons that are not inside a quoted string.
func splitParams(v string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && quoted && i+1 < len(v):
			i++
		case v[i] == '"':
			quoted = !quoted
		case v[i] == ';' && !quoted:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// ValidBoundary is the boundary check of Python's cgi.valid_boundary,
// which Django's multipart parser applies: 1 to 70 printable ASCII
// characters (RFC 2046), not ending in a space.
func ValidBoundary(b string) bool {
	if b == "" || len(b) > 70 || b[len(b)-1] == ' ' {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] < ' ' || b[i] > '~' {
			return false
		}
	}
	return true
}

// ReadForm reads the fields of a form body, URL-encoded or multipart
// (the Content-Type read by MediaType), as Django's request.POST: any
// other type, or none, has no fields; file parts are not fields. The
// body is read within MaxBody and must be UTF-8. Errors are
// core.Invalid.
func ReadForm(r *http.Request) (url.Values, error) {
	mt, params := MediaType(r.Header.Get("Content-Type"))
	form := url.Values{}
	if mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data" {
		return form, nil
	}
	body, err := ReadBody(r)
	if err != nil {
		return nil, err
	}
	bad := func(msg string, err error) error { return &core.Error{Code: core.Invalid, Message: msg, Err: err} }
	if mt == "application/x-www-form-urlencoded" {
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, bad("Form body is malformed.", err)
		}
		return q, nil
	}
	boundary := params["boundary"]
	if !ValidBoundary(boundary) {
		return nil, bad("Multipart body has no valid boundary.", nil)
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			return nil, bad("Multipart body is malformed.", err)
		}
		if part.FormName() == "" || part.FileName() != "" {
			continue
		}
		// The part is no larger than the body, which ReadBody bounded.
		v, err := io.ReadAll(part)
		if err != nil {
			return nil, bad("Multipart body is malformed.", err)
		}
		if !utf8.Valid(v) {
			return nil, bad("Request body is not valid UTF-8.", nil)
		}
		form.Add(part.FormName(), string(v))
	}
}
