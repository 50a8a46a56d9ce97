package core

import (
	"testing"

	"usersd/internal/query"
)

func TestCollapse(t *testing.T) {
	c := func(f string, op query.Op, v any) *query.Cond { return &query.Cond{Field: f, Op: op, Value: v} }
	abc := c("name", query.Contains, "abc")
	for _, tc := range []struct {
		in   query.Expr
		want string
	}{
		{query.Or{abc, c("name", query.Contains, "abc"), abc}, `name contains "abc"`},
		{query.And{abc, query.And{abc, c("level", query.Gt, int64(20))}}, `name contains "abc" && level > 20`},
		{query.Or{abc, c("name", query.Contains, "abd")}, `name contains "abc" || name contains "abd"`},
		// Equal values of other types stay apart.
		{query.Or{c("level", query.Eq, int64(20)), c("level", query.Eq, "20")}, `level = 20 || level = "20"`},
		{query.Not{X: query.Or{abc, abc}}, `!name contains "abc"`},
		{query.Or{query.And{abc, abc}, abc}, `name contains "abc"`},
	} {
		if got := query.String(collapse(tc.in)); got != tc.want {
			t.Errorf("collapse(%s) = %s, want %s", query.String(tc.in), got, tc.want)
		}
	}
}

func TestClampInt(t *testing.T) {
	level, id := FieldByName("level"), FieldByName("id")
	c := func(op query.Op, v int64) *query.Cond { return &query.Cond{Field: "level", Op: op, Value: v} }
	big, small := int64(1)<<40, -int64(1)<<40
	for _, tc := range []struct {
		f    *Field
		in   *query.Cond
		want string
	}{
		{level, c(query.Gt, big), "level > 2147483647"},
		{level, c(query.Ge, big), "level > 2147483647"},
		{level, c(query.Lt, big), "level <= 2147483647"},
		{level, c(query.Le, big), "level <= 2147483647"},
		{level, c(query.Gt, small), "level >= -2147483648"},
		{level, c(query.Lt, small), "level < -2147483648"},
		{level, c(query.Eq, big), ""},
		{level, c(query.Ne, big), ""},
		{level, c(query.Gt, 20), "level > 20"},
		{level, &query.Cond{Field: "level", Op: query.In, Values: []any{int64(20), big}}, "level in (20)"},
		{id, &query.Cond{Field: "id", Op: query.Gt, Value: big}, "id > 1099511627776"},
	} {
		if got := query.String(clampInt(tc.f, tc.in)); got != tc.want {
			t.Errorf("clampInt(%s) = %q, want %q", query.String(tc.in), got, tc.want)
		}
	}
	if _, ok := clampInt(level, c(query.Eq, big)).(query.Or); !ok {
		t.Error("= beyond the range is not the empty Or")
	}
	if _, ok := clampInt(level, c(query.Ne, big)).(query.And); !ok {
		t.Error("!= beyond the range is not the empty And")
	}
}
