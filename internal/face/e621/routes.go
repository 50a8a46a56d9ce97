package e621

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// Options configure the face.
type Options struct {
	// Levels is the e621ng level table (B.4); the legacy API always uses
	// the legacy numbers.
	Levels LevelTable
	// SockPuppetCheck refuses a sign-up from an address that created an
	// account in the last 24 hours (B.8). e621 enables it; usersd leaves it
	// off by default so test suites can create several accounts.
	SockPuppetCheck bool
}

// handler is the face.
type handler struct {
	svc  *core.Face
	log  *slog.Logger
	opts Options
	ng   levels
}

// NewHandler returns the e621 face, expecting its prefix stripped and
// recorded (httpx.Mount). The zero Options is the classic level table
// with the sock-puppet check off.
func NewHandler(svc *core.Service, log *slog.Logger, opts Options) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &handler{svc: svc.Face(Profile), log: log, opts: opts, ng: levelsOf(opts.Levels)}
	return http.HandlerFunc(h.serveHTTP)
}

// Routes lists the face's routes as "METHOD /path" below its prefix, for
// the authorization matrix, which needs a row for each; serveHTTP below
// routes them.
var Routes = []string{
	"GET /user", "GET /user/index", "GET /user/show", "GET /user/show/{id}",
	"GET /users", "POST /users", "GET /users/me", "GET /users/upload_limit",
	"GET /users/{id}", "PATCH /users/{id}", "PUT /users/{id}", "GET /users/{id}/upload_limit",
}

// Routes, below the face's prefix (Go's ServeMux cannot match "{id}.json",
// so the last segment's extension is split here):
//
//	GET      /user[.json|.xml]                    legacy index (Part A)
//	GET      /user/index[.json|.xml]              legacy index
//	GET      /user/show[.json|.xml]               legacy show (?id=, ?name=, or the caller)
//	GET      /user/show/{id}[.json|.xml]          legacy show
//	GET      /users[.json]                        e621ng index (B.5)
//	POST     /users[.json]                        e621ng create (B.8)
//	GET      /users/me[.json]                     the caller, full view (B.6)
//	GET      /users/upload_limit[.json]           the caller, self view (2019–2025 route the npm client uses)
//	GET      /users/{id or name}[.json]           show (B.6)
//	PATCH    /users/{any}[.json] (or PUT)         update the caller (B.9)
//	GET      /users/{id or name}/upload_limit[.json]  that user, full view (logged in)
//
// Legacy routes also answer POST (Danbooru 1 routes ignored the verb).
func (h *handler) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// rack-cors: every origin, every method (B.2).
	if r.Header.Get("Origin") != "" {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD")
			if hdr := r.Header.Get("Access-Control-Request-Headers"); hdr != "" {
				w.Header().Set("Access-Control-Allow-Headers", hdr)
			}
			w.Header().Set("Access-Control-Max-Age", "7200")
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	// NUL and invalid UTF-8 are stripped from the path, as e621ng's
	// ParameterSanitizer does.
	segs := strings.Split(strings.Trim(sanitize(r.URL.Path), "/"), "/")
	first, _, _ := strings.Cut(segs[0], ".")
	switch {
	case first == "user" && len(segs) <= 3:
		h.serveLegacy(w, r, segs)
	case first == "users":
		h.serveNG(w, r, segs)
	default:
		writeReason(w, http.StatusNotFound, reasonNotFound)
	}
}

// formatMIME names the formats e621ng knows but this face does not serve
// as Rails prints them in the 406 message.
var formatMIME = map[string]string{
	"xml":  "application/xml",
	"html": "text/html",
	"atom": "application/atom+xml",
	"rss":  "application/rss+xml",
	"js":   "text/javascript",
	"css":  "text/css",
	"csv":  "text/csv",
	"txt":  "text/plain",
}

// ngAction is one e621ng action.
type ngAction func(w http.ResponseWriter, r *http.Request, req *ngRequest)

// routeNG picks the action for a path below /users and a method.
func (h *handler) routeNG(method string, segs []string) (ngAction, []string) {
	get := method == http.MethodGet || method == http.MethodHead
	patch := method == http.MethodPatch || method == http.MethodPut
	switch {
	case len(segs) == 1 && segs[0] == "users":
		if get {
			return h.index, nil
		}
		if method == http.MethodPost {
			return h.create, nil
		}
	case len(segs) == 2 && segs[0] == "users":
		switch {
		case patch:
			return h.update, nil
		case get && segs[1] == "me":
			return h.me, nil
		case get && segs[1] == "upload_limit":
			return h.uploadLimitSelf, nil
		case get:
			return h.show, segs[1:]
		}
	case len(segs) == 3 && segs[0] == "users" && segs[2] == "upload_limit" && get:
		return h.uploadLimit, segs[1:2]
	}
	return nil, nil
}

// ngPattern names a matched e621ng route for metrics: the path below the
// mount with the user argument as {id}.
func ngPattern(method string, segs []string) string {
	p := "/users"
	switch {
	case len(segs) == 2 && (method == http.MethodGet || method == http.MethodHead) && (segs[1] == "me" || segs[1] == "upload_limit"):
		p += "/" + segs[1]
	case len(segs) == 2:
		p += "/{id}"
	case len(segs) == 3:
		p += "/{id}/upload_limit"
	}
	return method + " " + p
}

// serveNG runs the e621ng request pipeline in ApplicationController's
// order: body parsing (400), authentication (401), time zone, pagination
// parameter types (410), search normalization (302), then the action.
func (h *handler) serveNG(w http.ResponseWriter, r *http.Request, segs []string) {
	last := segs[len(segs)-1]
	stem, ext, _ := strings.Cut(last, ".")
	for _, s := range segs[:len(segs)-1] {
		if strings.Contains(s, ".") {
			writeReason(w, http.StatusNotFound, reasonNotFound)
			return
		}
	}
	segs = append(segs[:len(segs)-1:len(segs)-1], stem)
	action, args := h.routeNG(r.Method, segs)
	if action == nil || strings.Contains(ext, ".") {
		writeReason(w, http.StatusNotFound, reasonNotFound)
		return
	}
	httpx.SetRoute(r.Context(), ngPattern(r.Method, segs))
	switch ext {
	case "", "json":
		// usersd has no HTML: extensionless routes answer JSON.
	default:
		if m := formatMIME[strings.ToLower(ext)]; m != "" {
			writeUnsupportedFormat(w, m)
		} else {
			writeReason(w, http.StatusNotFound, reasonNotFound)
		}
		return
	}
	req := &ngRequest{args: args, params: newHash()}
	parseQuery(req.params, r.URL.RawQuery)
	body, err := readBody(r)
	if err != nil {
		writeMessage(w, http.StatusRequestEntityTooLarge, msgBodyTooLarge, "")
		return
	}
	ct := r.Header.Get("Content-Type")
	req.json = isJSON(ct)
	req.jsonBody, err = parseBody(req.params, ct, body)
	if err != nil {
		writeCompactMessage(w, http.StatusBadRequest, msgInvalidJSON)
		return
	}
	caller, ok := h.ngCaller(w, r, req.params)
	if !ok {
		return
	}
	req.caller = caller
	req.now = h.now()
	req.loc = requestZone(req.params, caller)
	if msg := paginationTypes(req.params); msg != "" {
		writeMessage(w, http.StatusGone, msg, "")
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if loc, redirect := normalizeSearch(r, req.params); redirect {
			redirectFound(w, loc)
			return
		}
	}
	action(w, r, req)
}

// redirectFound answers 302 with an empty body, as Rails 7 does, and
// Rails' default Content-Type, which every response with a body status
// carries.
func redirectFound(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", contentTypeHTML)
	w.WriteHeader(http.StatusFound)
}

// now is the service clock.
func (h *handler) now() time.Time { return h.svc.Now() }

// readBody reads the request body within httpx.MaxBody.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, httpx.MaxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errBodyTooLarge
	}
	return b, nil
}
