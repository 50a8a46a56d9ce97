// Package httpx is the HTTP plumbing faces share: strict JSON decoding,
// encoding, request ids, access logs, body limits and the caller in the
// request context.
package httpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"usersd/internal/core"
)

// MaxBody is the largest request body a face accepts unless it says
// otherwise.
const MaxBody = 1 << 20

// MaxRequestBody is the largest request body the server reads at all,
// for the faces whose upstream takes more than MaxBody (pronouns.cc's
// 2 MB, which holds base64 images); each face reads within its own limit.
const MaxRequestBody = 2 << 20

// ReadBody reads the request body within MaxBody and checks it is UTF-8
// (encoding/json would silently replace invalid bytes). Errors are
// core.Invalid.
func ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &core.Error{Code: core.Invalid, Message: fmt.Sprintf("Request body is larger than %d bytes.", MaxBody), Err: err}
	case err != nil:
		return nil, &core.Error{Code: core.Invalid, Message: "Request body could not be read.", Err: err}
	case !utf8.Valid(body):
		return nil, &core.Error{Code: core.Invalid, Message: "Request body is not valid UTF-8."}
	}
	return body, nil
}

// ErrContentType is a JSON body sent under another media type; faces
// answer it with 415. Requiring the JSON type also keeps cross-site HTML
// forms, which cannot send it without a CORS preflight, from writing.
var ErrContentType = &core.Error{Code: core.Invalid, Message: "Content-Type must be application/json."}

// DecodeObject reads a JSON object body into its members, strictly: one
// object, no trailing data, no duplicate keys.
func DecodeObject(r *http.Request) (map[string]json.RawMessage, error) {
	if !IsJSON(r.Header.Get("Content-Type")) {
		return nil, ErrContentType
	}
	body, err := ReadBody(r)
	if err != nil {
		return nil, err
	}
	return ParseObject(body)
}

// ParseObject parses a JSON object strictly (see DecodeObject).
func ParseObject(body []byte) (map[string]json.RawMessage, error) {
	bad := func(msg string, err error) error {
		return &core.Error{Code: core.Invalid, Message: msg, Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, bad("Request body is not valid JSON.", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, bad("Request body must be a JSON object.", nil)
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, bad("Request body is not valid JSON.", err)
		}
		key := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, bad("Request body is not valid JSON.", err)
		}
		if _, dup := out[key]; dup {
			return nil, &core.Error{Code: core.Invalid, Message: "Invalid input.", Fields: map[string]string{key: "is given twice"}}
		}
		out[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad("Request body is not valid JSON.", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("Request body has data after the JSON object.", nil)
	}
	return out, nil
}

// JSON writes v as a JSON response.
func JSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encoding failed"}`, http.StatusInternalServerError)
		return
	}
	Raw(w, status, contentType, append(b, '\n'))
}

// Raw writes an already encoded body.
func Raw(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	callerKey
	routeKey
)

// caller is a per-request slot, placed by Middleware so the access log
// sees the user a face authenticated further in.
type caller struct {
	user  *core.User
	token *core.Token
}

// RequestID returns the request's id.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// WithCaller returns ctx carrying the authenticated user and token.
func WithCaller(ctx context.Context, u *core.User, t *core.Token) context.Context {
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		c.user, c.token = u, t
		return ctx
	}
	return context.WithValue(ctx, callerKey, &caller{u, t})
}

// Caller returns the authenticated user, or nil for anonymous requests.
func Caller(ctx context.Context) *core.User {
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		return c.user
	}
	return nil
}

// CallerToken returns the token the caller authenticated with, or nil.
func CallerToken(ctx context.Context) *core.Token {
	if c, ok := ctx.Value(callerKey).(*caller); ok {
		return c.token
	}
	return nil
}

// routeSlot is a per-request slot for the route a face matched. It is a
// pointer placed before the face runs, because faces (and StripPrefix)
// pass copies of the request further in, whose r.Pattern the code that
// mounted the face never sees.
type routeSlot struct {
	pattern    string
	public     bool // SetPublic
	revalidate bool // SetRevalidate
	// body is the request body before Middleware's MaxRequestBody, for
	// StreamBody; kept here, not in a context value of its own, to spare
	// every request an allocation.
	body io.ReadCloser
}

// WithRouteSlot returns ctx with a slot for SetRoute, or ctx itself when
// it has one already (Middleware places one for every request).
func WithRouteSlot(ctx context.Context) context.Context {
	if _, ok := ctx.Value(routeKey).(*routeSlot); ok {
		return ctx
	}
	return context.WithValue(ctx, routeKey, &routeSlot{})
}

// SetRoute records the route pattern a face matched, below its mount
// ("GET /users/{id}"), for metrics and the access log. It must be one of
// the face's fixed patterns, never the raw path, so that the set of values
// stays small; a request no route matched sets nothing.
func SetRoute(ctx context.Context, pattern string) {
	if s, ok := ctx.Value(routeKey).(*routeSlot); ok {
		s.pattern = pattern
	}
}

// SetPublic marks the response as one that is the same for every caller
// (a content-addressed image), so the credentials a browser or client
// sends along do not make Middleware mark it no-store. Errors and writes
// stay private.
func SetPublic(ctx context.Context) {
	if s, ok := ctx.Value(routeKey).(*routeSlot); ok {
		s.public = true
	}
}

// SetRevalidate marks a successful read as one the caller's own client
// may keep if it revalidates it by ETag every time (RBTools' API cache):
// where Middleware would mark a credentialed answer no-store, it sends
// "private, no-cache" instead, which no shared cache stores. The face
// must make its ETags differ per caller. Errors and writes stay no-store.
func SetRevalidate(ctx context.Context) {
	if s, ok := ctx.Value(routeKey).(*routeSlot); ok {
		s.revalidate = true
	}
}

// Route returns the pattern SetRoute recorded, or "".
func Route(ctx context.Context) string {
	if s, ok := ctx.Value(routeKey).(*routeSlot); ok {
		return s.pattern
	}
	return ""
}

// StreamBody returns the body of a request that a route reads as it
// arrives and that may be larger than any other (the native API's
// import): limited to limit bytes instead of MaxRequestBody (a read past
// it fails with *http.MaxBytesError), and with the server's ReadTimeout,
// which bounds a whole request, replaced by idle: each read must get
// data within idle. Read it instead of r.Body.
func StreamBody(w http.ResponseWriter, r *http.Request, limit int64, idle time.Duration) io.Reader {
	body := r.Body
	if s, ok := r.Context().Value(routeKey).(*routeSlot); ok && s.body != nil {
		body = s.body
	}
	return &idleReader{r: http.MaxBytesReader(w, body, limit), rc: http.NewResponseController(w), idle: idle}
}

// idleReader moves the connection's read deadline before each read.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	i.rc.SetReadDeadline(time.Now().Add(i.idle)) // unsupported under test recorders: no deadline to move
	return i.r.Read(p)
}

// ExtendWrite moves the response's write deadline to idle from now, for
// a response that is streamed, or sent after a long read, past the
// server's WriteTimeout (which runs from the request's start).
func ExtendWrite(w http.ResponseWriter, idle time.Duration) {
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(idle))
}

// ClientAddr is the peer address of the request.
func ClientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// Middleware assigns a request id (kept from X-Request-Id when sane), limits
// the body, recovers panics as 500s, and logs one line per request.
func Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		// Every response, of every face, is what its Content-Type says.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		// The audit log's origin: the face adds its name further in.
		ctx = core.WithOrigin(ctx, core.Origin{Addr: ClientAddr(r), RequestID: id})
		ctx = context.WithValue(ctx, routeKey, &routeSlot{body: r.Body})
		r = r.WithContext(context.WithValue(ctx, callerKey, &caller{}))
		r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBody)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK, req: r}
		defer func() {
			aborted := false
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					// A streamed answer cut short on purpose (the
					// native export's error after its first row): logged
					// like any request, then left to net/http, which drops
					// the connection so the client sees the body truncated.
					aborted = true
				} else {
					log.Error("panic", "request_id", id, "panic", fmt.Sprint(p))
					if !rec.wrote {
						http.Error(rec, `{"error":"internal error"}`, http.StatusInternalServerError)
					}
				}
			}
			// Typed attributes in an array on the stack: the same line as
			// log.Info with key-value pairs, without boxing each value.
			attrs := [10]slog.Attr{slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.String("remote", r.RemoteAddr)}
			n := 7
			if rt := Route(r.Context()); rt != "" {
				attrs[n] = slog.String("route", rt)
				n++
			}
			if u := Caller(r.Context()); u != nil {
				attrs[n] = slog.Int64("user_id", u.ID)
				n++
			}
			if aborted {
				attrs[n] = slog.Bool("aborted", true)
				n++
			}
			log.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs[:n]...)
			if aborted {
				panic(http.ErrAbortHandler)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

type recorder struct {
	http.ResponseWriter
	req    *http.Request
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
		if isPrivate(r.req, code) {
			// Replaces a face's own cache hint (e621's expiry=): a
			// response to credentials or an error is never stored,
			// unless the face asked that its client revalidate it.
			cc := "no-store"
			if s, ok := r.req.Context().Value(routeKey).(*routeSlot); ok && s.revalidate && code < 400 && !IsWrite(r.req) {
				cc = "private, no-cache"
			}
			r.Header().Set("Cache-Control", cc)
		}
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// IsWrite reports whether a request may change state: anything but GET
// and HEAD.
func IsWrite(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

// statuses are the HTTP statuses of the core's codes, for faces whose
// system answers with the usual ones.
var statuses = map[core.Code]int{
	core.Internal:        http.StatusInternalServerError,
	core.Invalid:         http.StatusBadRequest,
	core.NotFound:        http.StatusNotFound,
	core.Conflict:        http.StatusConflict,
	core.Unauthenticated: http.StatusUnauthorized,
	core.Forbidden:       http.StatusForbidden,
	core.RateLimited:     http.StatusTooManyRequests,
	core.Unavailable:     http.StatusServiceUnavailable,
}

// Status is the usual HTTP status of a core code; 500 for any other.
func Status(c core.Code) int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}
