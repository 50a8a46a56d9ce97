package drf

import (
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/authscheme"
	"usersd/internal/httpx"
)

// Options configure the face.
type Options struct {
	// AllUsers lets every signed-in user read users (spec/drf.md §3);
	// by default staff alone do (spec/fields.md §5 Q2).
	AllUsers bool
	// MediaPrefix is where the media handler serves avatars, below this
	// host ("" is /media, its default mount).
	MediaPrefix string
}

// handler is the face.
type handler struct {
	svc   *core.Face
	log   *slog.Logger
	media string
}

// NewHandler returns the DRF commerce face, expecting its prefix
// stripped and recorded (httpx.Mount).
func NewHandler(svc *core.Service, log *slog.Logger, opts Options) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	p := Profile
	if opts.AllUsers {
		p = OpenProfile
	}
	if opts.MediaPrefix == "" {
		opts.MediaPrefix = "/media"
	}
	return &handler{svc: svc.Face(p), log: log, media: strings.TrimRight(opts.MediaPrefix, "/")}
}

// Routes lists the face's routes as "METHOD /path" below its prefix, for
// the authorization matrix.
var Routes = []string{
	"GET /users/",
	"HEAD /users/",
	"OPTIONS /users/",
	"GET /users/{id}/",
	"HEAD /users/{id}/",
	"OPTIONS /users/{id}/",
	"POST /auth/login/",
	"OPTIONS /auth/login/",
}

// route is a resolved path: which view, and the id text of a detail.
type route struct {
	pattern string // as in Routes, without the method
	id      string
	allow   string
}

// resolve matches a path as the Django URLconf would: {id} is [^/.]+.
func resolve(path string) (route, bool) {
	switch {
	case path == "/users/":
		return route{pattern: "/users/", allow: "GET, HEAD, OPTIONS"}, true
	case path == "/auth/login/":
		return route{pattern: "/auth/login/", allow: "POST, OPTIONS"}, true
	case strings.HasPrefix(path, "/users/") && strings.HasSuffix(path, "/"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/users/"), "/")
		if id != "" && !strings.ContainsAny(id, "/.") {
			return route{pattern: "/users/{id}/", id: id, allow: "GET, HEAD, OPTIONS"}, true
		}
	}
	return route{}, false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := resolve(r.URL.Path)
	if !ok {
		// APPEND_SLASH: CommonMiddleware redirects a path that matches
		// once a slash is added, before any view runs, whatever the
		// method (outside DEBUG), with an empty body.
		if _, ok := resolve(r.URL.Path + "/"); ok {
			loc := httpx.MountPrefix(r.Context()) + r.URL.EscapedPath() + "/"
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			w.Header().Set("Location", loc)
			w.WriteHeader(http.StatusMovedPermanently)
			return
		}
		detail(w, http.StatusNotFound, msgNotFound)
		return
	}
	httpx.SetRoute(r.Context(), r.Method+" "+rt.pattern)
	// Content negotiation, then authentication, permission and method
	// (views.py initial, dispatch).
	if f := r.URL.Query()["format"]; len(f) > 0 && f[len(f)-1] != "json" {
		detail(w, http.StatusNotFound, msgNotFound)
		return
	}
	if !acceptable(r.Header.Values("Accept")) {
		detail(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	viewer, r, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if rt.pattern == "/auth/login/" {
		switch r.Method {
		case http.MethodPost:
			h.login(w, r)
		case http.MethodOptions:
			h.options(w, rt, "Login")
		default:
			h.notAllowed(w, r, rt)
		}
		return
	}
	// IsAuthenticated, then the core's reader policy (staff only by
	// default).
	if viewer == nil {
		unauthorized(w, msgNotProvided)
		return
	}
	if err := h.svc.MayRead(viewer); err != nil {
		h.fail(w, r, err)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		name := "User List"
		if rt.id != "" {
			name = "User Instance"
		}
		h.options(w, rt, name)
		return
	default:
		h.notAllowed(w, r, rt)
		return
	}
	if rt.id == "" {
		h.list(w, r, viewer)
	} else {
		h.detail(w, r, viewer, rt.id)
	}
}

func (h *handler) notAllowed(w http.ResponseWriter, r *http.Request, rt route) {
	w.Header().Set("Allow", rt.allow)
	detail(w, http.StatusMethodNotAllowed, `Method "`+r.Method+`" not allowed.`)
}

// options is DRF's SimpleMetadata, without the actions a writable view
// would describe.
func (h *handler) options(w http.ResponseWriter, rt route, name string) {
	w.Header().Set("Allow", rt.allow)
	parses := `["application/json","application/x-www-form-urlencoded","multipart/form-data"]`
	body := `{"name":` + wire.String(name) + `,"description":"","renders":["application/json"],"parses":` + parses + `}`
	w.Header().Set("Vary", "Accept")
	httpx.Raw(w, http.StatusOK, jsonType, []byte(body))
}

// acceptable reports whether the JSON renderer satisfies the Accept
// header (negotiation.py): no header, */*, application/*,
// application/json; text/html too, where DRF's browsable API would
// answer (spec/drf.md §1 lets JSON stand in for it).
func acceptable(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			mt, _, err := mime.ParseMediaType(part)
			if err != nil {
				mt = strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
			}
			switch mt {
			case "*/*", "*", "application/*", "application/json", "text/*", "text/html":
				return true
			}
		}
	}
	return false
}

// authenticate is TokenAuthentication: a header with another scheme (or
// none) leaves the request anonymous; a Token header must hold exactly
// one valid key. It answers the 401 itself and reports false then.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request) (*core.User, *http.Request, bool) {
	words := authscheme.Words(r.Header.Get("Authorization"))
	if len(words) == 0 || !strings.EqualFold(words[0], "token") {
		return nil, r, true
	}
	switch {
	case len(words) == 1:
		unauthorized(w, msgNoCredentials)
		return nil, r, false
	case len(words) > 2:
		unauthorized(w, msgSpaces)
		return nil, r, false
	case !utf8.ValidString(words[1]):
		unauthorized(w, msgBadChars)
		return nil, r, false
	}
	u, t, err := h.svc.Authenticate(r.Context(), words[1], httpx.ClientAddr(r))
	switch {
	case err == nil:
		return u, r.WithContext(httpx.WithCaller(r.Context(), u, t)), true
	case core.ErrorReason(err) == core.ReasonUserInactive:
		unauthorized(w, msgInactive)
	case core.ErrorCode(err) == core.Unauthenticated:
		unauthorized(w, msgBadToken)
	default:
		h.fail(w, r, err)
	}
	return nil, r, false
}
