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

	// Face marks a request built by a compatibility face, which has applied
	// its own system's rules: which fields filter and sort, what each viewer
	// may search, whether deleted users show. The core then passes the
	// filter and order through as given; the store still resolves every
	// field through the registry and binds every value.
	Face bool
	// MaxOffset replaces the offset cap for faces whose system allows
	// deeper numbered pages.
	MaxOffset int
	// PinFirst lists the user with this id first (Danbooru current_user_first).
	PinFirst int64
}

// ListUsers returns one page of users. Filters and orders may name only
// registry fields marked filterable or sortable that the viewer may read on
// every user. Deleted users are listed only to staff who filter on deleted.
// Codes: Invalid, Forbidden.
func (s *Service) ListUsers(ctx context.Context, viewer *User, in ListRequest) (*Page, error) {
	maxOffset := MaxOffset
	if in.MaxOffset > 0 {
		maxOffset = in.MaxOffset
	}
	if in.Face {
		if in.Limit < 1 || in.Limit > query.MaxLimit || in.Offset < 0 || in.Offset > maxOffset {
			return nil, Errorf(Invalid, "Invalid page.")
		}
		users, total, err := s.Store.FindUsers(ctx, query.List{Filter: in.Filter, Order: in.Order, Limit: in.Limit, Offset: in.Offset, Total: in.Total, PinFirst: in.PinFirst})
		if err != nil {
			return nil, err
		}
		return &Page{Users: users, Total: total}, nil
	}
	switch {
	case in.Limit < 1 || in.Limit > query.MaxLimit:
		return nil, FieldError("limit", fmt.Sprintf("must be between 1 and %d", query.MaxLimit))
	case in.Offset < 0 || in.Offset > maxOffset:
		return nil, FieldError("page", fmt.Sprintf("offset must be between 0 and %d; use cursor for deeper pages", MaxOffset))
	case in.Offset > 0 && in.Cursor != "":
		return nil, FieldError("cursor", "cannot be combined with page")
	}
	q := query.List{Limit: in.Limit + 1, Offset: in.Offset, Total: in.Total, PinFirst: in.PinFirst}
	filter, mentionsDeleted, err := normalizeFilter(in.Filter, viewer)
	if err != nil {
		return nil, err
	}
	if !mentionsDeleted || !viewer.IsStaff() {
		notDeleted := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}
		if filter == nil {
			filter = notDeleted
		} else {
			filter = query.And{filter, notDeleted}
		}
	}
	q.Filter = filter
	if q.Order, err = normalizeOrder(in.Order, viewer); err != nil {
		return nil, err
	}
	if in.Cursor != "" {
		if q.After, err = decodeCursor(in.Cursor, q.Order); err != nil {
			return nil, err
		}
	}
	users, total, err := s.Store.FindUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &Page{Users: users, Total: total}
	if len(users) > in.Limit {
		page.Users = users[:in.Limit]
		page.NextCursor = encodeCursor(q.Order, page.Users[in.Limit-1])
	}
	return page, nil
}

func normalizeFilter(e query.Expr, viewer *User) (query.Expr, bool, error) {
	if e == nil {
		return nil, false, nil
	}
	mentionsDeleted := false
	var out func(query.Expr) (query.Expr, error)
	out = func(e query.Expr) (query.Expr, error) {
		switch x := e.(type) {
		case query.And:
			r := make(query.And, len(x))
			for i, y := range x {
				var err error
				if r[i], err = out(y); err != nil {
					return nil, err
				}
			}
			return r, nil
		case query.Or:
			r := make(query.Or, len(x))
			for i, y := range x {
				var err error
				if r[i], err = out(y); err != nil {
					return nil, err
				}
			}
			return r, nil
		case query.Not:
			y, err := out(x.X)
			return query.Not{X: y}, err
		case *query.Cond:
			if x.Field == "deleted" {
				mentionsDeleted = true
			}
			return normalizeCond(x, viewer)
		}
		return nil, Errorf(Invalid, "Invalid filter.")
	}
	r, err := out(e)
	return r, mentionsDeleted, err
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

func normalizeCond(c *query.Cond, viewer *User) (query.Expr, error) {
	f := FieldByName(c.Field)
	if f == nil || f.Read == ReadNever {
		return nil, &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "is not a field"}}
	}
	if !f.Filter {
		return nil, &Error{Code: Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "cannot be filtered on"}}
	}
	if !CanReadAll(f, viewer) {
		return nil, &Error{Code: Forbidden, Message: "You may not filter on this field.", Fields: map[string]string{c.Field: "you may not filter on this field"}}
	}
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
		return n, nil
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
	return n, nil
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

func normalizeOrder(os []query.Order, viewer *User) ([]query.Order, error) {
	seen := map[string]bool{}
	var out []query.Order
	for _, o := range os {
		f := FieldByName(o.Field)
		switch {
		case f == nil || f.Read == ReadNever:
			return nil, FieldError("sort", fmt.Sprintf("%q is not a field", o.Field))
		case !f.Sort:
			return nil, FieldError("sort", fmt.Sprintf("%q cannot be sorted on", o.Field))
		case !CanReadAll(f, viewer):
			return nil, &Error{Code: Forbidden, Message: "You may not sort on this field.", Fields: map[string]string{"sort": fmt.Sprintf("you may not sort on %q", o.Field)}}
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
		if r != "" {
			return nil, bad
		}
		out[i] = v
	}
	return out, nil
}
