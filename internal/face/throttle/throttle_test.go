package throttle

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"usersd/internal/core"
)

var pronounsLike = []Bucket{
	{Pattern: "/", PerMinute: 120},
	{Pattern: "GET /users/*", PerMinute: 60},
	{Pattern: "GET /users/*/members", PerMinute: 61},
	{Pattern: "GET /users/*/members/*", PerMinute: 62},
	{Pattern: "PATCH /users/@me", PerMinute: 10},
	{Pattern: "POST /members", PerMinute: 11},
	{Pattern: "GET /members/*", PerMinute: 63},
	{Pattern: "/auth/*", PerMinute: 20},
	{Pattern: "/auth/tokens", PerMinute: 9},
}

func TestMatch(t *testing.T) {
	tb, err := New("test", pronounsLike)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ method, path, want string }{
		{"GET", "/users/alice", "GET /users/*"},
		{"HEAD", "/users/alice", "GET /users/*"},
		{"GET", "/users/@me", "GET /users/*"},
		{"PATCH", "/users/@me", "PATCH /users/@me"},
		{"PATCH", "/users/alice", "/"},
		{"GET", "/users/alice/members", "GET /users/*/members"},
		{"GET", "/users/alice/members/bob", "GET /users/*/members/*"},
		{"GET", "/users/@me/flags", "/"},
		{"PATCH", "/users/@me/flags/x", "/"},
		{"GET", "/users/@me/reroll", "/"},
		{"POST", "/members", "POST /members"},
		{"GET", "/members/x", "GET /members/*"},
		{"GET", "/members/x/reroll", "/"},
		{"POST", "/auth/tokens", "/auth/tokens"},
		{"DELETE", "/auth/sessions", "/auth/*"},
		{"GET", "", "/"},
		{"GET", "/", "/"},
		{"GET", "/users/", "/"},
		{"GET", "/nowhere/at/all", "/"},
	}
	for _, tt := range tests {
		if got := tb.Match(tt.method, tt.path).Pattern; got != tt.want {
			t.Errorf("Match(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestNew(t *testing.T) {
	for _, bad := range [][]Bucket{
		{{Pattern: "GET /users/*", PerMinute: 1}},                            // no fallback
		{{Pattern: "/", PerMinute: 0}},                                       // zero
		{{Pattern: "/", PerMinute: 1}, {Pattern: "get /x", PerMinute: 1}},    // lower-case method
		{{Pattern: "/", PerMinute: 1}, {Pattern: "GET users", PerMinute: 1}}, // no slash
		{{Pattern: "/", PerMinute: 1}, {Pattern: "GET /a//b", PerMinute: 1}}, // empty segment
	} {
		if _, err := New("test", bad); err == nil {
			t.Errorf("New(%v) succeeded", bad)
		}
	}
}

func TestParse(t *testing.T) {
	got, err := Parse(pronounsLike, "*=5, PATCH /users/@me=2,/=7")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"/": 7, "PATCH /users/@me": 2, "GET /users/*": 5, "/auth/tokens": 5}
	for _, b := range got {
		if n, ok := want[b.Pattern]; ok && b.PerMinute != n {
			t.Errorf("%s = %d, want %d", b.Pattern, b.PerMinute, n)
		}
	}
	if pronounsLike[0].PerMinute != 120 {
		t.Error("Parse changed the defaults")
	}
	same, err := Parse(pronounsLike, "")
	if err != nil || len(same) != len(pronounsLike) || same[1].Pattern != pronounsLike[1].Pattern || same[1].PerMinute != pronounsLike[1].PerMinute {
		t.Errorf("empty list: %v, %v", same, err)
	}
	for _, bad := range []string{"GET /users/x=5", "/=0", "/=-1", "/=ten", "/", "PATCH /users/@me", "/=100000000000"} {
		if _, err := Parse(pronounsLike, bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestSetHeaders(t *testing.T) {
	now := time.Unix(1700000000, 500)
	b := Bucket{Pattern: "GET /users/*", PerMinute: 60}
	h := http.Header{}
	SetHeaders(h, b, core.RateResult{Allowed: true, Remaining: 59, ResetAfter: time.Second}, now)
	for k, want := range map[string]string{"X-RateLimit-Bucket": "GET /users/*", "X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59", "X-RateLimit-Reset": "1700000002"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if h.Get("Retry-After") != "" {
		t.Error("Retry-After on an allowed request")
	}
	h = http.Header{}
	SetHeaders(h, b, core.RateResult{Remaining: 0, RetryAfter: 1500 * time.Millisecond, ResetAfter: time.Minute}, now)
	if h.Get("Retry-After") != "2" || h.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("refused: %v", h)
	}
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "addr:192.0.2.7",
		"::ffff:192.0.2.7":     "addr:192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "addr:2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "addr:2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "addr:2001:db8:1:3::/64",
	} {
		if got := AddrKey(netip.MustParseAddr(in)); got != want {
			t.Errorf("AddrKey(%s) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseMatch: any flag value either fails or yields a table whose
// every request falls in exactly one of its buckets, never a panic.
func FuzzParseMatch(f *testing.F) {
	for _, s := range []string{"", "*=1", "/=5,GET /users/*=2", "PATCH /users/@me=0", "x", "==", "*=1000000", " , ,/=3"} {
		f.Add(s, "GET", "/users/a/members")
	}
	f.Fuzz(func(t *testing.T, list, method, path string) {
		bs, err := Parse(pronounsLike, list)
		if err != nil {
			return
		}
		tb, err := New("fuzz", bs)
		if err != nil {
			t.Fatalf("Parse(%q) accepted a table New refuses: %v", list, err)
		}
		b := tb.Match(method, path)
		if b.PerMinute < 1 || b.Pattern == "" {
			t.Fatalf("Match(%q, %q) = %+v", method, path, b)
		}
	})
}

func TestParseRates(t *testing.T) {
	defaults := []Rate{{"anon", 1000, time.Hour}, {"user", 10000, time.Hour}}
	for _, tt := range []struct {
		in         string
		anon, user int
		err        bool
	}{
		{"", 1000, 10000, false},
		{"anon=5", 5, 10000, false},
		{" user = 7 , anon=3", 3, 7, false},
		{"*=9,user=2", 9, 2, false},
		{"robot=1", 0, 0, true},
		{"anon", 0, 0, true},
		{"anon=0", 0, 0, true},
		{"anon=x", 0, 0, true},
		{"anon=4000000000000", 0, 0, true}, // refills faster than a microsecond
	} {
		got, err := ParseRates(defaults, tt.in)
		switch {
		case tt.err && err == nil:
			t.Errorf("ParseRates(%q) = %v, want an error", tt.in, got)
		case !tt.err && err != nil:
			t.Errorf("ParseRates(%q): %v", tt.in, err)
		case !tt.err && (got[0].N != tt.anon || got[1].N != tt.user):
			t.Errorf("ParseRates(%q) = %v, want anon %d, user %d", tt.in, got, tt.anon, tt.user)
		}
	}
	if defaults[0].N != 1000 {
		t.Errorf("ParseRates changed its defaults: %v", defaults)
	}
}
