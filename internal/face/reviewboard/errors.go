package reviewboard

import (
	"errors"
	"net/http"
	"strconv"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
)

// apiError is one of djblets' WebAPIError values (spec §11).
type apiError struct {
	code   int
	status int
	msg    string
	typ    string
}

var (
	errDoesNotExist     = apiError{100, http.StatusNotFound, "Object does not exist", "resource-does-not-exist"}
	errPermissionDenied = apiError{101, http.StatusForbidden, "You don't have permission for this", "resource-permission-denied"}
	errNotLoggedIn      = apiError{103, http.StatusUnauthorized, "You are not logged in", "auth-not-logged-in"}
	errLoginFailed      = apiError{104, http.StatusUnauthorized, "The username or password was not correct", "auth-login-failed"}
	errInvalidForm      = apiError{105, http.StatusBadRequest, "One or more fields had errors", "request-field-error"}
	errRateLimited      = apiError{114, http.StatusTooManyRequests, "API rate limit has been exceeded.", "request-rate-limit-exceeded"}
	errUserQuery        = apiError{226, http.StatusInternalServerError, "An error occurred querying the user list.", "user-query-error"}
	errUserBusy         = apiError{226, http.StatusServiceUnavailable, "An error occurred querying the user list.", "user-query-error"}
)

// msgTooManyLogins is djblets' message for the login rate limit.
const msgTooManyLogins = "Maximum number of login attempts exceeded."

// writeError answers an error envelope; msg overrides the error's
// message when set, fields adds the top-level "fields" object.
func (h *handler) writeError(w http.ResponseWriter, rq *request, e apiError, msg string, fields *doc.Object) {
	if msg == "" {
		msg = e.msg
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="Web API"`)
	}
	err := doc.NewObject()
	err.Add("code", doc.Int(int64(e.code)))
	err.Add("msg", doc.String(msg))
	err.Add("type", doc.String(e.typ))
	rsp := doc.NewObject()
	rsp.Add("stat", doc.String("fail"))
	rsp.Add("err", doc.Obj(err))
	if fields != nil {
		rsp.Add("fields", doc.Obj(fields))
	}
	h.write(w, rq, e.status, "error", rsp)
}

// fieldError is a 105 for one field.
func (h *handler) fieldError(w http.ResponseWriter, rq *request, field, msg string) {
	f := doc.NewObject()
	f.Add(field, doc.Array(doc.String(msg)))
	h.writeError(w, rq, errInvalidForm, "", f)
}

// coreError answers an error from the core.
func (h *handler) coreError(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	switch core.ErrorCode(err) {
	case core.NotFound:
		h.writeError(w, rq, errDoesNotExist, "", nil)
	case core.Unauthenticated:
		h.writeError(w, rq, errLoginFailed, "", nil)
	case core.RateLimited:
		var e *core.Error
		if ok := asCoreError(err, &e); ok && e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.999)))
		}
		h.writeError(w, rq, errRateLimited, "", nil)
	case core.Unavailable:
		// Load shed: too many costly listings at once. djblets has no
		// error for it; the listing's own error, as a 503 to retry.
		e := core.AsError(err)
		w.Header().Set("Retry-After", httpx.RetryAfter(e.RetryAfter))
		h.writeError(w, rq, errUserBusy, e.Message, nil)
	default:
		// A listing the core refuses is the user list failing to query.
		h.log.Error("reviewboard: core error", "request_id", httpx.RequestID(r.Context()), "err", err)
		h.writeError(w, rq, errUserQuery, "", nil)
	}
}

func asCoreError(err error, e **core.Error) bool { return errors.As(err, e) }
