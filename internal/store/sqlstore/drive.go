package sqlstore

import (
	"usersd/internal/core"
	"usersd/internal/query"
)

// substringDrive finds the condition a users page in id order can be
// driven by (Flavor.SubstringDrive): a substring or wildcard condition on
// a trigram field among the filter's top-level conjuncts. It returns that
// condition's pattern and the rest of the filter.
func (db *DB) substringDrive(b *builder, q query.List) (drive *driven, rest query.Expr, ok bool) {
	if db.F.SubstringDrive == nil || b.e != core.Users || b.table != "" || q.PinFirst != 0 {
		return nil, nil, false
	}
	switch {
	case len(q.Order) == 0 && q.After == nil:
	case len(q.Order) == 1 && q.Order[0].Field == "id" && len(q.After) <= 1:
	default:
		return nil, nil, false
	}
	var terms []query.Expr
	switch x := q.Filter.(type) {
	case query.And:
		terms = x
	case *query.Cond, query.Cond:
		terms = []query.Expr{x}
	default:
		return nil, nil, false
	}
	for i, t := range terms {
		c, isPattern := patternCond(t)
		if !isPattern {
			continue
		}
		f := b.e.ByName(c.Field)
		s, isString := c.Value.(string)
		if f == nil || !f.Trigram || f.Key == "" || f.Kind != core.KindText || !isString {
			continue
		}
		s = core.Fold(s)
		p := Substring(s)
		if c.Op == query.Like {
			p = ParseWildcard(s)
		}
		if _, _, ok := db.F.SubstringDrive(f.Key, p, func(any) string { return "?" }); !ok {
			continue
		}
		others := make(query.And, 0, len(terms)-1)
		others = append(others, terms[:i]...)
		others = append(others, terms[i+1:]...)
		return &driven{col: f.Key, p: p}, others, true
	}
	return nil, nil, false
}

// driven is the pattern condition a page walks the index table of.
type driven struct {
	col string
	p   Pattern
}

// drivenPage writes an id-ordered page of users that walks the matches
// of drive in the index table's rowid order (the users' ids), joining
// each to its user and testing the rest of the filter there, so a page
// reads about as many matches as it returns. Collecting every match by
// an IN sub-select and sorting them cost a scan of the matches: seconds
// for a fragment most names hold. A cursor bounds the walk's rowid.
func (db *DB) drivenPage(b *builder, cols string, q query.List, drive *driven, rest query.Expr, limit func(*builder, int, int)) error {
	table, cond, _ := db.F.SubstringDrive(drive.col, drive.p, b.arg)
	desc := len(q.Order) == 1 && q.Order[0].Desc
	// CROSS JOIN keeps the index table the outer loop.
	b.write("SELECT ", cols, " FROM ", table, " CROSS JOIN users ON users.id = ", table, ".rowid WHERE ", cond, " AND ")
	if err := db.where(b, rest); err != nil {
		return err
	}
	if len(q.After) == 1 {
		v, ok := q.After[0].(int64)
		if !ok {
			return &core.Error{Code: core.Invalid, Message: "Invalid cursor.", Fields: map[string]string{"cursor": "does not match the sort order"}}
		}
		op := " > "
		if desc {
			op = " < "
		}
		b.write(" AND ", table, ".rowid", op, b.arg(v))
	}
	b.write(" ORDER BY ", table, ".rowid")
	if desc {
		b.write(" DESC")
	}
	limit(b, q.Limit, q.Offset)
	return b.err
}
