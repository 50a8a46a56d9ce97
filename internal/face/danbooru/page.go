package danbooru

import (
	"context"
	"math"
	"regexp"
	"slices"
	"strconv"

	"usersd/internal/core"
	"usersd/internal/face/railsparams"
	"usersd/internal/face/ruby"
	"usersd/internal/query"
)

// This file is PaginationExtension#paginate (spec §4.4).

// Page sizes: the default (Danbooru.config.posts_per_page; the user's
// per_page setting is not used) and the largest.
const (
	defaultLimit = 20
	maxLimit     = 1000
)

// pageMode is how a page is addressed.
type pageMode int

const (
	pageNumbered pageMode = iota
	pageBefore            // b<id>: ids below, descending
	pageAfter             // a<id>: ids above, fetched ascending, shown descending
)

type page struct {
	mode      pageMode
	limit     int
	number    int   // numbered pages, from 1
	cursor    int64 // b/a pages
	pageLimit int   // the highest numbered page the viewer may ask for
}

var (
	beforeRE = regexp.MustCompile(`(?i)^b(\d+)$`)
	afterRE  = regexp.MustCompile(`(?i)^a(\d+)$`)
)

// pageLimit is User.page_limit: 5000 for Gold and above, else 1000
// (anonymous included).
func pageLimit(viewer *core.User) int {
	if viewer != nil && viewer.Level >= core.LevelGold {
		return 5000
	}
	return 1000
}

// parsePage reads limit and page. Numbered pages past the viewer's page
// limit are 410.
func parsePage(q *params, viewer *core.User) (page, error) {
	pg := page{limit: defaultLimit, pageLimit: pageLimit(viewer)}
	if v, ok := q.get("limit"); ok && v != nil {
		s, _ := railsparams.Scalar(v) // an array or hash is garbage: to_i 0
		pg.limit = int(min(max(ruby.ToI(s), 1), maxLimit))
	}
	s, _ := q.str("page")
	switch {
	case beforeRE.MatchString(s):
		pg.mode, pg.cursor = pageBefore, parseCursor(beforeRE.FindStringSubmatch(s)[1])
	case afterRE.MatchString(s):
		pg.mode, pg.cursor = pageAfter, parseCursor(afterRE.FindStringSubmatch(s)[1])
	default:
		n := ruby.ToI(s)
		if n > int64(pg.pageLimit) {
			return pg, &apiError{status: 410, class: "PaginationExtension::PaginationError",
				message: "You cannot go beyond page " + strconv.Itoa(pg.pageLimit) + "."}
		}
		pg.number = int(max(n, 1))
	}
	return pg, nil
}

// parseCursor reads a b/a page's id; ids beyond int64 saturate.
func parseCursor(digits string) int64 {
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return math.MaxInt64
	}
	return n
}

// fetch runs a compiled search for one page.
func fetch(ctx context.Context, svc *core.Service, viewer *core.User, comp *compiled, pg page) ([]*core.User, error) {
	var filter query.Expr
	if len(comp.filter) > 0 {
		filter = comp.filter
	}
	and := func(e query.Expr) query.Expr {
		if filter == nil {
			return e
		}
		return query.And{filter, e}
	}
	req := core.ListRequest{Face: true, Limit: pg.limit}
	switch {
	case pg.mode == pageBefore:
		req.Filter = and(&query.Cond{Field: "id", Op: query.Lt, Value: pg.cursor})
		req.Order = []query.Order{{Field: "id", Desc: true}}
	case pg.mode == pageAfter:
		req.Filter = and(&query.Cond{Field: "id", Op: query.Gt, Value: pg.cursor})
		req.Order = []query.Order{{Field: "id"}}
	case comp.isCust:
		return fetchCustom(ctx, svc, viewer, comp, pg, filter)
	default:
		req.Filter = filter
		req.Order = comp.order
		if req.Order == nil {
			req.Order = []query.Order{{Field: "id", Desc: true}}
		}
		req.Offset = (pg.number - 1) * pg.limit
		req.MaxOffset = max(pg.pageLimit*pg.limit, 1)
		if comp.pin && viewer != nil {
			req.PinFirst = viewer.ID
		}
	}
	res, err := svc.ListUsers(ctx, viewer, req)
	if err != nil {
		return nil, err
	}
	users := res.Users
	if pg.mode == pageAfter {
		slices.Reverse(users)
	}
	return users, nil
}

// fetchCustom is order=custom: the users of the id list, in its order
// (current_user_first still first), paged by number.
func fetchCustom(ctx context.Context, svc *core.Service, viewer *core.User, comp *compiled, pg page, filter query.Expr) ([]*core.User, error) {
	var ids []any
	pos := map[int64]int{}
	for _, id := range comp.custom {
		if _, dup := pos[id]; !dup {
			pos[id] = len(ids)
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || len(ids) > query.MaxLimit {
		return nil, nil
	}
	in := &query.Cond{Field: "id", Op: query.In, Values: ids}
	var f query.Expr = in
	if filter != nil {
		f = query.And{filter, in}
	}
	res, err := svc.ListUsers(ctx, viewer, core.ListRequest{Face: true, Filter: f, Limit: len(ids), Order: []query.Order{{Field: "id"}}})
	if err != nil {
		return nil, err
	}
	users := res.Users
	slices.SortStableFunc(users, func(a, b *core.User) int {
		if comp.pin && viewer != nil && (a.ID == viewer.ID) != (b.ID == viewer.ID) {
			if a.ID == viewer.ID {
				return -1
			}
			return 1
		}
		return pos[a.ID] - pos[b.ID]
	})
	off := (pg.number - 1) * pg.limit
	if off >= len(users) {
		return nil, nil
	}
	return users[off:min(off+pg.limit, len(users))], nil
}
