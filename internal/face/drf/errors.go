package drf

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
)

// DRF's messages (rest_framework/exceptions.py, authentication.py,
// pagination.py).
const (
	msgNotProvided   = "Authentication credentials were not provided."
	msgNoCredentials = "Invalid token header. No credentials provided."
	msgSpaces        = "Invalid token header. Token string should not contain spaces."
	msgBadChars      = "Invalid token header. Token string should not contain invalid characters."
	msgBadToken      = "Invalid token."
	msgInactive      = "User inactive or deleted."
	msgForbidden     = "You do not have permission to perform this action."
	msgNotFound      = "Not found."
	msgInvalidPage   = "Invalid page."
	msgNotAcceptable = "Could not satisfy the request Accept header."
	msgServer        = "A server error occurred."
)

// jsonType is DRF's JSONRenderer media type: no charset.
const jsonType = "application/json"

var wire = doc.JSON{}

// write sends a document.
func write(w http.ResponseWriter, status int, v doc.Value) {
	w.Header().Set("Vary", "Accept")
	httpx.Raw(w, status, jsonType, wire.Marshal(v))
}

// detail sends {"detail": msg}.
func detail(w http.ResponseWriter, status int, msg string) {
	o := doc.NewObject()
	o.Add("detail", doc.String(msg))
	write(w, status, doc.Obj(o))
}

// unauthorized is a 401 with the Token challenge (views.py
// get_authenticate_header: the first authenticator's keyword).
func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", "Token")
	detail(w, http.StatusUnauthorized, msg)
}

// fieldErrors sends a ValidationError dict: each key to a list of
// messages, keys sorted.
func fieldErrors(w http.ResponseWriter, fields map[string]string) {
	o := doc.NewObject()
	for _, k := range sortedKeys(fields) {
		o.Add(k, doc.Array(doc.String(fields[k])))
	}
	write(w, http.StatusBadRequest, doc.Obj(o))
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// throttled is DRF's Throttled: whole seconds, singular for one.
func throttled(w http.ResponseWriter, d time.Duration) {
	secs := httpx.RetryAfter(d)
	unit := "seconds"
	if secs == "1" {
		unit = "second"
	}
	w.Header().Set("Retry-After", secs)
	detail(w, http.StatusTooManyRequests, "Request was throttled. Expected available in "+secs+" "+unit+".")
}

// unavailable answers 503 with Retry-After.
func unavailable(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", httpx.RetryAfter(d))
	detail(w, http.StatusServiceUnavailable, "Service temporarily unavailable, try again later.")
}

// fail maps a core error on a read route to DRF's answer.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	switch e.Code {
	case core.Invalid:
		if len(e.Fields) > 0 {
			fieldErrors(w, e.Fields)
			return
		}
		detail(w, http.StatusBadRequest, e.Message)
	case core.NotFound:
		detail(w, http.StatusNotFound, msgNotFound)
	case core.Unauthenticated:
		unauthorized(w, msgNotProvided)
	case core.Forbidden:
		detail(w, http.StatusForbidden, msgForbidden)
	case core.RateLimited:
		throttled(w, e.RetryAfter)
	case core.Unavailable:
		// Load shed (too many costly searches at once): the server's
		// state, not the client's quota, which a 429 would suggest.
		unavailable(w, e.RetryAfter)
	default:
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code == core.Internal {
			h.log.ErrorContext(r.Context(), "drf", "err", err, "request_id", httpx.RequestID(r.Context()))
		}
		detail(w, http.StatusInternalServerError, msgServer)
	}
}
