package danbooru

import (
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/authscheme"
	"usersd/internal/face/railsparams"
	"usersd/internal/httpx"
)

// authenticate is SessionLoader#load for an API-only server (spec §2). A
// request is API-authenticated when it has an Authorization header or a
// login or api_key key in the query string (never the body); then the
// credentials must be complete and right, or the request fails with 401 —
// it is never demoted to anonymous. Anything else is anonymous.
func authenticate(rq *request) error {
	r := rq.r
	authz, hasAuthz := r.Header["Authorization"]
	hasHeader := hasAuthz && len(authz) > 0 && !railsparams.IsBlank(authz[0])
	if !hasHeader && !rq.query.has("login") && !rq.query.has("api_key") {
		return nil
	}
	var login, key string
	var keyOK bool
	if hasAuthz {
		login, key, keyOK = authscheme.RailsBasic(r.Header.Get("Authorization"))
	} else {
		l, ok1 := rq.query.present("login")
		k, ok2 := rq.query.present("api_key")
		if !ok1 || !ok2 {
			return missingCredentials()
		}
		login, key, keyOK = l, k, true
	}
	if !keyOK {
		return invalidAPIKey()
	}
	u, t, err := rq.svc.AuthenticateKey(r.Context(), normalizeName(login), key, httpx.ClientAddr(r))
	if err != nil {
		if core.ErrorCode(err) == core.Unauthenticated {
			return invalidAPIKey()
		}
		return err
	}
	// An API key's scope is its permission list: a read-only key may not
	// write (upstream: ApiKey#has_permission? → User::PrivilegeError).
	if core.CheckScope(t, httpx.IsWrite(r)) != nil {
		return privilegeError()
	}
	rq.viewer, rq.token = u, t
	rq.r = r.WithContext(httpx.WithCaller(r.Context(), u, t))
	return nil
}

// normalizeName is User.normalize_name: lower case, trimmed, spaces as
// underscores.
func normalizeName(s string) string {
	return strings.ReplaceAll(strings.TrimFunc(strings.ToLower(s), isRubyStripped), " ", "_")
}

// isRubyStripped is what Ruby's String#strip removes: ASCII white space
// and NUL.
func isRubyStripped(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0:
		return true
	}
	return false
}
