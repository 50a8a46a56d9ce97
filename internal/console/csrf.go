package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"usersd/internal/core"
)

// Forms are protected twice.
//
// First, net/http's CrossOriginProtection refuses any POST a browser
// marks as cross-site (Sec-Fetch-Site), or whose Origin names another
// host than the request's: a form on another site cannot post here even
// where SameSite cookies are not honoured.
//
// Second, every form carries a token the server checks. Signed in, the
// token is HMAC-SHA256 keyed with the session cookie itself: it needs no
// server secret (so any node of a cluster checks it, and nothing must be
// configured or rotated), it is bound to the one session and dies with it,
// and it reveals nothing of the cookie, which is HttpOnly. The database
// keeps only SHA-256 of the cookie, so a copy of it does not give the
// token either. Before sign-in there is no session to bind to, so the
// sign-in form uses a double-submit token: a random value in a short-lived
// HttpOnly, SameSite=Strict cookie and the same in a hidden field, which a
// page on another site can neither read nor set.

// csrfField is the hidden field of every form.
const csrfField = "csrf"

// refuseCrossOrigin answers cross-origin writes 403 with the console's
// error page.
func refuseCrossOrigin(h *handler, next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, core.Errorf(core.Forbidden, "Cross-site form posts are refused."))
	}))
	return p.Handler(next)
}

// sessionToken is the form token of a session cookie.
func sessionToken(cookie string) string {
	m := hmac.New(sha256.New, []byte(cookie))
	m.Write([]byte("usersd console form token v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sameToken compares a submitted token with the expected one in constant
// time; an empty expectation never matches.
func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// newToken returns a random double-submit token.
func newToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand docs)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
