package httpx

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Negotiate picks one of offers (media types, most preferred first) for
// an Accept header as djblets' get_http_requested_mimetype does: the
// header's types by descending q (ties in header order), each matched
// exactly or by a */* or type/* range; when none matches, the first
// offer the header does not exclude with q=0. ok is false when every
// offer is excluded.
func Negotiate(accept string, offers []string) (string, bool) {
	type rng struct {
		typ string
		q   float64
	}
	var ranges []rng
	for _, part := range strings.Split(accept, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		ranges = append(ranges, rng{mt, q})
	}
	slices.SortStableFunc(ranges, func(a, b rng) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	match := func(r, offer string) bool {
		if r == "*/*" || r == offer {
			return true
		}
		t, sub, _ := strings.Cut(r, "/")
		ot, _, _ := strings.Cut(offer, "/")
		return sub == "*" && t == ot
	}
	excluded := func(offer string) bool {
		for _, r := range ranges {
			if r.q == 0 && r.typ == offer {
				return true
			}
		}
		return false
	}
	for _, r := range ranges {
		if r.q == 0 {
			continue
		}
		for _, o := range offers {
			if match(r.typ, o) && !excluded(o) {
				return o, true
			}
		}
	}
	for _, o := range offers {
		if !excluded(o) {
			return o, true
		}
	}
	return "", false
}

// NegotiateStrict is Negotiate without the fallback, as Django REST
// framework's DefaultContentNegotiation: no Accept header (or an empty
// one) takes the first offer; otherwise the first offer a range with
// q > 0 matches, by descending q, and ok is false when none does (406).
// A lone "*", as some HTTP libraries send, is */*; a range that does not
// parse matches nothing.
func NegotiateStrict(accept string, offers []string) (string, bool) {
	if strings.TrimSpace(strings.ReplaceAll(accept, ",", "")) == "" {
		return offers[0], true
	}
	type rng struct {
		typ string
		q   float64
	}
	var ranges []rng
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mt == "*" {
			mt = "*/*"
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil || q <= 0 || q > 1 {
				continue
			}
		}
		ranges = append(ranges, rng{mt, q})
	}
	slices.SortStableFunc(ranges, func(a, b rng) int { return cmp.Compare(b.q, a.q) })
	for _, rg := range ranges {
		r := rg.typ
		t, sub, _ := strings.Cut(r, "/")
		for _, o := range offers {
			ot, _, _ := strings.Cut(o, "/")
			if r == "*/*" || r == o || (sub == "*" && t == ot) {
				return o, true
			}
		}
	}
	return "", false
}

// ViewerETag is a strong entity tag for body as served to one viewer
// (a user id, or "" for anonymous callers): a response that hides fields
// from some viewers must not validate a cached copy made for another.
func ViewerETag(viewer string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(viewer))
	h.Write([]byte{0})
	h.Write(body)
	return `"` + hex.EncodeToString(h.Sum(nil)[:20]) + `"`
}

// NotModified reports whether the request's If-None-Match names etag
// (weak comparison, "*" matches any), so a GET may answer 304.
func NotModified(r *http.Request, etag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
