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
// placeholders. Field names resolve through the registry e.
type builder struct {
	f     *Flavor
	e     *core.Entity
	sb    strings.Builder
	args  []any
	err   error
	table string // alias of e's table in the current scope; "" = the table itself
	depth int    // nesting of sub-selects
	plain bool   // trigram patterns as plain matches of each row (probe.go)
	seq   int    // json_each aliases used
}

// newBuilder starts a statement over the table of registry e.
func (db *DB) newBuilder(e *core.Entity) *builder { return &builder{f: db.F, e: e} }

// maxSubDepth bounds nested sub-selects (inviter of the inviter of …).
const maxSubDepth = 4

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

func (b *builder) tbl() string {
	if b.table == "" {
		return b.e.Table
	}
	return b.table
}

// column resolves a field name through the registry to the column that
// filters and orders use: the folded key for keyed text fields.
func (b *builder) column(name string) (*core.Field, string, error) {
	f := b.e.ByName(name)
	if f == nil {
		return nil, "", &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{name: "is not a field"}}
	}
	if f.Key != "" {
		return f, b.tbl() + "." + f.Key, nil
	}
	return f, b.tbl() + "." + f.Name, nil
}

// orderColumn is the column a sort key orders by.
func (b *builder) orderColumn(o query.Order) (*core.Field, string, error) {
	f, col, err := b.column(o.Field)
	if err == nil && o.CaseSensitive {
		col = b.tbl() + "." + f.Name
	}
	return f, col, err
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
	case query.Sub:
		return db.sub(b, x)
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

// sub writes "field names a user matching the filter" as a sub-select
// over the users table under a fresh alias, whatever the outer table (a
// member's user_id, a user's inviter_id).
func (db *DB) sub(b *builder, x query.Sub) error {
	f, col, err := b.column(x.Field)
	if err != nil {
		return err
	}
	if f.Kind != core.KindInt || !strings.HasSuffix(f.Name, "_id") {
		return &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{x.Field: "does not name a user"}}
	}
	if b.depth >= maxSubDepth {
		return errTooComplex
	}
	outer, outerE := b.table, b.e
	b.depth++
	b.table, b.e = fmt.Sprintf("u%d", b.depth), core.Users
	b.write(col, " IN (SELECT ", b.table, ".id FROM users ", b.table, " WHERE ")
	err = db.where(b, x.Filter)
	b.write(")")
	b.depth--
	b.table, b.e = outer, outerE
	if err != nil {
		return err
	}
	return b.err
}

func (db *DB) cond(b *builder, c *query.Cond) error {
	switch c.Field {
	case query.PastName:
		return db.pastName(b, c)
	case query.Groups:
		return db.related(b, c, "user_groups", "group_id")
	case query.UserPermissions:
		return db.related(b, c, "user_permissions", "permission_id")
	}
	f, col, err := b.column(c.Field)
	if err != nil {
		return err
	}
	if c.Op == query.JSONContains {
		return db.jsonContains(b, f, col, c.Value)
	}
	if c.CaseSensitive {
		col = b.tbl() + "." + f.Name
	}
	// Keyed text fields compare folded unless asked to be case-sensitive.
	fold := f.Key != "" && !c.CaseSensitive
	val := func(v any) string {
		if s, ok := v.(string); ok && fold {
			v = core.Fold(s)
		}
		return b.arg(db.encode(v))
	}
	// Flags compare with literals, which planners can match against the
	// partial indexes on their rare values (migrations 002).
	if bv, ok := c.Value.(bool); ok && f.Kind == core.KindBool && (c.Op == query.Eq || c.Op == query.Ne) {
		if c.Op == query.Ne {
			bv = !bv
		}
		b.write(col, map[bool]string{true: " = TRUE", false: " = FALSE"}[bv])
		return b.err
	}
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
		if fold {
			s = core.Fold(s)
		}
		db.prefix(b, col, s)
	case query.Contains, query.Like:
		s, ok := c.Value.(string)
		if !ok || f.Kind != core.KindText {
			return &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "does not support pattern search"}}
		}
		if fold {
			s = core.Fold(s)
		}
		p := Substring(s)
		if c.Op == query.Like {
			p = ParseWildcard(s)
		}
		switch {
		case c.CaseSensitive:
			b.write(db.F.Match(col, p, true, b.arg))
		case f.Trigram && b.plain:
			// As Substring matches: case-sensitive on a folded key.
			b.write(db.F.Match(col, p, fold, b.arg))
		case f.Trigram:
			b.write(db.F.Substring(b.tbl(), col[strings.IndexByte(col, '.')+1:], p, b.arg))
		default:
			b.write(db.F.Match(col, p, !fold, b.arg))
		}
	case query.Regex:
		s, ok := c.Value.(string)
		if !ok || f.Kind != core.KindText {
			return &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "does not support regular expressions"}}
		}
		b.write(db.F.Regex(b.tbl()+"."+f.Name, b.arg(s)))
	default:
		return errors.New("sqlstore: unknown operator " + c.Op.String())
	}
	return b.err
}

// pastName matches users by a former name (the name history), folded.
func (db *DB) pastName(b *builder, c *query.Cond) error {
	if b.e != core.Users {
		return &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "is not a field"}}
	}
	b.write(b.tbl(), ".id IN (SELECT user_id FROM user_name_changes WHERE ")
	switch c.Op {
	case query.Eq:
		s, _ := c.Value.(string)
		b.write("old_name_key = ", b.arg(core.Fold(s)))
	case query.In:
		if len(c.Values) == 0 {
			b.write("1 = 0")
			break
		}
		b.write("old_name_key IN (")
		for i, v := range c.Values {
			if i > 0 {
				b.write(", ")
			}
			s, _ := v.(string)
			b.write(b.arg(core.Fold(s)))
		}
		b.write(")")
	case query.Like:
		s, _ := c.Value.(string)
		b.write(db.F.Match("old_name_key", ParseWildcard(core.Fold(s)), true, b.arg))
	default:
		return &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "supports =, in and like"}}
	}
	b.write(")")
	return b.err
}

// related matches users holding any of c.Values in a link table
// (user_groups, user_permissions). The ids drive the statement: the
// link table's (target, user_id) index gives the users, each once, and
// their rows come by primary key.
func (db *DB) related(b *builder, c *query.Cond, table, col string) error {
	if b.e != core.Users || c.Op != query.In {
		return &core.Error{Code: core.Invalid, Message: "Invalid filter.", Fields: map[string]string{c.Field: "supports in"}}
	}
	if len(c.Values) == 0 {
		b.write("1 = 0")
		return nil
	}
	b.write(b.tbl(), ".id IN (SELECT user_id FROM ", table, " WHERE ", col, " IN (")
	for i, v := range c.Values {
		if i > 0 {
			b.write(", ")
		}
		b.write(b.arg(v))
	}
	b.write("))")
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
func (db *DB) orderBy(b *builder, order []query.Order, bare bool, pin int64) error {
	if len(order) == 0 {
		order = []query.Order{{Field: "id"}}
	}
	b.write(" ORDER BY ")
	if pin != 0 {
		col := b.tbl() + ".id"
		if bare {
			col = "id"
		}
		b.write("(", col, " = ", b.arg(pin), ") DESC, ")
	}
	for i, o := range order {
		f, col, err := b.orderColumn(o)
		if err != nil {
			return err
		}
		if i > 0 {
			b.write(", ")
		}
		if bare {
			col = strings.TrimPrefix(col, b.tbl()+".")
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
	cols, uniform, err := keysetColumns(b, order, after)
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

func keysetColumns(b *builder, order []query.Order, after []any) (cols []string, uniform bool, err error) {
	if len(after) != len(order) || len(order) == 0 {
		return nil, false, &core.Error{Code: core.Invalid, Message: "Invalid cursor.", Fields: map[string]string{"cursor": "does not match the sort order"}}
	}
	cols = make([]string, len(order))
	uniform = true
	for i, o := range order {
		f, col, err := b.orderColumn(o)
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
	f := b.e.ByName(order[i].Field)
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
