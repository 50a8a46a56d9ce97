package main

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"time"

	"usersd/internal/loadgen"
)

// A call is one request of a workload.
type call struct {
	method, path string
	body         string // JSON, for POST and PATCH
	auth         string // the Authorization header, if any
	follow       bool   // read next_cursor from the answer into the worker's cursor
}

// worker is one connection's state across its requests.
type worker struct {
	rng    *rand.Rand
	cursor string // deep-page: where this worker's walk is
	pages  int    // deep-page: pages walked since it restarted
	token  string // mixed: this worker's own user's token
	conn   *loadgen.Conn
}

// op makes a workload's next request on one face.
type op func(p *pool, w *worker) call

// faceOp is a workload on one face.
type faceOp struct {
	face string
	op   op
}

// workload is one kind of request, on each face that has it.
type workload struct {
	name  string
	about string
	faces []faceOp
}

// minDuration lengthens the measurements of workloads whose requests take
// long (a login is an argon2id verification), so that even a short run
// answers some.
var minDuration = map[string]time.Duration{"login": 500 * time.Millisecond}

// Face prefixes, as usersd mounts them by default.
const (
	pNative   = "/v1"
	pDanbooru = "/danbooru"
	pE621     = "/e621"
	pPronouns = "/pronouns/api/v1"
	pRB       = "/reviewboard/api"
	pDRF      = "/drf"
)

func get(path string) call { return call{method: "GET", path: path} }

// drfGet is a DRF read: the face shows users to staff alone by default,
// so it goes with the admin's token.
func drfGet(p *pool, path string) call {
	return call{method: "GET", path: pDRF + path, auth: "Token " + p.adminToken}
}

var q = url.QueryEscape

// deepWalk is the pages a deep-page walk takes before it starts again
// at the deep cursor.
const deepWalk = 50

// workloads are every workload, in report order. Each face appears under
// a workload when it has that operation. Some faces cannot address every
// name: e621 reads a path's first '.' as the format's, and Review Board's
// users/{username} takes djblets' ASCII pattern alone, so their get-name
// draws from the names they can address. Review Board and pronouns.cc
// find users by name only, Review Board's q is a prefix match (not a
// substring search) and has no sort parameter, pronouns.cc lists no
// users, and only the native API and DRF log in with a password.
var workloads = []workload{
	{"get", "one user by a random id", []faceOp{
		{"native", nativeGet},
		{"danbooru", func(p *pool, w *worker) call { return get(pDanbooru + "/users/" + p.id(w) + ".json") }},
		{"e621", func(p *pool, w *worker) call { return get(pE621 + "/users/" + p.id(w) + ".json") }},
		{"drf", func(p *pool, w *worker) call { return drfGet(p, "/users/"+p.id(w)+"/") }},
	}},
	{"get-name", "one user by a random name", []faceOp{
		{"native", nativeGetName},
		{"danbooru", func(p *pool, w *worker) call { return get(pDanbooru + "/users.json?search[name]=" + q(p.name(w))) }},
		{"e621", func(p *pool, w *worker) call { return get(pE621 + "/users/" + url.PathEscape(p.e621Name(w)) + ".json") }},
		{"pronouns", func(p *pool, w *worker) call { return get(pPronouns + "/users/" + url.PathEscape(p.name(w))) }},
		{"reviewboard", func(p *pool, w *worker) call { return get(pRB + "/users/" + url.PathEscape(p.rbName(w)) + "/") }},
		{"drf", func(p *pool, w *worker) call { return drfGet(p, "/users/?username="+q(p.name(w))) }},
	}},
	{"list", "the first 20 users in the default order", []faceOp{
		{"native", nativeList},
		{"danbooru", func(p *pool, w *worker) call { return get(pDanbooru + "/users.json?limit=20") }},
		{"e621", func(p *pool, w *worker) call { return get(pE621 + "/users.json?limit=20") }},
		{"reviewboard", func(p *pool, w *worker) call { return get(pRB + "/users/?max-results=20") }},
		{"drf", func(p *pool, w *worker) call { return drfGet(p, "/users/?limit=20") }},
	}},
	{"list-sorted", "the first 20 users by name", []faceOp{
		{"native", func(p *pool, w *worker) call { return get(pNative + "/users?limit=20&sort=name") }},
		{"danbooru", func(p *pool, w *worker) call { return get(pDanbooru + "/users.json?limit=20&search[order]=name") }},
		{"e621", func(p *pool, w *worker) call { return get(pE621 + "/users.json?limit=20&search[order]=name") }},
		{"drf", func(p *pool, w *worker) call { return drfGet(p, "/users/?limit=20&ordering=username") }},
	}},
	{"search", "20 users whose name holds a random 3-letter fragment", []faceOp{
		{"native", nativeSearch},
		{"danbooru", func(p *pool, w *worker) call {
			return get(pDanbooru + "/users.json?limit=20&search[name_matches]=" + q("*"+p.fragment(w)+"*"))
		}},
		{"e621", func(p *pool, w *worker) call {
			return get(pE621 + "/users.json?limit=20&search[name_matches]=" + q("*"+p.fragment(w)+"*"))
		}},
	}},
	{"count", "a filtered list with its exact total", []faceOp{
		{"native", func(p *pool, w *worker) call {
			return get(pNative + "/users?limit=20&total=true&filter=" + q("level = "+strconv.Itoa(p.level(w))))
		}},
		{"reviewboard", func(p *pool, w *worker) call { return get(pRB + "/users/?counts-only=1&q=" + q(p.prefix(w))) }},
		{"drf", func(p *pool, w *worker) call {
			return drfGet(p, "/users/?limit=20&is_staff="+[]string{"true", "false"}[w.rng.IntN(2)])
		}},
	}},
	{"deep-page", "20 users half way into the list, by cursor or before-id", []faceOp{
		{"native", func(p *pool, w *worker) call {
			if w.cursor == "" || w.pages >= deepWalk {
				w.cursor, w.pages = p.deepCursor, 0
			}
			w.pages++
			return call{method: "GET", path: pNative + "/users?limit=20&cursor=" + q(w.cursor), follow: true}
		}},
		{"danbooru", func(p *pool, w *worker) call {
			return get(pDanbooru + "/users.json?limit=20&page=b" + strconv.FormatInt(p.deepID(w), 10))
		}},
		{"e621", func(p *pool, w *worker) call {
			return get(pE621 + "/users.json?limit=20&page=b" + strconv.FormatInt(p.deepID(w), 10))
		}},
	}},
	{"login", "a password login (one argon2id verification)", []faceOp{
		{"native", func(p *pool, w *worker) call {
			return call{method: "POST", path: pNative + "/login", body: jsonObject("name", p.name(w), "password", BenchPassword)}
		}},
		{"drf", func(p *pool, w *worker) call {
			return call{method: "POST", path: pDRF + "/auth/login/", body: jsonObject("username", p.name(w), "password", BenchPassword)}
		}},
	}},
	{"mixed", "90% reads (get, get-name, list, search), 10% writes (a bio update)", []faceOp{
		{"native", func(p *pool, w *worker) call {
			if w.rng.IntN(10) == 0 {
				bio := "bench " + strconv.Itoa(w.rng.IntN(1_000_000))
				return call{method: "PATCH", path: pNative + "/me", auth: "Bearer " + w.token, body: `{"profile":{"bio":"` + bio + `"}}`}
			}
			reads := []op{nativeGet, nativeGetName, nativeList, nativeSearch}
			return reads[w.rng.IntN(len(reads))](p, w)
		}},
	}},
}

// The native reads, which mixed draws from too.
func nativeGet(p *pool, w *worker) call { return get(pNative + "/users/" + p.id(w)) }
func nativeGetName(p *pool, w *worker) call {
	return get(pNative + "/users/" + url.PathEscape(p.name(w)))
}
func nativeList(p *pool, w *worker) call { return get(pNative + "/users?limit=20") }
func nativeSearch(p *pool, w *worker) call {
	return get(pNative + "/users?limit=20&filter=" + q(fmt.Sprintf("name contains %q", p.fragment(w))))
}

// jsonObject writes string members as a JSON object.
func jsonObject(kv ...string) string {
	b := []byte{'{'}
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, kv[i])
		b = append(b, ':')
		b = appendString(b, kv[i+1])
	}
	return string(append(b, '}'))
}
