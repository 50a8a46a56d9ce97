package core

import (
	"math"

	"usersd/internal/query"
)

// int32Columns are the integer fields PostgreSQL stores as integer (32
// bits; migrations 001); every other integer column is bigint, and SQLite
// stores 64 bits throughout. A postgres store test checks this list
// against the schema.
var int32Columns = map[string]bool{"level": true, "base_upload_limit": true, "per_page": true, "comment_threshold": true}

// ColumnRange is the range of values the column of integer field f can
// hold.
func ColumnRange(f *Field) (lo, hi int64) {
	if int32Columns[f.Name] {
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// inColumnRange reports whether v, a coerced filter or cursor value, fits
// f's column.
func inColumnRange(f *Field, v any) bool {
	n, ok := v.(int64)
	if !ok || f.Kind != KindInt {
		return true
	}
	lo, hi := ColumnRange(f)
	return n >= lo && n <= hi
}

// clampInt rewrites a comparison of an integer field with a value its
// column cannot hold into one with the same answer inside the range, so
// that no backend sees the value: PostgreSQL refuses to bind 2^40 to an
// integer column, SQLite would compare it. Past the top, < and <= hold for
// every row (<= max) and > and >= for none (> max); below the bottom the
// other way round; = matches nothing, != everything, and in drops the
// values.
func clampInt(f *Field, c *query.Cond) query.Expr {
	if f.Kind != KindInt {
		return c
	}
	lo, hi := ColumnRange(f)
	switch c.Op {
	case query.In:
		var keep []any
		for _, v := range c.Values {
			if inColumnRange(f, v) {
				keep = append(keep, v)
			}
		}
		if len(keep) == len(c.Values) {
			return c
		}
		if len(keep) == 0 {
			return query.Or{}
		}
		n := *c
		n.Values = keep
		return &n
	case query.Eq, query.Ne, query.Lt, query.Le, query.Gt, query.Ge:
	default:
		return c
	}
	v, ok := c.Value.(int64)
	if !ok || (v >= lo && v <= hi) {
		return c
	}
	n := *c
	switch {
	case c.Op == query.Eq:
		return query.Or{}
	case c.Op == query.Ne:
		// != keeps NULLs as well (sqlstore's two-valued !=): every row.
		return query.And{}
	case v > hi && (c.Op == query.Lt || c.Op == query.Le):
		n.Op, n.Value = query.Le, hi
	case v > hi:
		n.Op, n.Value = query.Gt, hi
	case c.Op == query.Lt || c.Op == query.Le:
		n.Op, n.Value = query.Lt, lo
	default:
		n.Op, n.Value = query.Ge, lo
	}
	return &n
}
