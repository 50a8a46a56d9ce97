package pronouns

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/authscheme"
	"usersd/internal/face/doc"
	"usersd/internal/face/throttle"
	"usersd/internal/httpx"
)

// apiPrefix is where every route lives; there is no unversioned alias
// (spec §1).
const apiPrefix = "/api/v1"

// DefaultRates are pronouns.cc's buckets (docs/api/ratelimits.md, spec
// §4), requests per minute; the /auth buckets limit routes this face
// does not serve, kept so the table reads as upstream's.
var DefaultRates = []throttle.Bucket{
	{Pattern: "/", PerMinute: 120},
	{Pattern: "GET /users/*", PerMinute: 60},
	{Pattern: "GET /users/*/members", PerMinute: 60},
	{Pattern: "GET /users/*/members/*", PerMinute: 60},
	{Pattern: "PATCH /users/@me", PerMinute: 10},
	{Pattern: "POST /members", PerMinute: 10},
	{Pattern: "GET /members/*", PerMinute: 60},
	{Pattern: "PATCH /members/*", PerMinute: 20},
	{Pattern: "DELETE /members/*", PerMinute: 5},
	{Pattern: "/auth/*", PerMinute: 20},
	{Pattern: "/auth/tokens", PerMinute: 10},
	{Pattern: "/auth/invites", PerMinute: 10},
}

// ParseRates reads the --pronouns-rates flag: comma-separated BUCKET=N
// (per minute), BUCKET one of DefaultRates' patterns or "*" for all.
func ParseRates(list string) ([]throttle.Bucket, error) {
	return throttle.Parse(DefaultRates, list)
}

// Options configure the face.
type Options struct {
	// Rates are the rate-limit buckets; nil is DefaultRates.
	Rates []throttle.Bucket
}

// handler is the face.
type handler struct {
	svc   *core.Face
	log   *slog.Logger
	rates *throttle.Table
	mux   *http.ServeMux
}

// NewHandler returns the pronouns.cc face, expecting its prefix stripped
// and recorded (httpx.Mount). It fails only on a bad rate table.
func NewHandler(svc *core.Service, log *slog.Logger, opts Options) (http.Handler, error) {
	if log == nil {
		log = slog.Default()
	}
	if opts.Rates == nil {
		opts.Rates = DefaultRates
	}
	rates, err := throttle.New(Profile.Name, opts.Rates)
	if err != nil {
		return nil, fmt.Errorf("pronouns rates: %w", err)
	}
	h := &handler{svc: svc.Face(Profile), log: log, rates: rates, mux: http.NewServeMux()}
	addRoutes(h.mux, h)
	return h, nil
}

// Routes lists the face's routes as "METHOD /path" below its prefix, for
// the authorization matrix, which needs a row for each.
var Routes = listRoutes()

func listRoutes() []string {
	var rec routeList
	addRoutes(&rec, &handler{})
	return rec
}

// routeList records the patterns a face registers.
type routeList []string

func (l *routeList) Handle(pattern string, _ http.Handler) { *l = append(*l, pattern) }

type router interface{ Handle(string, http.Handler) }

// addRoutes lists every route; paths are below the face's prefix. Each
// handler answers with a value or an error about its entity.
func addRoutes(mux router, h *handler) {
	handle := func(pattern string, ent entity, fn handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.Handle(method+" "+apiPrefix+path, h.serve(ent, fn))
	}
	handle("GET /users/@me", entUser, h.handleMe)
	handle("PATCH /users/@me", entUser, h.handleMeUpdate)
	handle("GET /users/@me/reroll", entUser, h.handleReroll)
	handle("GET /users/@me/flags", entFlag, h.handleFlagList)
	handle("POST /users/@me/flags", entFlag, h.handleFlagCreate)
	handle("PATCH /users/@me/flags/{id}", entFlag, h.handleFlagUpdate)
	handle("DELETE /users/@me/flags/{id}", entFlag, h.handleFlagDelete)
	handle("GET /users/@me/members", entMember, h.handleMembers)
	handle("GET /users/@me/members/{memberRef}", entMember, h.handleUserMember)
	handle("GET /users/{ref}", entUser, h.handleUser)
	handle("GET /users/{ref}/members", entMember, h.handleMembers)
	handle("GET /users/{ref}/members/{memberRef}", entMember, h.handleUserMember)
	handle("POST /members", entMember, h.handleMemberWrite(false))
	handle("GET /members/{id}", entMember, h.handleMember)
	handle("PATCH /members/{id}", entMember, h.handleMemberWrite(true))
	handle("DELETE /members/{id}", entMember, h.handleMemberDelete)
	handle("GET /members/{id}/reroll", entMember, h.handleMemberReroll)
}

// handlerFunc answers a request with the value to render (noContent for
// 204) or an error.
type handlerFunc func(r *http.Request) (doc.Value, error)

// noContent (null) is the answer of deletions: 204 with no body (spec
// §8.4); no route answers a plain null.
var noContent = doc.Value{}

// serve adapts fn to net/http: an error is rendered as the API error of
// ent, the zero value as 204, anything else as 200 JSON.
func (h *handler) serve(ent entity, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		switch {
		case err != nil:
			writeError(w, r, h.log, err, ent)
		case v.Kind() == doc.KindNull:
			w.WriteHeader(http.StatusNoContent)
		default:
			h.write(w, v)
		}
	})
}

// ServeHTTP runs every request through pronouns.cc's middleware order:
// the token (a bad one fails every route, spec §2), the rate limit (its
// headers on every response, §4), then the route (404, 405), the token's
// scope, and the handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	me, tok, authErr := h.authenticate(r)
	key := throttle.AddrKey(httpx.ClientAddr(r))
	if me != nil {
		key = "user:" + strconv.FormatInt(me.ID, 10)
	}
	if !h.spend(w, r, key) {
		return
	}
	if authErr != nil {
		writeError(w, r, h.log, authErr, entUser)
		return
	}
	if me != nil {
		ctx = httpx.WithCaller(ctx, me, tok)
		r = r.WithContext(ctx)
	}
	next, pattern := h.mux.Handler(r)
	if pattern == "" {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if rec.Code == http.StatusMethodNotAllowed {
			if allow := rec.Header().Get("Allow"); allow != "" {
				w.Header().Set("Allow", allow)
			}
			writeAPIError(w, fail(codeMethodNotAllowed, ""))
			return
		}
		writeAPIError(w, fail(codeNotFound, ""))
		return
	}
	httpx.SetRoute(ctx, pattern)
	if err := core.CheckScope(tok, httpx.IsWrite(r)); err != nil {
		writeError(w, r, h.log, err, entUser)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// authenticate reads "Authorization: <token>" or "Bearer <token>". No
// header is anonymous; a header whose token does not authenticate is an
// error (1003) even on public routes.
func (h *handler) authenticate(r *http.Request) (*core.User, *core.Token, error) {
	header := r.Header.Get("Authorization")
	if strings.TrimSpace(header) == "" {
		return nil, nil, nil
	}
	secret := authscheme.BearerOrBare(header)
	if secret == "" {
		return nil, nil, core.Errorf(core.Unauthenticated, "Supplied token was invalid")
	}
	return h.svc.Authenticate(r.Context(), secret, httpx.ClientAddr(r))
}

// spend takes one request from the request's bucket and writes the
// rate-limit headers; false means the response is written (429, or 503
// when the limiter cannot answer: limits are not skipped silently).
func (h *handler) spend(w http.ResponseWriter, r *http.Request, key string) bool {
	path := ""
	if rest, ok := strings.CutPrefix(r.URL.Path, apiPrefix); ok && (rest == "" || rest[0] == '/') {
		path = rest
	}
	b := h.rates.Match(r.Method, path)
	res, err := h.svc.Spend(r.Context(), h.rates.Limit(b), key, 1)
	if err != nil {
		h.log.Error("pronouns: rate limiter failed", "request_id", httpx.RequestID(r.Context()), "err", err)
		w.Header().Set("Retry-After", "1")
		writeAPIError(w, fail(codeUnavailable, "Rate limits are unavailable"))
		return false
	}
	now := h.svc.Now()
	throttle.SetHeaders(w.Header(), b, res, now)
	if !res.Allowed {
		writeAPIError(w, &apiError{Code: codeTooManyRequests, Reset: throttle.Reset(res, now)})
		return false
	}
	return true
}

// write renders a value with status 200.
func (h *handler) write(w http.ResponseWriter, v doc.Value) {
	httpx.Raw(w, http.StatusOK, contentJSON, append(wireJSON.Marshal(v), '\n'))
}

// caller is the authenticated user, or nil.
func caller(r *http.Request) *core.User { return httpx.Caller(r.Context()) }

// requireCaller is the caller of an owner route: no token is 403 code
// 403 (spec §2).
func requireCaller(r *http.Request) (*core.User, error) {
	if u := caller(r); u != nil {
		return u, nil
	}
	return nil, fail(codeForbidden, "No token was supplied")
}

// requireWriter is the caller of a GET that writes (the rerolls),
// refusing a read-only token; other writes are checked by method in
// ServeHTTP.
func requireWriter(r *http.Request) (*core.User, error) {
	me, err := requireCaller(r)
	if err != nil {
		return nil, err
	}
	return me, core.CheckScope(httpx.CallerToken(r.Context()), true)
}

// callerAndBody is the caller of an owner route and the request body.
func callerAndBody(r *http.Request) (*core.User, []byte, error) {
	me, err := requireCaller(r)
	if err != nil {
		return nil, nil, err
	}
	body, err := readBody(r)
	return me, body, err
}
