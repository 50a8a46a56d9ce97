package danbooru

import (
	"html"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/face/railsparams"
	"usersd/internal/face/ruby"
	"usersd/internal/httpx"
)

// NewHandler returns the Danbooru face, expecting its prefix stripped.
func NewHandler(service *core.Service, log *slog.Logger) http.Handler {
	svc := service.Face(Profile)
	rt := &router{svc: svc, log: log}
	addRoutes(rt, svc, log)
	return rt
}

// Routes lists the face's routes as "METHOD /path" below its prefix, for
// the authorization matrix, which needs a row for each.
func Routes() []string {
	rt := &router{}
	addRoutes(rt, nil, nil)
	out := make([]string, len(rt.routes))
	for i, r := range rt.routes {
		out[i] = r.method + " /" + strings.Join(r.segs, "/")
	}
	return out
}

// addRoutes lists every route of the face (spec §1). Paths take an
// optional format extension (".json", ".xml") on their last segment,
// which ServeMux patterns cannot express, so the router is our own.
func addRoutes(rt *router, svc *core.Face, log *slog.Logger) {
	rt.handle("GET", "/users", handleUserIndex(svc, log))
	rt.handle("POST", "/users", handleUserCreate(svc, log))
	rt.handle("GET", "/users/{id}", handleUserShow(svc, log))
	rt.handle("PUT", "/users/{id}", handleUserUpdate(svc, log))
	rt.handle("PATCH", "/users/{id}", handleUserUpdate(svc, log))
	rt.handle("DELETE", "/users/{id}", handleUserDelete(svc, log))
	rt.handle("GET", "/profile", handleProfile(svc, log))
	rt.handle("PUT", "/admin/users/{id}", handleAdminUserUpdate(svc, log))
	rt.handle("PATCH", "/admin/users/{id}", handleAdminUserUpdate(svc, log))
	rt.handle("GET", "/user/show/{id}", handleLegacyShow())
}

// handlerFunc serves one route once the router has run the request-wide
// rules.
type handlerFunc func(w http.ResponseWriter, rq *request)

type route struct {
	method  string
	pattern string // "GET /users/{id}", for metrics
	segs    []string
	handler handlerFunc
	// anyFormat: the route answers every format (it only redirects), so
	// an unsupported format is not a 406.
	anyFormat bool
}

type router struct {
	svc    *core.Face
	log    *slog.Logger
	routes []route
}

func (rt *router) handle(method, pattern string, h handlerFunc) {
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	anyFormat := strings.HasPrefix(pattern, "/admin/") || strings.HasPrefix(pattern, "/user/show/")
	rt.routes = append(rt.routes, route{method: method, pattern: method + " " + pattern, segs: segs, handler: h, anyFormat: anyFormat})
}

// request is one request as the handlers see it.
type request struct {
	r      *http.Request
	log    *slog.Logger
	svc    *core.Face
	format string // "json", "xml", "html", or an unsupported format's name
	id     string // the {id} path segment, extension removed
	prefix string // where the face is mounted ("" at /)
	query  *params
	pairs  []railsparams.Pair // the query string, decoded, in order
	viewer *core.User
	token  *core.Token
	now    time.Time
}

// segmentRE is Rails' ":id(.:format)" segment: no dots in the id, an
// optional extension without dots.
var segmentRE = regexp.MustCompile(`^([^.]+)(?:\.([^.]+))?$`)

// pathExt is the format extension of a path's last segment.
func pathExt(path string) string {
	seg := path[strings.LastIndexByte(path, '/')+1:]
	if m := segmentRE.FindStringSubmatch(seg); m != nil {
		return m[2]
	}
	return ""
}

// match finds the route for a method and path, with its {id} and path
// extension. A path that matches no route (or only with another method)
// is nil, as Rails' catch-all route makes both a 404.
func (rt *router) match(method, path string) (*route, string, string) {
	segs := strings.Split(strings.TrimPrefix(strings.TrimSuffix(path, "/"), "/"), "/")
	if method == http.MethodHead {
		method = http.MethodGet
	}
	for i := range rt.routes {
		rr := &rt.routes[i]
		if rr.method != method || len(rr.segs) != len(segs) {
			continue
		}
		id, ext, ok := "", "", true
		for j, s := range rr.segs {
			seg := segs[j]
			if j == len(segs)-1 {
				m := segmentRE.FindStringSubmatch(seg)
				if m == nil {
					ok = false
					break
				}
				seg, ext = m[1], m[2]
			}
			if s == "{id}" {
				id = seg
			} else if s != seg {
				ok = false
				break
			}
		}
		if ok {
			return rr, id, ext
		}
	}
	return nil, "", ""
}

// ServeHTTP runs the request-wide rules, then the route's handler.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Git-Hash", gitHash)
	rq := &request{r: r, log: rt.log, svc: rt.svc, prefix: httpx.MountPrefix(r.Context()), now: rt.svc.Now()}

	rr, id, ext := rt.match(r.Method, r.URL.Path)
	if rr != nil {
		httpx.SetRoute(r.Context(), rr.pattern)
	}
	pairs, qerr := railsparams.SplitQuery(r.URL.RawQuery)
	rq.pairs = pairs
	var query *params
	if qerr == nil {
		var h *railsparams.Hash
		h, qerr = railsparams.Build(pairs)
		query = (*params)(h)
	}
	if query == nil {
		query = newParams()
	}
	rq.query = query
	rq.id = id
	if rr == nil {
		ext = pathExt(r.URL.Path)
	}
	rq.format = negotiate(ext, query, r.Header.Get("Accept"))

	if rr == nil {
		// Danbooru's catch-all route renders static#not_found, whose
		// error page has no exception: class "NilClass", no backtrace.
		writeNotFoundPage(w, rq)
		return
	}
	if qerr != nil {
		writeError(w, rq, badRequest("Invalid query parameters: invalid %-encoding or nesting"))
		return
	}
	// Upstream's before_actions, in order: check_get_body, then the
	// session (API key), then normalize_search (spec §1.2, §2).
	if err := checkGetBody(r); err != nil {
		writeError(w, rq, err)
		return
	}
	if err := authenticate(rq); err != nil {
		writeError(w, rq, err)
		return
	}
	if loc, ok := normalizeSearch(rq); ok {
		redirect(w, rq, http.StatusFound, loc)
		return
	}
	if s, ok := query.present("cause_error"); ok {
		// A testing aid: force an error page of the given status.
		status := ruby.ToI(s)
		if status < 400 || status > 599 {
			writeError(w, rq, &apiError{status: 500, class: "ArgumentError", message: ""})
		} else {
			writeError(w, rq, &apiError{status: int(status), class: "StandardError", message: ""})
		}
		return
	}
	if !rr.anyFormat && !supportedFormat(rq.format) {
		writeError(w, rq, &apiError{status: 406, class: "ActionController::UnknownFormat",
			message: mimeName(rq.format) + " is not a supported format for this page"})
		return
	}
	rr.handler(w, rq)
}

// gitHash is the X-Git-Hash every response carries.
const gitHash = "usersd"

// url returns the absolute URL of a face path.
func (rq *request) url(path string) string {
	return httpx.AbsoluteURL(rq.r, path)
}

// formatExt is the path extension that keeps the request's format in a
// redirect ("" for HTML).
func (rq *request) formatExt() string {
	if rq.format == "json" || rq.format == "xml" {
		return "." + rq.format
	}
	return ""
}

// checkGetBody refuses a GET, HEAD or OPTIONS request that has a body
// (spec §1.2 rule 1).
func checkGetBody(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		return nil
	}
	has := r.ContentLength > 0
	if r.ContentLength < 0 && r.Body != nil {
		var b [1]byte
		n, _ := io.ReadFull(r.Body, b[:])
		has = n > 0
	}
	if !has {
		return nil
	}
	return &apiError{status: 400, class: "ApplicationController::RequestBodyNotAllowedError", message: "Request body not allowed for " + r.Method + " request"}
}

// normalizeSearch is upstream's normalize_search: on GET and HEAD, blank
// values under search[…] are dropped by a redirect to the cleaned URL.
// Only top-level keys of the search hash count (a nested hash is a
// Parameters object, not a Hash, so upstream never cleans inside it).
func normalizeSearch(rq *request) (string, bool) {
	if rq.r.Method != http.MethodGet && rq.r.Method != http.MethodHead {
		return "", false
	}
	search := rq.query.sub("search")
	if search == nil {
		return "", false
	}
	blank := map[string]bool{}
	for k, v := range search.hash().All() {
		if railsparams.Blank(v) {
			blank[k] = true
		}
	}
	if len(blank) == 0 {
		return "", false
	}
	var kept []string
	for _, p := range rq.pairs {
		if k, ok := searchKey(p.Key); ok && blank[k] {
			continue
		}
		kept = append(kept, p.Raw)
	}
	loc := rq.url(rq.r.URL.EscapedPath()) // Path is decoded: a %09 would put a raw tab in Location
	if len(kept) > 0 {
		loc += "?" + strings.Join(kept, "&")
	}
	return loc, true
}

// searchKey returns K for a parameter named search[K]… .
func searchKey(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "search[")
	if !ok {
		return "", false
	}
	k, _, ok := strings.Cut(rest, "]")
	return k, ok
}

// negotiate picks the response format as Rails does (spec §1.1): the
// route's extension or a format= parameter, else the Accept header, where
// a browser-like list or */* means HTML.
func negotiate(ext string, query *params, accept string) string {
	if ext != "" {
		return ext
	}
	if f, ok := query.str("format"); ok && f != "" {
		return f
	}
	accept = strings.TrimSpace(accept)
	if accept == "" || browserLike.MatchString(accept) {
		return "html"
	}
	type entry struct {
		mime string
		q    float64
	}
	var entries []entry
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		m := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, f := range fields[1:] {
			if v, ok := strings.CutPrefix(strings.TrimSpace(f), "q="); ok {
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					q = x
				}
			}
		}
		if m != "" {
			entries = append(entries, entry{m, q})
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].q > entries[j].q })
	first := ""
	for _, e := range entries {
		f := formatOfMIME(e.mime)
		if first == "" {
			first = f
		}
		if supportedFormat(f) {
			return f
		}
	}
	if first == "" {
		return "html"
	}
	return first
}

var browserLike = regexp.MustCompile(`,\s*\*/\*|\*/\*\s*,`)

func supportedFormat(f string) bool { return f == "json" || f == "xml" || f == "html" }

// mimeTypes is Rails' MIME registry (Mime::EXTENSION_LOOKUP) plus the
// types Danbooru registers: format name → MIME type. It also supplies the
// file extensions a user name may not end with (spec §9.2 rule 7).
var mimeTypes = map[string]string{
	"html": "text/html", "htm": "text/html", "xhtml": "text/html", "text": "text/plain", "txt": "text/plain",
	"js": "text/javascript", "css": "text/css", "ics": "text/calendar", "csv": "text/csv", "vcf": "text/vcard",
	"vtt": "text/vtt", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg",
	"pjpeg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff",
	"svg": "image/svg+xml", "mpg": "video/mpeg", "mpeg": "video/mpeg", "mpe": "video/mpeg", "mp3": "audio/mpeg",
	"ogg": "audio/ogg", "m4a": "audio/aac", "webm": "video/webm", "mp4": "video/mp4", "otf": "font/otf",
	"ttf": "font/ttf", "woff": "font/woff", "woff2": "font/woff2", "xml": "application/xml",
	"rss": "application/rss+xml", "atom": "application/atom+xml", "yml": "application/yaml",
	"yaml": "application/yaml", "json": "application/json", "pdf": "application/pdf", "zip": "application/zip",
	"gz": "application/gzip", "gzip": "application/gzip", "sitemap": "application/xml", "webp": "image/webp",
	"avif": "image/avif", "swf": "application/x-shockwave-flash", "exe": "application/x-dosexec",
	"ugoira": "application/zip",
}

// mimeName is how Rails prints a format in the 406 message: its MIME
// type, or nothing for a format it does not know.
func mimeName(format string) string {
	return mimeTypes[format]
}

// formatOfMIME maps an Accept media range to a format name.
func formatOfMIME(m string) string {
	switch m {
	case "*/*", "text/*", "text/html", "application/xhtml+xml":
		return "html"
	case "application/json", "text/x-json", "application/jsonrequest":
		return "json"
	case "application/xml", "text/xml", "application/x-xml", "application/*":
		return "xml"
	case "text/javascript", "application/javascript", "application/x-javascript":
		return "js"
	}
	for _, name := range slices.Sorted(maps.Keys(mimeTypes)) {
		if mimeTypes[name] == m {
			return name
		}
	}
	return m
}

// Content types of the three formats.
const (
	contentJSON = "application/json; charset=utf-8"
	contentXML  = "application/xml; charset=utf-8"
	contentHTML = "text/html; charset=utf-8"
)

// writeBody writes a response; HEAD responses carry the headers only (the
// server drops the body).
func writeBody(w http.ResponseWriter, rq *request, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}

// redirect answers with a Rails redirect_to page.
func redirect(w http.ResponseWriter, rq *request, status int, location string) {
	w.Header().Set("Location", location)
	body := `<html><body>You are being <a href="` + html.EscapeString(location) + `">redirected</a>.</body></html>`
	writeBody(w, rq, status, contentHTML, []byte(body))
}

// writeNotFoundPage is Danbooru's static#not_found: 404 "Page not found",
// rendered with no exception object.
func writeNotFoundPage(w http.ResponseWriter, rq *request) {
	switch rq.format {
	case "json":
		body := railsJSON.Append(nil, errorDoc("NilClass", "Page not found", doc.Null()))
		writeBody(w, rq, 404, contentJSON, append(body, '\n'))
	case "xml":
		body := railsXML.Document("result", errorDoc("NilClass", "Page not found", doc.Null()))
		writeBody(w, rq, 404, contentXML, append(body, '\n'))
	default:
		writeError(w, rq, &apiError{status: 404, class: "NilClass", message: "Page not found"})
	}
}

// handleLegacyShow handles "GET /user/show/{id}", a permanent redirect to
// the show page (routes.rb: redirect("/users/%{id}")).
func handleLegacyShow() handlerFunc {
	return func(w http.ResponseWriter, rq *request) {
		redirect(w, rq, http.StatusMovedPermanently, rq.url("/users/"+url.PathEscape(rq.id)))
	}
}

func htmlEscape(s string) string { return html.EscapeString(s) }
