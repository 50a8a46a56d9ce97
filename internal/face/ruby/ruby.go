// Package ruby holds the Ruby coercions the Rails faces (Danbooru, e621)
// apply to parameter strings: String#to_i and Kernel#Integer.
package ruby

import (
	"math"
	"strconv"
	"strings"
)

// ToI is Ruby's String#to_i: leading white space, an optional sign, then
// as many decimal digits (single underscores between digits allowed) as
// there are; anything else ends the number, and no digits at all is 0.
// The result saturates at the int64 range (Ruby would make a Bignum).
func ToI(s string) int64 {
	s = strings.TrimLeftFunc(s, isSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n uint64
	over := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' && i > 0 && isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1]) {
			continue
		}
		if !isDigit(c) {
			break
		}
		if n > (math.MaxUint64-9)/10 {
			over = true
			break
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg && (over || n > 1<<63):
		return math.MinInt64
	case neg:
		return -int64(n)
	case over || n > math.MaxInt64:
		return math.MaxInt64
	}
	return int64(n)
}

// Integer is Ruby's Integer(string): optional white space around an
// optional sign, then decimal digits, or 0x/0b/0o/0d prefixed digits, or
// a leading 0 for octal; single underscores may separate digits. Values
// beyond int64 are refused (Ruby would make a Bignum no column holds).
func Integer(s string) (int64, bool) {
	s = strings.TrimFunc(s, isSpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'):
		base, s = 8, s[2:]
	case len(s) > 1 && s[0] == '0' && (s[1] == 'd' || s[1] == 'D'):
		base, s = 10, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
		if s[0] == '_' {
			s = s[1:] // "0_7" is octal 7
			if s == "" {
				return 0, false
			}
		}
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	u, err := strconv.ParseUint(strings.ReplaceAll(s, "_", ""), base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSpace is Ruby's ISSPACE, what to_i and Integer() skip.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}
