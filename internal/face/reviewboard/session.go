package reviewboard

import (
	"net/http"
	"strconv"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/throttle"
	"usersd/internal/httpx"
)

// sessionCookie is Review Board's SESSION_COOKIE_NAME.
const sessionCookie = "rbsessionid"

// Options are the face's settings.
type Options struct {
	// Rates are the API rate limits per hour, "anon" per client address
	// and "user" per account (spec §12); nil is DefaultRates.
	Rates []throttle.Rate
	// RequireLogin is Review Board's "require login" site setting:
	// anonymous GETs are 401 code 103 (spec §10).
	RequireLogin bool
}

// DefaultRates are djblets' API_ANONYMOUS_LIMIT_RATE and
// API_AUTHENTICATED_LIMIT_RATE: 1000 and 10000 an hour.
var DefaultRates = []throttle.Rate{{Name: "anon", N: 1000, Period: time.Hour}, {Name: "user", N: 10000, Period: time.Hour}}

// ParseRates reads the --reviewboard-rates flag: comma-separated
// anon=N,user=N (per hour), or *=N for both.
func ParseRates(list string) ([]throttle.Rate, error) {
	return throttle.ParseRates(DefaultRates, list)
}

// rateByName picks a rate of opts; the flag parser keeps both names.
func rateByName(rates []throttle.Rate, name string) throttle.Rate {
	for _, r := range rates {
		if r.Name == name {
			return r
		}
	}
	for _, r := range DefaultRates {
		if r.Name == name {
			return r
		}
	}
	panic("reviewboard: no rate " + name)
}

// cookieCaller resolves the rbsessionid cookie of a request that sent no
// Authorization header. A cookie that names no live session is anonymous,
// as Django's session middleware makes it, and is cleared (Django deletes
// the cookie of an empty session). ok is false when an answer was
// written.
func (h *handler) cookieCaller(w http.ResponseWriter, r *http.Request, rq *request) (*core.User, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, true
	}
	u, err := h.svc.SessionUser(r.Context(), c.Value, core.SessionReviewBoard, httpx.ClientAddr(r))
	switch {
	case core.ErrorCode(err) == core.Unauthenticated:
		h.setCookie(w, r, "", -1)
		return nil, true
	case err != nil:
		h.coreError(w, r, rq, err)
		return nil, false
	}
	return u, true
}

// startSession gives a caller who just logged in with a password or a
// token the cookie later requests use (RBTools sends credentials only
// once), unless the request's cookie already is that caller's session.
func (h *handler) startSession(w http.ResponseWriter, r *http.Request, u *core.User, t *core.Token) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if cur, err := h.svc.SessionUser(r.Context(), c.Value, core.SessionReviewBoard, httpx.ClientAddr(r)); err == nil && cur.ID == u.ID {
			return nil
		}
	}
	cookie, s, err := h.svc.StartSession(r.Context(), u, t, core.SessionReviewBoard, httpx.ClientAddr(r), r.UserAgent())
	if err != nil {
		return err
	}
	h.setCookie(w, r, cookie, int(s.ExpiresAt.Sub(s.CreatedAt)/time.Second))
	return nil
}

// setCookie sets the session cookie for the face's whole mount, as
// Django's does (Expires and Max-Age, HttpOnly, SameSite=Lax), Secure
// over TLS; maxAge < 0 deletes it.
func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	c := &http.Cookie{Name: sessionCookie, Value: value, Path: httpx.MountPrefix(r.Context()) + "/",
		MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: httpx.IsHTTPS(r)}
	if maxAge > 0 {
		c.Expires = h.svc.Now().Add(time.Duration(maxAge) * time.Second)
	} else {
		c.Expires = time.Unix(0, 0)
	}
	http.SetCookie(w, c)
}

// spend counts a request against the caller's hourly limit (spec §12),
// per account when signed in, else per client address; over it, 429
// code 114 with Retry-After and X-RateLimit-Limit. ok is false when an
// answer was written.
func (h *handler) spend(w http.ResponseWriter, r *http.Request, rq *request) bool {
	rate, key := h.anon, throttle.AddrKey(httpx.ClientAddr(r))
	if rq.caller != nil {
		rate, key = h.user, "user:"+strconv.FormatInt(rq.caller.ID, 10)
	}
	res, err := h.svc.Spend(r.Context(), rate.Limit(Profile.Name), key, 1)
	if err != nil {
		h.coreError(w, r, rq, err)
		return false
	}
	if res.Allowed {
		return true
	}
	secs := int64((res.RetryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(rate.N))
	h.writeError(w, rq, errRateLimited, "", nil)
	return false
}
