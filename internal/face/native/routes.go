// Package native is usersd's own REST API under /v1: JSON with the
// canonical field names, RFC 9457 problem details, Bearer tokens, and an
// OpenAPI 3.1 document.
package native

import (
	"log/slog"
	"net/http"
	"net/http/httptest"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// Options are the native API's settings beside the core's.
type Options struct {
	// MaxImportBytes bounds the body of POST /users/import (default
	// DefaultMaxImportBytes); every other body is bounded by httpx.MaxBody.
	MaxImportBytes int64
}

// DefaultMaxImportBytes is the default bound of an import's body: about
// a million users of typical size. A larger import runs through usersd
// import on the host, or in parts.
const DefaultMaxImportBytes = 1 << 30

// NewHandler returns the native API, expecting its prefix already stripped.
func NewHandler(service *core.Service, log *slog.Logger, opts Options) http.Handler {
	if opts.MaxImportBytes <= 0 {
		opts.MaxImportBytes = DefaultMaxImportBytes
	}
	svc := service.Face(core.NativeProfile)
	mux := http.NewServeMux()
	addRoutes(mux, svc, log, opts)
	return authenticate(svc, log, problemFallback(mux, log))
}

// Routes lists the face's routes as "METHOD /path" below its prefix, for
// the authorization matrix, which needs a row for each.
func Routes() []string {
	var rec routeList
	addRoutes(&rec, nil, nil, Options{})
	return rec
}

// routeList records the patterns a face registers.
type routeList []string

func (l *routeList) Handle(pattern string, _ http.Handler) { *l = append(*l, pattern) }

func addRoutes(mux interface{ Handle(string, http.Handler) }, svc *core.Face, log *slog.Logger, opts Options) {
	mux.Handle("GET /openapi.json", handleOpenAPI())
	mux.Handle("POST /login", handleLogin(svc, log))
	mux.Handle("GET /users", handleUserList(svc, log))
	mux.Handle("POST /users", handleUserCreate(svc, log))
	// More specific than /users/{id}: "export" is a reserved name
	// (core.NativeProfile), so no user's name is shadowed.
	mux.Handle("GET /users/export", handleUserExport(svc, log))
	mux.Handle("POST /users/import", handleUserImport(svc, log, opts.MaxImportBytes))
	mux.Handle("GET /users/{id}", handleUserGet(svc, log))
	mux.Handle("PATCH /users/{id}", handleUserUpdate(svc, log))
	mux.Handle("DELETE /users/{id}", handleUserDelete(svc, log))
	mux.Handle("POST /users/{id}/restore", handleUserRestore(svc, log))
	mux.Handle("GET /users/{id}/names", handleNameHistory(svc, log))
	mux.Handle("GET /me", handleMe(svc, log))
	mux.Handle("PATCH /me", handleMeUpdate(svc, log))
	mux.Handle("GET /me/tokens", handleTokenList(svc, log))
	mux.Handle("POST /me/tokens", handleTokenCreate(svc, log))
	mux.Handle("DELETE /me/tokens/{id}", handleTokenDelete(svc, log))
	mux.Handle("GET /audit", handleAuditList(svc, log))
	mux.Handle("GET /audit/export", handleAuditExport(svc, log))
	mux.Handle("GET /webhooks", handleWebhookList(svc, log))
	mux.Handle("POST /webhooks", handleWebhookCreate(svc, log))
	mux.Handle("GET /webhooks/{id}", handleWebhookGet(svc, log))
	mux.Handle("PATCH /webhooks/{id}", handleWebhookUpdate(svc, log))
	mux.Handle("DELETE /webhooks/{id}", handleWebhookDelete(svc, log))
	mux.Handle("POST /webhooks/{id}/rotate-secret", handleWebhookRotate(svc, log))
	mux.Handle("POST /webhooks/{id}/test", handleWebhookTest(svc, log))
	mux.Handle("GET /webhooks/{id}/deliveries", handleDeliveryList(svc, log))
	mux.Handle("GET /webhooks/{id}/deliveries/{delivery}", handleDeliveryGet(svc, log))
	mux.Handle("POST /webhooks/{id}/deliveries/{delivery}/retry", handleDeliveryRetry(svc, log))
}

// problemFallback answers unknown paths and wrong methods with problem
// details instead of the mux's plain text.
func problemFallback(mux *http.ServeMux, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			httpx.SetRoute(r.Context(), pattern) // for metrics: r is a copy the mount never sees
			mux.ServeHTTP(w, r)                  // sets the path values, which Handler does not
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if allow := rec.Header().Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		if rec.Code == http.StatusMethodNotAllowed {
			writeStatus(w, http.StatusMethodNotAllowed, "Method not allowed on this route.")
			return
		}
		writeError(w, r, log, core.Errorf(core.NotFound, "No such route."))
	})
}
