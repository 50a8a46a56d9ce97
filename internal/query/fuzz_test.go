package query

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`level >= 20`,                           // comparison
		`name contains "abc" && banned = false`, // and
		`(a = 1 || b != 2) && !(c < 3)`,         // grouping, negation
		`id in (1, 2, 3)`,                       // list
		`email is not null`,                     // null check
		`name like "a*b?c"`,                     // wildcard
		`name = "\u00e9\n\""`,                   // escapes
		`a = 1 &&`,                              // broken: dangling operator
		`((((`,                                  // broken: unbalanced
		`name = "unterminated`,                  // broken: string
		"name = \"\xff\"",                       // broken: UTF-8
		`id in (1,`,                             // broken: list
		`x = -`,                                 // broken: number
		`created_at > "2024-01-01T00:00:00Z"`,   // time as string
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		e, err := Parse(in)
		if err != nil {
			return
		}
		s := String(e)
		e2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String) = Parse(%q): %v", in, s, err)
		}
		if diff := cmp.Diff(e, e2); diff != "" {
			t.Fatalf("round trip of %q via %q (-first +second):\n%s", in, s, diff)
		}
	})
}
