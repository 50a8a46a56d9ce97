package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Expr
	}{
		{`level >= 20`, &Cond{Field: "level", Op: Ge, Value: int64(20)}},
		{`name = "Alice"`, &Cond{Field: "name", Op: Eq, Value: "Alice"}},
		{`name contains "li"`, &Cond{Field: "name", Op: Contains, Value: "li"}},
		{`name startswith "al"`, &Cond{Field: "name", Op: Prefix, Value: "al"}},
		{`name like "a*e?"`, &Cond{Field: "name", Op: Like, Value: "a*e?"}},
		{`email is null`, &Cond{Field: "email", Op: IsNull}},
		{`email is not null`, &Cond{Field: "email", Op: NotNull}},
		{`email = null`, &Cond{Field: "email", Op: IsNull}},
		{`email != null`, &Cond{Field: "email", Op: NotNull}},
		{`banned = true`, &Cond{Field: "banned", Op: Eq, Value: true}},
		{`id in (1, 2,3)`, &Cond{Field: "id", Op: In, Values: []any{int64(1), int64(2), int64(3)}}},
		{`level > -5`, &Cond{Field: "level", Op: Gt, Value: int64(-5)}},
		{`a = 1 && b = 2 || c = 3`, Or{
			And{&Cond{Field: "a", Op: Eq, Value: int64(1)}, &Cond{Field: "b", Op: Eq, Value: int64(2)}},
			&Cond{Field: "c", Op: Eq, Value: int64(3)},
		}},
		{`a = 1 && (b = 2 || c = 3)`, And{
			&Cond{Field: "a", Op: Eq, Value: int64(1)},
			Or{&Cond{Field: "b", Op: Eq, Value: int64(2)}, &Cond{Field: "c", Op: Eq, Value: int64(3)}},
		}},
		{`!(a < 1)`, Not{&Cond{Field: "a", Op: Lt, Value: int64(1)}}},
		{`name = "quote \" and \\ back"`, &Cond{Field: "name", Op: Eq, Value: `quote " and \ back`}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in      string
		complex bool
	}{
		{``, false},
		{`level`, false},
		{`level >=`, false},
		{`level = abc`, false},
		{`(level = 1`, false},
		{`level = 1)`, false},
		{`name = "unterminated`, false},
		{`level in ()`, false},
		{`level in (1, null)`, false},
		{`level < null`, false},
		{`email is nothing`, false},
		{`level = 99999999999999999999`, false},
		{`a = 1 &&`, false},
		{"name = \"\xff\"", false},
		{`level ~ 1`, false},
		{strings.Repeat("(", 40) + "a = 1" + strings.Repeat(")", 40), true},
		{strings.Repeat("!", 40) + "a = 1", true},
		{strings.TrimSuffix(strings.Repeat("id = 1 || ", 10000), " || "), true},
		{"id in (" + strings.TrimSuffix(strings.Repeat("1,", 200), ",") + ")", true},
		{strings.TrimSuffix(strings.Repeat("id = 1 || ", 101), " || "), true},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%.40q) = nil error", tt.in)
			continue
		}
		if got := errors.Is(err, ErrTooComplex); got != tt.complex {
			t.Errorf("Parse(%.40q): ErrTooComplex = %v, want %v (%v)", tt.in, got, tt.complex, err)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, in := range []string{
		`a = 1 && (b = 2 || !(c contains "x"))`,
		`((a = 1))`,
		`x in ("a", "b") || y is not null && z <= -3`,
	} {
		e, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		s := String(e)
		e2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(String(%q)) = Parse(%q): %v", in, s, err)
		}
		if diff := cmp.Diff(e, e2); diff != "" {
			t.Errorf("round trip of %q via %q (-first +second):\n%s", in, s, diff)
		}
	}
}

func TestParseOrder(t *testing.T) {
	got, err := ParseOrder("-level,name,+id")
	if err != nil {
		t.Fatal(err)
	}
	want := []Order{{Field: "level", Desc: true}, {Field: "name"}, {Field: "id"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseOrder mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{",", "-", "a,b,c,d,e"} {
		if _, err := ParseOrder(bad); err == nil {
			t.Errorf("ParseOrder(%q) = nil error", bad)
		}
	}
}
