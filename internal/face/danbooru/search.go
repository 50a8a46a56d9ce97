package danbooru

import (
	"context"
	"time"

	"usersd/internal/core"
	"usersd/internal/face/railsparams"
	"usersd/internal/face/ruby"
	"usersd/internal/query"
)

// This file compiles search[…] (spec §4.2–§5) to the query AST, following
// User.search and Searchable#search_attributes key by key.

// compiler compiles one request's search.
type compiler struct {
	ctx    context.Context
	viewer *core.User // nil: anonymous
	now    time.Time
	loc    *time.Location // the request's zone: the viewer's, else US Eastern
	// count returns how many users match e, up to limit; name and date
	// searches ask the database as upstream's code does (name_or_past_name
	// loads the current holder; dates fall back when an age finds nothing).
	count func(ctx context.Context, e query.Expr, limit int) (int, error)
	// lookup finds a user by normalized name, nil when there is none.
	lookup func(ctx context.Context, key string) (*core.User, error)
	// searches reports whether the viewer may search on a registry field
	// (nil: every field); keys on other fields are ignored, as upstream
	// ignores search keys it does not take.
	searches func(field string) bool
}

// compiled is a compiled search.
type compiled struct {
	filter query.And
	order  []query.Order // nil: the default, id descending
	custom []int64       // order=custom: the ids in order
	isCust bool          // order=custom was asked for
	pin    bool          // current_user_first
}

// nothing is a filter no row matches.
var nothing query.Expr = query.Or{}

// maxSearchDepth is Searchable's limit on nested search hashes.
const maxSearchDepth = 10

// searchDepth is SearchContext#parameter_depth.
func searchDepth(p *params) int {
	if p.hash().Len() == 0 {
		return 0
	}
	d := 0
	for _, v := range p.hash().All() {
		if h, ok := v.(*railsparams.Hash); ok && h.Len() > 0 {
			d = max(d, searchDepth((*params)(h)))
		} else {
			d = max(d, 1)
		}
	}
	return 1 + d
}

// hasManyCounters maps has_<association> keys to the counters usersd keeps
// (spec/fields.md §3.1). Other associations are not stored; their keys are
// ignored.
var hasManyCounters = map[string]string{
	"posts":                      "post_upload_count",
	"note_versions":              "note_update_count",
	"artist_commentary_versions": "artist_commentary_version_count",
	"post_appeals":               "appeal_count",
	"artist_versions":            "artist_version_count",
	"comments":                   "comment_count",
	"wiki_page_versions":         "wiki_page_version_count",
	"forum_posts":                "forum_post_count",
}

// compile is User.search on the hash p.
func (c *compiler) compile(p *params) (*compiled, error) {
	if searchDepth(p) > maxSearchDepth {
		return nil, argumentError("max parameter depth of 10 exceeded")
	}
	p = p.clone()
	if v, ok := p.get("name"); ok && !railsparams.Blank(v) {
		p.set("name_matches", v)
		p.del("name")
	}
	out := &compiled{}
	acc := &out.filter
	for _, f := range []struct {
		key, field string
		kind       rangeKind
	}{
		{"id", "id", kindInteger},
		{"created_at", "created_at", kindDatetime},
		{"updated_at", "updated_at", kindDatetime},
	} {
		if err := c.numeric(p, f.key, f.field, f.kind, acc); err != nil {
			return nil, err
		}
	}
	c.stringAttr(p, "name", acc)
	if err := c.numeric(p, "level", "level", kindInteger, acc); err != nil {
		return nil, err
	}
	if v, ok := p.get("is_deleted"); ok && !railsparams.Blank(v) {
		s, _ := railsparams.Scalar(v)
		switch {
		case truthy(s):
			*acc = append(*acc, &query.Cond{Field: "deleted", Op: query.Eq, Value: true})
		case falsy(s):
			*acc = append(*acc, &query.Cond{Field: "deleted", Op: query.Eq, Value: false})
		default:
			return nil, argumentError("value must be truthy or falsy")
		}
	}
	for _, f := range []string{"post_upload_count", "post_update_count", "note_update_count", "favorite_count"} {
		if err := c.numeric(p, f, f, kindInteger, acc); err != nil {
			return nil, err
		}
	}
	for _, assoc := range []string{"posts", "note_versions", "artist_commentary_versions", "post_appeals",
		"post_approvals", "artist_versions", "comments", "wiki_page_versions", "feedback", "forum_topics",
		"forum_posts", "forum_post_votes", "tag_aliases", "tag_implications", "bans"} {
		s, _ := p.str("has_" + assoc)
		if !truthy(s) && !falsy(s) {
			continue
		}
		has := truthy(s)
		if assoc == "bans" {
			*acc = append(*acc, &query.Cond{Field: "banned", Op: query.Eq, Value: has})
			continue
		}
		counter, ok := hasManyCounters[assoc]
		if !ok {
			continue
		}
		if has {
			*acc = append(*acc, &query.Cond{Field: counter, Op: query.Gt, Value: int64(0)})
		} else {
			*acc = append(*acc, &query.Cond{Field: counter, Op: query.Eq, Value: int64(0)})
		}
	}
	if err := c.inviter(p, acc); err != nil {
		return nil, err
	}

	if s, ok := p.present("name_matches"); ok {
		*acc = append(*acc, nameMatches(s))
	}
	if s, ok := p.present("any_name_matches"); ok {
		key := normalizeName(s)
		*acc = append(*acc, query.Or{&query.Cond{Field: "name", Op: query.Eq, Value: key}, c.pastName(key)})
	}
	if s, ok := p.present("name_or_past_name_matches"); ok {
		// The current holder of the name within this search, if exactly
		// one; otherwise whoever held it before.
		key := normalizeName(s)
		current := &query.Cond{Field: "name", Op: query.Eq, Value: key}
		n, err := c.count(c.ctx, append(append(query.And{}, (*acc)...), current), 2)
		if err != nil {
			return nil, err
		}
		if n == 1 {
			*acc = append(*acc, current)
		} else {
			*acc = append(*acc, c.pastName(key))
		}
	}
	if s, ok := p.present("min_level"); ok {
		*acc = append(*acc, &query.Cond{Field: "level", Op: query.Ge, Value: ruby.ToI(s)})
	}
	if s, ok := p.present("max_level"); ok {
		*acc = append(*acc, &query.Cond{Field: "level", Op: query.Le, Value: ruby.ToI(s)})
	}
	if s, ok := p.present("is_banned"); ok {
		switch {
		case truthy(s):
			*acc = append(*acc, &query.Cond{Field: "banned", Op: query.Eq, Value: true})
		case falsy(s):
			*acc = append(*acc, &query.Cond{Field: "banned", Op: query.Eq, Value: false})
		}
	}
	if s, _ := p.str("current_user_first"); truthy(s) && c.viewer != nil {
		out.pin = true
	}
	order, _ := p.str("order")
	switch order {
	case "name":
		out.order = []query.Order{{Field: "name", CaseSensitive: true}, {Field: "id", Desc: true}}
	case "post_upload_count", "post_update_count":
		out.order = []query.Order{{Field: order, Desc: true}, {Field: "id", Desc: true}}
	case "note_count":
		out.order = []query.Order{{Field: "note_update_count", Desc: true}, {Field: "id", Desc: true}}
	case "custom":
		// Searchable#order_custom: search[id] must be one id or a list.
		out.isCust = true
		idText, _ := p.str("id")
		e, ok := parseRange(idText, kindInteger, intValue64, nil)
		switch {
		case ok && e.op == opIn:
			for _, v := range e.vals {
				out.custom = append(out.custom, v.(int64))
			}
		case ok && e.op == opEq:
			out.custom = []int64{e.v.(int64)}
		default:
			out.filter = append(out.filter, nothing)
		}
	}
	return out, nil
}

// nameMatches is name_matches: the normalized name, case-insensitively,
// with * as the only wildcard.
func nameMatches(s string) query.Expr {
	pat, wild := likePattern(normalizeName(s))
	if !wild {
		return &query.Cond{Field: "name", Op: query.Eq, Value: query.LiteralOf(pat)}
	}
	return &query.Cond{Field: "name", Op: query.Like, Value: pat}
}

// pastName matches users who held the (normalized) name before, in the
// name history the viewer may see: none when anonymous, all for staff,
// else only the history of users who are not deleted (spec §4.2).
func (c *compiler) pastName(key string) query.Expr {
	cond := &query.Cond{Field: query.PastName, Op: query.Eq, Value: key}
	switch {
	case c.viewer == nil:
		return nothing
	case c.viewer.IsStaff():
		return cond
	}
	return query.And{cond, &query.Cond{Field: "deleted", Op: query.Eq, Value: false}}
}

// inviter compiles the inviter association: inviter_id (number syntax),
// inviter_name, has_inviter and inviter[…] (a nested user search).
func (c *compiler) inviter(p *params, acc *query.And) error {
	if err := c.numeric(p, "inviter_id", "inviter_id", kindInteger, acc); err != nil {
		return err
	}
	if name, ok := p.present("inviter_name"); ok {
		if _, wild := likePattern(name); wild {
			*acc = append(*acc, query.Sub{Field: "inviter_id", Filter: nameMatches(name)})
		} else {
			u, err := c.lookup(c.ctx, normalizeName(name))
			if err != nil {
				return err
			}
			if u != nil {
				*acc = append(*acc, &query.Cond{Field: "inviter_id", Op: query.Eq, Value: u.ID})
			} else {
				// Upstream passes find_by_name's nil into where(inviter:),
				// which asks for users without an inviter (spec §14.37).
				*acc = append(*acc, &query.Cond{Field: "inviter_id", Op: query.IsNull})
			}
		}
	}
	if s, _ := p.str("has_inviter"); truthy(s) {
		*acc = append(*acc, &query.Cond{Field: "inviter_id", Op: query.NotNull})
	} else if falsy(s) {
		*acc = append(*acc, &query.Cond{Field: "inviter_id", Op: query.IsNull})
	}
	if h := p.sub("inviter"); h != nil && h.hash().Len() > 0 {
		sub, err := c.compile(h)
		if err != nil {
			return err
		}
		*acc = append(*acc, query.Sub{Field: "inviter_id", Filter: sub.filter})
	}
	return nil
}

// nullable fields need comparisons made two-valued, so that a negation
// keeps the rows where the field is NULL (upstream negates with
// "id NOT IN (matching ids)").
var nullable = map[string]bool{"inviter_id": true}

func intValue64(s string) (any, bool) {
	n, ok := ruby.Integer(s)
	return n, ok
}

// numeric is search_numeric_attribute: key, key_not, key_eq, key_not_eq,
// key_gt, key_gteq, key_lt and key_lteq on one integer or time field.
func (c *compiler) numeric(p *params, key, field string, kind rangeKind, acc *query.And) error {
	if c.searches != nil && !c.searches(field) {
		return nil
	}
	parse := func(s string, k rangeKind) (query.Expr, bool) {
		var pv valueParser
		var day func(any) (any, any)
		switch k {
		case kindInteger:
			pv = intValue64
		case kindDatetime:
			pv = func(s string) (any, bool) {
				t, ok := parseDatetime(s, c.loc)
				return t, ok
			}
		case kindAge:
			pv = func(s string) (any, bool) {
				d, ok := parseDuration(s)
				if !ok {
					return nil, false
				}
				return d.ago(c.now, c.loc), true
			}
			day = func(v any) (any, any) { return dayOf(v.(time.Time), c.loc) }
		}
		e, ok := parseRange(s, k, pv, day)
		if !ok {
			return nothing, false
		}
		return rangeCond(field, e), true
	}
	if s, ok := presentScalar(p, key); ok {
		if kind == kindDatetime {
			// Ages first ("<1w"); if that does not parse, or finds nothing,
			// the value is read again as a date.
			ageExpr, ageOK := parse(s, kindAge)
			dateExpr, dateOK := parse(s, kindDatetime)
			switch {
			case ageOK && dateOK:
				n, err := c.count(c.ctx, append(append(query.And{}, (*acc)...), ageExpr), 1)
				if err != nil {
					return err
				}
				if n > 0 {
					*acc = append(*acc, ageExpr)
				} else {
					*acc = append(*acc, dateExpr)
				}
			case ageOK:
				*acc = append(*acc, ageExpr)
			default:
				*acc = append(*acc, dateExpr)
			}
		} else {
			e, _ := parse(s, kind)
			*acc = append(*acc, e)
		}
	} else if present(p, key) {
		*acc = append(*acc, nothing) // an array or hash is no number
	}
	if s, ok := presentScalar(p, key+"_not"); ok {
		e, _ := parse(s, kind)
		*acc = append(*acc, query.Not{X: e})
	}
	for _, op := range []struct {
		suffix string
		op     query.Op
	}{{"_eq", query.Eq}, {"_not_eq", query.Ne}, {"_gt", query.Gt}, {"_gteq", query.Ge}, {"_lt", query.Lt}, {"_lteq", query.Le}} {
		s, ok := presentScalar(p, key+op.suffix)
		if !ok {
			if present(p, key+op.suffix) {
				*acc = append(*acc, nothing)
			}
			continue
		}
		var v any
		switch kind {
		case kindInteger:
			n, ok := castInteger(s)
			if !ok {
				*acc = append(*acc, nothing)
				continue
			}
			v = n
		default:
			t, ok := parseDatetime(s, c.loc)
			if !ok {
				*acc = append(*acc, nothing)
				continue
			}
			v = t
		}
		var e query.Expr = &query.Cond{Field: field, Op: op.op, Value: v}
		if nullable[field] {
			e = query.And{e, &query.Cond{Field: field, Op: query.NotNull}}
		}
		*acc = append(*acc, e)
	}
	return nil
}

// present reports a non-blank value of any type under k.
func present(p *params, k string) bool {
	v, ok := p.get(k)
	return ok && !railsparams.Blank(v)
}

// presentScalar returns k's non-blank string value.
func presentScalar(p *params, k string) (string, bool) {
	return p.present(k)
}

// rangeCond turns a parsed range into a condition on field.
func rangeCond(field string, e rangeExpr) query.Expr {
	cmp := func(op query.Op, v any) query.Expr {
		var x query.Expr = &query.Cond{Field: field, Op: op, Value: v}
		if nullable[field] {
			x = query.And{x, &query.Cond{Field: field, Op: query.NotNull}}
		}
		return x
	}
	switch e.op {
	case opEq:
		return cmp(query.Eq, e.v)
	case opLt:
		return cmp(query.Lt, e.v)
	case opLe:
		return cmp(query.Le, e.v)
	case opGt:
		return cmp(query.Gt, e.v)
	case opGe:
		return cmp(query.Ge, e.v)
	case opBetween:
		return query.And{cmp(query.Ge, e.v), cmp(query.Le, e.hi)}
	case opBetweenEx:
		return query.And{cmp(query.Ge, e.v), cmp(query.Lt, e.hi)}
	case opIn:
		if len(e.vals) == 0 {
			return nothing
		}
		var x query.Expr = &query.Cond{Field: field, Op: query.In, Values: e.vals}
		if nullable[field] {
			x = query.And{x, &query.Cond{Field: field, Op: query.NotNull}}
		}
		return x
	case opNotNull:
		return &query.Cond{Field: field, Op: query.NotNull}
	case opNull:
		return &query.Cond{Field: field, Op: query.IsNull}
	case opUnion:
		or := query.Or{}
		for _, part := range e.parts {
			or = append(or, rangeCond(field, part))
		}
		return or
	}
	return nothing
}

// stringAttr is search_string_attribute for name's variants (the bare key
// was moved to name_matches).
func (c *compiler) stringAttr(p *params, attr string, acc *query.And) {
	exact := func(op query.Op, v string) query.Expr {
		return &query.Cond{Field: attr, Op: op, Value: v, CaseSensitive: true}
	}
	in := func(vals []string, fold bool) query.Expr {
		if len(vals) == 0 {
			return nothing
		}
		c := &query.Cond{Field: attr, Op: query.In, CaseSensitive: !fold}
		for _, v := range vals {
			if fold {
				v = core.Fold(v)
			}
			c.Values = append(c.Values, v)
		}
		return c
	}
	like := func(v string, caseSensitive bool) query.Expr {
		pat, wild := likePattern(v)
		if !wild {
			return &query.Cond{Field: attr, Op: query.Eq, Value: query.LiteralOf(pat), CaseSensitive: caseSensitive}
		}
		return &query.Cond{Field: attr, Op: query.Like, Value: pat, CaseSensitive: caseSensitive}
	}
	if s, ok := p.present(attr + "_present"); ok {
		if truthy(s) {
			*acc = append(*acc, exact(query.Ne, ""))
		} else if falsy(s) {
			*acc = append(*acc, exact(query.Eq, ""))
		}
	}
	if s, ok := p.present(attr + "_eq"); ok {
		*acc = append(*acc, exact(query.Eq, s))
	}
	if s, ok := p.present(attr + "_not_eq"); ok {
		*acc = append(*acc, exact(query.Ne, s))
	}
	if s, ok := p.present(attr + "_like"); ok {
		*acc = append(*acc, like(s, true))
	}
	if s, ok := p.present(attr + "_ilike"); ok {
		*acc = append(*acc, like(s, false))
	}
	if s, ok := p.present(attr + "_not_like"); ok {
		*acc = append(*acc, query.Not{X: like(s, true)})
	}
	if s, ok := p.present(attr + "_not_ilike"); ok {
		*acc = append(*acc, query.Not{X: like(s, false)})
	}
	if s, ok := p.present(attr + "_regex"); ok {
		*acc = append(*acc, &query.Cond{Field: attr, Op: query.Regex, Value: s})
	}
	if s, ok := p.present(attr + "_not_regex"); ok {
		*acc = append(*acc, query.Not{X: &query.Cond{Field: attr, Op: query.Regex, Value: s}})
	}
	if v, ok := p.get(attr + "_array"); ok && !railsparams.Blank(v) {
		*acc = append(*acc, in(stringList(v), false))
	}
	if s, ok := p.present(attr + "_comma"); ok {
		*acc = append(*acc, in(rubySplitString(s, ","), false))
	}
	if s, ok := p.present(attr + "_space"); ok {
		*acc = append(*acc, in(rubyFields(s), false))
	}
	if v, ok := p.get(attr + "_lower_array"); ok && !railsparams.Blank(v) {
		*acc = append(*acc, in(stringList(v), true))
	}
	if s, ok := p.present(attr + "_lower_comma"); ok {
		*acc = append(*acc, in(rubySplitString(s, ","), true))
	}
	if s, ok := p.present(attr + "_lower_space"); ok {
		*acc = append(*acc, in(rubyFields(s), true))
	}
}

// stringList reads an array parameter (a lone string is a list of one).
func stringList(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, y := range x {
			if s, ok := railsparams.Scalar(y); ok {
				out = append(out, s)
			}
		}
		return out
	case *railsparams.Hash:
		var out []string
		for _, y := range x.All() {
			if s, ok := railsparams.Scalar(y); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := railsparams.Scalar(v); ok {
		return []string{s}
	}
	return nil
}
