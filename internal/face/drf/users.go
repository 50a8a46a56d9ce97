package drf

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/djangofilter"
	"usersd/internal/face/paging"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

// Page sizes (spec/drf.md §4.1): Akinon's default; max_page_size is not
// published.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// nothing is a filter no row matches.
var nothing query.Expr = query.Or{}

// levelAtLeast filters a Django flag derived from the level (fields.md
// §3.0.1): true is level ≥ n, false below it.
func levelAtLeast(n int64) func(v any) query.Expr {
	return func(v any) query.Expr {
		op := query.Lt
		if v.(bool) {
			op = query.Ge
		}
		return &query.Cond{Field: "level", Op: op, Value: n}
	}
}

var (
	number = []string{djangofilter.Exact, djangofilter.GT, djangofilter.GTE, djangofilter.LT, djangofilter.LTE}
	exact  = []string{djangofilter.Exact}
	char   = func(field string) djangofilter.Filter {
		return djangofilter.Filter{Field: field, Kind: djangofilter.Char, Lookups: exact}
	}
	flag = func(field string) djangofilter.Filter {
		return djangofilter.Filter{Field: field, Kind: djangofilter.Bool, Lookups: exact}
	}
	choiceOf = func(field string, values ...string) djangofilter.Filter {
		m := map[string]string{}
		for _, v := range values {
			m[v] = v
		}
		return djangofilter.Filter{Field: field, Kind: djangofilter.Choice, Lookups: exact, Choices: m}
	}
)

// filters are the seed's query parameters (spec/drf.md §4.3,
// spec/fields.md §3.6).
var filters = djangofilter.Set{
	"id":            {Field: "id", Kind: djangofilter.Number, Lookups: number},
	"username":      char("name"),
	"email":         char("email"),
	"first_name":    char("first_name"),
	"last_name":     char("last_name"),
	"phone":         char("phone"),
	"language_code": char("language"),
	"gender":        choiceOf("gender", "male", "female"),
	"user_type":     choiceOf("user_type", "guest", "registered"),
	"is_active":     flag("active"),
	"is_staff":      {Kind: djangofilter.Bool, Lookups: exact, Build: levelAtLeast(core.LevelModerator)},
	"is_superuser":  {Kind: djangofilter.Bool, Lookups: exact, Build: levelAtLeast(core.LevelAdmin)},
	"is_anonymized": flag("anonymized"),
	"email_allowed": flag("email_allowed"),
	"sms_allowed":   flag("sms_allowed"),
	"call_allowed":  flag("call_allowed"),
	"date_joined":   {Field: "created_at", Kind: djangofilter.DateTime, Lookups: exact},
	"last_login":    {Field: "last_login_at", Kind: djangofilter.DateTime, Lookups: exact},
	"modified_date": {Field: "updated_at", Kind: djangofilter.DateTime, Lookups: number},
	"date_of_birth": {Field: "date_of_birth", Kind: djangofilter.Date, Lookups: exact},
	// The hash is never compared (fields.md §5 Q4): any value matches
	// nothing, so the parameter is no oracle.
	"password": {Kind: djangofilter.Char, Lookups: exact, Build: func(any) query.Expr { return nothing }},
	// JSON containment (spec/drf.md §4.3's recommendation).
	"attributes":                  contains("attributes"),
	"attributes_kwargs":           contains("attributes_kwargs"),
	"localized_attributes":        contains("localized_attributes"),
	"localized_attributes_kwargs": contains("localized_attributes_kwargs"),
}

func contains(field string) djangofilter.Filter {
	return djangofilter.Filter{Kind: djangofilter.JSON, Lookups: exact, Build: func(v any) query.Expr {
		return &query.Cond{Field: field, Op: query.JSONContains, Value: v}
	}}
}

// relationFilters are the model multiple choice filters (groups, direct
// permissions): each parameter is named as its query relation.
var relationFilters = []string{query.Groups, query.UserPermissions}

// ordering maps sort names to registry fields (§4.2).
var ordering = map[string]string{
	"id": "id", "username": "name", "email": "email", "first_name": "first_name", "last_name": "last_name",
	"date_joined": "created_at", "last_login": "last_login_at", "modified_date": "updated_at", "date_of_birth": "date_of_birth",
}

// filter compiles the request's filters; a bad value is a core Invalid
// error keyed by parameter. The relation filters' ids are checked with the
// core, which also says whether viewer may filter on them.
func (h *handler) filter(r *http.Request, viewer *core.User) (query.Expr, error) {
	params := r.URL.Query()
	problems := map[string]string{}
	e, err := filters.Parse(params, djangofilter.Options{})
	if err != nil {
		for k, v := range core.AsError(err).Fields {
			problems[k] = v
		}
	}
	var and query.And
	for _, name := range relationFilters {
		vals, ok := params[name]
		if !ok {
			continue
		}
		cond, msg, err := h.related(r, viewer, name, vals)
		switch {
		case err != nil && len(problems) > 0 && core.ErrorCode(err) == core.Forbidden:
			// The other parameters' 400 comes first, as for fields the
			// viewer may not filter on.
		case err != nil:
			return nil, err
		case msg != "":
			problems[name] = msg
		default:
			and = append(and, cond)
		}
	}
	if len(problems) > 0 {
		return nil, &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: problems}
	}
	if len(and) == 0 {
		return e, nil
	}
	if e != nil {
		and = append(and, e)
	}
	return and, nil
}

// related is one ModelMultipleChoiceFilter: any of the ids (OR), each of
// which must name a row, else Django's message for the first that does
// not.
func (h *handler) related(r *http.Request, viewer *core.User, name string, vals []string) (query.Expr, string, error) {
	pks, msg := djangofilter.PKs(vals)
	if msg != "" {
		return nil, msg, nil
	}
	var ids []any
	var exact []int64
	for _, pk := range pks {
		if pk.Exact {
			exact = append(exact, pk.ID)
		}
	}
	unknown, err := h.svc.UnknownRelated(r.Context(), viewer, name, exact)
	if err != nil {
		return nil, "", err
	}
	for _, pk := range pks {
		if !pk.Exact || slices.Contains(unknown, pk.ID) {
			return nil, djangofilter.InvalidChoice(pk.Text), nil
		}
		ids = append(ids, pk.ID)
	}
	return &query.Cond{Field: name, Op: query.In, Values: ids}, "", nil
}

// order is the sort parameter's order, id last as the tie-break.
func order(params url.Values) []query.Order {
	var os []query.Order
	if vs := params["sort"]; len(vs) > 0 {
		os = djangofilter.Ordering(vs[len(vs)-1], ordering)
	}
	for _, o := range os {
		if o.Field == "id" {
			return os
		}
	}
	return append(os, query.Order{Field: "id"})
}

// pageLimit is the limit parameter: a positive integer, capped; anything
// else is the default (PageNumberPagination.get_page_size).
func pageLimit(params url.Values) int {
	vs := params["limit"]
	if len(vs) == 0 {
		return defaultLimit
	}
	n, ok := pyInt(vs[len(vs)-1])
	if !ok || n <= 0 {
		return defaultLimit
	}
	return int(min(n, maxLimit))
}

// pyInt is Python's int() of text, as Django's paginator and DRF's
// _positive_int call it: surrounding whitespace, a sign, and single
// underscores between digits are allowed ("١" and other non-ASCII
// digits, which Python also takes, are not). Values past int64 fail.
func pyInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil || strings.ContainsAny(s, "+-") {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// list is GET /users/.
func (h *handler) list(w http.ResponseWriter, r *http.Request, viewer *core.User) {
	params := r.URL.Query()
	f, err := h.filter(r, viewer)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	limit := pageLimit(params)
	ord := order(params)
	// Django's Paginator.validate_number: "last", else a whole number ≥ 1
	// within the pages; "" is page 1.
	raw := ""
	if vs := params["page"]; len(vs) > 0 {
		raw = vs[len(vs)-1]
	}
	number := 1
	last := raw == "last"
	if raw != "" && !last {
		n, ok := pyInt(raw)
		if !ok || n < 1 || n > core.MaxOffset {
			detail(w, http.StatusNotFound, msgInvalidPage)
			return
		}
		number = int(n)
	}
	if last {
		pg, err := h.svc.ListUsers(r.Context(), viewer, core.ListRequest{Filter: f, Order: ord, Limit: 1, Total: true})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		number = max(1, (pg.Total+limit-1)/limit)
	}
	if (number-1)*limit > core.MaxOffset {
		detail(w, http.StatusNotFound, msgInvalidPage)
		return
	}
	pg, err := h.svc.ListUsers(r.Context(), viewer, core.ListRequest{Filter: f, Order: ord, Limit: limit, Offset: (number - 1) * limit, Total: true})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if number > 1 && len(pg.Users) == 0 {
		detail(w, http.StatusNotFound, msgInvalidPage)
		return
	}
	rels, err := h.relations(r, viewer, pg.Users)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	links := paging.NumberedLinks(httpx.AbsoluteURL(r, "/users/"), params, "page", number, number*limit < pg.Total)
	write(w, http.StatusOK, h.page(r, pg, rels, links))
}

// detail is GET /users/{id}/: the lookup runs through the list's filters
// (generics.get_object filters the queryset first).
func (h *handler) detail(w http.ResponseWriter, r *http.Request, viewer *core.User, idText string) {
	f, err := h.filter(r, viewer)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id, ok := pyInt(idText)
	if !ok || id < 1 {
		detail(w, http.StatusNotFound, msgNotFound)
		return
	}
	cond := query.Expr(&query.Cond{Field: "id", Op: query.Eq, Value: id})
	if f != nil {
		cond = query.And{cond, f}
	}
	pg, err := h.svc.ListUsers(r.Context(), viewer, core.ListRequest{Filter: cond, Order: []query.Order{{Field: "id"}}, Limit: 1})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(pg.Users) == 0 {
		detail(w, http.StatusNotFound, msgNotFound)
		return
	}
	rels, err := h.relations(r, viewer, pg.Users)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, h.user(r, pg.Users[0], rels))
}

// relations are the groups and direct permissions of a page's users.
type relations struct {
	groups map[int64][]*core.Group
	perms  map[int64][]*core.Permission
}

func (h *handler) relations(r *http.Request, viewer *core.User, users []*core.User) (relations, error) {
	var rel relations
	var err error
	if rel.groups, err = h.svc.UserGroups(r.Context(), viewer, users); err != nil {
		return rel, err
	}
	rel.perms, err = h.svc.UserPermissions(r.Context(), viewer, users)
	return rel, err
}
