package native

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"time"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// handleTokenList handles "GET /me/tokens".
func handleTokenList(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := httpx.Caller(r.Context())
		ts, err := svc.ListTokens(r.Context(), u, callerID(u))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		out := struct {
			Tokens []tokenWire `json:"tokens"`
		}{Tokens: []tokenWire{}}
		for _, t := range ts {
			out.Tokens = append(out.Tokens, toToken(t, ""))
		}
		httpx.JSON(w, http.StatusOK, "application/json", out)
	})
}

func callerID(u *core.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// handleTokenCreate handles "POST /me/tokens".
func handleTokenCreate(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := httpx.Caller(r.Context())
		if u == nil {
			writeError(w, r, log, core.Errorf(core.Unauthenticated, "Authentication required."))
			return
		}
		obj, err := httpx.DecodeObject(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		nt, err := tokenRequest(obj)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		secret, t, err := svc.CreateTokenWith(r.Context(), u, u.ID, nt)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		httpx.JSON(w, http.StatusCreated, "application/json", toToken(t, secret))
	})
}

// handleTokenDelete handles "DELETE /me/tokens/{id}".
func handleTokenDelete(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := httpx.Caller(r.Context())
		id, err := pathID(r, "id")
		if err == nil {
			err = svc.RevokeToken(r.Context(), u, callerID(u), id)
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// maxExpiresIn bounds expires_in (seconds) to what a duration holds with
// room to spare: about 100 years.
const maxExpiresIn = 100 * 365 * 24 * 3600

// tokenRequest reads a TokenCreate body: label, scope, and an optional
// expires_in (whole seconds) or expires_at (RFC 3339).
func tokenRequest(obj map[string]json.RawMessage) (core.NewToken, error) {
	var nt core.NewToken
	expIn, hasIn := obj["expires_in"]
	expAt, hasAt := obj["expires_at"]
	delete(obj, "expires_in")
	delete(obj, "expires_at")
	in, err := stringMembers(obj, map[string]bool{"label": false, "scope": false})
	if err != nil {
		return nt, err
	}
	nt.Label, nt.Scope = in["label"], in["scope"]
	if hasIn && hasAt {
		return nt, core.FieldError("expires_in", "give expires_in or expires_at, not both")
	}
	if hasIn && string(expIn) != "null" {
		var n float64
		if json.Unmarshal(expIn, &n) != nil || n != math.Trunc(n) || n < 1 || n > maxExpiresIn {
			return nt, core.FieldError("expires_in", "must be a whole number of seconds from 1 to 3153600000")
		}
		nt.ExpiresIn = time.Duration(n) * time.Second
	}
	if hasAt && string(expAt) != "null" {
		var s string
		t, err := time.Time{}, json.Unmarshal(expAt, &s)
		if err == nil {
			t, err = time.Parse(time.RFC3339Nano, s)
		}
		if err != nil {
			return nt, core.FieldError("expires_at", "must be an RFC 3339 time")
		}
		nt.ExpiresAt = &t
	}
	return nt, nil
}
