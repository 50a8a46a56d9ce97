package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"usersd/internal/core"
)

// The statements an import runs per record, prepared once per
// transaction: parsing the users INSERT and SELECT was half of an
// import's time on SQLite.

// maxTxStatements bounds the statements a transaction keeps prepared;
// past it they are still prepared, used and closed with the transaction.
const maxTxStatements = 64

// txStmt returns query prepared on the transaction, once per transaction.
func (db *DB) txStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s := db.txStmts[query]; s != nil {
		return s, nil
	}
	s, err := db.txn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.txStmts == nil {
		db.txStmts = map[string]*sql.Stmt{}
	}
	if len(db.txStmts) < maxTxStatements {
		db.txStmts[query] = s
	}
	return s, nil
}

// InsertUser implements core.Store.
func (db *DB) InsertUser(ctx context.Context, p core.Patch) (int64, error) {
	if db.txn == nil {
		u, err := db.CreateUser(ctx, p)
		if err != nil {
			return 0, err
		}
		return u.ID, nil
	}
	b := db.insertUser(p)
	s, err := db.txStmt(ctx, b.sb.String())
	if err != nil {
		return 0, db.wrap("insert user", err)
	}
	var id int64
	insert := func() error { return s.QueryRowContext(ctx, b.args...).Scan(&id) }
	if db.F.Name == "sqlite" {
		// A failed SQLite statement undoes its own changes (ON CONFLICT
		// ABORT) and leaves the transaction usable: no savepoint needed.
		err = insert()
	} else {
		err = db.inSavepoint(ctx, insert)
	}
	return id, db.wrap("insert user", err)
}

// maxInsertArgs bounds the bind parameters of one multi-row INSERT, below
// SQLite's 32,766 and PostgreSQL's 65,535.
const maxInsertArgs = 30000

// InsertUsers implements core.Store: one INSERT per run of rows that fits
// maxInsertArgs. On SQLite one statement of many rows also spares the
// FTS5 trigram index the flush to disk it makes at every statement.
func (db *DB) InsertUsers(ctx context.Context, ps []core.Patch) error {
	if len(ps) == 0 {
		return nil
	}
	var cols []*core.Field
	for _, f := range core.Fields {
		if _, ok := ps[0][f.Name]; ok && !f.Generated {
			cols = append(cols, f)
		}
	}
	per := max(1, maxInsertArgs/len(cols))
	for len(ps) > 0 {
		n := min(per, len(ps))
		if err := db.insertRows(ctx, cols, ps[:n]); err != nil {
			return err
		}
		ps = ps[n:]
	}
	return nil
}

func (db *DB) insertRows(ctx context.Context, cols []*core.Field, ps []core.Patch) error {
	var sb strings.Builder
	args := make([]any, 0, len(cols)*len(ps))
	sb.WriteString("INSERT INTO users (")
	for i, f := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(f.Name)
	}
	sb.WriteString(") VALUES ")
	for r, p := range ps {
		if len(p) != len(ps[0]) {
			return fmt.Errorf("insert users: row %d names other fields than the first", r)
		}
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for i, f := range cols {
			v, ok := p[f.Name]
			if !ok {
				return fmt.Errorf("insert users: row %d lacks %s", r, f.Name)
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			args = append(args, db.encode(v))
			sb.WriteString(db.F.Placeholder(len(args)))
		}
		sb.WriteByte(')')
	}
	if db.txn == nil {
		_, err := db.W.ExecContext(ctx, sb.String(), args...)
		return db.wrap("insert users", err)
	}
	s, err := db.txStmt(ctx, sb.String())
	if err != nil {
		return db.wrap("insert users", err)
	}
	insert := func() error { _, err := s.ExecContext(ctx, args...); return err }
	if db.F.Name == "sqlite" {
		err = insert() // a failed statement undoes itself (InsertUser)
	} else {
		err = db.inSavepoint(ctx, insert)
	}
	return db.wrap("insert users", err)
}

// UserIDBy implements core.Store.
func (db *DB) UserIDBy(ctx context.Context, column string, v any) (int64, error) {
	switch column {
	case "id", "name_key", "email_key", "sid":
	default:
		panic("sqlstore: UserIDBy on " + column)
	}
	query := "SELECT id FROM users WHERE " + column + " = " + db.F.Placeholder(1)
	var id int64
	var err error
	if db.txn != nil {
		var s *sql.Stmt
		if s, err = db.txStmt(ctx, query); err == nil {
			err = s.QueryRowContext(ctx, v).Scan(&id)
		}
	} else {
		err = db.queryRow(ctx, query, v).Scan(&id)
	}
	return id, db.wrap("find user id", err)
}

// SyncUserIDs implements core.Store: PostgreSQL's identity sequence of
// users.id moves past the largest id (never back). SQLite's AUTOINCREMENT
// follows explicit ids by itself.
func (db *DB) SyncUserIDs(ctx context.Context) error {
	if db.F.Name != "postgres" {
		return nil
	}
	_, err := db.exec(ctx, `SELECT setval(s::regclass, m) FROM (
		SELECT pg_get_serial_sequence('users', 'id') AS s, (SELECT max(id) FROM users) AS m) x
		WHERE m > COALESCE(pg_sequence_last_value(s::regclass), 0)`)
	return db.wrap("sync user ids", err)
}
