package sqlstore

import (
	"strings"
	"unicode/utf8"
)

// Pattern is a wildcard pattern: literal runs and wildcards.
type Pattern []PatternPart

// PatternPart is a literal (Lit) or a wildcard: AnyRun (*) or AnyOne (?).
type PatternPart struct {
	Lit    string
	AnyRun bool
	AnyOne bool
}

// ParseWildcard reads the native wildcard syntax: * matches any run, ?
// one character, a backslash makes the next character literal.
func ParseWildcard(s string) Pattern {
	var p Pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p = append(p, PatternPart{Lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' && i+n < len(s):
			r2, m := utf8.DecodeRuneInString(s[i+n:])
			lit.WriteRune(r2)
			n += m
		case r == '*':
			flush()
			if len(p) == 0 || !p[len(p)-1].AnyRun {
				p = append(p, PatternPart{AnyRun: true})
			}
		case r == '?':
			flush()
			p = append(p, PatternPart{AnyOne: true})
		default:
			lit.WriteRune(r)
		}
		i += n
	}
	flush()
	return p
}

// Substring is the pattern *s*.
func Substring(s string) Pattern {
	return Pattern{{AnyRun: true}, {Lit: s}, {AnyRun: true}}
}

// Prefix returns the leading literal of p.
func (p Pattern) Prefix() string {
	if len(p) > 0 && p[0].Lit != "" {
		return p[0].Lit
	}
	return ""
}

// Literal returns the literal characters of p, concatenated.
func (p Pattern) Literal() string {
	var b strings.Builder
	for _, part := range p {
		b.WriteString(part.Lit)
	}
	return b.String()
}

// Like renders p for LIKE … ESCAPE '\'.
func (p Pattern) Like() string {
	var b strings.Builder
	for _, part := range p {
		switch {
		case part.AnyRun:
			b.WriteByte('%')
		case part.AnyOne:
			b.WriteByte('_')
		default:
			for _, r := range part.Lit {
				if r == '\\' || r == '%' || r == '_' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// Glob renders p for GLOB, where a literal *, ? or [ is written as a
// one-character class.
func (p Pattern) Glob() string {
	var b strings.Builder
	for _, part := range p {
		switch {
		case part.AnyRun:
			b.WriteByte('*')
		case part.AnyOne:
			b.WriteByte('?')
		default:
			for _, r := range part.Lit {
				if r == '*' || r == '?' || r == '[' {
					b.WriteByte('[')
					b.WriteRune(r)
					b.WriteByte(']')
				} else {
					b.WriteRune(r)
				}
			}
		}
	}
	return b.String()
}

// Succ returns the least string greater than every string with prefix p in
// code-point order, so that prefix search is the range [p, Succ(p)). It
// returns "" when no such string exists.
func Succ(p string) string {
	rs := []rune(p)
	for i := len(rs) - 1; i >= 0; i-- {
		r := rs[i] + 1
		if r == 0xD800 { // skip the surrogate block, which UTF-8 cannot hold
			r = 0xE000
		}
		if r <= utf8.MaxRune {
			rs[i] = r
			return string(rs[:i+1])
		}
	}
	return ""
}
