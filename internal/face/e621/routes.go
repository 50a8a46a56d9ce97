// Package e621 serves e621's users API, the legacy v1 routes and the
// current e621ng ones (spec/e621.md), over the usersd core.
package e621

import (
	"log/slog"
	"net/http"

	"usersd/internal/core"
)

// NewHandler returns the e621 face, expecting its prefix stripped.
func NewHandler(svc *core.Service, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	return mux
}
