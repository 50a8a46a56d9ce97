package paging

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"usersd/internal/core"
	"usersd/internal/query"
)

func TestSeek(t *testing.T) {
	tests := []struct {
		in     string
		fold   bool
		mode   Mode
		digits string
		ok     bool
	}{
		{"b123", false, Before, "123", true},
		{"a7", false, After, "7", true},
		{"B123", false, Numbered, "", false},
		{"B123", true, Before, "123", true},
		{"A0", true, After, "0", true},
		{"b", true, Numbered, "", false},
		{"b-1", true, Numbered, "", false},
		{"12", true, Numbered, "", false},
		{"c12", true, Numbered, "", false},
	}
	for _, tt := range tests {
		mode, digits, ok := Seek(tt.in, tt.fold)
		if mode != tt.mode || digits != tt.digits || ok != tt.ok {
			t.Errorf("Seek(%q, %v) = %v %q %v, want %v %q %v", tt.in, tt.fold, mode, digits, ok, tt.mode, tt.digits, tt.ok)
		}
	}
}

func TestApply(t *testing.T) {
	base := &query.Cond{Field: "deleted", Op: query.Eq, Value: false}
	byName := []query.Order{{Field: "name"}}
	tests := []struct {
		name   string
		page   Page
		filter query.Expr
		want   query.Expr
		order  []query.Order
		skip   int
	}{
		{"numbered", Page{Mode: Numbered, Limit: 20, Number: 3}, base, base, byName, 40},
		{"numbered 0", Page{Mode: Numbered, Limit: 20}, nil, nil, byName, 0},
		{"offset", Page{Mode: Offset, Limit: 20, Skip: 7}, base, base, byName, 7},
		{"before", Page{Mode: Before, ID: 9}, base, query.And{base, &query.Cond{Field: "id", Op: query.Lt, Value: int64(9)}}, []query.Order{{Field: "id", Desc: true}}, 0},
		{"after, no filter", Page{Mode: After, ID: 9}, nil, &query.Cond{Field: "id", Op: query.Gt, Value: int64(9)}, []query.Order{{Field: "id"}}, 0},
		{"cursor", Page{Mode: Cursor, ID: 4}, nil, &query.Cond{Field: "id", Op: query.Gt, Value: int64(4)}, []query.Order{{Field: "id"}}, 0},
		{"reverse cursor", Page{Mode: Cursor, ID: 4, Reverse: true}, nil, &query.Cond{Field: "id", Op: query.Lt, Value: int64(4)}, []query.Order{{Field: "id", Desc: true}}, 0},
	}
	for _, tt := range tests {
		f, o, skip := tt.page.Apply(tt.filter, byName)
		if diff := cmp.Diff(tt.want, f); diff != "" {
			t.Errorf("%s: filter (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.order, o); diff != "" {
			t.Errorf("%s: order (-want +got):\n%s", tt.name, diff)
		}
		if skip != tt.skip {
			t.Errorf("%s: skip %d, want %d", tt.name, skip, tt.skip)
		}
	}
	rows := []int{1, 2, 3}
	Restore(Page{Mode: After}, rows)
	if !cmp.Equal(rows, []int{3, 2, 1}) {
		t.Errorf("after page restored to %v", rows)
	}
	Restore(Page{Mode: Before}, rows)
	if !cmp.Equal(rows, []int{3, 2, 1}) {
		t.Errorf("before page reordered to %v", rows)
	}
}

func TestCursor(t *testing.T) {
	for _, tt := range []struct {
		id      int64
		reverse bool
	}{{0, false}, {42, true}, {-1, false}, {1 << 62, true}} {
		p, err := DecodeCursor(EncodeCursor(tt.id, tt.reverse), 10)
		if err != nil || p != (Page{Mode: Cursor, Limit: 10, ID: tt.id, Reverse: tt.reverse}) {
			t.Errorf("cursor %d %v round-trips to %+v, %v", tt.id, tt.reverse, p, err)
		}
	}
	for _, bad := range []string{"", "!!", "cD14", EncodeCursor(1, false) + "x", "cj0yJnA9MQ"} {
		if _, err := DecodeCursor(bad, 10); core.ErrorCode(err) != core.Invalid {
			t.Errorf("DecodeCursor(%q) err = %v, want Invalid", bad, err)
		}
	}
}

func TestLinks(t *testing.T) {
	const base = "https://h/drf/users/"
	q := func(s string) url.Values { v, _ := url.ParseQuery(s); return v }
	tests := []struct {
		name string
		got  Links
		want Links
	}{
		{"first of several", NumberedLinks(base, q("page=1&sort=-id&email=&a=x+y"), "page", 1, true),
			Links{Next: base + "?a=x+y&email=&page=2&sort=-id"}},
		{"page 2 drops page", NumberedLinks(base, q("page=2"), "page", 2, true),
			Links{Next: base + "?page=3", Previous: base}},
		{"last", NumberedLinks(base, q("page=5&t=a:b"), "page", 5, false),
			Links{Previous: base + "?page=4&t=a%3Ab"}},
		{"single", NumberedLinks(base, nil, "page", 1, false), Links{}},
		{"offset middle", OffsetLinks(base, q("start=25&max-results=25"), "start", 25, 25, 60),
			Links{Next: base + "?max-results=25&start=50", Previous: base + "?max-results=25"}},
		{"offset end", OffsetLinks(base, q("start=50"), "start", 50, 25, 60),
			Links{Previous: base + "?start=25"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// FuzzCursor checks that no cursor text panics the decoder and that
// whatever decodes re-encodes to a cursor for the same page.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"", EncodeCursor(5, true), "cD01", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := DecodeCursor(s, 1)
		if err != nil {
			return
		}
		q, err := DecodeCursor(EncodeCursor(p.ID, p.Reverse), 1)
		if err != nil || q != p {
			t.Fatalf("%q decodes to %+v, which re-encodes to %+v, %v", s, p, q, err)
		}
	})
}

func TestStartLinks(t *testing.T) {
	params := url.Values{"start": {"5"}, "max-results": {"5"}, "q": {"x", "a b"}, "b": {"1"}}
	base := "http://h/api/users/"
	tests := []struct {
		start, limit, n, total int
		next, prev             string
	}{
		{5, 5, 5, 20, base + "?start=10&max-results=5&b=1&q=a+b", base + "?start=0&max-results=5&b=1&q=a+b"},
		{0, 5, 5, 5, "", ""},
		{3, 5, 2, 5, "", base + "?start=0&max-results=5&b=1&q=a+b"},
		{50, 10, 0, 5, "", base + "?start=40&max-results=10&b=1&q=a+b"},
		{0, 0, 0, 5, "", ""},
	}
	for _, tt := range tests {
		l := StartLinks(base, params, tt.start, tt.limit, tt.n, tt.total)
		if l.Next != tt.next || l.Previous != tt.prev {
			t.Errorf("%+v: got %+v", tt, l)
		}
	}
}
