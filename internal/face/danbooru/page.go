package danbooru

import (
	"context"
	"math"
	"slices"
	"strconv"

	"usersd/internal/core"
	"usersd/internal/face/paging"
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

// page is a kit page plus the viewer's page limit.
type page struct {
	paging.Page
	pageLimit int // the highest numbered page the viewer may ask for
}

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
	pg := page{Page: paging.Page{Limit: defaultLimit}, pageLimit: pageLimit(viewer)}
	if v, ok := q.get("limit"); ok && v != nil {
		s, _ := railsparams.Scalar(v) // an array or hash is garbage: to_i 0
		pg.Limit = int(min(max(ruby.ToI(s), 1), maxLimit))
	}
	s, _ := q.str("page")
	if mode, digits, ok := paging.Seek(s, true); ok {
		pg.Mode, pg.ID = mode, parseCursor(digits)
	} else {
		n := ruby.ToI(s)
		if n > int64(pg.pageLimit) {
			return pg, &apiError{status: 410, class: "PaginationExtension::PaginationError",
				message: "You cannot go beyond page " + strconv.Itoa(pg.pageLimit) + "."}
		}
		pg.Number = int(max(n, 1))
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
func fetch(ctx context.Context, svc *core.Face, viewer *core.User, comp *compiled, pg page) ([]*core.User, error) {
	var filter query.Expr
	if len(comp.filter) > 0 {
		filter = comp.filter
	}
	req := core.ListRequest{Limit: pg.Limit}
	switch {
	case pg.Mode != paging.Numbered:
		req.Filter, req.Order, _ = pg.Apply(filter, nil)
	case comp.isCust:
		return fetchCustom(ctx, svc, viewer, comp, pg, filter)
	default:
		order := comp.order
		if order == nil {
			order = []query.Order{{Field: "id", Desc: true}}
		}
		req.Filter, req.Order, req.Offset = pg.Apply(filter, order)
		req.MaxOffset = max(pg.pageLimit*pg.Limit, 1)
		if comp.pin && viewer != nil {
			req.PinFirst = viewer.ID
		}
	}
	res, err := svc.ListUsers(ctx, viewer, req)
	if err != nil {
		return nil, err
	}
	users := res.Users
	paging.Restore(pg.Page, users)
	return users, nil
}

// fetchCustom is order=custom: the users of the id list, in its order
// (current_user_first still first), paged by number.
func fetchCustom(ctx context.Context, svc *core.Face, viewer *core.User, comp *compiled, pg page, filter query.Expr) ([]*core.User, error) {
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
	res, err := svc.ListUsers(ctx, viewer, core.ListRequest{Filter: f, Limit: len(ids), Order: []query.Order{{Field: "id"}}})
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
	_, _, off := pg.Apply(nil, nil)
	if off >= len(users) {
		return nil, nil
	}
	return users[off:min(off+pg.Limit, len(users))], nil
}
