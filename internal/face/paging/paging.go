// Package paging is the faces' pager: numbered pages, Rails paginators'
// before/after-id pages ("b123", "a123"), limit/offset pages and opaque
// cursors, each turned into the filter, order and offset of one list
// request, plus the next/previous links of the Django REST framework and
// Review Board styles. Each face keeps its own limits, clamps and error
// messages and passes them in.
package paging

import (
	"encoding/base64"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"usersd/internal/core"
	"usersd/internal/query"
)

// Mode is how a page is addressed.
type Mode int

// Modes.
const (
	Numbered Mode = iota // page N of Limit rows, from 1
	Before               // rows with id below ID, newest first
	After                // rows with id above ID: fetched ascending, shown newest first
	Offset               // Limit rows after skipping Skip
	Cursor               // Limit rows past a cursor's position (by id)
)

// Page is one page request.
type Page struct {
	Mode   Mode
	Limit  int
	Number int   // Numbered
	ID     int64 // Before, After: the id bound; Cursor: the last id seen
	Skip   int   // Offset
	// Reverse, for a Cursor, walks backwards (a "previous" cursor).
	Reverse bool
}

// seekRE and seekFoldRE match a before/after page value.
var (
	seekRE     = regexp.MustCompile(`^([ab])(\d+)$`)
	seekFoldRE = regexp.MustCompile(`^([abAB])(\d+)$`)
)

// Seek reads a Rails paginator's "b<id>" or "a<id>" page value; fold
// accepts "B" and "A" too (Danbooru's regexps are case-insensitive,
// e621's are not). digits is the id's text, for the face to range-check.
func Seek(s string, fold bool) (mode Mode, digits string, ok bool) {
	re := seekRE
	if fold {
		re = seekFoldRE
	}
	m := re.FindStringSubmatch(s)
	if m == nil {
		return Numbered, "", false
	}
	if m[1] == "a" || m[1] == "A" {
		return After, m[2], true
	}
	return Before, m[2], true
}

// Apply narrows a list to the page: it returns the filter (filter AND
// the page's id bound), the order (seek pages order by id alone; other
// modes keep order) and the rows to skip.
func (p Page) Apply(filter query.Expr, order []query.Order) (query.Expr, []query.Order, int) {
	and := func(c *query.Cond) query.Expr {
		if filter == nil {
			return c
		}
		return query.And{filter, c}
	}
	switch p.Mode {
	case Numbered:
		return filter, order, max(p.Number-1, 0) * p.Limit
	case Offset:
		return filter, order, p.Skip
	case Before:
		return and(&query.Cond{Field: "id", Op: query.Lt, Value: p.ID}), []query.Order{{Field: "id", Desc: true}}, 0
	case After:
		return and(&query.Cond{Field: "id", Op: query.Gt, Value: p.ID}), []query.Order{{Field: "id"}}, 0
	case Cursor:
		if p.Reverse {
			return and(&query.Cond{Field: "id", Op: query.Lt, Value: p.ID}), []query.Order{{Field: "id", Desc: true}}, 0
		}
		return and(&query.Cond{Field: "id", Op: query.Gt, Value: p.ID}), []query.Order{{Field: "id"}}, 0
	}
	return filter, order, 0
}

// Restore puts a fetched page in display order: After pages (and reverse
// cursors) are fetched ascending from their bound and shown the other way.
func Restore[T any](p Page, rows []T) {
	if p.Mode == After || (p.Mode == Cursor && p.Reverse) {
		slices.Reverse(rows)
	}
}

// cursorEncoding is URL-safe so a cursor survives a query string as is.
var cursorEncoding = base64.RawURLEncoding

// EncodeCursor makes the opaque cursor for a position: the last id seen,
// and whether to walk backwards from it.
func EncodeCursor(id int64, reverse bool) string {
	v := url.Values{"p": {strconv.FormatInt(id, 10)}}
	if reverse {
		v.Set("r", "1")
	}
	return cursorEncoding.EncodeToString([]byte(v.Encode()))
}

// DecodeCursor reads a cursor EncodeCursor made into a Cursor page of
// limit rows. Anything else is core.Invalid "Invalid cursor" (DRF's
// CursorPagination message).
func DecodeCursor(s string, limit int) (Page, error) {
	bad := core.Errorf(core.Invalid, "Invalid cursor")
	raw, err := cursorEncoding.DecodeString(s)
	if err != nil {
		return Page{}, bad
	}
	v, err := url.ParseQuery(string(raw))
	if err != nil {
		return Page{}, bad
	}
	id, err := strconv.ParseInt(v.Get("p"), 10, 64)
	if err != nil {
		return Page{}, bad
	}
	r := v.Get("r")
	if r != "" && r != "1" {
		return Page{}, bad
	}
	return Page{Mode: Cursor, Limit: limit, ID: id, Reverse: r == "1"}, nil
}

// Links are a page's neighbours as absolute URLs; "" where there is none.
type Links struct {
	Next, Previous string
}

// NumberedLinks builds DRF PageNumberPagination's links for page number
// of a list that has more rows when more is true. base is the absolute
// URL without a query; params are the request's query parameters, kept
// (sorted by key, as DRF's replace_query_param re-encodes them) with key
// set to the neighbour's number. The link to page 1 drops key.
func NumberedLinks(base string, params url.Values, key string, number int, more bool) Links {
	var l Links
	if more {
		l.Next = withParam(base, params, key, strconv.Itoa(number+1))
	}
	switch {
	case number == 2:
		l.Previous = withParam(base, params, key, "")
	case number > 2:
		l.Previous = withParam(base, params, key, strconv.Itoa(number-1))
	}
	return l
}

// OffsetLinks builds limit/offset links (DRF LimitOffsetPagination,
// Review Board's start/max-results) for a page of limit rows at offset
// of total rows. The link back to offset 0 drops offsetKey.
func OffsetLinks(base string, params url.Values, offsetKey string, offset, limit, total int) Links {
	var l Links
	if offset+limit < total {
		l.Next = withParam(base, params, offsetKey, strconv.Itoa(offset+limit))
	}
	if offset > 0 {
		prev := max(offset-limit, 0)
		v := ""
		if prev > 0 {
			v = strconv.Itoa(prev)
		}
		l.Previous = withParam(base, params, offsetKey, v)
	}
	return l
}

// withParam is base with params, key set to value ("" removes it).
func withParam(base string, params url.Values, key, value string) string {
	q := url.Values{}
	for k, vs := range params {
		q[k] = slices.Clone(vs)
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if enc := q.Encode(); enc != "" {
		return base + "?" + enc
	}
	return strings.TrimSuffix(base, "?")
}

// StartLinks builds Review Board's start/max-results links (djblets
// WebAPIResponsePaginated) for a page of n rows at start of total rows,
// limit per page: next while rows remain after this page (never for a
// limit of 0, which would point at the same page), prev from any start
// past 0. A link puts start and max-results first, then the request's
// other parameters sorted by key, the last value of each.
func StartLinks(base string, params url.Values, start, limit, n, total int) Links {
	var rest []string
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if k == "start" || k == "max-results" {
			continue
		}
		vs := params[k]
		rest = append(rest, url.QueryEscape(k)+"="+url.QueryEscape(vs[len(vs)-1]))
	}
	at := func(s int) string {
		u := base + "?start=" + strconv.Itoa(s) + "&max-results=" + strconv.Itoa(limit)
		for _, p := range rest {
			u += "&" + p
		}
		return u
	}
	var l Links
	if limit > 0 && start+n < total {
		l.Next = at(start + limit)
	}
	if start > 0 {
		l.Previous = at(max(start-limit, 0))
	}
	return l
}
