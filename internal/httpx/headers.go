package httpx

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// IsJSON reports whether a Content-Type names a JSON body: application/json
// or a structured +json type (application/merge-patch+json), parameters
// allowed. Look-alikes such as application/jsonp, application/jsonx or
// text/json are not JSON: a body is read as JSON only when its sender said
// so, and a cross-site form can send none of these types without a CORS
// preflight.
func IsJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if mt == "application/json" {
		return true
	}
	typ, sub, _ := strings.Cut(mt, "/")
	return typ == "application" && strings.HasSuffix(sub, "+json") && len(sub) > len("+json")
}

// isPrivate reports whether a response must not be stored by any cache:
// errors, anything answered to a request that carried credentials (a
// header, a cookie or a face's query-string key) or that a face
// authenticated, and every write, since logins and token creations answer
// with secrets; but not a response marked SetPublic.
func isPrivate(r *http.Request, status int) bool {
	if status >= 400 || IsWrite(r) && r.Method != http.MethodOptions {
		return true
	}
	if s, ok := r.Context().Value(routeKey).(*routeSlot); ok && s.public {
		return false
	}
	if Caller(r.Context()) != nil || r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
		return true
	}
	q := r.URL.RawQuery
	for _, k := range []string{"api_key", "password_hash", "password"} {
		if strings.Contains(q, k) {
			return true // a false positive only costs a cache miss
		}
	}
	return false
}

// CORS serves cross-origin requests from the listed origins
// (scheme://host[:port], or "*" for any) and passes every other request
// through untouched, so an empty list is no CORS at all. A preflight
// (OPTIONS with Access-Control-Request-Method) from a listed origin is
// answered 204 here. Credentials travel in the Authorization header, never
// in cookies, so Access-Control-Allow-Credentials is not sent.
func CORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	all := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" || !all && !slices.Contains(origins, strings.ToLower(origin)) {
			next.ServeHTTP(w, r)
			return
		}
		if all {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, WWW-Authenticate")
		next.ServeHTTP(w, r)
	})
}

// ParseOrigins parses a comma-separated list of origins for CORS: "*", or
// http(s)://host[:port] without path, query or trailing slash. Origins
// are compared in lower case.
func ParseOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(s, ",") {
		o = strings.ToLower(strings.TrimSpace(o))
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
				u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#") {
				return nil, fmt.Errorf("%q: want scheme://host[:port] (e.g. https://app.example.com) or *", o)
			}
		}
		out = append(out, o)
	}
	return out, nil
}
