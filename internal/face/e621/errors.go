package e621

import (
	"bytes"
	"context"
	"errors"
	"html"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// e621ng answers errors in three body shapes, chosen by code path
// (spec/e621.md B.11): access_denied and render_404 write "reason"
// (shape 1); render_expected_error and render_error_page write "message"
// and "code" (shape 2, from static/error.json.erb, hence its layout);
// failed validations write {"errors": …} (shape 3). The legacy API has its
// own (legacy.go).

// Messages e621ng sends.
const (
	msgAuthFailure    = "SessionLoader::AuthenticationFailure"
	msgBanned         = "Account is banned: forever"
	msgMustLogIn      = "Access Denied: Must be logged in"
	msgSignedIn       = "Access Denied: Already signed in"
	msgSignupsOff     = "Access Denied: Signups are disabled"
	msgAccessDenied   = "Access Denied"
	msgParamMissing   = "param is missing or the value is empty or invalid: user"
	msgInvalidJSON    = "Invalid JSON body"
	msgUnexpected     = "An unexpected error occurred."
	msgThrottled      = "Throttled: Too many requests"
	msgBodyTooLarge   = "Request body is too large."
	msgQueryTimeout   = "The database timed out running your query."
	reasonNotFound    = "not found"
	contentTypeJSON   = "application/json; charset=utf-8"
	contentTypeHTML   = "text/html; charset=utf-8"
	contentTypeXML    = "application/xml; charset=utf-8"
	contentTypeScript = "application/javascript; charset=utf-8"
)

// jsonString encodes s as Rails' to_json does (HTML characters escaped),
// for the error bodies laid out by hand as upstream's templates are.
func jsonString(s string) []byte { return []byte(ngJSON.String(s)) }

// writeReason writes shape 1: {"success":false,"reason":"…"}.
func writeReason(w http.ResponseWriter, status int, reason string) {
	var b bytes.Buffer
	b.WriteString(`{"success":false,"reason":`)
	b.Write(jsonString(reason))
	b.WriteByte('}')
	httpx.Raw(w, status, contentTypeJSON, b.Bytes())
}

// writeMessage writes shape 2 as static/error.json.erb lays it out; code
// is the exception log id of unexpected errors ("" renders null).
func writeMessage(w http.ResponseWriter, status int, message, code string) {
	var b bytes.Buffer
	b.WriteString("{\n  \"success\": false,\n  \"message\": ")
	b.Write(jsonString(message))
	b.WriteString(",\n  \"code\": ")
	if code == "" {
		b.WriteString("null")
	} else {
		b.Write(jsonString(code))
	}
	b.WriteString("\n}\n")
	httpx.Raw(w, status, contentTypeJSON, b.Bytes())
}

// writeCompactMessage writes shape 2 compactly, as the JSON-body check of
// e621ng's ParameterSanitizer middleware does (B.2).
func writeCompactMessage(w http.ResponseWriter, status int, message string) {
	var b bytes.Buffer
	b.WriteString(`{"success":false,"message":`)
	b.Write(jsonString(message))
	b.WriteString(`,"code":null}`)
	httpx.Raw(w, status, "application/json", b.Bytes())
}

// fieldErrors are validation failures in the order Rails adds them.
type fieldErrors struct {
	keys []string
	msgs map[string][]string
}

func (e *fieldErrors) add(attr, msg string) {
	if e.msgs == nil {
		e.msgs = map[string][]string{}
	}
	if _, ok := e.msgs[attr]; !ok {
		e.keys = append(e.keys, attr)
	}
	e.msgs[attr] = append(e.msgs[attr], msg)
}

func (e *fieldErrors) any() bool { return len(e.keys) > 0 }

// writeErrors writes shape 3 with status 422.
func writeErrors(w http.ResponseWriter, e *fieldErrors) {
	var b bytes.Buffer
	b.WriteString(`{"errors":{`)
	for i, k := range e.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(k))
		b.WriteString(":[")
		for j, m := range e.msgs[k] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(jsonString(m))
		}
		b.WriteByte(']')
	}
	b.WriteString("}}")
	httpx.Raw(w, http.StatusUnprocessableEntity, contentTypeJSON, b.Bytes())
}

// writeUnsupportedFormat is render_unsupported_format: 406 with an HTML
// page, whatever the format asked for (B.1). mimeType is how Rails names
// the format (request.format.to_s).
func writeUnsupportedFormat(w http.ResponseWriter, mimeType string) {
	msg := html.EscapeString(mimeType + " is not a supported format for this page")
	body := "<!DOCTYPE html>\n<html>\n<head>\n  <title>Unexpected Error</title>\n</head>\n<body>\n  <p>" + msg +
		"</p>\n  <p>Log ID: (none)</p>\n</body>\n</html>\n"
	httpx.Raw(w, http.StatusNotAcceptable, contentTypeHTML, []byte(body))
}

// writeError maps a core error onto e621ng's statuses and shapes.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	switch e.Code {
	case core.NotFound:
		writeReason(w, http.StatusNotFound, reasonNotFound)
	case core.Forbidden:
		writeReason(w, http.StatusForbidden, msgAccessDenied)
	case core.Unauthenticated:
		writeMessage(w, http.StatusUnauthorized, msgAuthFailure, "")
	case core.RateLimited:
		w.Header().Set("Retry-After", httpx.RetryAfter(e.RetryAfter))
		writeMessage(w, http.StatusTooManyRequests, msgThrottled, "")
	case core.Unavailable:
		setRetryAfter(w, e)
		writeMessage(w, http.StatusServiceUnavailable, e.Message, "")
	case core.Invalid, core.Conflict:
		switch e.Reason {
		case core.ReasonQueryTimeout:
			writeMessage(w, http.StatusInternalServerError, msgQueryTimeout, "")
			return
		case core.ReasonQueryTooCostly:
			// As e621ng answers a search it cannot run (B.11: invalid date).
			writeMessage(w, http.StatusUnprocessableEntity, e.Message, "")
			return
		}
		errs := &fieldErrors{}
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			errs.add(k, e.Fields[k])
		}
		if !errs.any() {
			errs.add("base", e.Message)
		}
		writeErrors(w, errs)
	default:
		h.internal(w, r, err)
	}
}

// internal answers an unexpected error: logged once with the request id,
// which the body names as the log code (render_error_page).
func (h *handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	id := httpx.RequestID(r.Context())
	h.log.Error("e621: internal error", "request_id", id, "err", err)
	writeMessage(w, http.StatusInternalServerError, msgUnexpected, id)
}

// setRetryAfter sends Retry-After in whole seconds, at least 1.
func setRetryAfter(w http.ResponseWriter, e *core.Error) {
	w.Header().Set("Retry-After", strconv.Itoa(max(int(e.RetryAfter.Seconds()+0.999), 1)))
}
