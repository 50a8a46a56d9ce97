package core

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"
	"unicode/utf8"

	"usersd/internal/query"
)

// MaxOffset is the deepest offset page; past it, cursors (keyset pages)
// keep deep reads index-backed instead of counting past skipped rows.
const MaxOffset = 100_000

// Page is one page of users.
type Page struct {
	Users      []*User
	Total      int    // -1 unless asked for
	NextCursor string // "" on the last page
}

// ListRequest is the input of ListUsers.
type ListRequest struct {
	Filter query.Expr
	Order  []query.Order
	Limit  int
	Offset int
	Cursor string
	Total  bool

	// MaxOffset replaces the offset cap for faces whose system allows
	// deeper numbered pages; it is bounded by the profile's MaxOffset.
	MaxOffset int
	// PinFirst lists the user with this id first (Danbooru current_user_first).
	PinFirst int64
}

// ListUsers returns one page of users under the native profile.
// Codes: Invalid, Forbidden.
func (s *Service) ListUsers(ctx context.Context, viewer *User, in ListRequest) (*Page, error) {
	return s.listUsers(ctx, NativeProfile, viewer, in)
}

// listUsers returns one page of users as p shows them to viewer. Filters
// and orders may name only fields the viewer may search under p (and, for
// profiles without AnyField, only registry fields marked Filter or Sort,
// with the operators their kind supports). Deleted users show as
// p.Deleted says; a past name of a deleted user matches for staff only.
func (s *Service) listUsers(ctx context.Context, p *Profile, viewer *User, in ListRequest) (*Page, error) {
	maxOffset := MaxOffset
	if in.MaxOffset > 0 {
		maxOffset = in.MaxOffset
	}
	if p.MaxOffset > 0 {
		maxOffset = min(maxOffset, p.MaxOffset)
	}
	switch {
	case in.Limit < 1 || in.Limit > query.MaxLimit:
		return nil, FieldError("limit", fmt.Sprintf("must be between 1 and %d", query.MaxLimit))
	case in.Offset < 0 || in.Offset > maxOffset:
		return nil, FieldError("page", fmt.Sprintf("offset must be between 0 and %d; use cursor for deeper pages", maxOffset))
	case in.Offset > 0 && in.Cursor != "":
		return nil, FieldError("cursor", "cannot be combined with page")
	}
	n := normalizer{p: p, viewer: viewer, grants: s.UpstreamHiddenSearch}
	filter, err := n.expr(in.Filter)
	if err != nil {
		return nil, err
	}
	hideDeleted := false
	switch p.Deleted {
	case DeletedToStaff:
		hideDeleted = !n.mentionsDeleted || !viewer.IsStaff()
	case DeletedHidden:
		hideDeleted = true
	}
	if hideDeleted {
		filter = and(filter, notDeleted())
	}
	filter = collapse(filter)
	q := query.List{Filter: filter, Limit: in.Limit, Offset: in.Offset, Total: in.Total, PinFirst: in.PinFirst}
	if p.AnyField {
		// A face's syntax orders as its system does and pages by its own
		// rules; the order is checked, not rewritten.
		if q.Order, err = n.checkOrder(in.Order); err != nil {
			return nil, err
		}
		expensive, err := s.Budget.checkCost(filter, in, q.Order)
		if err != nil {
			return nil, err
		}
		users, total, err := s.findUsers(ctx, q, expensive)
		if err != nil {
			return nil, err
		}
		return &Page{Users: n.redact(users), Total: total}, nil
	}
	q.Limit++
	if q.Order, err = n.normalizeOrder(in.Order); err != nil {
		return nil, err
	}
	if in.Cursor != "" {
		if q.After, err = decodeCursor(in.Cursor, q.Order); err != nil {
			return nil, err
		}
	}
	expensive, err := s.Budget.checkCost(filter, in, q.Order)
	if err != nil {
		return nil, err
	}
	users, total, err := s.findUsers(ctx, q, expensive)
	if err != nil {
		return nil, err
	}
	page := &Page{Users: users, Total: total}
	if len(users) > in.Limit {
		page.Users = users[:in.Limit]
		page.NextCursor = encodeCursor(q.Order, page.Users[in.Limit-1])
	}
	page.Users = n.redact(page.Users)
	return page, nil
}

func notDeleted() *query.Cond { return &query.Cond{Field: "deleted", Op: query.Eq, Value: false} }

// and joins two filters, either of which may be nil.
func and(a, b query.Expr) query.Expr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return query.And{a, b}
}

// normalizer checks a listing's filter and order against a profile for
// one viewer.
type normalizer struct {
	p               *Profile
	viewer          *User
	grants          bool // the profile's search grants apply
	mentionsDeleted bool
}

func (n *normalizer) redact(users []*User) []*User {
	for i, u := range users {
		users[i] = n.p.redact(n.viewer, u)
	}
	return users
}

func (n *normalizer) expr(e query.Expr) (query.Expr, error) {
	switch x := e.(type) {
	case nil:
		return nil, nil
	case query.And:
		r := make(query.And, len(x))
		for i, y := range x {
			var err error
			if r[i], err = n.expr(y); err != nil {
				return nil, err
			}
		}
		return r, nil
	case query.Or:
		r := make(query.Or, len(x))
		for i, y := range x {
			var err error
			if r[i], err = n.expr(y); err != nil {
				return nil, err
			}
		}
		return r, nil
	case query.Not:
		y, err := n.expr(x.X)
		return query.Not{X: y}, err
	case query.Sub:
		if _, err := n.field(x.Field, "filter"); err != nil {
			return nil, err
		}
		y, err := n.expr(x.Filter)
		return query.Sub{Field: x.Field, Filter: y}, err
	case *query.Cond:
		if rf := relationFields[x.Field]; rf != nil {
			return n.relation(rf, x)
		}
		if x.Field == query.PastName {
			// A deleted account's former names are staff knowledge: on
			// faces that rename at deletion they are its real identity.
			if n.viewer.IsStaff() || n.viewer == System {
				return x, nil
			}
			return query.And{x, notDeleted()}, nil
		}
		if x.Field == "deleted" {
			n.mentionsDeleted = true
		}
		f, err := n.field(x.Field, "filter")
		if err != nil {
			return nil, err
		}
		if x.Op == query.JSONContains {
			return jsonContains(f, x)
		}
		if n.p.AnyField {
			return clampInt(f, x), nil
		}
		return normalizeCond(f, x)
	}
	return nil, Errorf(Invalid, "Invalid filter.")
}

// field resolves a filter or sort field and checks that the viewer may
// search on it under the profile.
func (n *normalizer) field(name, use string) (*Field, error) {
	f := FieldByName(name)
	if use == "sort" {
		switch {
		case f == nil || f.Read == ReadNever:
			return nil, FieldError("sort", fmt.Sprintf("%q is not a field", name))
		case !n.p.AnyField && !f.Sort:
			return nil, FieldError("sort", fmt.Sprintf("%q cannot be sorted on", name))
		case !n.p.searchesOn(f, n.viewer, n.grants):
			return nil, &Error{Code: Forbidden, Reason: ReasonFieldHidden, Message: "You may not sort on this field.",
				Fields: map[string]string{"sort": fmt.Sprintf("you may not sort on %q", name)}}
		}
		return f, nil
	}
	bad := func(reason string) error {
		return &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{name: reason}}
	}
	switch {
	case f == nil || f.Read == ReadNever:
		return nil, bad("is not a field")
	case !n.p.AnyField && !f.Filter:
		return nil, bad("cannot be filtered on")
	case !n.p.searchesOn(f, n.viewer, n.grants):
		return nil, &Error{Code: Forbidden, Reason: ReasonFieldHidden, Message: "You may not filter on this field.",
			Fields: map[string]string{name: "you may not filter on this field"}}
	}
	return f, nil
}

// checkOrder checks every key of a face's order.
func (n *normalizer) checkOrder(os []query.Order) ([]query.Order, error) {
	for _, o := range os {
		if _, err := n.field(o.Field, "sort"); err != nil {
			return nil, err
		}
	}
	return os, nil
}

// opsFor lists the operators each kind supports.
func opsFor(f *Field) map[query.Op]bool {
	ops := map[query.Op]bool{query.Eq: true, query.Ne: true}
	switch f.Kind {
	case KindInt, KindTime, KindDate:
		for _, o := range []query.Op{query.Lt, query.Le, query.Gt, query.Ge, query.In} {
			ops[o] = true
		}
	case KindText:
		ops[query.In], ops[query.Prefix] = true, true
		if f.Trigram {
			ops[query.Contains], ops[query.Like] = true, true
		}
	case KindIP:
		ops[query.In] = true
		// Ranges are CIDR blocks: addresses are 16 bytes on both stores.
		ops[query.Lt], ops[query.Le], ops[query.Gt], ops[query.Ge] = true, true, true, true
	}
	if f.Null {
		ops[query.IsNull], ops[query.NotNull] = true, true
	}
	return ops
}

// normalizeCond checks a native condition's operator and coerces its
// values to the field's type.
func normalizeCond(f *Field, c *query.Cond) (query.Expr, error) {
	if !opsFor(f)[c.Op] {
		return nil, &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: fmt.Sprintf("does not support %q", c.Op.String())}}
	}
	n := &query.Cond{Field: c.Field, Op: c.Op}
	bad := func(reason string) error {
		return &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: reason}}
	}
	switch c.Op {
	case query.IsNull, query.NotNull:
		return n, nil
	case query.In:
		for _, v := range c.Values {
			cv, r := coerce(f, v)
			if r != "" {
				return nil, bad(r)
			}
			n.Values = append(n.Values, cv)
		}
		return clampInt(f, n), nil
	}
	v, r := coerce(f, c.Value)
	if r != "" {
		return nil, bad(r)
	}
	if s, ok := v.(string); ok {
		switch c.Op {
		case query.Contains:
			if utf8.RuneCountInString(s) < 3 {
				return nil, bad("contains needs at least 3 characters")
			}
		case query.Like:
			if !LikeIndexable(s) {
				return nil, bad("like needs a literal start or at least 3 consecutive literal characters")
			}
		}
	}
	n.Value = v
	return clampInt(f, n), nil
}

// LikeIndexable reports whether a wildcard pattern (* and ?, backslash
// escapes) can be answered from an index: it starts with a literal, or has
// a run of at least 3 literal characters for the trigram index.
func LikeIndexable(p string) bool {
	run, first := 0, true
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == '\\' && i+n < len(p):
			_, m := utf8.DecodeRuneInString(p[i+n:])
			n += m
			run++
		case r == '*' || r == '?':
			run = 0
		default:
			run++
		}
		if first && run > 0 {
			return true
		}
		first = false
		if run >= 3 {
			return true
		}
		i += n
	}
	return false
}

// coerce converts a filter or cursor literal to the field's canonical type.
func coerce(f *Field, v any) (any, string) {
	switch f.Kind {
	case KindInt:
		switch n := v.(type) {
		case int64:
			return n, ""
		case json.Number:
			if i, err := n.Int64(); err == nil {
				return i, ""
			}
		}
		return nil, "needs an integer"
	case KindBool:
		if b, ok := v.(bool); ok {
			return b, ""
		}
		return nil, "needs true or false"
	case KindText:
		if s, ok := v.(string); ok {
			if f.Key != "" {
				s = Fold(s)
			}
			return s, ""
		}
		return nil, "needs a string"
	case KindTime:
		switch t := v.(type) {
		case time.Time:
			return t.UTC(), ""
		case string:
			if tt, err := time.Parse(time.RFC3339Nano, t); err == nil {
				return tt.UTC(), ""
			}
			if tt, err := time.Parse(time.DateOnly, t); err == nil {
				return tt, ""
			}
		}
		return nil, "needs an RFC 3339 time or a date"
	case KindDate:
		if s, ok := v.(string); ok {
			if _, err := time.Parse(time.DateOnly, s); err == nil {
				return Date(s), ""
			}
		}
		return nil, "needs a date YYYY-MM-DD"
	case KindIP:
		if s, ok := v.(string); ok {
			if a, err := netip.ParseAddr(s); err == nil {
				return a, ""
			}
		}
		return nil, "needs an IP address"
	}
	return nil, "cannot be compared"
}

// normalizeOrder checks a native order and appends id as the final
// tie-break, which keyset cursors need.
func (n *normalizer) normalizeOrder(os []query.Order) ([]query.Order, error) {
	seen := map[string]bool{}
	var out []query.Order
	for _, o := range os {
		if _, err := n.field(o.Field, "sort"); err != nil {
			return nil, err
		}
		switch {
		case seen[o.Field]:
			return nil, FieldError("sort", fmt.Sprintf("%q is named twice", o.Field))
		}
		seen[o.Field] = true
		if o.Field == "id" {
			out = append(out, o)
			return out, nil // id is unique: later keys never apply
		}
		out = append(out, o)
	}
	// id is the final tie-break, in the direction of the last key.
	desc := len(out) > 0 && out[len(out)-1].Desc
	if len(out) == 0 {
		desc = false
	}
	return append(out, query.Order{Field: "id", Desc: desc}), nil
}

// SortValue returns the value the store orders f by: the folded key for
// keyed text fields.
func SortValue(f *Field, u *User) any {
	if f.Key != "" {
		return FieldByName(f.Key).Value(u)
	}
	return f.Value(u)
}

// OrderValue returns the value the store orders o by for u, the keyset
// position of u under o.
func OrderValue(o query.Order, u *User) any {
	f := FieldByName(o.Field)
	if o.CaseSensitive {
		return f.Value(u)
	}
	if f.Key != "" {
		return FieldByName(f.Key).Value(u)
	}
	return f.Value(u)
}

type cursor struct {
	Order  string `json:"o"`
	Values []any  `json:"v"`
}

func encodeCursor(order []query.Order, last *User) string {
	c := cursor{Order: query.OrderString(order)}
	for _, o := range order {
		v := SortValue(FieldByName(o.Field), last)
		switch t := v.(type) {
		case time.Time:
			v = t.UTC().Format(time.RFC3339Nano)
		case Date:
			v = string(t)
		}
		c.Values = append(c.Values, v)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, order []query.Order) ([]any, error) {
	bad := FieldError("cursor", "is not a cursor of this listing")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 4096 {
		return nil, bad
	}
	var c cursor
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil || c.Order != query.OrderString(order) || len(c.Values) != len(order) {
		return nil, bad
	}
	out := make([]any, len(order))
	for i, o := range order {
		f := FieldByName(o.Field)
		if c.Values[i] == nil {
			if !f.Null {
				return nil, bad
			}
			continue
		}
		v, r := coerce(f, c.Values[i])
		if r != "" || !inColumnRange(f, v) {
			return nil, bad
		}
		out[i] = v
	}
	return out, nil
}
