package core_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"usersd/internal/core"
)

// TestNormalizeName: the name rule's refusals (issue 7: each look-alike
// and invisible form the native API used to accept) and the names every
// face accepts, with the form stored.
func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want, reason string
	}{
		// Names the faces accept stay as they are.
		{"hatsune_miku", "hatsune_miku", ""},
		{"初音ミク", "初音ミク", ""},
		{"한국어", "한국어", ""},
		{"a.b-c", "a.b-c", ""},
		{"o'neil~x", "o'neil~x", ""},
		{"ann@example.com", "ann@example.com", ""},
		{"Alice", "Alice", ""},
		{"user_abc", "user_abc", ""},
		{"محمد", "محمد", ""},
		// Normalized: NFC, full- and half-width forms.
		{"cafe\u0301", "café", ""},
		{"ａｄｍｉｎ", "admin", ""},
		{"ｱｲ", "アイ", ""},
		// Invisible and direction controls.
		{"ad\u200bmin", "", "may not contain invisible or direction-control characters"},
		{"ad\u200cmin", "", "may not contain invisible or direction-control characters"},
		{"ad\u200dmin", "", "may not contain invisible or direction-control characters"},
		{"ad\u00admin", "", "may not contain invisible or direction-control characters"},
		{"ad\u2060min", "", "may not contain invisible or direction-control characters"},
		{"admin\ufe0f", "", "may not contain invisible or direction-control characters"},
		{"\ufeffadmin", "", "may not contain invisible or direction-control characters"},
		{"nimda\u202e", "", "may not contain invisible or direction-control characters"},
		{"a\u202ab", "", "may not contain invisible or direction-control characters"},
		{"a\u2066b\u2069", "", "may not contain invisible or direction-control characters"},
		{"a\u200eb", "", "may not contain invisible or direction-control characters"},
		{"a\u200fb", "", "may not contain invisible or direction-control characters"},
		{"\u3164", "", "may not contain invisible or direction-control characters"},
		{"a\u115fb", "", "may not contain invisible or direction-control characters"},
		{"a\u1160b", "", "may not contain invisible or direction-control characters"},
		{"a\uffa0b", "", "may not contain invisible or direction-control characters"},
		{"a\U000E0041b", "", "may not contain invisible or direction-control characters"},
		// Unassigned, noncharacters, private use.
		{"a\ufffeb", "", "may not contain unassigned, private-use or noncharacter code points"},
		{"a\uffffb", "", "may not contain unassigned, private-use or noncharacter code points"},
		{"a\ufdd0b", "", "may not contain unassigned, private-use or noncharacter code points"},
		{"a\U0001FFFEb", "", "may not contain unassigned, private-use or noncharacter code points"},
		{"a\u0378b", "", "may not contain unassigned, private-use or noncharacter code points"},
		{"a\ue000b", "", "may not contain unassigned, private-use or noncharacter code points"},
		// Controls (XML 1.0 forbids most), white space, '/'.
		{"a\x01b", "", "may not contain white space, control characters or '/'"},
		{"a\x7fb", "", "may not contain white space, control characters or '/'"},
		{"a\u0085b", "", "may not contain white space, control characters or '/'"},
		{"a b", "", "may not contain white space, control characters or '/'"},
		{"a\u3000b", "", "may not contain white space, control characters or '/'"},
		{"a/b", "", "may not contain white space, control characters or '/'"},
		{"a\x00b", "", "may not contain NUL characters"},
		{"a\xffb", "", "must be valid UTF-8"},
		// Combining marks.
		{"\u0301", "", "may not start with a combining mark"},
		{"\u0301abc", "", "may not start with a combining mark"},
		{"a\u0300\u0301\u0302\u0303\u0304", "", "may not stack more than 4 combining marks on one character"},
		{"a\u0300\u0301\u0302\u0303", "\u00e0\u0301\u0302\u0303", ""},
		// Compatibility forms and symbols.
		{"\U0001D41A\U0001D41D\U0001D426\U0001D422\U0001D427", "", `may not contain '𝐚' (U+1D41A), a compatibility form of "a": write that instead`},
		{"ﬁsh", "", `may not contain 'ﬁ' (U+FB01), a compatibility form of "fi": write that instead`},
		{"x²", "", `may not contain '²' (U+00B2), a compatibility form of "2": write that instead`},
		{"star★", "", "may not contain '★' (U+2605): a name is letters, digits, combining marks and ASCII punctuation"},
		{"smile😀", "", "may not contain '😀' (U+1F600): a name is letters, digits, combining marks and ASCII punctuation"},
		// Bidi rule.
		{"abc_עברית", "", "may not mix right-to-left and left-to-right text this way (RFC 5893)"},
		// Numbers, the caller's words, formats, deletion names.
		{"9", "", "may not be a number"},
		{"12345", "", "may not be a number"},
		{"١٢٣", "", "may not be a number"},
		{"１２", "", "may not be a number"},
		{"l2", "", "may not look like a number"},
		{"me", "", "is reserved"},
		{"ME", "", "is reserved"},
		{"@me", "", "is reserved"},
		{"mе", "", "is reserved"}, // Cyrillic е
		{"user_12", "", "is reserved"},
		{"USER_12", "", "is reserved"},
		{"user_l2", "", "is reserved"},
		{"x.json", "", "may not end in .json, which routes read as a format"},
		{"x.JSON", "", "may not end in .json, which routes read as a format"},
		{"x.xml", "", "may not end in .xml, which routes read as a format"},
		{"x.html", "", "may not end in .html, which routes read as a format"},
		{"x.atom", "", "may not end in .atom, which routes read as a format"},
		{"x.jsοn", "", "may not end in .json, which routes read as a format"}, // Greek ο
		{"json", "json", ""},
		{"x.jsonx", "x.jsonx", ""},
		// Length, counted after normalization too.
		{"", "", "may not be empty"},
		{strings.Repeat("é", 150), strings.Repeat("é", 150), ""},
		{strings.Repeat("é", 151), "", "must be at most 150 characters"},
	}
	for _, tt := range tests {
		got, reason := core.NormalizeName(tt.in)
		if got != tt.want || reason != tt.reason {
			t.Errorf("NormalizeName(%+q) = %+q, %q; want %+q, %q", tt.in, got, reason, tt.want, tt.reason)
		}
	}
}

// TestNameSkeleton: names that render alike share a skeleton; different
// names do not.
func TestNameSkeleton(t *testing.T) {
	same := [][2]string{
		{"café", "cafe\u0301"},
		{"admin", "аdmin"}, // Cyrillic а
		{"admin", "ADMIN"},
		{"admin", "ａｄｍｉｎ"},
		{"straße", "strasse"},
		{"STRASSE", "straße"},
		{"modern", "rnodern"},
		{"bill", "bi11"},
		{"ロロ", "口口"}, // Katakana ro, Han mouth
		{"paypal", "paypa1"},
	}
	for _, p := range same {
		if a, b := core.NameSkeleton(p[0]), core.NameSkeleton(p[1]); a != b {
			t.Errorf("NameSkeleton(%+q) = %+q, NameSkeleton(%+q) = %+q; want equal", p[0], a, p[1], b)
		}
	}
	differ := [][2]string{{"alice", "alicia"}, {"ann", "anne"}, {"bob", "b0b"}, {"a_b", "a-b"}}
	for _, p := range differ {
		if a, b := core.NameSkeleton(p[0]), core.NameSkeleton(p[1]); a == b {
			t.Errorf("NameSkeleton(%+q) = NameSkeleton(%+q) = %+q; want different", p[0], p[1], a)
		}
	}
	// A long skeleton is stored as its hash, within the column's bound.
	long := strings.Repeat("갃", 150)
	if _, r := core.NormalizeName(long); r != "" {
		t.Fatalf("NormalizeName(long Hangul) = %q", r)
	}
	if sk := core.NameSkeleton(long); !strings.HasPrefix(sk, "sha256:") || len(sk) > 512 {
		t.Errorf("NameSkeleton(long) = %q", sk)
	}
}

// FuzzName checks the name rule on any input: it never panics; an
// accepted name is stable under the rule again, holds no character the
// rule forbids (nor any XML 1.0 forbids), and has one skeleton, the same
// as the input's.
func FuzzName(f *testing.F) {
	for _, s := range []string{
		"alice", "Alice", "hatsune_miku", "初音ミク", "한국어", "a.b-c", "o'neil", "café", "cafe\u0301",
		"ad\u200bmin", "a\u00adb", "ab\u202ec", "\u2066a\u2069", "a\u200eb", "\u0301", "\u3164", "a\u115fb",
		"ａｄｍｉｎ", "ｱｲ", "\U0001D400bc", "аdmin", "straße", "a\ufffeb", "a\uffffb", "a\x01b", "9", "me", "@me",
		"upload_limit", "x.json", "user_12", "user_l2", "محمد", "abc_עברית", "x\u0300\u0300\u0300\u0300\u0300",
		"\xff", "", strings.Repeat("갃", 151), "ǅa", "İstanbul", "ﬀ", "\u0345\u0345", "ΐ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, reason := core.NormalizeName(s)
		if reason != "" {
			if out != "" {
				t.Fatalf("NormalizeName(%+q) refused (%q) but returned %+q", s, reason, out)
			}
			return
		}
		if again, r := core.NormalizeName(out); again != out || r != "" {
			t.Fatalf("NormalizeName(%+q) = %+q, which normalizes again to %+q, %q", s, out, again, r)
		}
		if core.CheckName(out) != "" {
			t.Fatalf("CheckName(%+q) refuses an accepted name", out)
		}
		if n := utf8.RuneCountInString(out); !utf8.ValidString(out) || n < 1 || n > 150 {
			t.Fatalf("NormalizeName(%+q) = %+q: %d characters", s, out, n)
		}
		for _, r := range out {
			switch {
			case !xmlChar(r), unicode.IsControl(r), unicode.IsSpace(r), r == '/',
				unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), unicode.Is(unicode.Variation_Selector, r),
				unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r), r == 0x3164, r == 0xFFA0, r&0xFFFE == 0xFFFE:
				t.Fatalf("NormalizeName(%+q) = %+q holds U+%04X", s, out, r)
			}
		}
		sk := core.NameSkeleton(out)
		if sk == "" || len(sk) > 512 || !utf8.ValidString(sk) || sk != core.NameSkeleton(out) {
			t.Fatalf("NameSkeleton(%+q) = %+q", out, sk)
		}
		if in := core.NameSkeleton(s); in != sk {
			t.Fatalf("NameSkeleton(%+q) = %+q, but of its normalized form %+q = %+q", s, in, out, sk)
		}
	})
}

func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
