package pronouns

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
)

// Error codes (spec/pronouns.md §3, docs/api/errors.md).
const (
	codeBadRequest       = 400
	codeForbidden        = 403
	codeNotFound         = 404
	codeMethodNotAllowed = 405
	codeTooManyRequests  = 429
	codeInternal         = 500
	codeUnavailable      = 503 // usersd's: pronouns.cc never sheds load (doc.go)

	codeInvalidToken = 1003
	codeInvalidName  = 1006
	codeNameTaken    = 1007

	codeUserNotFound      = 2001
	codeMemberListPrivate = 2002
	codeFlagLimit         = 2003
	codeRerollTooSoon     = 2004

	codeMemberNotFound  = 3001
	codeMemberLimit     = 3002
	codeMemberNameInUse = 3003
	codeNotOwnMember    = 3004

	codeRequestTooBig = 4001
	codeMissingPerms  = 4002
)

// errorInfo is each code's HTTP status and default message (the backend's
// errors.go texts, spec §3).
var errorInfo = map[int]struct {
	status  int
	message string
}{
	codeBadRequest:        {400, "Bad request"},
	codeForbidden:         {403, "Forbidden"},
	codeNotFound:          {404, "Not found"},
	codeMethodNotAllowed:  {405, "Method not allowed"},
	codeTooManyRequests:   {429, "Rate limit reached"},
	codeInternal:          {500, "Internal server error"},
	codeUnavailable:       {503, "Service temporarily unavailable"},
	codeInvalidToken:      {401, "Supplied token was invalid"},
	codeInvalidName:       {400, "Invalid username"},
	codeNameTaken:         {400, "Username is already taken"},
	codeUserNotFound:      {404, "User not found"},
	codeMemberListPrivate: {403, "This user's member list is private."},
	codeFlagLimit:         {400, "Maximum number of pride flags reached"},
	codeRerollTooSoon:     {403, "Can only reroll short IDs once per hour"},
	codeMemberNotFound:    {404, "Member not found"},
	codeMemberLimit:       {400, "Member limit reached"},
	codeMemberNameInUse:   {400, "Member name already in use"},
	codeNotOwnMember:      {403, "Can only edit your own members"},
	codeRequestTooBig:     {413, "Request too big (max 2 MB)"},
	codeMissingPerms:      {403, "Your account or current token is missing required permissions for this action"},
}

// apiError is a pronouns.cc error body; empty keys are left out.
type apiError struct {
	Code    int
	Details string
	ID      string // request id, on 500 only
	Reset   int64  // ratelimit_reset, on 429 only
}

func (e *apiError) Error() string { return fmt.Sprintf("pronouns error %d: %s", e.Code, e.Details) }

func fail(code int, details string) *apiError { return &apiError{Code: code, Details: details} }

// writeAPIError writes an error body with the code's status.
func writeAPIError(w http.ResponseWriter, e *apiError) {
	info, ok := errorInfo[e.Code]
	if !ok {
		info = errorInfo[codeInternal]
	}
	o := doc.NewObject()
	o.Add("code", doc.Int(int64(e.Code)))
	o.Add("message", doc.String(info.message))
	if e.Details != "" {
		o.Add("details", doc.String(e.Details))
	}
	if e.ID != "" {
		o.Add("id", doc.String(e.ID))
	}
	if e.Reset != 0 {
		o.Add("ratelimit_reset", doc.Int(e.Reset))
	}
	httpx.Raw(w, info.status, contentJSON, append(wireJSON.Marshal(doc.Obj(o)), '\n'))
}

// entity names what a request was about, for the codes that depend on
// it (not found, name taken).
type entity int

const (
	entUser entity = iota
	entMember
	entFlag
)

// about marks err as being about ent, whatever the route's entity: a
// member route's unknown user is 2001, not 3001.
func about(ent entity, err error) error {
	if err == nil {
		return nil
	}
	return &entityError{ent, err}
}

type entityError struct {
	ent entity
	err error
}

func (e *entityError) Error() string { return e.err.Error() }
func (e *entityError) Unwrap() error { return e.err }

// toAPIError translates a core error (spec §3, the brief's table).
func toAPIError(err error, ent entity) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ee *entityError
	if errors.As(err, &ee) {
		ent = ee.ent
	}
	e := core.AsError(err)
	switch e.Reason {
	case core.ReasonTokenReadOnly:
		return fail(codeMissingPerms, "This token is read-only")
	case core.ReasonTooManyFlags:
		return fail(codeFlagLimit, "")
	case core.ReasonTooManyMembers:
		return fail(codeMemberLimit, "")
	case core.ReasonNotYours:
		return fail(codeNotOwnMember, "")
	case core.ReasonRerollTooSoon:
		return fail(codeRerollTooSoon, "")
	case core.ReasonListPrivate:
		return fail(codeMemberListPrivate, "")
	case core.ReasonAuthRequired:
		return fail(codeForbidden, "")
	}
	switch e.Code {
	case core.Invalid:
		if _, bad := e.Fields["name"]; bad && ent == entUser {
			return fail(codeInvalidName, fieldDetails(e))
		}
		return fail(codeBadRequest, fieldDetails(e))
	case core.Conflict:
		if _, taken := e.Fields["name"]; taken || e.Reason == core.ReasonNameTaken {
			switch ent {
			case entUser:
				return fail(codeNameTaken, "")
			case entMember:
				return fail(codeMemberNameInUse, "")
			}
		}
		return fail(codeBadRequest, fieldDetails(e))
	case core.NotFound:
		switch ent {
		case entUser:
			return fail(codeUserNotFound, "")
		case entMember:
			return fail(codeMemberNotFound, "")
		}
		return fail(codeNotFound, "")
	case core.Unauthenticated:
		return fail(codeInvalidToken, "")
	case core.Forbidden:
		return fail(codeForbidden, e.Message)
	case core.RateLimited:
		return fail(codeTooManyRequests, "")
	case core.Unavailable:
		return fail(codeUnavailable, e.Message)
	}
	return fail(codeInternal, "")
}

// fieldDetails is the details text of an Invalid error: each field's
// problem ("bio: must be at most 1000 characters"), in field order, or
// the message when no field is named.
func fieldDetails(e *core.Error) string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = wireName(k) + ": " + e.Fields[k]
	}
	return strings.Join(parts, "; ")
}

// wireName is the pronouns.cc key of a canonical field.
func wireName(canonical string) string {
	switch canonical {
	case "preferred_names":
		return "names"
	case "profile_fields":
		return "fields"
	}
	return canonical
}

// writeError renders err for a request about ent: internal errors are
// logged with the request id, which the body carries as id; overload
// answers with Retry-After.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, ent entity) {
	ae := toAPIError(err, ent)
	switch ae.Code {
	case codeInternal:
		id := httpx.RequestID(r.Context())
		log.Error("pronouns: internal error", "request_id", id, "err", err)
		ae = &apiError{Code: codeInternal, ID: id}
	case codeUnavailable, codeTooManyRequests:
		if ce := core.AsError(err); ce.RetryAfter > 0 {
			w.Header().Set("Retry-After", httpx.RetryAfter(ce.RetryAfter))
		} else {
			w.Header().Set("Retry-After", "1")
		}
	}
	writeAPIError(w, ae)
}
