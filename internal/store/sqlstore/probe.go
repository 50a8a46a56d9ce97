package sqlstore

import (
	"usersd/internal/core"
	"usersd/internal/query"
)

// An id-ordered page of users whose filter holds a trigram pattern (name
// contains "abc") is answered on PostgreSQL by collecting every match
// from the trigram index and sorting them: for a fragment most names
// hold, tens of thousands of rows for a page of 20. The probe first tests
// the filter, plainly, on the next ProbeWindow users by id after the
// cursor, stopping at the page's end; when that window holds a whole
// page, it is the page (any other match lies beyond the window), and
// otherwise the indexed statement runs as before. A rare fragment costs
// the window's read in vain; a common one is answered from a few hundred
// rows.

// probeWindow is the window of db, or 0 for none: only where the flavor
// probes, resized by db.ProbeWindow.
func (db *DB) probeWindow() int {
	switch {
	case db.F.ProbeWindow <= 0 || db.ProbeWindow < 0:
		return 0
	case db.ProbeWindow > 0:
		return db.ProbeWindow
	}
	return db.F.ProbeWindow
}

// probeSQL writes the probe of q to b, and reports whether q is a page
// the probe answers: users in id order (by default or asked) from an
// integer cursor or none, no offset, and a trigram pattern among the
// filter's top-level conjuncts. When it is not, b is left as it was.
func (db *DB) probeSQL(b *builder, q query.List) (bool, error) {
	w := db.probeWindow()
	if w <= 0 || b.e != core.Users || b.table != "" || q.Offset != 0 || q.PinFirst != 0 || !hasTrigramPattern(q.Filter) {
		return false, nil
	}
	desc := false
	switch {
	case len(q.Order) == 0:
	case len(q.Order) == 1 && q.Order[0].Field == "id":
		desc = q.Order[0].Desc
	default:
		return false, nil
	}
	var after int64
	switch len(q.After) {
	case 0:
	case 1:
		v, ok := q.After[0].(int64)
		if !ok {
			return false, nil // the indexed statement reports the cursor
		}
		after = v
	default:
		return false, nil
	}
	dir := ""
	if desc {
		dir = " DESC"
	}
	b.write("SELECT ", columnsOf(core.Users), " FROM (SELECT * FROM users")
	if len(q.After) == 1 {
		op := " > "
		if desc {
			op = " < "
		}
		b.write(" WHERE id", op, b.arg(after))
	}
	b.write(" ORDER BY id", dir, " LIMIT ", b.arg(int64(w)), ") users WHERE ")
	b.plain = true
	err := db.where(b, q.Filter)
	b.plain = false
	if err != nil {
		return false, err
	}
	b.write(" ORDER BY users.id", dir, " LIMIT ", b.arg(int64(q.Limit)))
	return true, b.err
}

// hasTrigramPattern reports whether a top-level conjunct of e is a
// case-folding substring or wildcard condition on a trigram field.
func hasTrigramPattern(e query.Expr) bool {
	terms := []query.Expr{e}
	if and, ok := e.(query.And); ok {
		terms = and
	}
	for _, t := range terms {
		c, ok := patternCond(t)
		if !ok {
			continue
		}
		if f := core.Users.ByName(c.Field); f != nil && f.Trigram && f.Kind == core.KindText {
			return true
		}
	}
	return false
}

// patternCond returns t as a case-folding substring or wildcard
// condition, if it is one.
func patternCond(t query.Expr) (*query.Cond, bool) {
	c, ok := t.(*query.Cond)
	if v, isValue := t.(query.Cond); isValue {
		c, ok = &v, true
	}
	if !ok || c.CaseSensitive || (c.Op != query.Contains && c.Op != query.Like) {
		return nil, false
	}
	return c, true
}
