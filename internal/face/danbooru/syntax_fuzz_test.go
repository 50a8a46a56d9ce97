package danbooru

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"usersd/internal/query"
)

// FuzzNumberSyntax: the number syntax (spec §5.1) on integers, datetimes
// and ages. Whatever parses has its bounds in order, compiles to a filter
// the native printer writes and reads back unchanged, and agrees with
// strconv on plain and compared integers.
func FuzzNumberSyntax(f *testing.F) {
	for _, s := range []string{"5", "-5", ">=5", "<5", ">5", "<=5", "5..", "..5", "1..3", "3..1", "1...3", "1,2", "1 2",
		"5,>7", "1,5..9,>20", "any", "none", "0b1_0", "0x1f", "1_000", "1..2..3", "\n5..6", "99999999999999999999",
		"-9223372036854775808", "9223372036854775807", ",", "..", "...", ">", "<=", "2024-01-01", "2024-01-01..2024-02-01",
		">2024-01-01T10:00Z", "1w", "<1w", "1d12h..2w", "yesterday", "2024-01-01,2024-02-01", "Jan 2, 2024"} {
		f.Add(s)
	}
	loc, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 31, 2, 30, 0, 0, time.UTC)
	datetime := func(s string) (any, bool) { t, ok := parseDatetime(s, loc); return t, ok }
	age := func(s string) (any, bool) {
		d, ok := parseDuration(s)
		if !ok {
			return nil, false
		}
		return d.ago(now, loc), true
	}
	day := func(v any) (any, any) { return dayOf(v.(time.Time), loc) }
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []struct {
			kind rangeKind
			pv   valueParser
			day  func(any) (any, any)
		}{{kindInteger, intValue64, nil}, {kindDatetime, datetime, nil}, {kindAge, age, day}} {
			e, ok := parseRange(s, k.kind, k.pv, k.day)
			if !ok {
				continue
			}
			checkRange(t, s, e)
			printed := query.String(rangeCond("id", e))
			if printed == "" {
				continue // nothing (an empty list): the native language has no "false"
			}
			back, err := query.Parse(printed)
			if errors.Is(err, query.ErrTooComplex) {
				continue // a list longer than the native language takes
			}
			if err != nil {
				t.Fatalf("%q compiles to %q, which does not parse: %v", s, printed, err)
			}
			if again := query.String(back); again != printed && k.kind == kindInteger {
				t.Fatalf("%q compiles to %q, which reads back as %q", s, printed, again)
			}
		}
		// Plain and compared integers mean what strconv says (in their
		// canonical form: Ruby's Integer() reads "010" as octal).
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && s == strconv.FormatInt(n, 10) {
			if e, ok := parseRange(s, kindInteger, intValue64, nil); !ok || e.op != opEq || e.v != n {
				t.Fatalf("parseRange(%q) = %+v, %v; want = %d", s, e, ok, n)
			}
			if e, ok := parseRange(">="+s, kindInteger, intValue64, nil); !ok || e.op != opGe || e.v != n {
				t.Fatalf("parseRange(>=%q) = %+v, %v; want >= %d", s, e, ok, n)
			}
		}
	})
}

// checkRange: bounds are ordered and values are of the kind's type. (An
// empty list, from ",", is upstream's where(id: []): it matches nothing.)
func checkRange(t *testing.T, s string, e rangeExpr) {
	t.Helper()
	switch e.op {
	case opBetween, opBetweenEx:
		if less(e.hi, e.v) {
			t.Fatalf("parseRange(%q): bounds %v > %v", s, e.v, e.hi)
		}
	case opUnion:
		for _, p := range e.parts {
			checkRange(t, s, p)
		}
	}
	for _, v := range append([]any{e.v, e.hi}, e.vals...) {
		switch v.(type) {
		case nil, int64, time.Time:
		default:
			t.Fatalf("parseRange(%q): value %#v is neither an integer nor a time", s, v)
		}
	}
}

func less(a, b any) bool {
	switch x := a.(type) {
	case int64:
		return x < b.(int64)
	case time.Time:
		return x.Before(b.(time.Time))
	}
	return false
}

// FuzzAgeAndDate: ages stay within maxAgeDays and name a time before now;
// dates read back from their RFC 3339 form as the same instant.
func FuzzAgeAndDate(f *testing.F) {
	for _, s := range []string{"1d", "1d12h", "2 weeks", "1.5y", "0s", "3mo2w", "1y1y", "1h1d", "99999y", "4000y", ".5d",
		"10 seconds", "1e3d", "2024-01-01", "2024-01-01T10:00:00+14:00", "2024/01/01 10:00", "20240101T101010+0100",
		"Mon, 02 Jan 2006 15:04:05 GMT", "0000-01-01", "9999-12-31T23:59:59Z", "2024-02-30", " 2024-01-01 "} {
		f.Add(s)
	}
	loc, _ := time.LoadLocation("Asia/Kathmandu")
	now := time.Date(2026, 3, 31, 2, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := parseDuration(s); ok {
			if d.days < 0 || d.seconds < 0 || d.days+d.seconds/86400 > maxAgeDays {
				t.Fatalf("parseDuration(%q) = %+v: outside 0..%v days", s, d, maxAgeDays)
			}
			ago := d.ago(now, loc)
			if ago.After(now) || now.Sub(ago) > time.Duration(math.Ceil(maxAgeDays+2)*24)*time.Hour && now.AddDate(0, 0, -int(maxAgeDays)-2).After(ago) {
				t.Fatalf("parseDuration(%q).ago = %v: not within %v days before %v", s, ago, maxAgeDays, now)
			}
		}
		if tm, ok := parseDatetime(s, loc); ok && tm.UTC().Year() >= 1 && tm.UTC().Year() <= 9999 {
			back, ok := parseDatetime(tm.UTC().Format(time.RFC3339Nano), loc)
			if !ok || !back.Equal(tm) {
				t.Fatalf("parseDatetime(%q) = %v, but its RFC 3339 form reads as %v, %v", s, tm, back, ok)
			}
			if lo, hi := dayOf(tm, loc); tm.Before(lo) || !tm.Before(hi) {
				t.Fatalf("dayOf(%v) = [%v, %v) misses it", tm, lo, hi)
			}
		}
	})
}

// FuzzStringSyntax: LIKE values (spec §5.3) keep their literal text when
// they have no wildcard, and have one only where the value has a "*".
// Booleans are never both true and false; castInteger agrees with strconv.
func FuzzStringSyntax(f *testing.F) {
	for _, s := range []string{"", "abc", "a*b", `a\*b`, `a\\*`, `\`, `a\b`, "%", "_", "?", "*", "**", `\\`, "a?*", "true",
		"t", "YES", "off", "0", " 12", "+7", "-0", "12abc", "1e5", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, wild := likePattern(s)
		if wild && !strings.Contains(s, "*") {
			t.Fatalf("likePattern(%q) = %q has a wildcard the value lacks", s, p)
		}
		if !wild {
			want := s
			if strings.Contains(s, "*") {
				want = strings.NewReplacer(`\*`, "*", `\\`, `\`).Replace(s)
			}
			if got := query.LiteralOf(p); got != want {
				t.Fatalf("likePattern(%q) = %q stands for %q, want %q", s, p, got, want)
			}
		}
		if truthy(s) && falsy(s) {
			t.Fatalf("%q is both truthy and falsy", s)
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n != math.MaxInt64 && n != math.MinInt64 {
			if got, ok := castInteger(s); !ok || got != n {
				t.Fatalf("castInteger(%q) = %d, %v; want %d", s, got, ok, n)
			}
		}
	})
}
