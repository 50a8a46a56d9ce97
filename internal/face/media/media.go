// Package media serves stored images (avatars and pride flags) at the URL
// recipe of pronouns.cc (spec/pronouns.md §6, spec/fields.md §3.0.5),
// below its mount (/media by default):
//
//	GET|HEAD /users/{user xid}/{hash}.webp and .jpg
//	GET|HEAD /members/{member xid}/{hash}.webp and .jpg
//	GET|HEAD /flags/{hash}.webp and .jpg
//
// It is kit, not a face of its own: pronouns.cc renders these URLs now and
// DRF's absolute avatar URLs will later. It reads images through
// core.Face.Image only.
//
// Choices:
//   - The xid segment is not matched against the image's owner. Images
//     are content-addressed and shared (one row for every upload of the
//     same picture), so a hash is no secret, and a check would cost a
//     user lookup per request and break a cached page's URLs after an
//     avatar change. The segment must still look like an xid.
//   - The route does not check the image's kind: Image.Kind records the
//     first upload of the bytes, so the same picture uploaded as an avatar
//     and then as a flag has kind avatar, and its flag URL must still work.
//   - Responses never change for a URL, so they are cached for a year
//     (immutable) with the hash as a strong ETag; the .jpg twin's ETag
//     differs from the .webp one.
package media

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// Profile is the media routes' profile: they read images only, never a
// user, so no read class is shown.
var Profile = &core.Profile{Name: "media"}

// NewHandler returns the media routes, expecting the mount prefix already
// stripped.
func NewHandler(service *core.Service, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	addRoutes(mux, service.Face(Profile), log)
	return mux
}

// Routes lists the routes below the mount, for route tables.
func Routes() []string {
	var rec routeList
	addRoutes(&rec, nil, nil)
	return rec
}

type router interface {
	Handle(pattern string, h http.Handler)
}

type routeList []string

func (l *routeList) Handle(pattern string, _ http.Handler) { *l = append(*l, pattern) }

func addRoutes(mux router, f *core.Face, log *slog.Logger) {
	mux.Handle("GET /users/{xid}/{file}", handleImage(f, log, true))
	mux.Handle("GET /members/{xid}/{file}", handleImage(f, log, true))
	mux.Handle("GET /flags/{file}", handleImage(f, log, false))
}

// cacheControl: a URL names its bytes for good.
const cacheControl = "public, max-age=31536000, immutable"

// handleImage handles "GET /users/{xid}/{file}", "GET
// /members/{xid}/{file}" and "GET /flags/{file}" (and HEAD, which the
// mux routes here too).
func handleImage(f *core.Face, log *slog.Logger, owned bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(r.Context(), r.Pattern) // for metrics: r is a copy the mount never sees
		if owned && !core.IsXID(r.PathValue("xid")) {
			http.NotFound(w, r)
			return
		}
		hash, ext, ok := strings.Cut(r.PathValue("file"), ".")
		if !ok || (ext != "webp" && ext != "jpg") {
			http.NotFound(w, r)
			return
		}
		img, err := f.Image(r.Context(), hash)
		if core.ErrorCode(err) == core.NotFound {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			log.Error("read image", "request_id", httpx.RequestID(r.Context()), "hash", hash, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		body, ctype, etag := img.WebP, "image/webp", `"`+img.Hash+`"`
		if ext == "jpg" {
			body, ctype, etag = img.JPEG, "image/jpeg", `"`+img.Hash+`.jpg"`
		}
		if len(body) == 0 {
			http.NotFound(w, r) // an image stored without its JPEG twin
			return
		}
		// The bytes are the same whoever asks, so a cookie or token sent
		// along does not make them private.
		httpx.SetPublic(r.Context())
		h := w.Header()
		h.Set("Cache-Control", cacheControl)
		h.Set("ETag", etag)
		h.Set("X-Content-Type-Options", "nosniff")
		if matches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", ctype)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(body)
		}
	})
}

// matches reports whether an If-None-Match list names etag, by the weak
// comparison RFC 9110 §13.1.2 prescribes for it ("*" names any).
func matches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
