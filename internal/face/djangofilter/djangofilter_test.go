package djangofilter

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"usersd/internal/core"
	"usersd/internal/query"
)

var users = Set{
	"id":          {Field: "id", Kind: Number, Lookups: []string{Exact, GT, GTE, LT, LTE, InL, RangeL}},
	"username":    {Field: "name", Kind: Char, Lookups: []string{Exact, IExact, ContainsL, IContains, StartsWith, IStartsWith, InL}},
	"email":       {Field: "email", Kind: Char, Lookups: []string{Exact, IsNullL}},
	"is_active":   {Field: "active", Kind: Bool, Lookups: []string{Exact}},
	"date_joined": {Field: "created_at", Kind: DateTime, Lookups: []string{Exact, GT, LTE, RangeL}},
	"dob":         {Field: "date_of_birth", Kind: Date, Lookups: []string{Exact}},
	"gender":      {Field: "gender", Kind: Choice, Lookups: []string{Exact}, Choices: map[string]string{"male": "m", "female": "f"}},
}

func TestParse(t *testing.T) {
	cond := func(field string, op query.Op, v any, cs bool) *query.Cond {
		return &query.Cond{Field: field, Op: op, Value: v, CaseSensitive: cs}
	}
	utc := func(s string) time.Time { t, _ := time.Parse(time.RFC3339Nano, s); return t }
	tests := []struct {
		query string
		want  query.Expr
		bad   map[string]string
	}{
		{"", nil, nil},
		{"undeclared=1&email__icontains=x&id__exact=3&username__isnull=true", nil, nil},
		{"id=5", cond("id", query.Eq, int64(5), true), nil},
		{"id=+5.9", cond("id", query.Eq, int64(5), true), nil},
		{"id=-5.9", cond("id", query.Eq, int64(-5), true), nil},
		{"id__gt=1e3", cond("id", query.Gt, int64(1000), true), nil},
		{"id__gte=%205%20", cond("id", query.Ge, int64(5), true), nil},
		{"id__lt=.5", cond("id", query.Lt, int64(0), true), nil},
		{"id=", nil, nil},
		{"id=1&id=2", cond("id", query.Eq, int64(2), true), nil}, // the last value counts
		{"id__gt=abc", nil, map[string]string{"id__gt": MsgNumber}},
		{"id=NaN&id__lt=inf", nil, map[string]string{"id": MsgNumber, "id__lt": MsgNumber}},
		{"id=1e400", nil, map[string]string{"id": MsgNumber}},
		{"id=99999999999999999999", nil, map[string]string{"id": MsgNumber}},
		{"id=1e-400", cond("id", query.Eq, int64(0), true), nil},
		{"id__in=1,,2", &query.Cond{Field: "id", Op: query.In, Values: []any{int64(1), int64(2)}, CaseSensitive: true}, nil},
		{"id__in=", nil, nil},
		{"id__in=,", nil, nil},
		{"id__in=1,x", nil, map[string]string{"id__in": MsgNumber}},
		{"id__range=1,5", query.And{cond("id", query.Ge, int64(1), true), cond("id", query.Le, int64(5), true)}, nil},
		{"id__range=1", nil, map[string]string{"id__range": MsgRange}},
		{"id__range=1,2,3", nil, map[string]string{"id__range": MsgRange}},
		{"id__range=1,", nil, map[string]string{"id__range": MsgRange}},
		{"username=%20Fox%20", cond("name", query.Eq, "Fox", true), nil},
		{"username=%20%20", nil, nil},
		{"username__iexact=Fox", cond("name", query.Eq, "Fox", false), nil},
		{"username__contains=ox", cond("name", query.Contains, "ox", true), nil},
		{"username__icontains=ox", cond("name", query.Contains, "ox", false), nil},
		{"username__startswith=F", cond("name", query.Prefix, "F", true), nil},
		{"username__istartswith=f", cond("name", query.Prefix, "f", false), nil},
		{"username__in=a,,b", &query.Cond{Field: "name", Op: query.In, Values: []any{"a", "", "b"}, CaseSensitive: true}, nil},
		{"username=a%00b", nil, map[string]string{"username": MsgNull}},
		{"email__isnull=True", &query.Cond{Field: "email", Op: query.IsNull}, nil},
		{"email__isnull=0", &query.Cond{Field: "email", Op: query.NotNull}, nil},
		{"email__isnull=yes", nil, nil},
		{"is_active=true", cond("active", query.Eq, true, true), nil},
		{"is_active=FALSE", cond("active", query.Eq, false, true), nil},
		{"is_active=1", cond("active", query.Eq, true, true), nil},
		{"is_active=on", nil, nil},
		{"date_joined__gt=2024-01-02", cond("created_at", query.Gt, utc("2024-01-02T00:00:00Z"), true), nil},
		{"date_joined=2024-01-02T10:00:00.5%2B03:00", cond("created_at", query.Eq, utc("2024-01-02T10:00:00.5+03:00"), true), nil},
		{"date_joined__lte=2024-01-02%2010:00Z", cond("created_at", query.Le, utc("2024-01-02T10:00:00Z"), true), nil},
		{"date_joined=2024-01-02T10:00:00+03:00", nil, map[string]string{"date_joined": MsgDateTime}}, // "+" is a space
		{"date_joined=2024-02-30", nil, map[string]string{"date_joined": MsgDateTime}},
		{"dob=2001-02-03", cond("date_of_birth", query.Eq, "2001-02-03", true), nil},
		{"dob=02/03/2001", cond("date_of_birth", query.Eq, "2001-02-03", true), nil},
		{"dob=2001-13-01", nil, map[string]string{"dob": MsgDate}},
		{"gender=female", cond("gender", query.Eq, "f", true), nil},
		{"gender=other", nil, map[string]string{"gender": "Select a valid choice. other is not one of the available choices."}},
		{"is_active=0&id__gt=3", query.And{cond("id", query.Gt, int64(3), true), cond("active", query.Eq, false, true)}, nil},
	}
	for _, tt := range tests {
		params, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := users.Parse(params, Options{})
		if tt.bad != nil {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != core.Invalid {
				t.Errorf("%s: err = %v, want Invalid", tt.query, err)
				continue
			}
			if diff := cmp.Diff(tt.bad, ce.Fields); diff != "" {
				t.Errorf("%s: fields (-want +got):\n%s", tt.query, diff)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.query, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.query, diff)
		}
	}
}

func TestParseLocation(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	got, err := users.Parse(url.Values{"date_joined": {"2024-01-02T09:00"}}, Options{Location: tokyo})
	if err != nil {
		t.Fatal(err)
	}
	if c := got.(*query.Cond); !c.Value.(time.Time).Equal(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("naive time in Tokyo = %v", c.Value)
	}
}

func TestOrdering(t *testing.T) {
	allowed := map[string]string{"id": "id", "username": "name", "date_joined": "created_at"}
	tests := []struct {
		in   string
		want []query.Order
	}{
		{"", nil},
		{"-id", []query.Order{{Field: "id", Desc: true}}},
		{" username , -date_joined ", []query.Order{{Field: "name"}, {Field: "created_at", Desc: true}}},
		{"password,--id,+id,id", []query.Order{{Field: "id"}}},
		{"nope", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Ordering(tt.in, allowed)); diff != "" {
			t.Errorf("Ordering(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// FuzzParse checks that any query string parses without panicking, and
// that every error is Invalid and names only parameters that were sent.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"id=5", "id__in=1,,2", "id__range=1,2,3", "username__icontains=%00", "date_joined=2024-01-02T10:00Z",
		"id=1e999999999", "id=-.5e-3", "is_active=True", "email__isnull=1", "gender=x", "dob=99/99/99", "ordering=-id,x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		params, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		_, err = users.Parse(params, Options{})
		if err != nil {
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != core.Invalid {
				t.Fatalf("%q: error %v is not Invalid", s, err)
			}
			for name := range ce.Fields {
				if _, sent := params[name]; !sent {
					t.Fatalf("%q: error names %q, which was not sent", s, name)
				}
			}
		}
		_ = Ordering(params.Get("ordering"), map[string]string{"id": "id"})
	})
}

// TestBuild: a method filter builds its own condition from the cleaned
// value; empty and unreadable values stay no filter, bad ones an error.
func TestBuild(t *testing.T) {
	staff := Set{
		"is_staff": {Kind: Bool, Lookups: []string{Exact}, Build: func(v any) query.Expr {
			op := query.Lt
			if v.(bool) {
				op = query.Ge
			}
			return &query.Cond{Field: "level", Op: op, Value: int64(40)}
		}},
		"since": {Kind: Number, Lookups: []string{Exact, GT}, Field: "id", Build: func(v any) query.Expr { return query.Or{} }},
	}
	tests := []struct {
		query string
		want  query.Expr
		bad   bool
	}{
		{"is_staff=TRUE", &query.Cond{Field: "level", Op: query.Ge, Value: int64(40)}, false},
		{"is_staff=0", &query.Cond{Field: "level", Op: query.Lt, Value: int64(40)}, false},
		{"is_staff=yes", nil, false},
		{"is_staff=", nil, false},
		{"since=3", query.Or{}, false},
		// Build serves the exact lookup alone.
		{"since__gt=3", &query.Cond{Field: "id", Op: query.Gt, Value: int64(3), CaseSensitive: true}, false},
		{"since=x", nil, true},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		got, err := staff.Parse(q, Options{})
		if (err != nil) != tt.bad {
			t.Errorf("%s: err %v", tt.query, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", tt.query, diff)
		}
	}
}
