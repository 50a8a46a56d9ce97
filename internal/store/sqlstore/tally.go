package sqlstore

import (
	"usersd/internal/core"
	"usersd/internal/query"
)

// tallyColumns are the users columns user_tallies counts by (migration
// 007): small domains that every face's totals filter on.
var tallyColumns = map[string]bool{"level": true, "active": true, "deleted": true, "banned": true}

// tallied reports whether every condition of e compares a tally column,
// so that the users matching e are exactly the users of the tallies
// matching e, and its total is their sum.
func tallied(e query.Expr) bool {
	switch x := e.(type) {
	case nil:
		return true
	case query.And:
		for _, y := range x {
			if !tallied(y) {
				return false
			}
		}
		return true
	case query.Or:
		for _, y := range x {
			if !tallied(y) {
				return false
			}
		}
		return true
	case query.Not:
		return tallied(x.X)
	case *query.Cond:
		return tallyColumns[x.Field] && tallyOp(x.Op)
	case query.Cond:
		return tallyColumns[x.Field] && tallyOp(x.Op)
	}
	return false
}

func tallyOp(op query.Op) bool {
	switch op {
	case query.Eq, query.Ne, query.Lt, query.Le, query.Gt, query.Ge, query.In, query.IsNull, query.NotNull:
		return true
	}
	return false
}

// countSQL writes the statement counting the records of registry e that
// match filter. A users filter over tally columns alone sums the tallies,
// which the filter compiles against unchanged, its columns named in
// user_tallies; any other counts the rows, from an index where one covers
// the filter.
func (db *DB) countSQL(c *builder, e *core.Entity, filter query.Expr) error {
	if e == core.Users && tallied(filter) {
		c.table = "user_tallies"
		c.write("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM user_tallies WHERE ")
	} else {
		c.write("SELECT count(*) FROM ", e.Table, " WHERE ")
	}
	return db.where(c, filter)
}
