package danbooru

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
)

// apiError is one of Danbooru's error responses (spec §8): the generic
// body {"success":false,"error":<Ruby class>,"message":…,"backtrace":[]},
// or, with errs set, the 422 validation body {"errors":{…}}.
type apiError struct {
	status     int
	class      string
	message    string
	errs       *validation
	retryAfter time.Duration // 503: sent as Retry-After
}

func (e *apiError) Error() string { return e.class + ": " + e.message }

// Danbooru's error classes and messages (spec §8.2).
func notFound() *apiError {
	return &apiError{status: 404, class: "ActiveRecord::RecordNotFound", message: "That record was not found."}
}

func accessDenied() *apiError {
	return &apiError{status: 403, class: "Pundit::NotAuthorizedError", message: "Access denied"}
}

func privilegeError() *apiError {
	return &apiError{status: 403, class: "User::PrivilegeError", message: "Access denied"}
}

func invalidAPIKey() *apiError {
	return &apiError{status: 401, class: "SessionLoader::AuthenticationFailure", message: "Invalid API key"}
}

func missingCredentials() *apiError {
	return &apiError{status: 401, class: "SessionLoader::AuthenticationFailure", message: "Missing `login` or `api_key`"}
}

func badRequest(msg string) *apiError {
	return &apiError{status: 400, class: "ActionController::BadRequest", message: msg}
}

// argumentError is what usersd answers where upstream raises ArgumentError
// from a search (a bad boolean, nesting past 10 levels): 422 with the
// generic body, not upstream's 500 (see doc.go).
func argumentError(msg string) *apiError {
	return &apiError{status: 422, class: "ArgumentError", message: msg}
}

// validation is an ActiveModel::Errors: attribute → messages, in the order
// attributes first failed.
type validation struct {
	attrs []string
	msgs  map[string][]string
}

func (v *validation) add(attr, msg string) {
	if v.msgs == nil {
		v.msgs = map[string][]string{}
	}
	if _, ok := v.msgs[attr]; !ok {
		v.attrs = append(v.attrs, attr)
	}
	v.msgs[attr] = append(v.msgs[attr], msg)
}

func (v *validation) empty() bool { return v == nil || len(v.attrs) == 0 }

// err returns the 422 error, or nil when nothing failed.
func (v *validation) err() error {
	if v.empty() {
		return nil
	}
	return &apiError{status: 422, class: "ActiveRecord::RecordInvalid", errs: v}
}

// fullMessages are Rails' errors.full_messages: "Name already taken";
// base errors stand alone.
func (v *validation) fullMessages() []string {
	var out []string
	for _, a := range v.attrs {
		for _, m := range v.msgs[a] {
			if a == "base" {
				out = append(out, m)
			} else {
				out = append(out, humanize(a)+" "+m)
			}
		}
	}
	return out
}

// humanize is ActiveSupport's String#humanize of an attribute name.
func humanize(attr string) string {
	s := strings.ReplaceAll(attr, ".", "_")
	s = strings.TrimSuffix(s, "_id")
	s = strings.ReplaceAll(s, "_", " ")
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fromCore maps an error to Danbooru's response for it; core codes map
// to the classes of spec §8.2, anything unknown is a logged 500.
func fromCore(err error, log *slog.Logger, r *http.Request) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	e := core.AsError(err)
	switch e.Code {
	case core.NotFound:
		return notFound()
	case core.Unauthenticated:
		return invalidAPIKey()
	case core.Forbidden:
		return accessDenied()
	case core.RateLimited:
		return &apiError{status: 429, class: "RateLimiter::RateLimitError", message: "You're doing that too fast. Wait a minute and try again."}
	case core.Unavailable:
		// Rails' error when no database connection frees up in time; usersd
		// answers it as the overload it is (see doc.go).
		return &apiError{status: 503, class: "ActiveRecord::ConnectionTimeoutError", message: e.Message, retryAfter: e.RetryAfter}
	case core.Conflict:
		v := &validation{}
		for f := range e.Fields {
			switch f {
			case "name":
				v.add("name", "already taken")
			case "email":
				v.add("email_address.address", "has already been taken")
			default:
				v.add(f, "has already been taken")
			}
		}
		if v.empty() {
			v.add("base", e.Message)
		}
		return v.err().(*apiError)
	case core.Invalid:
		switch {
		case e.Reason == core.ReasonQueryTimeout:
			return &apiError{status: 500, class: "ActiveRecord::QueryCanceled", message: "The database timed out running your query."}
		case e.Reason == core.ReasonBadRegex:
			return &apiError{status: 422, class: "ActiveRecord::StatementInvalid", message: "Invalid regular expression."}
		case e.Reason == core.ReasonQueryTooCostly:
			return argumentError(e.Message)
		case len(e.Fields) > 0:
			v := &validation{}
			for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
				v.add(f, e.Fields[f])
			}
			return v.err().(*apiError)
		}
		return argumentError(e.Message)
	}
	if ctxErr := r.Context().Err(); ctxErr != nil && errors.Is(err, context.Canceled) {
		return &apiError{status: 499, class: "Interrupt", message: ""}
	}
	log.Error("internal error", "request_id", httpx.RequestID(r.Context()), "err", err)
	return &apiError{status: 500, class: "StandardError", message: ""}
}

// writeError renders err in the request's format: JSON, XML, or a small
// HTML page for every other format.
func writeError(w http.ResponseWriter, rq *request, err error) {
	e := fromCore(err, rq.log, rq.r)
	switch e.status {
	case 429:
		// The core's wait when it has one; upstream's message says a minute.
		retry := "60"
		if ce := core.AsError(err); ce.Code == core.RateLimited && ce.RetryAfter > 0 {
			retry = httpx.RetryAfter(ce.RetryAfter)
		}
		w.Header().Set("Retry-After", retry)
	case 503:
		w.Header().Set("Retry-After", strconv.Itoa(max(int(e.retryAfter.Seconds()+0.999), 1)))
	}
	switch {
	case e.errs != nil && rq.format == "json":
		errs := doc.NewObject()
		for _, a := range e.errs.attrs {
			var msgs []doc.Value
			for _, m := range e.errs.msgs[a] {
				msgs = append(msgs, doc.String(m))
			}
			errs.Add(a, doc.Array(msgs...))
		}
		body := doc.NewObject()
		body.Add("errors", doc.Obj(errs))
		writeBody(w, rq, e.status, contentJSON, railsJSON.Marshal(doc.Obj(body)))
	case e.errs != nil && rq.format == "xml":
		// ActiveModel::Errors#to_xml: full messages, skip_types.
		var msgs []doc.Value
		for _, m := range e.errs.fullMessages() {
			msgs = append(msgs, doc.String(m))
		}
		writeBody(w, rq, e.status, contentXML, railsXML.Document("errors", doc.Array(msgs...).Typed("")))
	case rq.format == "json":
		// static/error.json.erb ends with a newline.
		body := railsJSON.Append(nil, errorDoc(e.class, e.message, doc.Array()))
		writeBody(w, rq, e.status, contentJSON, append(body, '\n'))
	case rq.format == "xml":
		// static/error.xml.erb ends with a newline.
		body := railsXML.Document("result", errorDoc(e.class, e.message, doc.Array()))
		writeBody(w, rq, e.status, contentXML, append(body, '\n'))
	default:
		msg := e.message
		if e.errs != nil {
			msg = strings.Join(e.errs.fullMessages(), "; ")
		}
		page := "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + strconv.Itoa(e.status) + " " + htmlEscape(http.StatusText(e.status)) +
			"</title></head><body><h1>" + htmlEscape(e.class) + "</h1><p>" + htmlEscape(msg) + "</p></body></html>\n"
		writeBody(w, rq, e.status, contentHTML, []byte(page))
	}
}

// Danbooru's renderers for documents without times: Rails 8.1 JSON (no
// HTML escaping) and to_xml.
var (
	railsJSON = doc.JSON{}
	railsXML  = doc.XML{Style: doc.Rails}
)

// errorDoc is static/error.{json,xml}.erb's document.
func errorDoc(class, message string, backtrace doc.Value) doc.Value {
	o := doc.NewObject()
	o.Add("success", doc.Bool(false))
	o.Add("error", doc.String(class))
	o.Add("message", doc.String(message))
	o.Add("backtrace", backtrace)
	return doc.Obj(o)
}
