package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"usersd/internal/core"
	"usersd/internal/httpx"
)

// Cookie names: the session, and the sign-in form's double-submit token.
const (
	sessionCookie = "usersd_console"
	loginCookie   = "usersd_console_login"
)

// base is the console's path prefix for links: "" at the root.
func base(r *http.Request) string { return httpx.MountPrefix(r.Context()) }

// cookiePath scopes the console's cookies to its own pages.
func cookiePath(r *http.Request) string {
	if p := base(r); p != "" {
		return p
	}
	return "/"
}

// setCookie sets a console cookie: HttpOnly (no script reads it),
// SameSite=Strict (no other site's link or form sends it), Secure when
// the request came over TLS, and only below the console's prefix. maxAge
// 0 makes a cookie of the browser session, below 0 deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: cookiePath(r), MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: httpx.IsHTTPS(r)})
}

type staffKey struct{}

// signedIn is what staff attaches to a request.
type signedIn struct {
	user *core.User
	csrf string // the session's form token
}

func me(ctx context.Context) *signedIn {
	s, _ := ctx.Value(staffKey{}).(*signedIn)
	return s
}

// staff lets through requests of a live console session of a staff
// member (moderator and above, not banned), and POSTs only with the
// session's form token. Others go to the sign-in page (reads) or get 403
// (writes, which are never replayed after a sign-in).
func (h *handler) staff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u *core.User
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			err = core.Errorf(core.Unauthenticated, "Sign in first.")
		} else {
			u, err = h.face.SessionUserWithin(r.Context(), c.Value, core.SessionConsole, httpx.ClientAddr(r), h.opts.Idle, h.opts.MaxAge)
		}
		if err == nil && !u.IsStaff() {
			// Demoted or banned since sign-in: the session ends here.
			if err = h.face.EndSession(r.Context(), c.Value); err == nil {
				err = core.Errorf(core.Forbidden, "Only staff may use the console.")
			}
		}
		if err != nil {
			if code := core.ErrorCode(err); code != core.Unauthenticated && code != core.Forbidden {
				h.fail(w, r, err)
				return
			}
			setCookie(w, r, sessionCookie, "", -1)
			if r.Method == http.MethodGet {
				http.Redirect(w, r, base(r)+"/login?next="+url.QueryEscape(r.RequestURI), http.StatusSeeOther)
				return
			}
			h.fail(w, r, core.Errorf(core.Forbidden, "Your session has ended; sign in again."))
			return
		}
		s := &signedIn{user: u, csrf: sessionToken(c.Value)}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue(csrfField), s.csrf) {
			h.fail(w, r, core.Errorf(core.Forbidden, "The form has expired or did not come from the console; reload the page and try again."))
			return
		}
		ctx := httpx.WithCaller(r.Context(), u, nil)
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, staffKey{}, s)))
	})
}

// loginPage is the sign-in form's data.
type loginPage struct {
	Name, Next, Token string
}

// handleLoginForm handles "GET /login".
func (h *handler) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	h.loginForm(w, r, http.StatusOK, r.URL.Query().Get("name"), "")
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request, status int, name, problem string) {
	tok := newToken()
	setCookie(w, r, loginCookie, tok, 3600)
	h.render(w, r, status, "login", "Sign in", problem, loginPage{Name: name, Next: safeNext(r, r.FormValue("next")), Token: tok})
}

// handleLogin handles "POST /login": a staff member's name (or e-mail)
// and password, checked (and throttled) by the core; members are refused
// on the same page, and get no session.
func (h *handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	name, pw := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue(csrfField), c.Value) {
		h.fail(w, r, core.Errorf(core.Forbidden, "The sign-in form has expired or did not come from the console; reload it and try again."))
		return
	}
	if name == "" || pw == "" || !utf8.ValidString(name) {
		h.loginForm(w, r, http.StatusBadRequest, name, "Enter your name and password.")
		return
	}
	addr := httpx.ClientAddr(r)
	u, err := h.face.CheckPassword(r.Context(), name, pw, addr)
	switch code := core.ErrorCode(err); {
	case err == nil:
	case code == core.Unauthenticated:
		h.loginForm(w, r, http.StatusUnauthorized, name, "Wrong name or password, or the account cannot sign in.")
		return
	case code == core.RateLimited:
		h.loginForm(w, r, http.StatusTooManyRequests, name, "Too many failed sign-ins; wait a few minutes and try again.")
		return
	default:
		h.fail(w, r, err)
		return
	}
	if !u.IsStaff() {
		h.loginForm(w, r, http.StatusForbidden, name, "Only staff (moderators and above) may sign in to the console.")
		return
	}
	cookie, sess, err := h.face.StartSession(r.Context(), u, nil, core.SessionConsole, addr, r.UserAgent())
	if err != nil {
		if core.ErrorCode(err) == core.Unauthenticated {
			h.loginForm(w, r, http.StatusUnauthorized, name, core.AsError(err).Message)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.face.RecordSignIn(r.Context(), u, sess) // login.succeeded, as a token login writes
	if old, err := r.Cookie(sessionCookie); err == nil {
		// A sign-in over a live session replaces it: the old one ends.
		if err := h.face.EndSession(r.Context(), old.Value); err != nil {
			h.log.Warn("console: end replaced session", "err", err, "request_id", httpx.RequestID(r.Context()))
		}
	}
	setCookie(w, r, loginCookie, "", -1)
	setCookie(w, r, sessionCookie, cookie, 0)
	http.Redirect(w, r, safeNext(r, r.PostFormValue("next")), http.StatusSeeOther)
}

// handleLogout handles "POST /logout": the session ends in the database,
// so a copy of the cookie is worth nothing afterwards.
func (h *handler) handleLogout(w http.ResponseWriter, r *http.Request) {
	c, _ := r.Cookie(sessionCookie) // staff checked it is there
	if err := h.face.EndSession(r.Context(), c.Value); err != nil {
		h.fail(w, r, err)
		return
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, base(r)+"/login", http.StatusSeeOther)
}

// safeNext is where to go after sign-in: a path of the console's own, or
// its users table; never another site (an open redirect).
func safeNext(r *http.Request, next string) string {
	b := base(r)
	// Browsers drop tabs and newlines from URLs and read \ as /, so
	// "/\t/evil.example" would be "//evil.example", another host.
	odd := strings.ContainsFunc(next, func(c rune) bool { return c < ' ' || c == 0x7f || c == '\\' })
	if strings.HasPrefix(next, b+"/") && !strings.HasPrefix(next, "//") && !odd && !strings.HasPrefix(next, b+"/login") {
		return next
	}
	return b + "/"
}
