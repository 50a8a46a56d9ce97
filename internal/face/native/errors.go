package native

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// problem is an RFC 9457 problem detail.
type problem struct {
	Type     string            `json:"type"`
	Title    string            `json:"title"`
	Status   int               `json:"status"`
	Detail   string            `json:"detail"`
	Instance string            `json:"instance,omitempty"`
	Errors   map[string]string `json:"errors,omitempty"`
}

// writeError renders err as application/problem+json; internal causes are
// logged, never shown.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := core.AsError(err)
	status := httpx.Status(e.Code)
	if e.Code == core.Internal {
		log.Error("internal error", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, httpx.ErrContentType), errors.Is(err, errBulkType):
		status = http.StatusUnsupportedMediaType
	case errors.As(err, &tooBig):
		status = http.StatusRequestEntityTooLarge
	}
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		status = 499 // the client went away; nobody reads this
	}
	switch e.Code {
	case core.Unauthenticated:
		w.Header().Set("WWW-Authenticate", `Bearer realm="usersd"`)
	case core.RateLimited, core.Unavailable:
		secs := int(e.RetryAfter.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	httpx.JSON(w, status, "application/problem+json", problem{
		Type:   "urn:usersd:problem:" + e.Code.String(),
		Title:  http.StatusText(status),
		Status: status,
		Detail: e.Message,
		Errors: e.Fields,
	})
}
