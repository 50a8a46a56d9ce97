package danbooru

import (
	"strings"

	"usersd/internal/core"
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
		login, key, keyOK = basicCredentials(r.Header.Get("Authorization"))
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

// basicCredentials reads "Authorization: <scheme> <base64 login:key>" as
// upstream does: whatever follows the first run of white space is decoded
// leniently (Ruby's Base64.decode64) and split at the first colon.
func basicCredentials(h string) (login, key string, ok bool) {
	h = strings.TrimLeft(h, " \t\r\n\f\v")
	if i := strings.IndexAny(h, " \t\r\n\f\v"); i >= 0 {
		h = strings.TrimLeft(h[i:], " \t\r\n\f\v")
	}
	login, key, ok = strings.Cut(string(decode64(h)), ":")
	return login, key, ok
}

// decode64 is Ruby's String#unpack1("m"): characters outside the base64
// alphabet are skipped, decoding stops at "=", and a trailing partial
// group yields what bytes it can.
func decode64(s string) []byte {
	var out []byte
	var buf [4]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case c >= 'A' && c <= 'Z':
			v = c - 'A'
		case c >= 'a' && c <= 'z':
			v = c - 'a' + 26
		case c >= '0' && c <= '9':
			v = c - '0' + 52
		case c == '+':
			v = 62
		case c == '/':
			v = 63
		case c == '=':
			i = len(s)
			continue
		default:
			continue
		}
		buf[n] = v
		n++
		if n == 4 {
			out = append(out, buf[0]<<2|buf[1]>>4, buf[1]<<4|buf[2]>>2, buf[2]<<6|buf[3])
			n = 0
		}
	}
	switch n {
	case 2:
		out = append(out, buf[0]<<2|buf[1]>>4)
	case 3:
		out = append(out, buf[0]<<2|buf[1]>>4, buf[1]<<4|buf[2]>>2)
	}
	return out
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
