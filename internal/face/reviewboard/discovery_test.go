package reviewboard_test

// The discovery test of issue 9: a small client that works as RBTools'
// API layer does (rbtools/api: transport/sync.py, request.py, cache.py,
// resource.py) starts at /api/, follows links and uri_templates, pages
// through 60 users 25 at a time and must get what the native API lists.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"

	"usersd/internal/facetest"
	"usersd/internal/store/storetest"
)

// rbtCache is RBTools' APICache: GET answers by URL, kept unless
// no-store, revalidated by ETag when no-cache (or must-revalidate) says
// so. It is one cache per machine, shared by every account, and it
// cannot match on the Cookie header (urllib adds cookies after the cache
// has looked), so the ETag alone must tell viewers apart.
type rbtCache map[string]*rbtEntry

type rbtEntry struct {
	etag     string
	body     []byte
	maxAgeOK bool // no max-age, no Expires, no no-cache: fresh forever
}

// rbtClient is one RBTools session: a cookie jar, and Basic credentials
// sent preemptively on the first request only (PresetHTTPAuthHandler).
type rbtClient struct {
	t          *testing.T
	http       *http.Client
	user, pass string
	sentAuth   bool
	cache      rbtCache
	log        []rbtExchange
}

// rbtExchange records what the client sent and got.
type rbtExchange struct {
	url             string
	authz, cookie   bool
	inm             string
	status          int
	wwwAuthenticate []string
}

func newRBT(t *testing.T, cache rbtCache, user, pass string) *rbtClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &rbtClient{t: t, http: &http.Client{Jar: jar}, user: user, pass: pass, cache: cache}
}

// get fetches u through the cache and decodes the JSON answer; a non-2xx
// answer is returned with its status and no caching.
func (c *rbtClient) get(u string) (map[string]any, int) {
	c.t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if !c.sentAuth {
		req.SetBasicAuth(c.user, c.pass)
		c.sentAuth = true
	}
	e := c.cache[u]
	if e != nil && e.maxAgeOK {
		return c.decode(e.body), http.StatusOK // "up to date": no request at all
	}
	if e != nil && e.etag != "" {
		req.Header.Set("If-None-Match", e.etag)
	}
	// The jar adds the cookie inside Do; record what goes out.
	pu, _ := url.Parse(u)
	x := rbtExchange{url: u, authz: req.Header.Get("Authorization") != "", cookie: len(c.http.Jar.Cookies(pu)) > 0, inm: req.Header.Get("If-None-Match")}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var body []byte
	if res.StatusCode != http.StatusNotModified {
		var raw json.RawMessage
		if err := json.NewDecoder(res.Body).Decode(&raw); err != nil {
			c.t.Fatalf("GET %s: %d, %v", u, res.StatusCode, err)
		}
		body = raw
	}
	x.status, x.wwwAuthenticate = res.StatusCode, res.Header.Values("WWW-Authenticate")
	c.log = append(c.log, x)
	switch {
	case res.StatusCode == http.StatusNotModified && e != nil:
		return c.decode(e.body), http.StatusOK
	case res.StatusCode/100 != 2:
		return c.decode(body), res.StatusCode
	}
	if ne := cacheEntry(res.Header, body); ne != nil {
		c.cache[u] = ne
	} else {
		delete(c.cache, u)
	}
	return c.decode(body), res.StatusCode
}

// cacheEntry is APICache._get_caching_info: nil when the answer may not
// be kept.
func cacheEntry(h http.Header, body []byte) *rbtEntry {
	noCache, maxAge := false, h.Get("Expires") != ""
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		d = strings.TrimSpace(d)
		switch {
		case d == "no-store":
			return nil
		case strings.HasPrefix(d, "no-cache"), d == "must-revalidate":
			noCache = true
		case strings.HasPrefix(d, "max-age"):
			maxAge = true
		}
	}
	etag := h.Get("ETag")
	if noCache && etag == "" && h.Get("Last-Modified") == "" {
		return nil
	}
	// Without no-cache, max-age or Expires an entry is fresh forever.
	return &rbtEntry{etag: etag, body: body, maxAgeOK: !noCache && !maxAge}
}

func (c *rbtClient) decode(b []byte) map[string]any {
	c.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("%v: %s", err, b)
	}
	return m
}

// withQuery is RBTools' query arguments: max_results=25 → max-results=25.
func withQuery(href string, q url.Values) string {
	if strings.Contains(href, "?") {
		return href + "&" + q.Encode()
	}
	return href + "?" + q.Encode()
}

type idName struct {
	ID   int64
	Name string
}

func TestDiscovery(t *testing.T) {
	facetest.ForEachBackend(t, func(t *testing.T, b facetest.Backend) {
		s := facetest.Start(t, b)
		walkerID, walkerTok := s.Signup("walker")
		s.Want(s.Do("PATCH", "/v1/me", walkerTok, map[string]any{"email": "walker@example.com", "private_profile": true}), 200)
		s.Signup("other")
		db := b.Open(t)
		for i := range 58 {
			storetest.MustCreate(t, db, fmt.Sprintf("user%02d", i), nil)
		}

		// The native API's list of the same users, in id order.
		var want []idName
		nm := s.Want(s.Do("GET", "/v1/users?limit=100&sort=id&filter="+url.QueryEscape("active = true"), walkerTok, nil), 200)
		for _, u := range nm["users"].([]any) {
			u := u.(map[string]any)
			want = append(want, idName{int64(u["id"].(float64)), u["name"].(string)})
		}
		if len(want) != 60 {
			t.Fatalf("native API lists %d users, want 60", len(want))
		}

		cache := rbtCache{}
		c := newRBT(t, cache, "walker", "password-walker")
		root, st := c.get(s.Base + "/reviewboard/api/")
		if st != 200 {
			t.Fatalf("root: %d %v", st, root)
		}
		usersHref := href(root, "users")
		tmpl, _ := root["uri_templates"].(map[string]any)
		if usersHref == "" || tmpl["users"] != usersHref || tmpl["user"] != usersHref+"{username}/" {
			t.Fatalf("root links %v, uri_templates %v", root["links"], tmpl)
		}

		// Page through with max-results=25, following links.next.
		var got []idName
		first := withQuery(usersHref, url.Values{"max-results": {"25"}})
		pages := 0
		for next := first; next != ""; pages++ {
			m, st := c.get(next)
			if st != 200 || m["total_results"] != float64(60) {
				t.Fatalf("page %s: %d, total %v", next, st, m["total_results"])
			}
			for _, u := range m["users"].([]any) {
				u := u.(map[string]any)
				got = append(got, idName{int64(u["id"].(float64)), u["username"].(string)})
				if u["username"] == "walker" && u["email"] != "walker@example.com" {
					t.Errorf("walker's own item without the Authorization header: %v", u)
				}
			}
			next = href(m, "next")
		}
		if pages != 3 || !slices.Equal(got, want) {
			t.Errorf("%d pages of %v\nwant %v", pages, got, want)
		}

		// The item through its uri_template.
		item, st := c.get(strings.Replace(tmpl["user"].(string), "{username}", "walker", 1))
		if u, _ := item["user"].(map[string]any); st != 200 || u["id"] != float64(walkerID) || u["fullname"] == nil {
			t.Errorf("walker by template: %d %v", st, item)
		}

		// Revalidation: the cached first page comes back 304 to the cookie.
		again, st := c.get(first)
		if last := c.log[len(c.log)-1]; st != 200 || last.status != http.StatusNotModified || last.inm == "" || last.authz || !last.cookie {
			t.Errorf("revalidation: %+v", last)
		}
		if len(again["users"].([]any)) != 25 {
			t.Errorf("the revalidated page: %v", again)
		}

		// Credentials went on the first request only; the cookie did the rest.
		for i, x := range c.log {
			if x.authz != (i == 0) || x.cookie == (i == 0) || x.status >= 400 {
				t.Errorf("request %d %s: Authorization %v, cookie %v, status %d", i, x.url, x.authz, x.cookie, x.status)
			}
		}

		// Another account on the same machine shares the cache: walker's
		// ETag must not revalidate for it, nor show it walker's e-mail.
		o := newRBT(t, cache, "other", "password-other")
		o.get(s.Base + "/reviewboard/api/")
		m, _ := o.get(first)
		if last := o.log[len(o.log)-1]; last.inm == "" || last.status != 200 {
			t.Errorf("other account with walker's entry: %+v", last)
		}
		for _, u := range m["users"].([]any) {
			if u := u.(map[string]any); u["username"] == "walker" && u["email"] != nil {
				t.Errorf("other sees walker's e-mail: %v", u)
			}
		}

		// A wrong password is 401 with exactly Review Board's challenge.
		bad := newRBT(t, rbtCache{}, "walker", "wrong")
		if _, st := bad.get(s.Base + "/reviewboard/api/"); st != 401 {
			t.Errorf("wrong password: %d", st)
		}
		if got := bad.log[0].wwwAuthenticate; len(got) != 1 || got[0] != `Basic realm="Web API"` {
			t.Errorf("WWW-Authenticate = %q", got)
		}
	})
}
