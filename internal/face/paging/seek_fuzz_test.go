package paging

import (
	"strings"
	"testing"

	"usersd/internal/core"
)

// FuzzSeek: "b<id>"/"a<id>" page values give only digits, in the mode
// the letter names; folding only widens what is accepted.
func FuzzSeek(f *testing.F) {
	for _, s := range []string{"b5", "a5", "B5", "A12", "b", "5", "b-1", "b99999999999999999999", "c5", "b5 ", "b٣", "ab5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fold := range []bool{false, true} {
			mode, digits, ok := Seek(s, fold)
			if !ok {
				if mode != Numbered || digits != "" {
					t.Fatalf("Seek(%q, %v) failed with %v %q", s, fold, mode, digits)
				}
				continue
			}
			if digits == "" || strings.Trim(digits, "0123456789") != "" || s[1:] != digits {
				t.Fatalf("Seek(%q, %v) gives digits %q", s, fold, digits)
			}
			after := s[0] == 'a' || s[0] == 'A'
			if after && mode != After || !after && mode != Before {
				t.Fatalf("Seek(%q, %v) = mode %v", s, fold, mode)
			}
			if !fold {
				if m2, d2, ok2 := Seek(s, true); !ok2 || m2 != mode || d2 != digits {
					t.Fatalf("Seek(%q) differs when folding", s)
				}
			}
		}
	})
}

// FuzzCursorRoundTrip: every position encodes to a cursor that decodes
// to it, and a cursor's errors are Invalid.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add(int64(5), true, "cD01")
	f.Add(int64(-1<<63), false, "cD05OTk5OTk5OTk5OTk5OTk5OTk5OQ")
	f.Add(int64(1<<63-1), true, "cD0xJnI9Mg")
	f.Fuzz(func(t *testing.T, id int64, reverse bool, s string) {
		p, err := DecodeCursor(EncodeCursor(id, reverse), 20)
		if err != nil || p.ID != id || p.Reverse != reverse || p.Mode != Cursor || p.Limit != 20 {
			t.Fatalf("(%d, %v) encodes to %q, which decodes to %+v, %v", id, reverse, EncodeCursor(id, reverse), p, err)
		}
		if _, err := DecodeCursor(s, 20); err != nil && core.ErrorCode(err) != core.Invalid {
			t.Fatalf("DecodeCursor(%q): %v is not Invalid", s, err)
		}
	})
}
