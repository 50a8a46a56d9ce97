package httpx

import (
	"context"
	"net/http"
	"strings"
)

type prefixKey struct{}

// Mount serves h below prefix: the prefix is stripped from the request
// path, as http.StripPrefix does, and recorded in the request context, so
// the face can build links back into itself (MountPrefix, AbsoluteURL)
// without reconstructing the prefix from the request line. A prefix of
// "" or "/" serves h as it is.
func Mount(prefix string, h http.Handler) http.Handler {
	prefix = strings.TrimRight(prefix, "/")
	if prefix == "" {
		return h
	}
	strip := http.StripPrefix(prefix, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		strip.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), prefixKey{}, prefix)))
	})
}

// MountPrefix is the path prefix the request's face is mounted at, as
// Mount recorded it: "" at the root, else "/name" without a trailing
// slash.
func MountPrefix(ctx context.Context) string {
	p, _ := ctx.Value(prefixKey{}).(string)
	return p
}

// AbsoluteURL is the full URL of path below the request's face:
// scheme://host, the mount prefix, then path (already escaped). The
// scheme is https for TLS requests or when a proxy says so in
// X-Forwarded-Proto (http or https only).
func AbsoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if IsHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + MountPrefix(r.Context()) + path
}

// IsHTTPS reports whether the client reached the service over TLS: the
// request came over TLS, or a proxy says so in X-Forwarded-Proto (which
// wins when it says http or https). Cookies are Secure then.
func IsHTTPS(r *http.Request) bool {
	switch r.Header.Get("X-Forwarded-Proto") {
	case "https":
		return true
	case "http":
		return false
	}
	return r.TLS != nil
}
