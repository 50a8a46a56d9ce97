package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
)

// CreateUser implements core.Store.
func (db *DB) CreateUser(ctx context.Context, p core.Patch) (*core.User, error) {
	b := db.insertUser(p)
	var u *core.User
	err := db.tx(ctx, "create user", func(tx conn) error {
		var id int64
		if err := tx.QueryRowContext(ctx, b.sb.String(), b.args...).Scan(&id); err != nil {
			return err
		}
		var err error
		u, err = db.findUser(ctx, tx, "users.id = "+db.F.Placeholder(1), id)
		return err
	})
	return u, err
}

// insertUser builds the INSERT of a user from p, returning its id. Its
// text depends only on which fields p names.
func (db *DB) insertUser(p core.Patch) *builder {
	b := db.newBuilder(core.Users)
	var cols, vals []string
	for _, f := range core.Fields {
		v, ok := p[f.Name]
		if !ok || f.Generated {
			continue
		}
		cols = append(cols, f.Name)
		vals = append(vals, b.arg(db.encode(v)))
	}
	b.write("INSERT INTO users (", strings.Join(cols, ", "), ") VALUES (", strings.Join(vals, ", "), ") RETURNING id")
	return b
}

// findUser reads one user through q, or through the read path (with its
// statement cache) when q is nil.
func (db *DB) findUser(ctx context.Context, q conn, cond string, args ...any) (*core.User, error) {
	query := "SELECT " + db.rowList(core.Users) + " FROM users WHERE " + cond
	var row *sql.Row
	if q == nil {
		row = db.queryRow(ctx, query, args...)
	} else {
		row = q.QueryRowContext(ctx, query, args...)
	}
	u := new(core.User)
	err := row.Scan(db.rowTargets(core.Users, u, nil)...)
	if err == sql.ErrNoRows {
		return nil, &core.Error{Code: core.NotFound, Message: "User not found."}
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// FindUserByID implements core.Store.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*core.User, error) {
	u, err := db.findUser(ctx, nil, "users.id = "+db.F.Placeholder(1), id)
	return u, db.wrap("find user", err)
}

// FindUserByNameKey implements core.Store.
func (db *DB) FindUserByNameKey(ctx context.Context, key string) (*core.User, error) {
	u, err := db.findUser(ctx, nil, "users.name_key = "+db.F.Placeholder(1), key)
	return u, db.wrap("find user", err)
}

// FindUserByEmailKey implements core.Store.
func (db *DB) FindUserByEmailKey(ctx context.Context, key string) (*core.User, error) {
	u, err := db.findUser(ctx, nil, "users.email_key = "+db.F.Placeholder(1), key)
	return u, db.wrap("find user", err)
}

// FindUsers implements core.Store.
func (db *DB) FindUsers(ctx context.Context, q query.List) ([]*core.User, int, error) {
	return findPage[core.User](ctx, db, "find users", core.Users, nil, q)
}

// findPage returns one page of records of registry e meeting scope (nil:
// every row) and q.Filter, and the total when q.Total is set (else -1).
func findPage[T any](ctx context.Context, db *DB, op string, e *core.Entity, scope query.Expr, q query.List) ([]*T, int, error) {
	if q.Limit < 1 || q.Limit > query.MaxLimit+1 || q.Offset < 0 {
		return nil, 0, &core.Error{Code: core.Invalid, Message: "Invalid page."}
	}
	filter := q.Filter
	if scope != nil {
		filter = query.And{scope, orAll(filter)}
		q.Filter = filter
	}
	r, err := db.reader(ctx)
	if err != nil {
		return nil, 0, db.wrap(op, err)
	}
	defer r.close()
	var out []*T
	b := db.newBuilder(e)
	probe, err := db.probeSQL(b, q)
	if err != nil {
		return nil, 0, db.wrap(op, err)
	}
	if probe {
		if out, err = scanPage[T](db, r, e, b, q.Limit); err != nil {
			return nil, 0, db.wrap(op, err)
		}
		b = db.newBuilder(e)
	}
	read := len(out) == q.Limit // by the probe
	if !read && e == core.Users && db.cachedUsers() {
		us, ok, err := db.cachedPage(r, q)
		if err != nil {
			return nil, 0, db.wrap(op, err)
		}
		if ok {
			out, read = any(us).([]*T), true
		}
	}
	if !read { // no probe, or its window held no whole page
		if err := db.pageSQL(b, q); err != nil {
			return nil, 0, db.wrap(op, err)
		}
		if out, err = scanPage[T](db, r, e, b, q.Limit); err != nil {
			return nil, 0, db.wrap(op, err)
		}
	}
	total := -1
	if q.Total {
		c := db.newBuilder(e)
		if err := db.countSQL(c, e, filter); err != nil {
			return nil, 0, db.wrap(op, err)
		}
		n, err := r.count(c.sb.String(), c.args...)
		switch {
		case r.timedOut(err):
			// The page is answered; a total the deadline cut short is left out.
		case err != nil:
			return nil, 0, db.wrap(op, err)
		default:
			total = n
		}
	}
	return out, total, nil
}

// scanPage runs the page statement b and reads its records.
func scanPage[T any](db *DB, r *reader, e *core.Entity, b *builder, limit int) ([]*T, error) {
	rows, err := r.query(b.sb.String(), b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*T, 0, min(limit, 100))
	dest := make([]any, 0, len(e.Fields))
	for rows.Next() {
		rec := new(T)
		if err := rows.Scan(db.rowTargets(e, rec, dest[:0])...); err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

// orAll stands for "every row" where an expression must not be nil.
func orAll(e query.Expr) query.Expr {
	if e == nil {
		return query.And{}
	}
	return e
}

// Explain returns the engine's plan for the page statement FindUsers runs
// for q, so tests can check which indexes answer a query.
func (db *DB) Explain(ctx context.Context, q query.List) (string, error) {
	// The plan of the page itself: a MaterializePage wrapper only adds a
	// scan and sort of the page's rows.
	b := db.newBuilder(core.Users)
	if err := db.pageSelect(b, userColumns, q); err != nil {
		return "", err
	}
	return db.explain(ctx, b)
}

// ExplainTotal returns the engine's plan for the statement FindUsers
// counts the users matching filter with.
func (db *DB) ExplainTotal(ctx context.Context, filter query.Expr) (string, error) {
	b := db.newBuilder(core.Users)
	if err := db.countSQL(b, core.Users, filter); err != nil {
		return "", err
	}
	return db.explain(ctx, b)
}

func (db *DB) explain(ctx context.Context, b *builder) (string, error) {
	rows, err := db.rd().QueryContext(ctx, db.F.Explain+b.sb.String(), b.args...)
	if err != nil {
		return "", db.wrap("explain", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var out strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		if err := rows.Scan(vals...); err != nil {
			return "", err
		}
		// The plan text is the last column on both engines.
		switch v := (*vals[len(vals)-1].(*any)).(type) {
		case string:
			out.WriteString(v)
		case []byte:
			out.Write(v)
		default:
			fmt.Fprint(&out, v)
		}
		out.WriteByte('\n')
	}
	return out.String(), rows.Err()
}

// pageSQL writes the statement for one page. Keyset pages on engines whose
// planner cannot seek a composite index by a row value (SQLite uses only
// its first column) become a UNION ALL of one index seek per sort key,
// each limited, merged by an outer ORDER BY.
//
// With Flavor.MaterializePage the page's ids (and sort keys) are a
// MATERIALIZED common table expression, so the whole search runs in the
// statement's first step, the one the driver can interrupt; the rows are
// then read by id and ordered again outside (at most Limit of them).
// Materializing only the keys keeps that step on the indexes that answer
// it, instead of copying every column of each row it keeps.
func (db *DB) pageSQL(b *builder, q query.List) error {
	if !db.F.MaterializePage {
		return db.pageSelect(b, columnsOf(b.e), q)
	}
	return db.materializedPage(b, q, db.rowList(b.e))
}

// pageKeys is first then the columns q orders by, each once.
func pageKeys(b *builder, q query.List, first ...string) ([]string, error) {
	keys := first
	for _, o := range q.Order {
		_, col, err := b.orderColumn(o)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(keys, col) {
			keys = append(keys, col)
		}
	}
	return keys, nil
}

// materializedPage writes pageSQL's statement on engines that materialize
// the page's keys, selecting list from each row of it.
func (db *DB) materializedPage(b *builder, q query.List, list string) error {
	e := b.e
	keys, err := pageKeys(b, q, e.Table+".id")
	if err != nil {
		return err
	}
	b.write("WITH page AS MATERIALIZED (")
	if err := db.pageSelect(b, strings.Join(keys, ", "), q); err != nil {
		return err
	}
	b.write(") SELECT ", list, " FROM page JOIN ", e.Table, " ON ", e.Table, ".id = page.id")
	b.table = "page"
	err = db.orderBy(b, q.Order, false, q.PinFirst)
	b.table = ""
	if err != nil {
		return err
	}
	return b.err
}

// pageSelect writes the SELECT of one page.
func (db *DB) pageSelect(b *builder, cols string, q query.List) error {
	limit := func(b *builder, n, off int) {
		b.write(" LIMIT ", b.arg(int64(n)))
		if off > 0 {
			b.write(" OFFSET ", b.arg(int64(off)))
		}
	}
	if c, rest, ok := db.substringDrive(b, q); ok {
		return db.drivenPage(b, cols, q, c, rest, limit)
	}
	if q.After == nil || !db.F.SplitKeyset || len(q.Order) < 2 {
		b.write("SELECT ", cols, " FROM ", b.e.Table, " WHERE ")
		if err := db.where(b, q.Filter); err != nil {
			return err
		}
		if q.After != nil {
			b.write(" AND ")
			if err := db.keyset(b, q.Order, q.After); err != nil {
				return err
			}
		}
		if err := db.orderBy(b, q.Order, false, q.PinFirst); err != nil {
			return err
		}
		limit(b, q.Limit, q.Offset)
		return b.err
	}
	keys, _, err := keysetColumns(b, q.Order, q.After)
	if err != nil {
		return err
	}
	b.write("SELECT * FROM (")
	for i := range q.Order {
		if i > 0 {
			b.write(" UNION ALL ")
		}
		b.write("SELECT * FROM (SELECT ", cols, " FROM ", b.e.Table, " WHERE ")
		if err := db.where(b, q.Filter); err != nil {
			return err
		}
		b.write(" AND ")
		db.keysetArm(b, keys, q.Order, q.After, i)
		if err := db.orderBy(b, q.Order, false, q.PinFirst); err != nil {
			return err
		}
		limit(b, q.Limit+q.Offset, 0)
		b.write(")")
	}
	b.write(")")
	if err := db.orderBy(b, q.Order, true, q.PinFirst); err != nil {
		return err
	}
	limit(b, q.Limit, q.Offset)
	return b.err
}

// UpdateUser implements core.Store.
func (db *DB) UpdateUser(ctx context.Context, id int64, p core.Patch, meta core.UpdateMeta) (*core.User, error) {
	b := db.newBuilder(core.Users)
	b.write("UPDATE users SET ")
	n := 0
	for _, f := range core.Fields {
		v, ok := p[f.Name]
		if !ok || f.Generated {
			continue
		}
		if n > 0 {
			b.write(", ")
		}
		b.write(f.Name, " = ", b.arg(db.encode(v)))
		n++
	}
	if n == 0 {
		return db.FindUserByID(ctx, id)
	}
	b.write(", row_version = row_version + 1 WHERE id = ", b.arg(id))
	newName, renaming := p["name"].(string)
	var u *core.User
	err := db.tx(ctx, "update user", func(tx conn) error {
		var oldName string
		if renaming {
			if err := tx.QueryRowContext(ctx, "SELECT name FROM users WHERE id = "+db.F.Placeholder(1), id).Scan(&oldName); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, b.sb.String(), b.args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return sql.ErrNoRows
		}
		if renaming && oldName != newName {
			at, _ := p["updated_at"].(time.Time)
			if at.IsZero() {
				at = time.Now().UTC()
			}
			ph := db.F.Placeholder
			_, err := tx.ExecContext(ctx, "INSERT INTO user_name_changes (user_id, old_name, old_name_key, new_name, changed_at, changed_by_id, is_deletion) VALUES ("+
				ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+", "+ph(7)+")",
				id, oldName, core.Fold(oldName), newName, db.F.EncodeTime(at), meta.By, meta.Deletion)
			if err != nil {
				return err
			}
		}
		u, err = db.findUser(ctx, tx, "users.id = "+db.F.Placeholder(1), id)
		return err
	})
	return u, err
}

// TouchUser implements core.Store.
func (db *DB) TouchUser(ctx context.Context, id int64, lastLogin *time.Time, ip netip.Addr) error {
	b := db.newBuilder(core.Users)
	b.write("UPDATE users SET ")
	switch {
	case lastLogin != nil && ip.IsValid():
		b.write("last_login_at = ", b.arg(db.encode(*lastLogin)), ", last_ip = ", b.arg(db.encode(ip)))
	case lastLogin != nil:
		b.write("last_login_at = ", b.arg(db.encode(*lastLogin)))
	case ip.IsValid():
		b.write("last_ip = ", b.arg(db.encode(ip)))
	default:
		return nil
	}
	b.write(", row_version = row_version + 1 WHERE id = ", b.arg(id))
	_, err := db.exec(ctx, b.sb.String(), b.args...)
	return db.wrap("touch user", err)
}

// NameChanges implements core.Store.
func (db *DB) NameChanges(ctx context.Context, userID int64) ([]core.NameChange, error) {
	rows, err := db.rd().QueryContext(ctx, "SELECT id, user_id, old_name, new_name, changed_at, changed_by_id, is_deletion FROM user_name_changes WHERE user_id = "+
		db.F.Placeholder(1)+" ORDER BY changed_at, id", userID)
	if err != nil {
		return nil, db.wrap("name changes", err)
	}
	defer rows.Close()
	var out []core.NameChange
	for rows.Next() {
		var c core.NameChange
		if err := rows.Scan(&c.ID, &c.UserID, &c.OldName, &c.NewName, timeScanner{&c.ChangedAt}, &c.ChangedByID, &c.IsDeletion); err != nil {
			return nil, db.wrap("name changes", err)
		}
		out = append(out, c)
	}
	return out, db.wrap("name changes", rows.Err())
}

// ClaimReroll implements core.Store.
func (db *DB) ClaimReroll(ctx context.Context, userID int64, at, notAfter time.Time) (bool, error) {
	b := db.newBuilder(core.Users)
	b.write("UPDATE users SET last_sid_reroll_at = ", b.arg(db.encode(at)),
		", row_version = row_version + 1 WHERE id = ", b.arg(userID), " AND last_sid_reroll_at <= ", b.arg(db.encode(notAfter)))
	res, err := db.exec(ctx, b.sb.String(), b.args...)
	if err != nil {
		return false, db.wrap("claim reroll", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, db.wrap("claim reroll", err)
	}
	if n == 1 {
		return true, nil
	}
	if _, err := db.FindUserByID(ctx, userID); err != nil {
		return false, err
	}
	return false, nil
}
