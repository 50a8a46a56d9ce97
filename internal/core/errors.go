package core

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies a domain error. Faces map codes to their own statuses and
// bodies; the list is append-only.
type Code int

// Error codes.
const (
	Internal Code = iota
	Invalid
	NotFound
	Conflict
	Unauthenticated
	Forbidden
	RateLimited
	Unavailable // overloaded for now: RetryAfter says when to try again
)

var codeNames = [...]string{"internal", "invalid", "not_found", "conflict", "unauthenticated", "forbidden", "rate_limited", "unavailable"}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Reasons say why a request failed, finer than its Code, so that faces
// map errors to their own bodies without reading messages. The list is
// append-only; "" is no particular reason.
const (
	ReasonNameTaken         = "name_taken"
	ReasonEmailTaken        = "email_taken"
	ReasonSignupClosed      = "signup_closed"
	ReasonBadCredentials    = "bad_credentials"    // unknown name or wrong password
	ReasonPasswordIncorrect = "password_incorrect" // a confirming password is wrong
	ReasonUserInactive      = "user_inactive"      // deactivated or deleted: cannot log in
	ReasonUserBanned        = "user_banned"        // banned: locked out where the face says so (Unauthenticated), else refused every change (Forbidden)
	ReasonTokenInvalid      = "token_invalid"      // unknown or malformed token
	ReasonTokenRevoked      = "token_revoked"
	ReasonTokenExpired      = "token_expired"
	ReasonTokenReadOnly     = "token_read_only" // a read-scoped token on a write
	ReasonTooManyFailures   = "too_many_failures"
	ReasonTooManyTokens     = "too_many_tokens"
	ReasonFieldHidden       = "field_hidden"   // a filter or sort on a field the viewer may not see
	ReasonFieldDenied       = "field_denied"   // a write to a field the actor may not change
	ReasonOutranked         = "outranked"      // the target's level is not below the actor's
	ReasonLevelTooHigh      = "level_too_high" // a level at or above the actor's own
	ReasonSelf              = "self"           // staff acting on their own standing
	ReasonStaffMayNotLeave  = "staff_may_not_leave"
	ReasonBannedMayNotLeave = "banned_may_not_leave"
	ReasonProtected         = "protected" // an account others may not delete
	ReasonAuthRequired      = "auth_required"
	ReasonNoGrant           = "no_grant"      // an act the face grants to some callers only (Profile.Creates)
	ReasonSignedIn          = "signed_in"     // a sign-up by a signed-in caller where the face allows none
	ReasonNotYours          = "not_yours"     // an edit of another account where only one's own may be edited
	ReasonQueryTimeout      = "query_timeout" // the database gave up on a search
	ReasonBadRegex          = "bad_regex"     // a regular expression the database refused

	// ReasonRenameTooSoon: a self-rename within the rename cooldown.
	ReasonRenameTooSoon = "rename_too_soon"
	// ReasonTooManySignups: sign-ups from one address past Service.SignupLimit.
	ReasonTooManySignups = "too_many_signups"
)

// Reasons of the list cost budget (budget.go), appended to the list above.
const (
	ReasonQueryTooCostly = "query_too_costly" // a search over the budget, refused before it runs
	ReasonOverloaded     = "overloaded"       // too many expensive searches at once (Unavailable)
)

// ReasonImportRunning: an import while another runs on the same Service
// (Conflict).
const ReasonImportRunning = "import_running"

// Error is the one error type of the core and the stores.
type Error struct {
	Code       Code
	Reason     string            // one of the Reason constants, or ""
	Message    string            // safe to show a client
	Fields     map[string]string // per-field problems, optional
	RetryAfter time.Duration     // with RateLimited and Unavailable
	// At is when a token expired (ReasonTokenExpired), told only to a
	// holder of its secret.
	At  time.Time
	Err error // cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an Invalid error naming one field.
func FieldError(field, reason string) *Error {
	return &Error{Code: Invalid, Message: "Invalid input.", Fields: map[string]string{field: reason}}
}

// ErrorReason returns the Reason of err, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// reasonf returns an *Error with a reason and a formatted message.
func reasonf(code Code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, Internal for anything that is not an
// *Error, and -1 for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return -1
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// AsError returns err as an *Error; non-domain errors become Internal with a
// generic message so no cause leaks to clients.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "Internal error.", Err: err}
}

// problems collects per-field reasons; its err is nil when there are none.
type problems map[string]string

func (p problems) add(field, reason string) {
	if _, ok := p[field]; !ok {
		p[field] = reason
	}
}

// problemsReason is the key under which problems keep the Reason of their
// error (because): no field has it, and its value starts with a NUL that
// no field's reason does, so a client naming a field so is still reported.
const problemsReason = "\x00reason"

// because gives the problems' error a Reason, unless one was given.
func (p problems) because(reason string) { p.add(problemsReason, "\x00"+reason) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	e := &Error{Code: Invalid, Message: "Invalid input.", Fields: p}
	if r, ok := p[problemsReason]; ok && strings.HasPrefix(r, "\x00") {
		e.Reason = r[1:]
		delete(p, problemsReason)
	}
	return e
}
