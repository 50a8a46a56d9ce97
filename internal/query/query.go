// Package query holds the filter, order and page AST that every face's
// syntax compiles into, and the native API's filter language. It knows no
// SQL; stores compile the AST.
package query

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Op is a comparison operator.
type Op int

// Operators. String operators are case-insensitive on fields with a folded key.
const (
	Eq       Op = iota // =
	Ne                 // !=
	Lt                 // <
	Le                 // <=
	Gt                 // >
	Ge                 // >=
	Contains           // substring
	Prefix             // starts with
	Like               // wildcard: * any run, ? one character
	In                 // one of Values
	IsNull             // no value
	NotNull            // has a value
	Regex              // matches a regular expression (RE2 on SQLite, POSIX ERE on PostgreSQL)
	// JSONContains holds when a JSON field contains Value, a JSON object
	// (json.RawMessage), as PostgreSQL's jsonb @> says: every key of the
	// object is present with a value that contains the given one; arrays
	// contain each given element; scalars are equal.
	JSONContains
)

var opText = [...]string{"=", "!=", "<", "<=", ">", ">=", "contains", "startswith", "like", "in", "is null", "is not null", "regex", "@>"}

func (o Op) String() string {
	if int(o) < len(opText) {
		return opText[o]
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// Expr is a filter expression: And, Or, Not or Cond.
type Expr interface{ isExpr() }

// And holds when every operand holds.
type And []Expr

// Or holds when any operand holds.
type Or []Expr

// Not negates X.
type Not struct{ X Expr }

// Cond compares one field. Value is an int64, string, bool or time.Time;
// Values is used by In. String operators on a field with a folded key are
// case-insensitive unless CaseSensitive is set, which compares the field
// itself.
//
// Besides registry fields, stores know the virtual field PastName: a name
// the user held before (the name history), compared case-insensitively;
// and the relations Groups and UserPermissions, compared with In over
// group or permission ids: a user matches when they hold any of them.
type Cond struct {
	Field         string
	Op            Op
	Value         any
	Values        []any
	CaseSensitive bool
}

// PastName is the virtual field of former names.
const PastName = "past_name"

// Relations of users a filter may name: a user's groups and direct
// permissions (not those through a group), by id.
const (
	Groups          = "groups"
	UserPermissions = "user_permissions"
)

// Sub holds when Field (a user id column such as inviter_id) names a user
// who matches Filter.
type Sub struct {
	Field  string
	Filter Expr
}

func (And) isExpr()  {}
func (Or) isExpr()   {}
func (Not) isExpr()  {}
func (Cond) isExpr() {}
func (Sub) isExpr()  {}

// Order is one sort key. Keyed text fields sort by their folded key
// unless CaseSensitive, which sorts by the field itself (code points).
type Order struct {
	Field         string
	Desc          bool
	CaseSensitive bool
}

// MaxLimit is the largest page size; larger requests are refused, not clamped.
const MaxLimit = 1000

// List is one page request.
type List struct {
	Filter Expr    // nil: all rows
	Order  []Order // the store appends id as the final tie-break
	Limit  int     // 1..MaxLimit
	Offset int     // rows to skip (offset pages)
	After  []any   // keyset position: the Order values then the id of the last row seen
	Total  bool    // count every matching row
	// PinFirst, when non-zero, puts the user with this id before all others.
	PinFirst int64
}

// LiteralOf returns the text a Like pattern without wildcards stands for:
// its backslash escapes removed.
func LiteralOf(pattern string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '\\' && i+1 < len(pattern) {
			i++
		}
		b.WriteByte(pattern[i])
	}
	return b.String()
}

// String renders e in the native filter language; Parse(String(e)) gives
// back an equivalent expression.
func String(e Expr) string {
	var b strings.Builder
	write(&b, e, false)
	return b.String()
}

func write(b *strings.Builder, e Expr, nested bool) {
	switch x := e.(type) {
	case nil:
	case And:
		writeList(b, []Expr(x), " && ", nested)
	case Or:
		writeList(b, []Expr(x), " || ", nested)
	case Not:
		// "!" binds to one unary: a condition, a negation or a group, so
		// only groups need parentheses (and depth stays what was parsed).
		b.WriteString("!")
		switch x.X.(type) {
		case And, Or:
			b.WriteString("(")
			write(b, x.X, false)
			b.WriteString(")")
		default:
			write(b, x.X, true)
		}
	case *Cond:
		writeCond(b, x)
	case Cond:
		writeCond(b, &x)
	case Sub:
		b.WriteString(x.Field + " in users(")
		write(b, x.Filter, false)
		b.WriteString(")")
	}
}

func writeList(b *strings.Builder, xs []Expr, sep string, nested bool) {
	if len(xs) == 1 {
		write(b, xs[0], nested)
		return
	}
	if nested {
		b.WriteString("(")
	}
	for i, y := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		write(b, y, true)
	}
	if nested {
		b.WriteString(")")
	}
}

func writeCond(b *strings.Builder, c *Cond) {
	b.WriteString(c.Field)
	if c.CaseSensitive {
		b.WriteString(" (case-sensitive)")
	}
	b.WriteByte(' ')
	b.WriteString(c.Op.String())
	switch c.Op {
	case IsNull, NotNull:
		return
	case In:
		b.WriteString(" (")
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, v)
		}
		b.WriteString(")")
		return
	}
	b.WriteByte(' ')
	writeValue(b, c.Value)
}

func writeValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case time.Time:
		b.WriteString(strconv.Quote(x.UTC().Format(time.RFC3339Nano)))
	case json.RawMessage:
		b.Write(x)
	case nil:
		b.WriteString("null")
	default:
		b.WriteString(strconv.Quote("?"))
	}
}
