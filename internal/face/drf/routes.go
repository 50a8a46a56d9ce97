package drf

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/authscheme"
	"usersd/internal/face/throttle"
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
	// Rates are the throttle scopes ("user", "anon"); nil is
	// DefaultRates.
	Rates []throttle.Rate
}

// DefaultRates are the throttle rates (DRF's UserRateThrottle and
// AnonRateThrottle scopes). Akinon publishes none; these bound a client
// without getting in the way of paging through many users: 10,000 an
// hour per signed-in user, and 60 a minute per address for anonymous
// callers, who reach only the login route (each try a password hash).
var DefaultRates = []throttle.Rate{
	{Name: "user", N: 10000, Period: time.Hour},
	{Name: "anon", N: 60, Period: time.Minute},
}

// ParseRates reads the --drf-rates flag: comma-separated SCOPE=N/period
// in DRF's notation (period s, m, h or d), SCOPE user, anon or * for
// both.
func ParseRates(list string) ([]throttle.Rate, error) {
	return throttle.ParseRates(DefaultRates, list)
}

// handler is the face.
type handler struct {
	svc      *core.Face
	log      *slog.Logger
	media    string
	userRate throttle.Rate
	anonRate throttle.Rate
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
	h := &handler{svc: svc.Face(p), log: log, media: strings.TrimRight(opts.MediaPrefix, "/")}
	scope := func(name string) throttle.Rate {
		if s, ok := throttle.Find(opts.Rates, name); ok {
			return s
		}
		s, _ := throttle.Find(DefaultRates, name)
		return s
	}
	h.userRate, h.anonRate = scope("user"), scope("anon")
	return h
}

// Routes lists the face's routes as "METHOD /path" below its prefix, for
// the authorization matrix.
var Routes = []string{
	"GET /users/",
	"POST /users/",
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
		return route{pattern: "/users/", allow: "GET, POST, HEAD, OPTIONS"}, true
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
	if _, ok := httpx.NegotiateStrict(strings.Join(r.Header.Values("Accept"), ","), renders); !ok {
		detail(w, http.StatusNotAcceptable, msgNotAcceptable)
		return
	}
	viewer, r, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if rt.pattern == "/auth/login/" {
		// AllowAny: throttling comes next.
		if !h.throttle(w, r, viewer) {
			return
		}
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
	creates := r.Method == http.MethodPost && rt.id == ""
	if err := h.permitted(r, viewer, creates); err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.throttle(w, r, viewer) {
		return
	}
	switch {
	case creates:
		h.create(w, r, viewer)
		return
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
	case r.Method == http.MethodOptions:
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

// renders are what the JSON renderer answers to; text/html stands where
// DRF's browsable API would answer (spec/drf.md §1 lets JSON stand in
// for it).
var renders = []string{jsonType, "text/html"}

// permitted is the view's permission check, the core's answer: creating
// is an act of the profile's Creates grant (staff, as DRF's IsAdminUser)
// with a token that may write; everything else is reading.
func (h *handler) permitted(r *http.Request, viewer *core.User, creates bool) error {
	if !creates {
		return h.svc.MayRead(viewer)
	}
	if err := core.CheckScope(httpx.CallerToken(r.Context()), true); err != nil {
		return err
	}
	return h.svc.May(r.Context(), viewer, core.ActSignup, nil)
}

// throttle is DRF's UserRateThrottle and AnonRateThrottle through the
// core's limiter: signed-in callers counted per user, anonymous ones per
// address. It answers the 429 (or 503 when the limiter cannot answer)
// itself and reports false then.
func (h *handler) throttle(w http.ResponseWriter, r *http.Request, viewer *core.User) bool {
	scope, key := h.anonRate, throttle.AddrKey(httpx.ClientAddr(r))
	if viewer != nil {
		scope, key = h.userRate, "user:"+strconv.FormatInt(viewer.ID, 10)
	}
	res, err := h.svc.Spend(r.Context(), scope.Limit(Profile.Name), key, 1)
	switch {
	case err != nil:
		h.log.ErrorContext(r.Context(), "drf: rate limiter failed", "err", err, "request_id", httpx.RequestID(r.Context()))
		unavailable(w, time.Second)
		return false
	case !res.Allowed:
		throttled(w, res.RetryAfter)
		return false
	}
	return true
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
