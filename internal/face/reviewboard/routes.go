package reviewboard

import (
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/authscheme"
	"usersd/internal/face/doc"
	"usersd/internal/face/throttle"
	"usersd/internal/httpx"
)

// handler is the face.
type handler struct {
	svc          *core.Face
	log          *slog.Logger
	anon, user   throttle.Rate
	requireLogin bool
}

// NewHandler returns the Review Board face, expecting its prefix
// stripped and recorded (httpx.Mount).
func NewHandler(svc *core.Service, log *slog.Logger, opts Options) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &handler{svc: svc.Face(Profile), log: log, requireLogin: opts.RequireLogin,
		anon: rateByName(opts.Rates, "anon"), user: rateByName(opts.Rates, "user")}
	return http.HandlerFunc(h.serveHTTP)
}

// Routes lists the face's routes below its prefix, for the
// authorization matrix.
var Routes = []string{"GET /api/", "GET /api/users/", "POST /api/users/", "GET /api/users/{username}/", "PUT /api/users/{username}/"}

// usernameRE is djblets' UserResource uri_object_key_regex.
var usernameRE = regexp.MustCompile(`^[A-Za-z0-9@._\-'+]+$`)

// request is one API request after negotiation and authentication.
type request struct {
	r      *http.Request
	xml    bool
	caller *core.User
	form   url.Values // a POST or PUT body's fields
	q      url.Values // the query string, parsed once

	sizes     []int // avatarSizes, read at the first user rendered
	sizesRead bool

	onlyFields, onlyLinks only
}

// serveHTTP routes a request (spec §1). Every path is an API URL: the
// face serves nothing but the Web API.
func (h *handler) serveHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rq := &request{r: r, q: q, onlyFields: readOnly(q, "only-fields"), onlyLinks: readOnly(q, "only-links")}
	mt, ok := h.negotiate(r, q)
	if !ok {
		// djblets answers 400 with no body when nothing is acceptable.
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rq.xml = mt == "application/xml"
	p := r.URL.Path
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	var res resource
	var arg string
	switch {
	case p == "/api/":
		res = resRoot
	case p == "/api/users/":
		res = resList
	case strings.HasPrefix(p, "/api/users/") && strings.HasSuffix(p, "/") && usernameRE.MatchString(p[len("/api/users/"):len(p)-1]):
		res, arg = resItem, p[len("/api/users/"):len(p)-1]
	case get && strings.HasPrefix(p, "/api/") && strings.Contains(p[len("/api/"):], "/") && !strings.HasSuffix(p, "/"):
		// Django's APPEND_SLASH; a path of one segment is caught by
		// the root's catch-all first and is a 404.
		loc := httpx.AbsoluteURL(r, r.URL.EscapedPath()+"/")
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusMovedPermanently)
		return
	default:
		h.writeError(w, rq, errDoesNotExist, "", nil)
		return
	}
	method := r.Method
	if get {
		method = http.MethodGet
	}
	serve, route, allow := res.dispatch(h, method)
	httpx.SetRoute(r.Context(), route)
	if !h.authenticate(w, r, rq) {
		return
	}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		// djblets reads PUT bodies as POST ones, and a POST may tunnel
		// another method in _method.
		form, err := httpx.ReadForm(r)
		if err != nil {
			h.writeError(w, rq, errInvalidForm, core.AsError(err).Message, nil)
			return
		}
		rq.form = form
		if m, ok := rq.value("_method"); ok && r.Method == http.MethodPost {
			serve, route, allow = res.dispatch(h, m)
			httpx.SetRoute(r.Context(), route)
		}
	}
	if serve == nil {
		// djblets' 405 has no envelope.
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	serve(w, r, rq, arg)
}

// resource is one of the face's resources.
type resource int

const (
	resRoot resource = iota
	resList
	resItem
)

// dispatch finds the handler of method on the resource, with its route;
// without one, allow is the Allow header of the 405. djblets lists the
// resource's allowed_methods (users: GET, PUT, POST), less PUT on the
// list and POST on an item, which its put and post refuse there.
func (res resource) dispatch(h *handler, method string) (serve func(http.ResponseWriter, *http.Request, *request, string), route, allow string) {
	const users = "GET, PUT, POST"
	switch {
	case res == resRoot && method == http.MethodGet:
		return h.root, "GET /api/", ""
	case res == resRoot:
		return nil, "GET /api/", "GET"
	case res == resList && method == http.MethodGet:
		return h.list, "GET /api/users/", ""
	case res == resList && method == http.MethodPost:
		return h.create, "POST /api/users/", ""
	case res == resList && method == http.MethodPut:
		return nil, "GET /api/users/", "GET, POST"
	case res == resList:
		return nil, "GET /api/users/", users
	case method == http.MethodGet:
		return h.item, "GET /api/users/{username}/", ""
	case method == http.MethodPut:
		return h.update, "PUT /api/users/{username}/", ""
	case method == http.MethodPost:
		return nil, "GET /api/users/{username}/", "GET, PUT"
	}
	return nil, "GET /api/users/{username}/", users
}

// negotiate picks JSON or XML: ?api_format= wins (older RB; spec §2),
// else the Accept header, where vendor types count as their base type.
func (h *handler) negotiate(r *http.Request, q url.Values) (string, bool) {
	switch get(q, "api_format") {
	case "json":
		return "application/json", true
	case "xml":
		return "application/xml", true
	}
	accept := r.Header.Get("Accept")
	var b strings.Builder
	for i, part := range strings.Split(accept, ",") {
		if i > 0 {
			b.WriteByte(',')
		}
		part = strings.TrimSpace(part)
		mt, params, _ := strings.Cut(part, ";")
		mt = strings.TrimSpace(mt)
		if strings.HasPrefix(mt, "application/vnd.reviewboard.org.") {
			switch {
			case strings.HasSuffix(mt, "+json"):
				mt = "application/json"
			case strings.HasSuffix(mt, "+xml"):
				mt = "application/xml"
			}
		}
		b.WriteString(mt)
		if params != "" {
			b.WriteString(";" + params)
		}
	}
	return httpx.Negotiate(b.String(), []string{"application/json", "application/xml"})
}

// authenticate resolves the caller (spec §10), then counts the request
// against the API rate limits (§12) and applies the require-login
// switch. The Authorization header wins: Basic name-or-e-mail and
// password through the core's throttled check, or "token <t>"; either
// starts the rbsessionid session that later requests use. A header no
// backend recognises leaves the caller anonymous, which every API method
// refuses with 103 because a header was sent
// (webapi_check_login_required). Without a header the session cookie, if
// any, is the caller.
func (h *handler) authenticate(w http.ResponseWriter, r *http.Request, rq *request) bool {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		u, ok := h.cookieCaller(w, r, rq)
		if !ok {
			return false
		}
		if u != nil {
			httpx.WithCaller(r.Context(), u, nil)
			rq.caller = u
		}
		return h.admit(w, r, rq)
	}
	c := authscheme.Parse(authz, authscheme.Strict)
	var u *core.User
	var t *core.Token
	var err error
	switch {
	case c.Scheme == authscheme.Basic && c.Name == "Basic" && c.OK:
		u, err = h.svc.CheckPassword(r.Context(), c.Login, c.Password, httpx.ClientAddr(r))
	case c.Scheme == authscheme.Token && c.Name == "token" && len(strings.Split(authz, " ")) == 2:
		u, t, err = h.svc.Authenticate(r.Context(), c.Payload, httpx.ClientAddr(r))
	default:
		h.writeError(w, rq, errNotLoggedIn, "", nil)
		return false
	}
	switch {
	case core.ErrorCode(err) == core.RateLimited:
		h.writeError(w, rq, errLoginFailed, msgTooManyLogins, nil)
		return false
	case core.ErrorReason(err) == core.ReasonTokenExpired:
		h.writeError(w, rq, errLoginFailed, "This API token expired on "+djangoDateTime(core.AsError(err).At)+".", nil)
		return false
	case core.ErrorCode(err) == core.Unauthenticated:
		h.writeError(w, rq, errLoginFailed, "", nil)
		return false
	case err != nil:
		h.coreError(w, r, rq, err)
		return false
	}
	// A read-only token's holder gets no session: a cookie would carry
	// more than the token allows.
	if t == nil || t.Scope != core.ScopeRead {
		if err := h.startSession(w, r, u, t); err != nil {
			h.coreError(w, r, rq, err)
			return false
		}
	}
	httpx.WithCaller(r.Context(), u, t)
	rq.caller = u
	return h.admit(w, r, rq)
}

// admit spends the request from the caller's rate limit, then refuses
// anonymous reads when login is required. djblets checks the limit in
// the resource's __call__, before the method's login check.
func (h *handler) admit(w http.ResponseWriter, r *http.Request, rq *request) bool {
	if !h.spend(w, r, rq) {
		return false
	}
	if h.requireLogin && rq.caller == nil {
		h.writeError(w, rq, errNotLoggedIn, "", nil)
		return false
	}
	return true
}

// mimetypes are the vendor types of the resources (spec §2).
func vendor(resource string, xml bool) string {
	if xml {
		return "application/vnd.reviewboard.org." + resource + "+xml"
	}
	return "application/vnd.reviewboard.org." + resource + "+json"
}

// rbJSON is djblets' JSONEncoderAdapter.
var rbJSON = doc.Python{SortKeys: true}

// write answers rsp in the negotiated format with resource's vendor
// type. Successful GETs carry an ETag of the body and the viewer, and a
// matching If-None-Match gets 304.
func (h *handler) write(w http.ResponseWriter, rq *request, status int, resource string, rsp *doc.Object) {
	var body []byte
	if rq.xml {
		body = doc.Djblets("rsp", doc.Obj(rsp))
	} else {
		body = rbJSON.Marshal(doc.Obj(rsp))
	}
	body = rq.jsonp(body)
	hd := w.Header()
	hd.Set("Vary", "Accept, Cookie")
	if status == http.StatusOK {
		viewer := ""
		if rq.caller != nil {
			viewer = strconv.FormatInt(rq.caller.ID, 10)
		}
		etag := httpx.ViewerETag(viewer, body)
		hd.Set("ETag", etag)
		// No max-age and no Expires: RBTools keeps an entry without them
		// forever, and revalidates by ETag only under no-cache; it keeps
		// nothing marked no-store, which a credentialed answer would be.
		hd.Set("Cache-Control", "no-cache")
		httpx.SetRevalidate(rq.r.Context())
		if httpx.NotModified(rq.r, etag) {
			hd.Set("X-Content-Type-Options", "nosniff")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	httpx.Raw(w, status, vendor(resource, rq.xml), body)
}
