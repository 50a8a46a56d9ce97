package sqlstore

import (
	"context"
	"sort"
	"strings"
	"sync"

	"usersd/internal/core"
)

// What the sub-entities share: inserts and updates written from a Patch
// through the entity's registry, and look-ups of one row.

// checkPatch rejects names that e does not have or that the database
// computes, so a misspelt key is an error instead of a silent no-op.
func checkPatch(e *core.Entity, p core.Patch) error {
	var bad []string
	for k := range p {
		if f := e.ByName(k); f == nil || f.Generated || k == "id" {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	fields := make(map[string]string, len(bad))
	for _, k := range bad {
		fields[k] = "is not a writable field of a " + e.Name
	}
	return &core.Error{Code: core.Invalid, Message: "Invalid " + e.Name + ".", Fields: fields}
}

// insertRecord inserts p into e's table and returns the new id.
func (db *DB) insertRecord(ctx context.Context, c conn, e *core.Entity, p core.Patch) (int64, error) {
	if err := checkPatch(e, p); err != nil {
		return 0, err
	}
	b := db.newBuilder(e)
	var cols, vals []string
	for _, f := range e.Fields {
		if v, ok := p[f.Name]; ok {
			cols = append(cols, f.Name)
			vals = append(vals, b.arg(db.encode(v)))
		}
	}
	b.write("INSERT INTO ", e.Table, " (", strings.Join(cols, ", "), ") VALUES (", strings.Join(vals, ", "), ") RETURNING id")
	var id int64
	err := c.QueryRowContext(ctx, b.sb.String(), b.args...).Scan(&id)
	return id, err
}

// updateRecord writes p to row id of e's table; a missing row is
// sql.ErrNoRows. An empty p only checks that the row exists.
func (db *DB) updateRecord(ctx context.Context, c conn, e *core.Entity, id int64, p core.Patch) error {
	if err := checkPatch(e, p); err != nil {
		return err
	}
	b := db.newBuilder(e)
	b.write("UPDATE ", e.Table, " SET ")
	n := 0
	for _, f := range e.Fields {
		if v, ok := p[f.Name]; ok {
			if n > 0 {
				b.write(", ")
			}
			b.write(f.Name, " = ", b.arg(db.encode(v)))
			n++
		}
	}
	if n == 0 {
		var one int
		return c.QueryRowContext(ctx, "SELECT 1 FROM "+e.Table+" WHERE id = "+db.F.Placeholder(1), id).Scan(&one)
	}
	b.write(" WHERE id = ", b.arg(id))
	res, err := c.ExecContext(ctx, b.sb.String(), b.args...)
	if err != nil {
		return err
	}
	return oneRow(res)
}

// findRecord reads the one row of e's table meeting cond.
func findRecord[T any](ctx context.Context, db *DB, c conn, e *core.Entity, cond string, args ...any) (*T, error) {
	query := "SELECT " + columnsOf(e) + " FROM " + e.Table + " WHERE " + cond
	var r scanner
	if c == nil {
		r = db.queryRow(ctx, query, args...)
	} else {
		r = c.QueryRowContext(ctx, query, args...)
	}
	rec, err := scanRecord[T](e, r)
	if err != nil {
		return nil, notFound(err, e)
	}
	return rec, nil
}

// notFound names the entity in a no-rows error.
func notFound(err error, e *core.Entity) error {
	return notFoundAs(err, strings.ToUpper(e.Name[:1])+e.Name[1:]+" not found.")
}

var selectLists sync.Map // *core.Entity → string

// columnsOf is selectList(e), computed once per entity.
func columnsOf(e *core.Entity) string {
	if s, ok := selectLists.Load(e); ok {
		return s.(string)
	}
	s, _ := selectLists.LoadOrStore(e, selectList(e))
	return s.(string)
}
