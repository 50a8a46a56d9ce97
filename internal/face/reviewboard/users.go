package reviewboard

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/face/paging"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

const (
	defaultMaxResults = 25
	maxMaxResults     = 200
)

// link is a {"href", "method"} object; djblets adds method first.
func link(href, method string) doc.Value {
	o := doc.NewObject()
	o.Add("method", doc.String(method))
	o.Add("href", doc.String(href))
	return doc.Obj(o)
}

// root answers GET /api/: the URI templates and links by which RBTools
// finds the users resource, limited to what this face serves.
func (h *handler) root(w http.ResponseWriter, r *http.Request, rq *request, _ string) {
	users := httpx.AbsoluteURL(r, "/api/users/")
	tmpl := doc.NewObject()
	tmpl.Add("user", doc.String(users+"{username}/"))
	tmpl.Add("users", doc.String(users))
	links := doc.NewObject()
	links.Add("self", link(httpx.AbsoluteURL(r, "/api/"), "GET"))
	links.Add("users", link(users, "GET"))
	rsp := doc.NewObject()
	rsp.Add("stat", doc.String("ok"))
	rsp.Add("links", doc.Obj(links))
	rsp.Add("uri_templates", doc.Obj(tmpl))
	h.write(w, rq, http.StatusOK, "root", rsp)
}

// get is Django's QueryDict.get: the last value of key, or "".
func get(q url.Values, key string) string {
	if vs := q[key]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

// truthy is Python truthiness of a query value: present and non-empty.
func truthy(q url.Values, key string) bool { return get(q, key) != "" }

// intParam reads start or max-results as djblets' IntFieldType.
func intParam(q url.Values, key string, def int) (int, string, bool) {
	s, ok := q[key]
	if !ok {
		return def, "", true
	}
	v := s[len(s)-1]
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, strconv.Quote(v) + " is not an integer", false
	}
	return n, "", true
}

// list answers GET /api/users/ (spec §4).
func (h *handler) list(w http.ResponseWriter, r *http.Request, rq *request, _ string) {
	q := rq.q
	start, msg, ok := intParam(q, "start", 0)
	if !ok {
		h.fieldError(w, rq, "start", msg)
		return
	}
	start = max(start, 0)
	limit, msg, ok := intParam(q, "max-results", defaultMaxResults)
	if !ok {
		h.fieldError(w, rq, "max-results", msg)
		return
	}
	if limit < 0 {
		h.fieldError(w, rq, "max-results", "must be at least 0")
		return
	}
	limit = min(limit, maxMaxResults)

	var filter query.And
	if ia := get(q, "include-inactive"); ia != "1" && !strings.EqualFold(ia, "true") {
		filter = append(filter, &query.Cond{Field: "active", Op: query.Eq, Value: true})
	}
	if s := get(q, "q"); s != "" {
		or := query.Or{&query.Cond{Field: "name", Op: query.Prefix, Value: s}}
		if truthy(q, "fullname") {
			// Where a deployment drops the search grants, names are not
			// searched for viewers not shown them.
			for _, f := range []string{"first_name", "last_name"} {
				if h.svc.SearchesOn(f, rq.caller) {
					or = append(or, &query.Cond{Field: f, Op: query.Prefix, Value: s})
				}
			}
		}
		filter = append(filter, or)
	}
	var expr query.Expr
	if len(filter) > 0 {
		expr = filter
	}

	// The count comes with a one-row page; rows come when the page has
	// any and starts within the core's offset range (past it the page is
	// empty anyway on any store this face serves).
	lr := core.ListRequest{Filter: expr, Limit: 1, Total: true}
	fetch := limit > 0 && start <= core.MaxOffset && !truthy(q, "counts-only")
	if fetch {
		lr.Limit, lr.Offset = limit, start
	}
	page, err := h.svc.ListUsers(r.Context(), rq.caller, lr)
	if err != nil {
		h.coreError(w, r, rq, err)
		return
	}
	rsp := doc.NewObject()
	rsp.Add("stat", doc.String("ok"))
	if truthy(q, "counts-only") {
		rsp.Add("count", doc.Int(int64(page.Total)))
		h.write(w, rq, http.StatusOK, "users", rsp)
		return
	}
	var users []*core.User
	if fetch {
		users = page.Users
	}
	items := make([]doc.Value, len(users))
	for i, u := range users {
		items[i] = doc.Obj(h.userDoc(r, rq, u))
	}
	rsp.Add("users", doc.Array(items...))
	base := httpx.AbsoluteURL(r, "/api/users/")
	self := base
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	links := doc.NewObject()
	links.Add("self", link(self, "GET"))
	// POST is an allowed method: djblets links it for every caller.
	links.Add("create", link(base, "POST"))
	pl := paging.StartLinks(base, q, start, limit, len(users), page.Total)
	if pl.Previous != "" {
		links.Add("prev", link(pl.Previous, "GET"))
	}
	if pl.Next != "" {
		links.Add("next", link(pl.Next, "GET"))
	}
	rsp.Add("links", doc.Obj(links))
	rsp.Add("total_results", doc.Int(int64(page.Total)))
	w.Header().Set("Item-Content-Type", vendor("user", rq.xml))
	h.write(w, rq, http.StatusOK, "users", rsp)
}

// item answers GET /api/users/{username}/ (spec §5): exact,
// case-sensitive match on the name; inactive users are shown.
func (h *handler) item(w http.ResponseWriter, r *http.Request, rq *request, name string) {
	u, err := h.svc.GetUserByName(r.Context(), rq.caller, name)
	if err == nil && u.Name != name {
		err = core.Errorf(core.NotFound, "not found")
	}
	if err != nil {
		h.coreError(w, r, rq, err)
		return
	}
	h.writeUser(w, r, rq, http.StatusOK, u)
}

// writeUser answers one user item: GET, create and update alike.
func (h *handler) writeUser(w http.ResponseWriter, r *http.Request, rq *request, status int, u *core.User) {
	rsp := doc.NewObject()
	rsp.Add("stat", doc.String("ok"))
	rsp.Add("user", doc.Obj(h.userDoc(r, rq, u)))
	h.write(w, rq, status, "user", rsp)
}

// gravatar is djblets' Gravatar URL at size with RB's "mm" default. The
// hash is of the address the viewer is shown: where the core hid it the
// hash is all zeros (doc.go).
func gravatar(email string, size int) string {
	sum := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(email))))
	hash := hex.EncodeToString(sum[:])
	if email == "" {
		hash = strings.Repeat("0", 32)
	}
	return "https://secure.gravatar.com/avatar/" + hash + "?s=" + strconv.Itoa(size) + "&d=mm"
}

// userDoc is a user item (spec §6) in RB's field order; hidden fields
// are absent, as the core redacted them.
func (h *handler) userDoc(r *http.Request, rq *request, u *core.User) *doc.Object {
	o := doc.NewObject()
	email := ""
	if u.Email != nil {
		email = *u.Email
	}
	o.Add("avatar_html", avatarHTML(rq, u, email))
	o.Add("avatar_url", doc.String(gravatar(email, 48)))
	if !rq.xml {
		// "1x" is no XML element name; see doc.go.
		urls := doc.NewObject()
		for i, k := range []string{"1x", "2x", "3x"} {
			urls.Add(k, doc.String(gravatar(email, 48*(i+1))))
		}
		o.Add("avatar_urls", doc.Obj(urls))
	}
	o.Add("is_active", doc.Bool(u.Active))
	o.Add("id", doc.Int(u.ID))
	o.Add("username", doc.String(u.Name))
	first, last := u.Shows("first_name"), u.Shows("last_name")
	if first {
		o.Add("first_name", doc.String(u.FirstName))
	}
	if last {
		o.Add("last_name", doc.String(u.LastName))
	}
	if first && last {
		o.Add("fullname", doc.String(strings.TrimSpace(u.FirstName+" "+u.LastName)))
	}
	if u.Shows("email") {
		o.Add("email", doc.String(email))
	}
	o.Add("url", doc.String("/users/"+url.PathEscape(u.Name)+"/"))
	self := httpx.AbsoluteURL(r, "/api/users/"+url.PathEscape(u.Name)+"/")
	// djblets adds self, then update (PUT is allowed), then the
	// children; XML keeps that order, JSON sorts.
	links := doc.NewObject()
	links.Add("self", link(self, "GET"))
	links.Add("update", link(self, "PUT"))
	for _, child := range []string{"api_tokens", "archived_review_requests", "muted_review_requests", "user_file_attachments", "watched"} {
		links.Add(child, link(self+strings.ReplaceAll(child, "_", "-")+"/", "GET"))
	}
	return rq.trim(o, links)
}
