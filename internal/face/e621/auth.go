package e621

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/face/authscheme"
	"usersd/internal/httpx"
)

// credentials are the name and API key a request carries.
type credentials struct {
	login, key string
	ok         bool // well formed (Base64, UTF-8, a ':' in Basic)
}

// ngCredentials finds credentials as e621ng's SessionLoader does (B.3):
// an "Authorization: Basic" header, or non-blank login and api_key params
// (query or body). present is false for an anonymous request; either
// param blank is anonymous, not an error. Any Authorization header is
// decoded as Basic once either form is present, as SessionLoader does.
func ngCredentials(r *http.Request, params *param) (c credentials, present bool) {
	authz := r.Header.Get("Authorization")
	login, key := params.get("login"), params.get("api_key")
	byParams := !login.blank() && !key.blank()
	if !strings.HasPrefix(authz, "Basic ") && !byParams {
		return c, false
	}
	if authz != "" {
		return basicCredentials(authz), true
	}
	if login.kind != 's' || key.kind != 's' {
		return c, true
	}
	return credentials{login: login.str, key: key.str, ok: true}, true
}

// basicCredentials reads a Basic header as SessionLoader does.
func basicCredentials(authz string) credentials {
	login, key, ok := authscheme.RailsBasic(authz)
	return credentials{login: login, key: key, ok: ok}
}

// authenticate resolves credentials to a user: the key must be an active
// token of the user of that (normalized) name.
func (h *handler) authenticate(r *http.Request, c credentials) (*core.User, *core.Token, error) {
	if !c.ok || !utf8.ValidString(c.login) || !utf8.ValidString(c.key) || len(c.login) > 600 {
		return nil, nil, core.Errorf(core.Unauthenticated, msgAuthFailure)
	}
	return h.svc.AuthenticateKey(r.Context(), normalizeName(c.login), c.key, httpx.ClientAddr(r))
}

// ngCaller authenticates an e621ng request. A nil user with a nil error
// is anonymous. Bad credentials are 401 (shape 2), and so is a Blocked
// (banned) account: usersd keeps no ban records, so every ban reads
// "forever" (spec/fields.md Q1).
func (h *handler) ngCaller(w http.ResponseWriter, r *http.Request, params *param) (*core.User, bool) {
	c, present := ngCredentials(r, params)
	if !present {
		return nil, true
	}
	u, t, err := h.authenticate(r, c)
	switch {
	case core.ErrorReason(err) == core.ReasonUserBanned:
		writeMessage(w, http.StatusUnauthorized, msgBanned, "")
		return nil, false
	case core.ErrorCode(err) == core.Unauthenticated:
		writeMessage(w, http.StatusUnauthorized, msgAuthFailure, "")
		return nil, false
	case err != nil:
		h.internal(w, r, err)
		return nil, false
	}
	httpx.WithCaller(r.Context(), u, t)
	if core.CheckScope(t, httpx.IsWrite(r)) != nil {
		writeReason(w, http.StatusForbidden, msgAccessDenied)
		return nil, false
	}
	return u, true
}

// legacyCaller authenticates a legacy request: login with password_hash
// (the legacy name of the API key) or api_key, from the query or a form
// body, or HTTP Basic. Bad credentials fall back to anonymous, as
// Danbooru 1 did (A.3, Part D 10).
func (h *handler) legacyCaller(r *http.Request, params *param) *core.User {
	var c credentials
	authz := r.Header.Get("Authorization")
	login, _ := params.text("login")
	key, _ := params.text("password_hash")
	if strings.TrimSpace(key) == "" {
		key, _ = params.text("api_key")
	}
	switch {
	case strings.TrimSpace(login) != "" && strings.TrimSpace(key) != "":
		c = credentials{login: login, key: key, ok: true}
	case strings.HasPrefix(authz, "Basic "):
		c = basicCredentials(authz)
	default:
		return nil
	}
	u, t, err := h.authenticate(r, c)
	if err != nil {
		if core.ErrorCode(err) != core.Unauthenticated {
			h.log.Warn("e621: legacy authentication failed", "request_id", httpx.RequestID(r.Context()), "err", err)
		}
		return nil
	}
	httpx.WithCaller(r.Context(), u, t)
	return u
}
