// Package danbooru serves Danbooru's users API (spec/danbooru.md) over the
// usersd core.
package danbooru

import (
	"log/slog"
	"net/http"

	"usersd/internal/core"
)

// NewHandler returns the Danbooru face, expecting its prefix stripped.
func NewHandler(svc *core.Service, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	return mux
}
