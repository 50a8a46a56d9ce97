package danbooru

import (
	"testing"
	"time"

	"usersd/internal/face/railstz"
	"usersd/internal/query"
)

func TestTruthyFalsyAndFlags(t *testing.T) {
	for _, s := range []string{"true", "T", "yes", "Y", "on", "1", "TRUE"} {
		if !truthy(s) || falsy(s) {
			t.Errorf("%q: truthy %v falsy %v", s, truthy(s), falsy(s))
		}
	}
	for _, s := range []string{"false", "f", "NO", "n", "off", "0"} {
		if truthy(s) || !falsy(s) {
			t.Errorf("%q: truthy %v falsy %v", s, truthy(s), falsy(s))
		}
	}
	for _, s := range []string{"maybe", "", " true", "2"} {
		if truthy(s) || falsy(s) {
			t.Errorf("%q is neither, got truthy %v falsy %v", s, truthy(s), falsy(s))
		}
	}
	// has_bit_flags.rb: /[t1y]/, case-sensitive (spec §3.2, §14.31).
	flags := map[string]bool{"true": true, "t": true, "1": true, "yes": true, "y": true, "10": true, "nothing": true,
		"false": false, "0": false, "no": false, "off": false, "": false, "on": false, "2": false, "TRUE": false}
	for in, want := range flags {
		if got := flagValue(in); got != want {
			t.Errorf("flagValue(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		days    float64
		seconds float64
		ok      bool
	}{
		{"1w", 7, 0, true},
		{"3d", 3, 0, true},
		{"1d12h", 1, 12 * 3600, true},
		{"1d 12h", 1, 12 * 3600, true},
		{"90", 0, 90, true},
		{"5m", 0, 300, true},
		{"5mi", 0, 300, true},
		{"2mo", 2 * 365.25 / 12, 0, true},
		{"1y", 365.25, 0, true},
		{"1.5yr", 1.5 * 365.25, 0, true},
		{".5h", 0, 1800, true},
		{"2 weeks", 14, 0, true},
		{"1DAY", 1, 0, true},
		{"12h1d", 0, 0, false}, // units must descend
		{"1d1d", 0, 0, false},
		{"1x", 0, 0, false},
		{"mins", 0, 0, false},
		{"", 0, 0, false},
		{" 1d", 0, 0, false},
		{"1d ", 1, 0, true},
		{"99999y", 0, 0, false}, // beyond what the stores hold
	}
	for _, tt := range tests {
		d, ok := parseDuration(tt.in)
		if ok != tt.ok || (ok && (d.days != tt.days || d.seconds != tt.seconds)) {
			t.Errorf("parseDuration(%q) = %+v, %v; want days %v seconds %v, %v", tt.in, d, ok, tt.days, tt.seconds, tt.ok)
		}
	}
}

func TestParseDatetime(t *testing.T) {
	est := railstz.Location(nil)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-01-01", time.Date(2024, 1, 1, 0, 0, 0, 0, est), true},
		{"2024-07-01 12:30", time.Date(2024, 7, 1, 12, 30, 0, 0, est), true},
		{"2024-07-01T12:30:15Z", time.Date(2024, 7, 1, 12, 30, 15, 0, time.UTC), true},
		{"2024-07-01T12:30:15+09:00", time.Date(2024, 7, 1, 3, 30, 15, 0, time.UTC), true},
		{"2024/01/02", time.Date(2024, 1, 2, 0, 0, 0, 0, est), true},
		{"Jan 2, 2024", time.Date(2024, 1, 2, 0, 0, 0, 0, est), true},
		{"2024-02-30", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseDatetime(tt.in, est)
		if ok != tt.ok || (ok && !got.Equal(tt.want)) {
			t.Errorf("parseDatetime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// rangeString compiles a number-syntax value on field id to its filter
// text, or "none" when it does not parse.
func rangeString(s string) string {
	e, ok := parseRange(s, kindInteger, intValue64, nil)
	if !ok {
		return "none"
	}
	return query.String(rangeCond("id", e))
}

func TestNumberSyntax(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5", `id = 5`},
		{">5", `id > 5`},
		{">=5", `id >= 5`},
		{"<5", `id < 5`},
		{"<=5", `id <= 5`},
		{"5..", `id >= 5`}, // the code, not its comment (spec §5.1)
		{"..5", `id <= 5`},
		{"5..10", `id >= 5 && id <= 10`},
		{"10..5", `id >= 5 && id <= 10`}, // bounds are sorted
		{"5...10", `id >= 5 && id < 10`},
		{"1,2,3", `id in (1, 2, 3)`},
		{"1 2 3", `id in (1, 2, 3)`},
		{"5,7..9,>20", `id = 5 || (id >= 7 && id <= 9) || id > 20`},
		{"none,>5", `id is null || id > 5`},
		{"any", `id is not null`},
		{"none", `id is null`},
		{"0x10", `id = 16`},
		{"abc", "none"},
		{"1,abc", "none"},
		{",1", "none"}, // Ruby's split keeps a leading empty field
		{"1,", `id in (1)`},
		{"1..2..3", "none"},
		{"...", "none"},
		{"5,none", "none"},
	}
	for _, tt := range tests {
		if got := rangeString(tt.in); got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNullableRangeIsTwoValued(t *testing.T) {
	e, _ := parseRange("5", kindInteger, intValue64, nil)
	if got, want := query.String(rangeCond("inviter_id", e)), `inviter_id = 5 && inviter_id is not null`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestAgeSyntax(t *testing.T) {
	est := railstz.Location(nil)
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	c := &compiler{now: now, loc: est}
	p := newParams()
	week := now.AddDate(0, 0, -7)
	tests := []struct {
		in   string
		want string
	}{
		{"<1w", "created_at > " + q(week)},   // newer than a week
		{">1w", "created_at < " + q(week)},   // older
		{"<=1w", "created_at >= " + q(week)}, // ages invert
		{"1w..2w", "created_at >= " + q(now.AddDate(0, 0, -14)) + " && created_at <= " + q(week)},
		{"3d", "created_at >= " + q(time.Date(2024, 6, 12, 0, 0, 0, 0, est)) + " && created_at < " + q(time.Date(2024, 6, 13, 0, 0, 0, 0, est))},
		{"2024-01-01", "created_at = " + q(time.Date(2024, 1, 1, 0, 0, 0, 0, est))}, // a bare date is exact midnight
		{"2024-01-01..2024-02-01", "created_at >= " + q(time.Date(2024, 1, 1, 0, 0, 0, 0, est)) + " && created_at <= " + q(time.Date(2024, 2, 1, 0, 0, 0, 0, est))},
		{"soon", ""}, // neither an age nor a date: nothing (an empty Or)
	}
	for _, tt := range tests {
		p.set("created_at", tt.in)
		var acc query.And
		if err := c.numeric(p, "created_at", "created_at", kindDatetime, &acc); err != nil {
			t.Fatal(err)
		}
		if got := query.String(acc); got != tt.want {
			t.Errorf("created_at=%q:\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func q(t time.Time) string { return `"` + t.UTC().Format(time.RFC3339Nano) + `"` }

func TestLikePattern(t *testing.T) {
	tests := []struct {
		in, want string
		wild     bool
	}{
		{"foo", "foo", false},
		{"foo*", "foo*", true},
		{`foo\*bar`, `foo\*bar`, false}, // an escaped star is a literal star
		{`a\b`, `a\\b`, false},          // no star: a backslash is literal
		{`a\\b`, `a\\\\b`, false},       // no star: both backslashes are literal
		{`foo\*bar*`, `foo\*bar*`, true},
		{`a\\b*`, `a\\b*`, true},
		{`a\b*`, `a\\b*`, true},
		{"a_b%c?", `a_b%c\?`, false},
	}
	for _, tt := range tests {
		got, wild := likePattern(tt.in)
		if got != tt.want || wild != tt.wild {
			t.Errorf("likePattern(%q) = %q, %v; want %q, %v", tt.in, got, wild, tt.want, tt.wild)
		}
	}
	if got := query.LiteralOf(`a\\\*b`); got != `a\*b` {
		t.Errorf("unescapePattern = %q", got)
	}
}

func TestRubySplit(t *testing.T) {
	if got := rubySplit(",a,,b,,", listSepRE); len(got) != 3 || got[0] != "" || got[1] != "a" || got[2] != "b" {
		t.Errorf("rubySplit = %q", got)
	}
	if got := rubySplitString(",", ","); len(got) != 0 {
		t.Errorf(`",".split(",") = %q`, got)
	}
	if got := rubyFields("  a \t b\n"); len(got) != 2 {
		t.Errorf("rubyFields = %q", got)
	}
}
