package e621

import (
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"usersd/internal/face/paging"
	"usersd/internal/query"
)

func TestToInt32(t *testing.T) {
	if got := toInt32("99999999999"); got != math.MaxInt32 {
		t.Errorf("toInt32 clamps: got %d", got)
	}
	if got := toInt32("-99999999999"); got != math.MinInt32 {
		t.Errorf("toInt32 clamps: got %d", got)
	}
}

func TestParseIntRange(t *testing.T) {
	tests := []struct {
		in   string
		op   rangeOp
		vals []int64
	}{
		{"5", opEq, []int64{5}},
		{"<=5", opLe, []int64{5}},
		{"..5", opLe, []int64{5}},
		{"<5", opLt, []int64{5}},
		{">=5", opGe, []int64{5}},
		{"5..", opGe, []int64{5}},
		{">5", opGt, []int64{5}},
		{"5..10", opBetween, []int64{5, 10}},
		{"10..5", opBetween, []int64{10, 5}}, // not re-sorted
		{"1,2,3", opIn, []int64{1, 2, 3}},
		{"1,5..9", opBetween, []int64{1, 9}}, // ".." is tested before ","
		{"abc", opEq, []int64{0}},            // garbage is 0
		{"any", opEq, []int64{0}},            // no any/none
		{"none", opEq, []int64{0}},
		{"1...5", opBetween, []int64{1, 0}}, // "...": BETWEEN 1 AND to_i(".5")
		{"1 2 3", opEq, []int64{1}},         // no space-separated lists
		{"..", opLe, []int64{0}},
		{"<=", opLe, []int64{0}},
		{"3000000000", opEq, []int64{math.MaxInt32}},
	}
	for _, tt := range tests {
		r := parseIntRange(tt.in)
		if r.op != tt.op || !cmp.Equal(r.vals, tt.vals) {
			t.Errorf("parseIntRange(%q) = %v %v, want %v %v", tt.in, r.op, r.vals, tt.op, tt.vals)
		}
	}
	long := strings.Repeat("1,", 400)
	if r := parseIntRange(long); len(r.vals) != maxLimit {
		t.Errorf("IN list keeps %d items, want %d", len(r.vals), maxLimit)
	}
}

func TestIntRangeMatchAndCond(t *testing.T) {
	tests := []struct {
		in    string
		match []int64
		miss  []int64
		cond  string
	}{
		{"20", []int64{20}, []int64{10, 30}, "id = 20"},
		{">20", []int64{30}, []int64{20}, "id > 20"},
		{"20..40", []int64{20, 30, 40}, []int64{10, 50}, "id >= 20 && id <= 40"},
		{"40..20", nil, []int64{20, 30, 40}, "id >= 40 && id <= 20"},
		{"10,30", []int64{10, 30}, []int64{20}, "id in (10, 30)"},
		{"<=20", []int64{10, 20}, []int64{30}, "id <= 20"},
	}
	for _, tt := range tests {
		r := parseIntRange(tt.in)
		for _, n := range tt.match {
			if !r.match(n) {
				t.Errorf("%q should match %d", tt.in, n)
			}
		}
		for _, n := range tt.miss {
			if r.match(n) {
				t.Errorf("%q should not match %d", tt.in, n)
			}
		}
		if got := query.String(r.cond("id")); got != tt.cond {
			t.Errorf("cond(%q) = %s, want %s", tt.in, got, tt.cond)
		}
	}
}

func TestParseDate(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 31, 2, 30, 0, 0, time.UTC) // 2026-03-30 22:30 in New York
	tests := []struct {
		in     string
		want   time.Time
		isDate bool
		ok     bool
		err    bool
	}{
		{"today", time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC), true, true, false},
		{"yesterday", time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), true, true, false},
		{"decade", time.Date(2016, 3, 30, 0, 0, 0, 0, time.UTC), true, true, false},
		{"week", time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), true, true, false},
		{"month", time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), true, true, false}, // clamped like Date#<<
		{"year", time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC), true, true, false},
		{"3", now.Add(-72 * time.Hour), false, true, false},
		{"3d", now.Add(-72 * time.Hour), false, true, false},
		{"3_days_ago", now.Add(-72 * time.Hour), false, true, false},
		{"2h", now.Add(-2 * time.Hour), false, true, false},
		{"90mi", now.Add(-90 * time.Minute), false, true, false},
		{"10s", now.Add(-10 * time.Second), false, true, false},
		{"1w", now.Add(-7 * 24 * time.Hour), false, true, false},
		{"1mo", time.Date(2026, 2, 28, 22, 30, 0, 0, ny), false, true, false},
		{"1YEARS", time.Date(2025, 3, 30, 22, 30, 0, 0, ny), false, true, false},
		{"2026-03-04", time.Date(2026, 3, 4, 0, 0, 0, 0, ny), false, true, false},
		{"2026-03-04T05:06:07Z", time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC), false, true, false},
		{"2026-03-04 05:06", time.Date(2026, 3, 4, 5, 6, 0, 0, ny), false, true, false},
		{"March 4, 2026", time.Date(2026, 3, 4, 0, 0, 0, 0, ny), false, true, false},
		{"garbage", time.Time{}, false, false, false},
		{"2026-02-30", time.Time{}, false, false, false},
		{"99999y", time.Time{}, false, false, true},
		{"3000000y", time.Time{}, false, false, true},
		{"99999999999999999999d", time.Time{}, false, false, true},
	}
	for _, tt := range tests {
		v, ok, err := parseDate(tt.in, now, ny)
		if (err != nil) != tt.err {
			t.Errorf("parseDate(%q) err = %v, want err %v", tt.in, err, tt.err)
			continue
		}
		if ok != tt.ok {
			t.Errorf("parseDate(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if ok && (!v.t.Equal(tt.want) || v.isDate != tt.isDate) {
			t.Errorf("parseDate(%q) = %v (date %v), want %v (date %v)", tt.in, v.t, v.isDate, tt.want, tt.isDate)
		}
	}
	var bad errInvalidDate
	if _, _, err := parseDate("99999y", now, ny); !errors.As(err, &bad) || err.Error() != "Invalid date: 99999y" {
		t.Errorf("error = %v", err)
	}
}

func TestDateCond(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 31, 2, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want string // query.String; "" = dropped
	}{
		{"2026-03-04", `created_at >= "2026-03-04T05:00:00Z" && created_at <= "2026-03-05T04:59:59.999999Z"`},
		{"today", `created_at = "2026-03-30T00:00:00Z"`},
		{">=yesterday", `created_at >= "2026-03-29T00:00:00Z"`},
		{"2026-03-01..2026-03-02", `created_at >= "2026-03-01T05:00:00Z" && created_at <= "2026-03-02T05:00:00Z"`},
		{"garbage", ""},
		{">garbage", ""},
		{"garbage..today", ""},
		{"today..garbage", ""}, // BETWEEN x AND NULL: an empty Or
		{"today,garbage", `created_at in ("2026-03-30T00:00:00Z")`},
	}
	for _, tt := range tests {
		e, err := dateCond("created_at", tt.in, now, ny)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if got := query.String(e); got != tt.want {
			t.Errorf("dateCond(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if e, _ := dateCond("created_at", "today..garbage", now, ny); !cmp.Equal(e, query.Expr(query.Or{})) {
		t.Errorf("BETWEEN x AND NULL = %#v, want an empty Or", e)
	}
	if _, err := dateCond("created_at", ">99999y", now, ny); err == nil {
		t.Error("out-of-range relative date: want an error")
	}
}

func TestWildcards(t *testing.T) {
	tests := []struct {
		in, pattern string
		wild        bool
	}{
		{"fox", "fox", false},
		{"fox*", "fox*", true},
		{`fox\*`, `fox\*`, false},
		{`a\\b`, `a\\b`, false},
		{`a\b`, `a\\b`, false},
		{"a?b", `a\?b`, false},
		{"50%_off", "50%_off", false},
		{`*\`, `*\\`, true},
	}
	for _, tt := range tests {
		p, wild := e621Wildcard(tt.in)
		if p != tt.pattern || wild != tt.wild {
			t.Errorf("e621Wildcard(%q) = %q %v, want %q %v", tt.in, p, wild, tt.pattern, tt.wild)
		}
	}
	names := []struct{ in, want string }{
		{"Purple Fox", `name = "purple_fox"`},
		{"  PURPLE*  ", `name like "purple*"`},
		{`a\*b`, `name = "a*b"`},
		{"a_b%", `name = "a_b%"`},
	}
	for _, tt := range names {
		if got := query.String(nameMatches(tt.in)); got != tt.want {
			t.Errorf("nameMatches(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := legacyPattern(`Pu%_?\*`); got != `pu%_\?\\*` {
		t.Errorf("legacyPattern = %q", got)
	}
}

func TestTextMatch(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fox", `bio contains "fox"`},
		{"Red Fox!", `bio contains "red" && bio contains "fox"`},
		{"*Fox*", `bio like "*fox*"`},
		{"!!!", ``},
	}
	for _, tt := range tests {
		if got := query.String(textMatch("bio", tt.in)); got != tt.want {
			t.Errorf("textMatch(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestIPFilter(t *testing.T) {
	tests := []struct{ in, lo, hi string }{
		{"10.1.2.3", "10.1.2.3", "10.1.2.3"},
		{"10.0.0.0/8", "10.0.0.0", "10.255.255.255"},
		{"10.1.2.3/16", "10.1.0.0", "10.1.255.255"},
		{"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"::ffff:10.0.0.0/104", "10.0.0.0", "10.255.255.255"},
	}
	for _, tt := range tests {
		and, ok := ipFilter(tt.in).(query.And)
		if !ok || len(and) != 2 {
			t.Fatalf("ipFilter(%q) = %#v", tt.in, ipFilter(tt.in))
		}
		lo, hi := and[0].(*query.Cond).Value.(netip.Addr), and[1].(*query.Cond).Value.(netip.Addr)
		if lo.String() != tt.lo || hi.String() != tt.hi {
			t.Errorf("ipFilter(%q) = %s..%s, want %s..%s", tt.in, lo, hi, tt.lo, tt.hi)
		}
	}
	if e := ipFilter("nope"); !cmp.Equal(e, query.Expr(query.Or{})) {
		t.Errorf("bad address: %#v", e)
	}
}

func TestPaging(t *testing.T) {
	limits := []struct {
		in   *param
		want int
		msg  string
	}{
		{nil, 75, ""},
		{strParam(""), 75, ""},
		{strParam("0"), 0, ""},
		{strParam("320"), 320, ""},
		{strParam("321"), 0, "Limit must be between 0 and 320."},
		{strParam("99999999999999999999"), 0, "Limit must be between 0 and 320."},
		{strParam("-1"), 0, "Invalid limit."},
		{strParam("1.5"), 0, "Invalid limit."},
		{strParam("ten"), 0, "Invalid limit."},
		{&param{kind: 'a', arr: []*param{strParam("1")}}, 0, "Invalid limit."},
	}
	for _, tt := range limits {
		n, msg := parseLimit(tt.in)
		if n != tt.want || msg != tt.msg {
			t.Errorf("parseLimit(%v) = %d %q, want %d %q", tt.in, n, msg, tt.want, tt.msg)
		}
	}
	pages := []struct {
		in   string
		kind paging.Mode
		n    int64
		msg  string
	}{
		{"", paging.Numbered, 1, ""},
		{"1", paging.Numbered, 1, ""},
		{"750", paging.Numbered, 750, ""},
		{"0", 0, 0, "Invalid page number."},
		{"751", 0, 0, "You cannot go beyond page 750. Please narrow your search terms."},
		{"99999999999999999999", 0, 0, "You cannot go beyond page 750. Please narrow your search terms."},
		{"b12", paging.Before, 12, ""},
		{"a12", paging.After, 12, ""},
		{"a0", paging.After, 0, ""},
		{"B12", 0, 0, "Invalid page number."},
		{"A12", 0, 0, "Invalid page number."},
		{"b2147483648", 0, 0, "Page parameter is out of valid range."},
		{"b99999999999999999999", 0, 0, "Page parameter is out of valid range."},
		{"-1", 0, 0, "Invalid page number."},
		{"c1", 0, 0, "Invalid page number."},
	}
	for _, tt := range pages {
		var p *param
		if tt.in != "" {
			p = strParam(tt.in)
		}
		kind, n, msg := parsePage(p)
		if kind != tt.kind || n != tt.n || msg != tt.msg {
			t.Errorf("parsePage(%q) = %v %d %q, want %v %d %q", tt.in, kind, n, msg, tt.kind, tt.n, tt.msg)
		}
	}
}

func TestCompileSearch(t *testing.T) {
	h := &handler{ng: classicLevels}
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 31, 2, 30, 0, 0, time.UTC)
	search := func(raw string) *param {
		p := newHash()
		parseQuery(p, raw)
		return p.get("search")
	}
	tests := []struct {
		raw    string
		admin  bool
		filter string
		order  string
		denied string
	}{
		{"", false, "", "-id", ""},
		{"search[name]=x", false, "", "", "found unpermitted parameter: :name"},
		{"search[name]=x&search[is_banned]=1", false, "", "", "found unpermitted parameters: :name, :is_banned"},
		{"search[ip_addr]=1.2.3.4", false, "", "", "found unpermitted parameter: :ip_addr"},
		{"search[level][]=20", false, "", "", "found unpermitted parameter: :level"},
		{"search[id]=abc", false, "id = 0", "-id", ""},
		{"search[level]=30", false, "banned = false && level in (30, 31, 32, 35)", "-id", ""},
		{"search[level]=10", false, "banned = true", "-id", ""},
		{"search[level]=34", false, "", "-id", ""}, // matches nothing: an empty Or
		{"search[min_level]=abc", false, "", "-id", ""},
		{"search[max_level]=10", false, "banned = true", "-id", ""},
		{"search[min_level]=35&search[max_level]=40", false, "(banned = false && level in (37, 40, 50, 60)) && (banned = true || (banned = false && level in (10, 20, 30, 31, 32, 35, 37, 40)))", "-id", ""},
		{"search[can_approve_posts]=yes&search[can_upload_free]=OFF", false, "can_approve_posts = true && can_upload_free = false", "-id", ""},
		{"search[can_approve_posts]=maybe", false, "", "-id", ""},
		{"search[can_karma_free]=t", false, "upload_karma >= 100", "-id", ""},
		{"search[avatar_id]=12", false, "avatar_post_id = 12", "-id", ""},
		{"search[name_matches]=Fox*", false, `name like "fox*"`, "-id", ""},
		{"search[about_me]=*", false, "", "-id", ""},
		{"search[about_me]=fox", false, `bio contains "fox" || artist_info contains "fox"`, "-id", ""},
		{"search[email_matches]=*@Example.com", true, `email like "*@example.com"`, "-id", ""},
		{"search[order]=name", false, "", "name,-id", ""},
		{"search[order]=note_count", false, "", "-note_update_count,-id", ""},
		{"search[order]=id_asc", false, "", "id", ""},
		{"search[order]=bogus", false, "", "-id", ""},
	}
	for _, tt := range tests {
		s, denied, err := h.compileSearch(search(tt.raw), searchesAs(tt.admin), now, ny)
		if err != nil {
			t.Fatalf("%s: %v", tt.raw, err)
		}
		if denied != tt.denied {
			t.Errorf("%s: denied %q, want %q", tt.raw, denied, tt.denied)
			continue
		}
		if denied != "" {
			continue
		}
		if got := query.String(s.filter); got != tt.filter {
			t.Errorf("%s: filter %s, want %s", tt.raw, got, tt.filter)
		}
		if got := query.OrderString(s.order); got != tt.order {
			t.Errorf("%s: order %s, want %s", tt.raw, got, tt.order)
		}
	}
	if _, _, err := h.compileSearch(search("search[created_at]=99999y"), searchesAs(false), now, ny); err == nil {
		t.Error("invalid relative date: want an error")
	}
}

// searchesAs is the e621 profile's search rule for a member or an admin
// with the upstream grants on: updated_at for anyone, the rest for admins.
func searchesAs(admin bool) func(field string) bool {
	return func(field string) bool { return admin || field == "updated_at" }
}

func TestToQuery(t *testing.T) {
	p := newHash()
	parseQuery(p, "limit=5&search%5Blevel%5D=20&search[id]=1&a[]=x&a[]=y+z&b=%26")
	if got, want := toQuery(p, ""), "a%5B%5D=x&a%5B%5D=y+z&b=%26&limit=5&search%5Bid%5D=1&search%5Blevel%5D=20"; got != want {
		t.Errorf("toQuery = %s, want %s", got, want)
	}
}

// FuzzSearch: the number, date, wildcard, paging and search parsers never
// panic, and keep their invariants on any input.
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{
		"", "5", "<=5", "..5", ">5..", "5..10", "1,2,3", "1,5..9", "abc", "99999999999999999999",
		"today", "3d", "2_weeks_ago", "99999y", "2026-03-04", "2026-03-04T05:06:07Z", "March 4, 2026",
		`fox\*`, "*", `\`, "b12", "a0", "B12", "-1", "\x00", "\xff", "1__000", "..", "...", ",,,",
	} {
		f.Add(seed)
	}
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 31, 2, 30, 0, 0, time.UTC)
	h := &handler{ng: levels2026}
	f.Fuzz(func(t *testing.T, s string) {
		r := parseIntRange(s)
		for _, v := range r.vals {
			if v > math.MaxInt32 || v < math.MinInt32 {
				t.Fatalf("parseIntRange(%q) left the 32-bit range: %d", s, v)
			}
		}
		if r.op != opIn && len(r.vals) == 0 {
			t.Fatalf("parseIntRange(%q) has no operand", s)
		}
		_ = r.match(20)
		_ = r.cond("id")
		if v, ok, err := parseDate(s, now, ny); ok && err == nil && (v.t.Year() < 0 || v.t.Year() > 9999) {
			t.Fatalf("parseDate(%q) = %v outside years 0..9999", s, v.t)
		}
		_, _ = dateCond("created_at", s, now, ny)
		p, wild := e621Wildcard(s)
		if !wild && strings.Contains(s, "*") && !strings.Contains(s, `\*`) {
			t.Fatalf("e621Wildcard(%q) lost a wildcard", s)
		}
		if !wild && query.LiteralOf(p) != strings.NewReplacer(`\*`, "*", `\\`, `\`).Replace(s) {
			t.Fatalf("e621Wildcard(%q) literal = %q", s, query.LiteralOf(p))
		}
		_ = nameMatches(s)
		_ = textMatch("bio", s)
		_ = ipFilter(s)
		_, _ = parseLimit(strParam(s))
		_, _, _ = parsePage(strParam(s))
		root := newHash()
		parseQuery(root, s)
		parseQuery(root, "search[level]="+s+"&search[created_at]="+s+"&search[name_matches]="+s)
		_, _, _ = h.compileSearch(root.get("search"), searchesAs(true), now, ny)
		_ = toQuery(root, "")
		if v, err := decodeJSON([]byte(s)); err == nil && v == nil {
			t.Fatalf("decodeJSON(%q) = nil, nil", s)
		}
		_, _ = weakPassword(s, s, s)
	})
}
