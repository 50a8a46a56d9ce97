package e621

import (
	"bytes"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/doc"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

// The legacy v1 API (spec/e621.md Part A): GET /user/index.{json,xml} and
// /user/show.{json,xml}. Its object is public and the same for every viewer.

// Legacy formats.
const (
	formatJSON = "json"
	formatXML  = "xml"
)

// legacyDefaultLimit is Danbooru 1's users page size; limit=1..100 is a
// usersd extension.
const (
	legacyDefaultLimit = 20
	legacyMaxLimit     = 100
	// legacyMaxOffset ends deep legacy pages with [] rather than scanning
	// past a million rows.
	legacyMaxOffset = 1_000_000
)

// legacyTimeFormat is the join time as the legacy API printed it: minute
// precision, no zone; usersd prints UTC (A.7).
const legacyTimeFormat = "2006-01-02 15:04"

// callbackRE is the JSONP callback names usersd accepts (A.2).
var callbackRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$.]*$`)

// legacyRequest is what every legacy handler reads first.
type legacyRequest struct {
	format   string
	callback string
	params   *param
	caller   *core.User
}

// legacyOrders maps order= to sort keys (A.4); ties break by id DESC.
var legacyOrders = map[string]query.Order{
	"name":      {Field: "name"},
	"posts":     {Field: "post_active_count", Desc: true},
	"deleted":   {Field: "post_deleted_count", Desc: true},
	"notes":     {Field: "note_update_count", Desc: true},
	"tagedits":  {Field: "post_update_count", Desc: true},
	"taggedits": {Field: "post_update_count", Desc: true},
	"date":      {Field: "created_at", Desc: true},
	"record":    {Field: "feedback_score", Desc: true},
}

// serveLegacy dispatches the legacy routes: /user, /user/index,
// /user/show and /user/show/{id}, each with an optional .json or .xml.
func (h *handler) serveLegacy(w http.ResponseWriter, r *http.Request, segs []string) {
	last := segs[len(segs)-1]
	stem, ext, _ := strings.Cut(last, ".")
	for _, s := range segs[:len(segs)-1] {
		if strings.Contains(s, ".") {
			ext = "-" // only the last segment may carry a format
		}
	}
	segs = append(segs[:len(segs)-1:len(segs)-1], stem)
	format := formatJSON
	switch ext {
	case "json":
	case "xml":
		format = formatXML
	case "":
		// Danbooru 1 answered HTML or, by Accept, another format; usersd
		// has no HTML and answers JSON unless XML is asked for.
		if a := r.Header.Get("Accept"); (strings.Contains(a, "/xml") || strings.Contains(a, "+xml")) && !strings.Contains(a, "json") {
			format = formatXML
		}
	default:
		writeLegacyError(w, formatJSON, "", http.StatusNotFound, "not found")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeLegacyError(w, format, "", http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	params := newHash()
	parseQuery(params, r.URL.RawQuery)
	if r.Method == http.MethodPost {
		body, err := readBody(r)
		if err != nil {
			writeLegacyError(w, format, "", http.StatusRequestEntityTooLarge, "request body is too large")
			return
		}
		if _, err := parseBody(params, r.Header.Get("Content-Type"), body); err != nil {
			writeLegacyError(w, format, "", http.StatusBadRequest, "invalid parameters")
			return
		}
	}
	req := legacyRequest{format: format, params: params}
	if cb, ok := params.text("callback"); ok && cb != "" && format == formatJSON {
		if !callbackRE.MatchString(cb) || len(cb) > 100 {
			writeLegacyError(w, format, "", 424, "invalid parameters")
			return
		}
		req.callback = cb
	}
	req.caller = h.legacyCaller(r, params)
	switch {
	case len(segs) == 1 && segs[0] == "user", len(segs) == 2 && segs[1] == "index":
		httpx.SetRoute(r.Context(), r.Method+" /user/index")
		h.legacyIndex(w, r, req)
	case len(segs) == 2 && segs[1] == "show":
		httpx.SetRoute(r.Context(), r.Method+" /user/show")
		id, _ := params.text("id")
		h.legacyShow(w, r, req, id, params.get("id") != nil)
	case len(segs) == 3 && segs[1] == "show":
		httpx.SetRoute(r.Context(), r.Method+" /user/show/{id}")
		h.legacyShow(w, r, req, segs[2], true)
	default:
		writeLegacyError(w, format, req.callback, http.StatusNotFound, "not found")
	}
}

// legacyIndex handles "GET /user/index": a JSON array or XML list.
func (h *handler) legacyIndex(w http.ResponseWriter, r *http.Request, req legacyRequest) {
	p := req.params
	var and query.And
	empty := false
	if s, ok := p.text("id"); ok && s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			empty = true // unparsable ids match nothing (A.8)
		}
		and = append(and, &query.Cond{Field: "id", Op: query.Eq, Value: id})
	}
	if s, ok := p.text("name"); ok && s != "" {
		and = append(and, &query.Cond{Field: "name", Op: query.Like, Value: "*" + legacyPattern(s) + "*"})
	}
	if s, ok := p.text("level"); ok && s != "" && s != "-1" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			empty = true
		}
		if f := legacyLevels.filter(func(l int) bool { return l == n }); f != nil {
			and = append(and, f)
		}
	}
	order := []query.Order{{Field: "id", Desc: true}}
	orderName, _ := p.text("order")
	if o, ok := legacyOrders[orderName]; ok {
		order = []query.Order{o, {Field: "id", Desc: true}}
	}
	limit := legacyDefaultLimit
	if s, ok := p.text("limit"); ok && s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 {
			limit = min(n, legacyMaxLimit)
		}
	}
	page := 1
	if s, ok := p.text("page"); ok {
		if n, err := strconv.Atoi(s); err == nil && n > 1 {
			page = n
		} else if err != nil && digitsRE.MatchString(s) {
			empty = true // beyond any page
		}
	}
	var users []*core.User
	if !empty && (page-1) <= legacyMaxOffset/limit {
		res, err := h.svc.ListUsers(r.Context(), req.caller, core.ListRequest{
			Filter: and, Order: order, Limit: limit, Offset: (page - 1) * limit, MaxOffset: legacyMaxOffset,
		})
		if err != nil {
			h.legacyInternal(w, r, req, err)
			return
		}
		users = res.Users
	}
	var b bytes.Buffer
	if req.format == formatXML {
		x := newLegacyXML()
		if len(users) == 0 {
			x.Empty("users", doc.Attrs("type", "array"))
		} else {
			x.Open("users", doc.Attrs("type", "array"))
			for _, u := range users {
				writeLegacyUserXML(x, u)
			}
			x.Close("users")
		}
		httpx.Raw(w, http.StatusOK, contentTypeXML, x.Bytes())
		return
	}
	b.WriteByte('[')
	for i, u := range users {
		if i > 0 {
			b.WriteByte(',')
		}
		appendLegacyJSON(&b, u)
	}
	b.WriteByte(']')
	writeLegacyJSON(w, http.StatusOK, req.callback, b.Bytes())
}

// legacyShow handles "GET /user/show": one object, by id, by name, or the
// caller; 404 without any of them (A.5).
func (h *handler) legacyShow(w http.ResponseWriter, r *http.Request, req legacyRequest, id string, hasID bool) {
	var u *core.User
	var err error
	name, _ := req.params.text("name")
	switch {
	case hasID && id != "":
		n, perr := strconv.ParseInt(id, 10, 64)
		if perr != nil || n < 1 {
			if perr != nil && !digitsRE.MatchString(id) {
				writeLegacyError(w, req.format, req.callback, 424, "invalid parameters")
				return
			}
			err = core.Errorf(core.NotFound, "not found")
			break
		}
		u, err = h.svc.GetUserByID(r.Context(), req.caller, n)
	case name != "":
		u, err = h.userByName(r, req.caller, name)
	case req.caller != nil:
		u = req.caller
	default:
		err = core.Errorf(core.NotFound, "not found")
	}
	if err != nil {
		if core.ErrorCode(err) == core.NotFound {
			writeLegacyError(w, req.format, req.callback, http.StatusNotFound, "not found")
			return
		}
		h.legacyInternal(w, r, req, err)
		return
	}
	var b bytes.Buffer
	if req.format == formatXML {
		x := newLegacyXML()
		writeLegacyUserXML(x, u)
		httpx.Raw(w, http.StatusOK, contentTypeXML, x.Bytes())
		return
	}
	appendLegacyJSON(&b, u)
	writeLegacyJSON(w, http.StatusOK, req.callback, b.Bytes())
}

// legacyPattern escapes a legacy name search for a Like pattern: "*" stays
// a wildcard, every other character (%, _, ?, \) is literal.
func legacyPattern(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case '\\', '?':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// The legacy object's stats, in the documented order (A.7).
func legacyStats(u *core.User) [14]struct {
	name string
	v    int64
} {
	return [14]struct {
		name string
		v    int64
	}{
		{"post_count", u.PostActiveCount},
		{"del_post_count", u.PostDeletedCount},
		{"edit_count", u.PostUpdateCount},
		{"favorite_count", u.FavoriteCount},
		{"wiki_count", u.WikiPageVersionCount},
		{"forum_post_count", u.ForumPostCount},
		{"note_count", u.NoteUpdateCount},
		{"comment_count", u.CommentCount},
		{"blip_count", u.BlipCount},
		{"set_count", u.SetCount},
		{"pool_update_count", u.PoolVersionCount},
		{"pos_user_records", u.PositiveFeedbackCount},
		{"neutral_user_records", u.NeutralFeedbackCount},
		{"neg_user_records", u.NegativeFeedbackCount},
	}
}

func legacyCreatedAt(u *core.User) string { return u.CreatedAt.UTC().Format(legacyTimeFormat) }

// appendLegacyJSON renders the legacy object: name, id, level, created_at,
// avatar_id, stats, artist_tags (A.7). Nothing private, for any viewer.
func appendLegacyJSON(b *bytes.Buffer, u *core.User) {
	o := doc.NewObject()
	o.Add("name", doc.String(u.Name))
	o.Add("id", doc.Int(u.ID))
	o.Add("level", doc.Int(int64(legacyLevels.render(u))))
	o.Add("created_at", doc.String(legacyCreatedAt(u)))
	o.Add("avatar_id", doc.IntOrNull(u.AvatarPostID))
	stats := doc.NewObject()
	for _, st := range legacyStats(u) {
		stats.Add(st.name, doc.Int(st.v))
	}
	o.Add("stats", doc.Obj(stats))
	var tags []doc.Value
	for _, t := range artistTags(u.ArtistTags) {
		tags = append(tags, doc.String(t))
	}
	o.Add("artist_tags", doc.Array(tags...))
	b.Write(ngJSON.Marshal(doc.Obj(o)))
}

// newLegacyXML starts a legacy XML document.
func newLegacyXML() *doc.Writer {
	return doc.NewWriter(`<?xml version="1.0" encoding="UTF-8"?>`+"\n", "  ", doc.LegacyEscaping)
}

// writeLegacyUserXML renders one <user> element: scalar fields as
// attributes, stats as an empty element with attributes, and artist_tags
// as child elements (A.7.2).
func writeLegacyUserXML(x *doc.Writer, u *core.User) {
	avatar := ""
	if u.AvatarPostID != nil {
		avatar = strconv.FormatInt(*u.AvatarPostID, 10)
	}
	x.Open("user", doc.Attrs("name", u.Name, "id", strconv.FormatInt(u.ID, 10),
		"level", strconv.Itoa(legacyLevels.render(u)), "created_at", legacyCreatedAt(u), "avatar_id", avatar))
	var stats []doc.Attr
	for _, st := range legacyStats(u) {
		stats = append(stats, doc.Attr{Name: st.name, Value: strconv.FormatInt(st.v, 10)})
	}
	x.Empty("stats", stats)
	tags := artistTags(u.ArtistTags)
	if len(tags) == 0 {
		x.Empty("artist_tags", nil)
	} else {
		x.Open("artist_tags", nil)
		for _, t := range tags {
			x.Leaf("artist_tag", nil, t)
		}
		x.Close("artist_tags")
	}
	x.Close("user")
}

// writeLegacyJSON writes a JSON body, wrapped as JSONP when asked (A.2).
func writeLegacyJSON(w http.ResponseWriter, status int, callback string, body []byte) {
	if callback != "" {
		httpx.Raw(w, status, contentTypeScript, []byte(callback+"("+string(body)+")"))
		return
	}
	httpx.Raw(w, status, contentTypeJSON, body)
}

// writeLegacyError writes {"success":false,"reason":…} or its XML form
// (A.8).
func writeLegacyError(w http.ResponseWriter, format, callback string, status int, reason string) {
	if format == formatXML {
		x := newLegacyXML()
		x.Empty("response", doc.Attrs("success", "false", "reason", reason))
		httpx.Raw(w, status, contentTypeXML, x.Bytes())
		return
	}
	o := doc.NewObject()
	o.Add("success", doc.Bool(false))
	o.Add("reason", doc.String(reason))
	writeLegacyJSON(w, status, callback, ngJSON.Marshal(doc.Obj(o)))
}

func (h *handler) legacyInternal(w http.ResponseWriter, r *http.Request, req legacyRequest, err error) {
	if e := core.AsError(err); e.Code == core.Unavailable {
		// The legacy API's 503 (A.8), here for overload.
		setRetryAfter(w, e)
		writeLegacyError(w, req.format, req.callback, http.StatusServiceUnavailable, "rate limited")
		return
	}
	h.log.Error("e621: internal error", "request_id", httpx.RequestID(r.Context()), "err", err)
	writeLegacyError(w, req.format, req.callback, http.StatusInternalServerError, "internal error")
}
