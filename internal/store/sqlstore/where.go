package sqlstore

import (
	"errors"
	"fmt"
	"strings"

	"usersd/internal/core"
	"usersd/internal/query"
)

// MaxArgs bounds the bind parameters of one compiled statement, below
// SQLite's and PostgreSQL's own limits.
const MaxArgs = 1000

// errTooComplex is reported for statements over MaxArgs.
var errTooComplex = &core.Error{Code: core.Invalid, Message: "Filter is too complex."}

// builder accumulates SQL text and its bind arguments; it alone numbers
// placeholders.
type builder struct {
	f    *Flavor
	sb   strings.Builder
	args []any
	err  error
}

func (b *builder) write(s ...string) {
	for _, x := range s {
		b.sb.WriteString(x)
	}
}

// arg binds v and returns its placeholder.
func (b *builder) arg(v any) string {
	if len(b.args) >= MaxArgs {
		b.err = errTooComplex
	}
	b.args = append(b.args, v)
	return b.f.Placeholder(len(b.args))
}

// column resolves a field name through the registry to the column that
// filters and orders use: the folded key for keyed text fields.
func column(name string) (*core.Field, string, error) {
	f := core.FieldByName(name)
	if f == nil {
		return nil, "", &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{name: "is not a field"}}
	}
	if f.Key != "" {
		return f, "users." + f.Key, nil
	}
	return f, "users." + f.Name, nil
}

// where compiles e into b.
func (db *DB) where(b *builder, e query.Expr) error {
	switch x := e.(type) {
	case nil:
		b.write("1 = 1")
	case query.And:
		return db.list(b, []query.Expr(x), " AND ", "1 = 1")
	case query.Or:
		return db.list(b, []query.Expr(x), " OR ", "1 = 0")
	case query.Not:
		b.write("NOT (")
		if err := db.where(b, x.X); err != nil {
			return err
		}
		b.write(")")
	case *query.Cond:
		return db.cond(b, x)
	case query.Cond:
		return db.cond(b, &x)
	default:
		return fmt.Errorf("sqlstore: unknown expression %T", e)
	}
	return b.err
}

func (db *DB) list(b *builder, xs []query.Expr, sep, empty string) error {
	if len(xs) == 0 {
		b.write(empty)
		return nil
	}
	b.write("(")
	for i, y := range xs {
		if i > 0 {
			b.write(sep)
		}
		if err := db.where(b, y); err != nil {
			return err
		}
	}
	b.write(")")
	return b.err
}

func (db *DB) cond(b *builder, c *query.Cond) error {
	f, col, err := column(c.Field)
	if err != nil {
		return err
	}
	val := func(v any) string { return b.arg(db.encode(v)) }
	switch c.Op {
	case query.Eq:
		b.write(col, " = ", val(c.Value))
	case query.Ne:
		if f.Null {
			b.write("(", col, " <> ", val(c.Value), " OR ", col, " IS NULL)")
		} else {
			b.write(col, " <> ", val(c.Value))
		}
	case query.Lt, query.Le, query.Gt, query.Ge:
		b.write(col, " ", c.Op.String(), " ", val(c.Value))
	case query.In:
		if len(c.Values) == 0 {
			b.write("1 = 0")
			break
		}
		b.write(col, " IN (")
		for i, v := range c.Values {
			if i > 0 {
				b.write(", ")
			}
			b.write(val(v))
		}
		b.write(")")
	case query.IsNull:
		b.write(col, " IS NULL")
	case query.NotNull:
		b.write(col, " IS NOT NULL")
	case query.Prefix:
		s, _ := c.Value.(string)
		db.prefix(b, col, s)
	case query.Contains, query.Like:
		s, _ := c.Value.(string)
		p := Substring(s)
		if c.Op == query.Like {
			p = ParseWildcard(s)
		}
		if !f.Trigram {
			return &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "does not support substring search"}}
		}
		b.write(db.F.Substring(p, func(v any) string { return b.arg(v) }))
	default:
		return errors.New("sqlstore: unknown operator " + c.Op.String())
	}
	return b.err
}

// prefix writes the index range of strings starting with s.
func (db *DB) prefix(b *builder, col, s string) {
	if s == "" {
		b.write(col, " IS NOT NULL")
		return
	}
	b.write("(", col, " >= ", b.arg(s))
	if succ := Succ(s); succ != "" {
		b.write(" AND ", col, " < ", b.arg(succ))
	}
	b.write(")")
}

// orderBy writes the ORDER BY clause. NULLs sort last ascending and first
// descending on both engines (PostgreSQL's default, spelled out for SQLite).
// bare names the columns without the table, for an outer query.
func (db *DB) orderBy(b *builder, order []query.Order, bare bool) error {
	if len(order) == 0 {
		order = []query.Order{{Field: "id"}}
	}
	b.write(" ORDER BY ")
	for i, o := range order {
		f, col, err := column(o.Field)
		if err != nil {
			return err
		}
		if i > 0 {
			b.write(", ")
		}
		if bare {
			col = strings.TrimPrefix(col, "users.")
		}
		b.write(col)
		if o.Desc {
			b.write(" DESC")
		}
		if f.Null {
			if o.Desc {
				b.write(" NULLS FIRST")
			} else {
				b.write(" NULLS LAST")
			}
		}
	}
	return nil
}

// keyset writes the condition "after the row whose order values are
// after": an OR of arms (equal on the first i keys, past on key i), with
// the NULL placement of orderBy. When no key is nullable and all run one
// way, a row-value comparison says the same in a form PostgreSQL turns into
// one index range.
func (db *DB) keyset(b *builder, order []query.Order, after []any) error {
	cols, uniform, err := keysetColumns(order, after)
	if err != nil {
		return err
	}
	if uniform {
		op := " > "
		if order[0].Desc {
			op = " < "
		}
		b.write("(", strings.Join(cols, ", "), ")", op, "(")
		for i, v := range after {
			if i > 0 {
				b.write(", ")
			}
			b.write(b.arg(db.encode(v)))
		}
		b.write(")")
		return b.err
	}
	b.write("(")
	for i := range order {
		if i > 0 {
			b.write(" OR ")
		}
		db.keysetArm(b, cols, order, after, i)
	}
	b.write(")")
	return b.err
}

func keysetColumns(order []query.Order, after []any) (cols []string, uniform bool, err error) {
	if len(after) != len(order) || len(order) == 0 {
		return nil, false, &core.Error{Code: core.Invalid, Message: "Invalid cursor.", Fields: map[string]string{"cursor": "does not match the sort order"}}
	}
	cols = make([]string, len(order))
	uniform = true
	for i, o := range order {
		f, col, err := column(o.Field)
		if err != nil {
			return nil, false, err
		}
		cols[i] = col
		if f.Null || o.Desc != order[0].Desc {
			uniform = false
		}
	}
	return cols, uniform, nil
}

// keysetArm writes arm i of the keyset condition: equal on keys before i,
// past the cursor on key i.
func (db *DB) keysetArm(b *builder, cols []string, order []query.Order, after []any, i int) {
	b.write("(")
	for j := 0; j < i; j++ {
		if after[j] == nil {
			b.write(cols[j], " IS NULL AND ")
		} else {
			b.write(cols[j], " = ", b.arg(db.encode(after[j])), " AND ")
		}
	}
	v := after[i]
	f := core.FieldByName(order[i].Field)
	switch {
	case !order[i].Desc && v == nil: // NULLs are last: nothing after them
		b.write("1 = 0")
	case !order[i].Desc && f.Null:
		b.write("(", cols[i], " > ", b.arg(db.encode(v)), " OR ", cols[i], " IS NULL)")
	case !order[i].Desc:
		b.write(cols[i], " > ", b.arg(db.encode(v)))
	case v == nil: // descending, NULLs first: every value comes after
		b.write(cols[i], " IS NOT NULL")
	default:
		b.write(cols[i], " < ", b.arg(db.encode(v)))
	}
	b.write(")")
}
