package native

import (
	"log/slog"
	"net/http"

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
		in, err := stringMembers(obj, map[string]bool{"label": false, "scope": false})
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		secret, t, err := svc.CreateToken(r.Context(), u, u.ID, in["label"], in["scope"])
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
