package e621

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"
)

// FuzzNumberAndDate: e621's number syntax reads plain integers as
// strconv does, clamped to 32 bits, and keeps an operator's operand; its
// date syntax fails only with errInvalidDate, stays in years 0..9999, and
// an absolute time reads back from its RFC 3339 form as the same instant.
func FuzzNumberAndDate(f *testing.F) {
	for _, s := range []string{"5", "-5", "2147483648", "-2147483649", "99999999999999999999", "0", "12abc", " 7",
		"2026-03-04", "2026-03-04T05:06:07Z", "3_days_ago", "99999y", "yesterday", "decade", "0001-01-01", "9999-12-31",
		"10000-01-01", "2026-02-30", "March 4, 2026", "2026-03"} {
		f.Add(s)
	}
	loc, _ := time.LoadLocation("Australia/Lord_Howe")
	now := time.Date(2026, 3, 31, 2, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && s == strconv.FormatInt(n, 10) {
			want := max(min(n, math.MaxInt32), math.MinInt32)
			for _, tt := range []struct {
				text string
				op   rangeOp
			}{{s, opEq}, {">=" + s, opGe}, {"<" + s, opLt}, {".." + s, opLe}, {s + "..", opGe}} {
				if r := parseIntRange(tt.text); r.op != tt.op || len(r.vals) != 1 || r.vals[0] != want {
					t.Fatalf("parseIntRange(%q) = %+v, want op %v on %d", tt.text, r, tt.op, want)
				}
			}
		}
		v, ok, err := parseDate(s, now, loc)
		if err != nil {
			var bad errInvalidDate
			if !errors.As(err, &bad) {
				t.Fatalf("parseDate(%q): %v (%T) is not errInvalidDate", s, err, err)
			}
			return
		}
		if !ok {
			return
		}
		if y := v.t.Year(); y < 0 || y > 9999 {
			t.Fatalf("parseDate(%q) = %v", s, v.t)
		}
		if y := v.t.UTC().Year(); !v.isDate && y >= 1 && y <= 9999 {
			text := v.t.UTC().Format(time.RFC3339Nano)
			back, ok, err := parseDate(text, now, loc)
			if err != nil || !ok || !back.t.Equal(v.t) || back.isDate {
				t.Fatalf("parseDate(%q) = %v, but %q reads as %+v, %v, %v", s, v.t, text, back, ok, err)
			}
		}
	})
}
