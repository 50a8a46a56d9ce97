package sqlstore

import "testing"

func TestPattern(t *testing.T) {
	tests := []struct {
		in, like, glob, prefix string
	}{
		{"abc", "abc", "abc", "abc"},
		{"a*c", "a%c", "a*c", "a"},
		{"*a?c*", "%a_c%", "*a?c*", ""},
		{"a**b", "a%b", "a*b", "a"},
		{`100%_\*x\?`, `100\%\_*x?`, "100%_[*]x[?]", `100%_*x?`},
		{"[x]", "[x]", "[[]x]", "[x]"},
		{`back\\slash`, `back\\slash`, `back\slash`, `back\slash`},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		p := ParseWildcard(tt.in)
		if got := p.Like(); got != tt.like {
			t.Errorf("Like(%q) = %q, want %q", tt.in, got, tt.like)
		}
		if got := p.Glob(); got != tt.glob {
			t.Errorf("Glob(%q) = %q, want %q", tt.in, got, tt.glob)
		}
		if got := p.Prefix(); got != tt.prefix {
			t.Errorf("Prefix(%q) = %q, want %q", tt.in, got, tt.prefix)
		}
	}
	if got := Substring(`a%b`).Like(); got != `%a\%b%` {
		t.Errorf("Substring like = %q", got)
	}
}

func TestSucc(t *testing.T) {
	for in, want := range map[string]string{
		"abc":         "abd",
		"az":          "a{",
		"a\U0010FFFF": "b",
		"\U0010FFFF":  "",
		"x\uD7FF":     "x\uE000",
		"":            "",
		"é":           "ê",
	} {
		if got := Succ(in); got != want {
			t.Errorf("Succ(%q) = %q, want %q", in, got, want)
		}
	}
}
