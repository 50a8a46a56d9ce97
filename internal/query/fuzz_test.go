package query

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`level >= 20`,                                  // comparison
		`name contains "abc" && banned = false`,        // and
		`(a = 1 || b != 2) && !(c < 3)`,                // grouping, negation
		`id in (1, 2, 3)`,                              // list
		`email is not null`,                            // null check
		`name like "a*b?c"`,                            // wildcard
		`name = "\u00e9\n\""`,                          // escapes
		`a = 1 &&`,                                     // broken: dangling operator
		`((((`,                                         // broken: unbalanced
		`name = "unterminated`,                         // broken: string
		"name = \"\xff\"",                              // broken: UTF-8
		`id in (1,`,                                    // broken: list
		`x = -`,                                        // broken: number
		`created_at > "2024-01-01T00:00:00Z"`,          // time as string
		`level = 99999999999999999999`,                 // beyond int64
		`level = -9223372036854775808`,                 // int64 minimum
		`name startswith "a" || name = null`,           // = null is "is null"
		`!!!!!!!!!!!!!!!!!a = 1`,                       // deeper than MaxDepth
		strings.Repeat(`a = 1 && `, 100) + `a = 1`,     // more than MaxConditions
		`id in (` + strings.Repeat(`1, `, 100) + `1)`,  // a list over the limit
		`name = "` + strings.Repeat("x", 4100) + `"`,   // longer than MaxFilterLength
		"name = \"\uFFFE\" && bio contains \"\u202e\"", // characters XML refuses
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := Parse(in)
		if err != nil {
			// Errors are the package's own: a syntax error with a position
			// inside the input, or a filter over the limits.
			var se *SyntaxError
			if errors.As(err, &se) {
				if se.Pos < 0 || se.Pos > len(in) {
					t.Fatalf("Parse(%q): error position %d outside the input", in, se.Pos)
				}
			} else if !errors.Is(err, ErrTooComplex) {
				t.Fatalf("Parse(%q): error %v (%T) is neither SyntaxError nor ErrTooComplex", in, err, err)
			}
			return
		}
		if len(in) > MaxFilterLength {
			t.Fatalf("Parse accepted %d bytes", len(in))
		}
		if n, d := measure(e); n > MaxConditions || d > MaxDepth+1 {
			t.Fatalf("Parse(%q): %d conditions, depth %d: over the limits", in, n, d)
		}
		s := String(e)
		e2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String) = Parse(%q): %v", in, s, err)
		}
		if diff := cmp.Diff(e, e2); diff != "" {
			t.Fatalf("round trip of %q via %q (-first +second):\n%s", in, s, diff)
		}
		if s2 := String(e2); s2 != s {
			t.Fatalf("String is not stable: %q then %q", s, s2)
		}
	})
}

// measure counts an expression's conditions (list values included, as
// the parser counts them) and its nesting depth.
func measure(e Expr) (conds, depth int) {
	switch x := e.(type) {
	case And:
		return measureList(x)
	case Or:
		return measureList(x)
	case Not:
		n, d := measure(x.X)
		return n, d + 1
	case *Not:
		n, d := measure(x.X)
		return n, d + 1
	case *Cond:
		return 1 + len(x.Values), 1
	case Cond:
		return 1 + len(x.Values), 1
	}
	return 1, 1
}

func measureList(xs []Expr) (conds, depth int) {
	for _, x := range xs {
		n, d := measure(x)
		conds += n
		depth = max(depth, d)
	}
	return conds, depth + 1
}

var identRE = regexp.MustCompile(`^[a-z0-9_.]+$`)

// FuzzParseOrder: a sort parses to at most MaxOrderFields keys with no
// empty name, and orders of plain field names survive OrderString.
func FuzzParseOrder(f *testing.F) {
	for _, s := range []string{"", "id", "-level,name", "+name", "a,b,c,d,e", ",", "-", "--a", " name , -id ", "+-a", "é,-ß"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		os, err := ParseOrder(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sort: ") {
				t.Fatalf("ParseOrder(%q): error %q does not name the parameter", s, err)
			}
			return
		}
		if len(os) > MaxOrderFields {
			t.Fatalf("ParseOrder(%q): %d keys", s, len(os))
		}
		for _, o := range os {
			if o.Field == "" {
				t.Fatalf("ParseOrder(%q): an empty field", s)
			}
			if !identRE.MatchString(o.Field) {
				return // not a field name: the core refuses it by name
			}
		}
		back, err := ParseOrder(OrderString(os))
		if err != nil || !cmp.Equal(back, os) {
			t.Fatalf("ParseOrder(%q) = %v, but its OrderString %q parses to %v, %v", s, os, OrderString(os), back, err)
		}
	})
}
