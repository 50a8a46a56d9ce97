package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/face/filterparam"
	"usersd/internal/face/userlayout"
	"usersd/internal/httpx"
	"usersd/internal/query"
)

// defaultColumns are the users table's columns until the viewer picks.
var defaultColumns = []string{"id", "name", "level", "active", "banned", "deleted", "created_at"}

// columnChoices are the columns one may pick: the top-level fields of the
// native user object (identity, standing, times).
var columnChoices = userlayout.Groups[0].Fields

// pageSizes are the page sizes offered.
var pageSizes = []int{20, 50, 100, 200}

// operators are the builder's operators, in the native filter language.
var operators = []struct {
	Text string
	Op   query.Op
}{
	{"=", query.Eq}, {"!=", query.Ne}, {"<", query.Lt}, {"<=", query.Le}, {">", query.Gt}, {">=", query.Ge},
	{"contains", query.Contains}, {"startswith", query.Prefix}, {"like", query.Like},
	{"is null", query.IsNull}, {"is not null", query.NotNull},
}

// column is one column of the table.
type column struct {
	Name     string
	Sortable bool
	SortLink string // the table sorted by this column (flipped if it is the sort)
	Sorted   string // "ascending", "descending" or ""
}

// row is one user as the table shows it.
type row struct {
	ID    int64
	Cells []string
}

// choice is a checkbox or option.
type choice struct {
	Value string
	On    bool
}

// usersPage is the users table's data.
type usersPage struct {
	Filter, Sort                   string
	Limit                          int
	Total                          bool
	Count                          int // -1 unless Total
	Columns                        []column
	Rows                           []row
	ColumnChoices, Fields, Ops     []choice
	Sizes                          []int
	NextLink, FirstLink, ThisQuery string
	Paged                          bool // on a page after the first
}

// handleUsers handles "GET /": the users table.
func (h *handler) handleUsers(w http.ResponseWriter, r *http.Request) {
	viewer := me(r.Context()).user
	q := r.URL.Query()
	if q.Get("add") != "" {
		// The builder: one condition from the selects, joined to the
		// filter text with &&, then the plain table URL.
		filter, err := addCondition(q.Get("filter"), q.Get("bf"), q.Get("bo"), q.Get("bv"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		q.Set("filter", filter)
		for _, k := range []string{"add", "bf", "bo", "bv", "cursor"} {
			q.Del(k)
		}
		http.Redirect(w, r, base(r)+"/?"+q.Encode(), http.StatusSeeOther)
		return
	}
	p := usersPage{Filter: q.Get("filter"), Sort: q.Get("sort"), Limit: 50, Total: q.Get("total") != "", Count: -1, Sizes: pageSizes}
	req := core.ListRequest{Limit: p.Limit, Cursor: q.Get("cursor"), Total: p.Total}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > query.MaxLimit {
			h.fail(w, r, core.FieldError("limit", fmt.Sprintf("must be an integer from 1 to %d", query.MaxLimit)))
			return
		}
		p.Limit, req.Limit = n, n
	}
	cols := q["col"]
	if len(cols) == 0 {
		cols = defaultColumns
	}
	cols = slices.DeleteFunc(slices.Clone(cols), func(c string) bool { return !slices.Contains(columnChoices, c) })
	for _, c := range columnChoices {
		p.ColumnChoices = append(p.ColumnChoices, choice{c, slices.Contains(cols, c)})
	}
	for _, f := range core.Users.Fields {
		if f.Filter && h.face.SearchesOn(f.Name, viewer) {
			p.Fields = append(p.Fields, choice{Value: f.Name, On: f.Name == q.Get("bf")})
		}
	}
	for _, o := range operators {
		p.Ops = append(p.Ops, choice{Value: o.Text, On: o.Text == q.Get("bo")})
	}
	for _, k := range []string{"bf", "bo", "bv"} {
		q.Del(k) // the builder's, read above; not part of the table's URL
	}
	p.ThisQuery = q.Encode()

	var problem string
	status := http.StatusOK
	var err error
	if req.Filter, err = filterparam.Parse(strings.TrimSpace(p.Filter)); err == nil {
		if req.Order, err = query.ParseOrder(p.Sort); err != nil {
			err = core.FieldError("sort", err.Error())
		}
	}
	var page *core.Page
	if err == nil {
		page, err = h.face.ListUsers(r.Context(), viewer, req)
	}
	if err != nil {
		if code := core.ErrorCode(err); code != core.Invalid && code != core.Forbidden {
			h.fail(w, r, err)
			return
		}
		problem, status = problemText(err), httpx.Status(core.ErrorCode(err))
		page = &core.Page{Total: -1}
	}

	sortField, desc := "", false
	if len(req.Order) > 0 {
		sortField, desc = req.Order[0].Field, req.Order[0].Desc
	}
	fields := make([]*core.Field, len(cols))
	for i, c := range cols {
		f := core.FieldByName(c)
		fields[i] = f
		col := column{Name: c, Sortable: f.Sort && h.face.SearchesOn(c, viewer)}
		if col.Sortable {
			next := c
			if c == sortField {
				col.Sorted = "ascending"
				if desc {
					col.Sorted = "descending"
				} else {
					next = "-" + c
				}
			}
			col.SortLink = link(r, q, "sort", next)
		}
		p.Columns = append(p.Columns, col)
	}
	for _, u := range page.Users {
		rw := row{ID: u.ID}
		for _, f := range fields {
			cell := ""
			if u.ShowsField(f) {
				cell = formatValue(f.Value(u))
				if f.Name == "level" {
					cell += " " + levelName(u.Level)
				}
			}
			rw.Cells = append(rw.Cells, cell)
		}
		p.Rows = append(p.Rows, rw)
	}
	p.Count = page.Total
	if page.NextCursor != "" {
		p.NextLink = link(r, q, "cursor", page.NextCursor)
	}
	if req.Cursor != "" {
		p.Paged, p.FirstLink = true, link(r, q, "cursor", "")
	}
	h.render(w, r, status, "users", "Users", problem, p)
}

// link is the table's URL with one parameter changed ("" removes it); a
// new sort starts at the first page.
func link(r *http.Request, q url.Values, key, value string) string {
	c := url.Values{}
	for k, vs := range q {
		c[k] = slices.Clone(vs)
	}
	if key == "sort" {
		c.Del("cursor")
	}
	if value == "" {
		c.Del(key)
	} else {
		c.Set(key, value)
	}
	return base(r) + "/?" + c.Encode()
}

// addCondition joins the condition "field op value" to filter with &&,
// written by the filter language's own printer so that quoting is right;
// the value is a number or true/false when the field's kind says so.
func addCondition(filter, field, op, value string) (string, error) {
	f := core.FieldByName(field)
	if f == nil {
		return "", core.FieldError("bf", "is not a field")
	}
	c := &query.Cond{Field: field, Op: -1}
	for _, o := range operators {
		if o.Text == op {
			c.Op = o.Op
		}
	}
	if c.Op < 0 {
		return "", core.FieldError("bo", "is not an operator")
	}
	if c.Op != query.IsNull && c.Op != query.NotNull {
		c.Value = value
		switch f.Kind {
		case core.KindInt:
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil {
				return "", core.FieldError("bv", field+" takes an integer")
			}
			c.Value = n
		case core.KindBool:
			b, err := strconv.ParseBool(strings.TrimSpace(value))
			if err != nil {
				return "", core.FieldError("bv", field+" takes true or false")
			}
			c.Value = b
		}
	}
	return andCond(filter, c), nil
}

// andCond joins condition c to filter with && (the audit log's builder
// too), parenthesizing an || before it.
func andCond(filter string, c query.Expr) string {
	cond := query.String(c)
	if strings.TrimSpace(filter) == "" {
		return cond
	}
	if e, err := query.Parse(filter); err == nil {
		if _, isOr := e.(query.Or); isOr {
			filter = "(" + filter + ")" // && binds tighter than ||
		}
	}
	return filter + " && " + cond
}
