package console

import (
	"context"
	"embed"
	"log/slog"
	"net/http"
	"time"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// Options are the console's settings.
type Options struct {
	// Idle ends a session unused this long (default DefaultIdle).
	Idle time.Duration
	// MaxAge ends a session this long after sign-in however busy
	// (default DefaultMaxAge).
	MaxAge time.Duration
	// MediaPrefix is where the media routes are mounted (/media), for
	// avatar and flag images; "" shows their hashes only.
	MediaPrefix string
	// Preview, when set, renders a user as each mounted face shows them
	// to an anonymous caller (cmd/usersd asks each face in-process), for
	// the user page. The console renders no face's shapes itself.
	Preview func(ctx context.Context, u *core.User) []FacePreview
	// Stats, when set, returns this node's rate-limit counters since it
	// started, by a readable name, for the dashboard.
	Stats func() map[string]float64
}

// FacePreview is one face's answer to an anonymous read of a user.
type FacePreview struct {
	Face   string // the face's name
	Path   string // the path asked, with the face's mount
	Status int
	Body   string // the answer's body as sent
}

// Session bounds by default: an hour unused, a working day in all.
const (
	DefaultIdle   = time.Hour
	DefaultMaxAge = 12 * time.Hour
)

// Profile is the console's view of users: the native API's, so staff see
// what they see there (personal fields of everyone, never secrets). Its
// name is the face the audit log records.
var Profile = &core.Profile{
	Name:        "console",
	Classes:     core.NativeProfile.Classes,
	MinPassword: core.NativeProfile.MinPassword,
}

//go:embed templates static
var files embed.FS

type handler struct {
	face  *core.Face
	log   *slog.Logger
	opts  Options
	pages pages
}

// NewHandler returns the console, expecting its prefix already stripped
// (httpx.Mount records it for links and the cookie's path).
func NewHandler(svc *core.Service, log *slog.Logger, opts Options) http.Handler {
	if opts.Idle <= 0 {
		opts.Idle = DefaultIdle
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	h := &handler{face: svc.Face(Profile), log: log, opts: opts, pages: parsePages()}
	mux := http.NewServeMux()
	addRoutes(mux, h)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, core.Errorf(core.NotFound, "No such page."))
	})
	return refuseCrossOrigin(h, securityHeaders(route(mux)))
}

// Routes lists the console's routes as "METHOD /path" below its prefix,
// for the test that every one has its row of expected answers.
func Routes() []string {
	var rec routeList
	addRoutes(&rec, &handler{})
	return rec
}

// routeList records the patterns the console registers.
type routeList []string

func (l *routeList) Handle(pattern string, _ http.Handler) { *l = append(*l, pattern) }

// addRoutes lists every route; all but sign-in and the style sheet need a
// staff member's session (staff), and the audit log and webhooks an
// admin's (admin: the core's ActAudit and ActWebhooks).
func addRoutes(mux interface{ Handle(string, http.Handler) }, h *handler) {
	mux.Handle("GET /static/{file}", handleStatic())
	mux.Handle("GET /login", http.HandlerFunc(h.handleLoginForm))
	mux.Handle("POST /login", http.HandlerFunc(h.handleLogin))
	mux.Handle("POST /logout", h.staff(http.HandlerFunc(h.handleLogout)))
	mux.Handle("GET /{$}", h.staff(http.HandlerFunc(h.handleUsers)))
	mux.Handle("GET /dashboard", h.staff(http.HandlerFunc(h.handleDashboard)))
	mux.Handle("GET /users/{id}", h.staff(http.HandlerFunc(h.handleUser)))
	mux.Handle("GET /users/{id}/{action}", h.staff(http.HandlerFunc(h.handleConfirm)))
	mux.Handle("POST /users/{id}/{action}", h.staff(http.HandlerFunc(h.handleAction)))
	mux.Handle("GET /audit", h.staff(h.admin(core.ActAudit, http.HandlerFunc(h.handleAudit))))
	hooks := func(f http.HandlerFunc) http.Handler { return h.staff(h.admin(core.ActWebhooks, f)) }
	mux.Handle("GET /webhooks", hooks(h.handleWebhooks))
	mux.Handle("POST /webhooks", hooks(h.handleWebhookCreate))
	mux.Handle("GET /webhooks/{id}", hooks(h.handleWebhook))
	mux.Handle("GET /webhooks/{id}/{action}", hooks(h.handleWebhookConfirm))
	mux.Handle("POST /webhooks/{id}/{action}", hooks(h.handleWebhookAction))
	mux.Handle("GET /webhooks/{id}/deliveries/{d}", hooks(h.handleDelivery))
	mux.Handle("GET /webhooks/{id}/deliveries/{d}/retry", hooks(h.handleRetryConfirm))
	mux.Handle("POST /webhooks/{id}/deliveries/{d}/retry", hooks(h.handleRetry))
}

// route records the matched pattern for metrics and the access log.
func route(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			httpx.SetRoute(r.Context(), pattern)
		}
		mux.ServeHTTP(w, r)
	})
}

// securityHeaders keeps the pages from being framed, from running or
// loading anything not served here, and from leaking their URLs (which
// hold filters) to other sites.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// handleStatic handles "GET /static/{file}": the style sheet, the same for
// everyone, so caches may keep it for an hour.
func handleStatic() http.Handler {
	fs := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetPublic(r.Context())
		w.Header().Set("Cache-Control", "public, max-age=3600")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/static/" + r.PathValue("file")
		fs.ServeHTTP(w, r2)
	})
}
