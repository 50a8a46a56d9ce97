package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

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

// InsertUsers implements core.Store: many rows to an INSERT. On SQLite
// one statement of many rows also spares the FTS5 trigram index the
// flush to disk it makes at every statement.
//
// Records of an import name different optional fields, and INSERTs
// split at every change of shape ran one or two rows each. On SQLite
// every row names every column, a field its patch lacks taking the
// column's default (insertPlan); on PostgreSQL a statement names the
// union of its rows' fields, and a lacking one is DEFAULT
// (insertDefaults). A failed statement leaves none of its rows; those of
// the statements before it stay, and are counted.
func (db *DB) InsertUsers(ctx context.Context, ps []core.Patch) (int, error) {
	if len(ps) == 0 {
		return 0, nil
	}
	if db.txn == nil {
		var n int
		err := db.Tx(ctx, func(tx core.Store) error {
			var err error
			n, err = tx.InsertUsers(ctx, ps)
			return err
		})
		return n, err
	}
	if bulkRowsAdded(db.W, len(ps)) {
		if err := db.deferIndexes(ctx); err != nil {
			return 0, db.wrap("insert users", err)
		}
	}
	if db.F.Name == "sqlite" {
		var plan *insertPlan
		var full *sql.Stmt
		if b := bulkOf(db.W); b != nil {
			plan, full = b.plan, b.stmt
		} else {
			var err error
			if plan, err = db.insertPlan(ctx); err != nil {
				return 0, db.wrap("insert users", err)
			}
		}
		return db.insertFilled(ctx, plan, full, ps)
	}
	done := 0
	for done < len(ps) {
		k, err := db.insertDefaults(ctx, ps[done:])
		done += k
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// insertDefaults inserts rows from the start of ps in one PostgreSQL
// statement, as many as keep its bind parameters under maxInsertArgs,
// and reports how many it wrote (all or none). The statement names the
// union of its rows' fields; a row that lacks one gives it DEFAULT.
// Imported records name different optional fields, and a statement per
// run of rows of one shape ran one or two rows each.
func (db *DB) insertDefaults(ctx context.Context, ps []core.Patch) (int, error) {
	union := map[string]bool{}
	n := 0
	for n < len(ps) {
		grown := 0
		for k := range ps[n] {
			if !union[k] {
				grown++
			}
		}
		if n > 0 && (len(union)+grown)*(n+1) > maxInsertArgs {
			break
		}
		for k := range ps[n] {
			union[k] = true
		}
		n++
	}
	var cols []*core.Field
	for _, f := range core.Fields {
		if union[f.Name] && !f.Generated {
			cols = append(cols, f)
		}
	}
	var sb strings.Builder
	insertHead(&sb, cols)
	args := make([]any, 0, len(cols)*n)
	for r, p := range ps[:n] {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for i, f := range cols {
			if i > 0 {
				sb.WriteString(", ")
			}
			v, ok := p[f.Name]
			if !ok {
				sb.WriteString("DEFAULT")
				continue
			}
			args = append(args, db.encode(v))
			sb.WriteString(db.F.Placeholder(len(args)))
		}
		sb.WriteByte(')')
	}
	err := db.inSavepoint(ctx, func() error {
		_, err := db.txn.ExecContext(ctx, sb.String(), args...)
		return err
	})
	if err != nil {
		return 0, db.wrap("insert users", err)
	}
	return n, nil
}

// insertPlan is how InsertUsers fills rows on SQLite: every column of
// users a field writes, and the value of each column's default.
type insertPlan struct {
	cols []*core.Field
	dflt []any
}

// insertPlan reads the users columns' defaults from the schema: a row
// that lacks a field binds the default's value, which is what the column
// would have taken.
func (db *DB) insertPlan(ctx context.Context) (*insertPlan, error) {
	rows, err := db.query(ctx, "SELECT name, dflt_value FROM pragma_table_info('users')")
	if err != nil {
		return nil, err
	}
	dflts := map[string]sql.NullString{}
	for rows.Next() {
		var name string
		var d sql.NullString
		if err := rows.Scan(&name, &d); err != nil {
			rows.Close()
			return nil, err
		}
		dflts[name] = d
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	plan := &insertPlan{}
	var exprs []string
	for _, f := range core.Fields {
		if f.Generated {
			continue
		}
		d, ok := dflts[f.Name]
		if !ok {
			return nil, fmt.Errorf("users has no column %s", f.Name)
		}
		plan.cols = append(plan.cols, f)
		if d.Valid {
			exprs = append(exprs, d.String)
		} else {
			exprs = append(exprs, "NULL")
		}
	}
	plan.dflt = make([]any, len(exprs))
	dest := make([]any, len(exprs))
	for i := range dest {
		dest[i] = &plan.dflt[i]
	}
	if err := db.queryRow(ctx, "SELECT "+strings.Join(exprs, ", ")).Scan(dest...); err != nil {
		return nil, err
	}
	return plan, nil
}

// insertFilled inserts rows of any shape through plan, in statements of
// bulkRows rows (through full, when BulkLoad prepared it) and one of the
// rest.
func (db *DB) insertFilled(ctx context.Context, plan *insertPlan, full *sql.Stmt, ps []core.Patch) (int, error) {
	args := make([]any, 0, len(plan.cols)*min(len(ps), bulkRows))
	done := 0
	for done < len(ps) {
		n := min(bulkRows, len(ps)-done)
		args = args[:0]
		for _, p := range ps[done : done+n] {
			for i, f := range plan.cols {
				if v, ok := p[f.Name]; ok {
					args = append(args, db.encode(v))
				} else {
					args = append(args, plan.dflt[i])
				}
			}
		}
		var parent *sql.Stmt
		if n == bulkRows {
			parent = full
		}
		if err := db.insertRows(ctx, plan.cols, n, args, parent); err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// bulkRows is the rows of each full INSERT of insertFilled: 128 rows of
// the users' hundred-odd columns stay below maxInsertArgs.
const bulkRows = 128

// bulkLoad is what BulkLoad keeps for a database while imports run on
// it: the rows written, and after how many the secondary indexes are
// deferred (0: never, users was not empty), and on SQLite the insertPlan and the
// full INSERT of insertFilled prepared on the writer (parsing a
// statement of 128 rows in every transaction was a tenth of an import's
// time).
type bulkLoad struct {
	users      int // BulkLoads not yet done
	deferAfter int
	rows       int
	deferred   bool
	ckpt       int64
	cache      int64 // the writer's cache_size before the load
	plan       *insertPlan
	stmt       *sql.Stmt
}

var bulk struct {
	sync.Mutex
	m map[*sql.DB]*bulkLoad // by writer
}

func bulkOf(w *sql.DB) *bulkLoad {
	bulk.Lock()
	defer bulk.Unlock()
	return bulk.m[w]
}

// bulkRowsAdded counts n rows about to be written under the bulk load of w,
// and reports whether this is the batch that defers the indexes.
func bulkRowsAdded(w *sql.DB, n int) (deferNow bool) {
	bulk.Lock()
	defer bulk.Unlock()
	b := bulk.m[w]
	if b == nil {
		return false
	}
	b.rows += n
	if b.deferAfter > 0 && !b.deferred && b.rows > b.deferAfter {
		b.deferred = true
		return true
	}
	return false
}

// insertHead writes an INSERT into users of cols, up to its VALUES.
func insertHead(sb *strings.Builder, cols []*core.Field) {
	sb.WriteString("INSERT INTO users (")
	for i, f := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(f.Name)
	}
	sb.WriteString(") VALUES ")
}

// insertRowsSQL is the INSERT of n rows of cols.
func (db *DB) insertRowsSQL(cols []*core.Field, n int) string {
	var sb strings.Builder
	insertHead(&sb, cols)
	k := 0
	for r := range n {
		if r > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for i := range cols {
			if i > 0 {
				sb.WriteString(", ")
			}
			k++
			sb.WriteString(db.F.Placeholder(k))
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

// insertRows runs the INSERT of n rows of cols with args in the
// transaction, through parent (a statement prepared on the writer) when
// not nil.
func (db *DB) insertRows(ctx context.Context, cols []*core.Field, n int, args []any, parent *sql.Stmt) error {
	var s *sql.Stmt
	var err error
	if parent != nil {
		s = db.txn.StmtContext(ctx, parent)
	} else if s, err = db.txStmt(ctx, db.insertRowsSQL(cols, n)); err != nil {
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

// BulkLoad implements core.Store. When users is empty, the secondary
// indexes are dropped once the load has written BulkDeferAfter rows and
// built when the last BulkLoad is done (bulkindex.go).
//
// On SQLite the writer connection's WAL is also checkpointed every
// bulkCheckpointPages instead of every 1,000: a batch writes more than
// 1,000 pages, so each commit ran a checkpoint, which copies pages that
// the next batches change again; and the full INSERT of insertFilled is
// prepared once. The last done puts the setting back. It is the
// connection's own, so other connections and processes are unaffected.
func (db *DB) BulkLoad(ctx context.Context) (done func() error, err error) {
	if db.txn != nil {
		return func() error { return nil }, nil
	}
	bulk.Lock()
	defer bulk.Unlock()
	b := bulk.m[db.W]
	if b == nil {
		if b, err = db.startBulk(ctx); err != nil {
			return nil, db.wrap("bulk load", err)
		}
		if bulk.m == nil {
			bulk.m = map[*sql.DB]*bulkLoad{}
		}
		bulk.m[db.W] = b
	}
	b.users++
	return func() error {
		bulk.Lock()
		if b.users--; b.users > 0 {
			bulk.Unlock()
			return nil
		}
		delete(bulk.m, db.W)
		bulk.Unlock()
		if b.stmt != nil {
			b.stmt.Close()
		}
		if db.F.Name == "sqlite" {
			// After the deferred build, which reads with the bulk cache. A
			// connection left with the bulk settings after a failure here
			// only checkpoints less often and keeps a larger cache.
			defer func() {
				db.W.ExecContext(context.Background(), fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", b.ckpt))
				db.W.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = %d", b.cache))
			}()
		}
		if !b.deferred {
			return nil
		}
		// Built even when the load's context has ended: until then
		// every other query of users goes without its indexes.
		_, err := db.BuildDeferred(context.WithoutCancel(ctx))
		return db.wrap("bulk load", err)
	}, nil
}

// startBulk sets the writer up for BulkLoad.
func (db *DB) startBulk(ctx context.Context) (*bulkLoad, error) {
	b := &bulkLoad{}
	var some bool
	if err := db.W.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM users)").Scan(&some); err != nil {
		return nil, err
	}
	if !some {
		b.deferAfter = cmp.Or(max(db.BulkDeferAfter, 0), DefaultBulkDeferAfter)
	}
	if db.F.Name != "sqlite" {
		return b, nil
	}
	plan, err := db.insertPlan(ctx)
	if err != nil {
		return nil, err
	}
	b.plan = plan
	// The pragma is the connection's: both statements on the one writer.
	c, err := db.W.Conn(ctx)
	if err != nil {
		return nil, err
	}
	err = c.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&b.ckpt)
	if err == nil {
		_, err = c.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", bulkCheckpointPages))
	}
	if err == nil {
		err = c.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&b.cache)
	}
	if err == nil {
		_, err = c.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", bulkCacheSize))
	}
	c.Close()
	if err != nil {
		return nil, err
	}
	if s, err := db.W.PrepareContext(ctx, db.insertRowsSQL(plan.cols, bulkRows)); err == nil {
		b.stmt = s
	}
	return b, nil
}

// bulkCacheSize is the writer's page cache during a bulk load (16 MiB, in
// SQLite's negative KiB; its default is 2 MiB): a batch touches pages of
// every index, and 2 MiB spilled them mid-transaction; 64 MiB was no
// faster and doubled the RSS. Serving keeps the default, which a node's
// writes at random users would otherwise fill to 16 MiB for nothing.
const bulkCacheSize = -16384

// bulkCheckpointPages is the WAL's checkpoint threshold in pages during a
// bulk load (40 MB of 4 KiB pages).
const bulkCheckpointPages = 10000

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
