package native

import (
	"log/slog"
	"net/http"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/authscheme"
	"usersd/internal/httpx"
)

// authenticate resolves "Authorization: Bearer <token>". A request without
// the header is anonymous; one with a bad token is refused, never demoted
// to anonymous. Read-scoped tokens may only read.
func authenticate(svc *core.Face, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		c := authscheme.Parse(h, authscheme.Strict)
		if c.Scheme != authscheme.Bearer {
			writeError(w, r, log, core.Errorf(core.Unauthenticated, "Use Authorization: Bearer <token>."))
			return
		}
		u, t, err := svc.Authenticate(r.Context(), c.Payload, httpx.ClientAddr(r))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if err := core.CheckScope(t, httpx.IsWrite(r)); err != nil {
			writeError(w, r, log, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(httpx.WithCaller(r.Context(), u, t)))
	})
}

func writeStatus(w http.ResponseWriter, status int, detail string) {
	httpx.JSON(w, status, "application/problem+json", problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail,
	})
}

// handleLogin handles "POST /login".
func handleLogin(svc *core.Face, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj, err := httpx.DecodeObject(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		in, err := stringMembers(obj, map[string]bool{"name": false, "email": false, "password": true})
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		ident := in["name"]
		switch {
		case in["name"] != "" && in["email"] != "":
			writeError(w, r, log, core.FieldError("email", "give name or email, not both"))
			return
		case in["email"] != "":
			ident = in["email"]
		case ident == "":
			writeError(w, r, log, core.FieldError("name", "is required (or email)"))
			return
		}
		secret, _, u, err := svc.Login(r.Context(), ident, in["password"], httpx.ClientAddr(r))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		var buf strings.Builder
		buf.WriteString(`{"token":"` + secret + `","user":`)
		buf.Write(userJSON(u, u))
		buf.WriteString("}\n")
		httpx.Raw(w, http.StatusOK, "application/json", []byte(buf.String()))
	})
}
