package sqlstore

import (
	"context"
	"time"

	"usersd/internal/core"
	"usersd/internal/query"
)

// AppendAudit implements core.Store.
func (db *DB) AppendAudit(ctx context.Context, e *core.AuditEntry) error {
	p := make(core.Patch, len(core.AuditLog.Fields))
	for _, f := range core.AuditLog.Fields {
		if f.Name != "id" {
			p[f.Name] = f.Value(e)
		}
	}
	return db.tx(ctx, "append audit entry", func(c conn) error {
		var err error
		if e.ID, err = db.insertRecord(ctx, c, core.AuditLog, p); err != nil {
			return err
		}
		return db.enqueueAudit(ctx, c, e)
	})
}

// FindAudit implements core.Store.
func (db *DB) FindAudit(ctx context.Context, q query.List) ([]*core.AuditEntry, int, error) {
	return findPage[core.AuditEntry](ctx, db, "find audit entries", core.AuditLog, nil, q)
}

// pruneBatch bounds one statement of PruneAudit, so a long-unpruned log
// is deleted in short transactions rather than one that holds the writer.
const pruneBatch = 5000

// PruneAudit implements core.Store; the (at, id) index finds the rows, and
// the partial index of pending deliveries the entries they still need.
func (db *DB) PruneAudit(ctx context.Context, before time.Time) (int, error) {
	ph := db.F.Placeholder
	total := 0
	for {
		res, err := db.exec(ctx, "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < "+ph(1)+
			" AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.audit_id = audit_log.id AND d.state = 'pending')"+
			" ORDER BY at, id LIMIT "+ph(2)+")", db.encode(before), pruneBatch)
		if err != nil {
			return total, db.wrap("prune audit log", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, db.wrap("prune audit log", err)
		}
		total += int(n)
		if n < pruneBatch {
			return total, nil
		}
	}
}

// ExplainAudit returns the engine's plan for the page statement FindAudit
// runs for q, so tests can check which index answers a filtered page.
func (db *DB) ExplainAudit(ctx context.Context, q query.List) (string, error) {
	b := db.newBuilder(core.AuditLog)
	if err := db.pageSelect(b, columnsOf(core.AuditLog), q); err != nil {
		return "", err
	}
	return db.explain(ctx, b)
}

// CountAudit implements core.Store: one GROUP BY over the range of the
// (at, id) index. The actions are picked out here, not in SQL: a
// condition on action leads both engines to the action's index, which
// holds every entry of the action ever, where the range holds only the
// window's.
func (db *DB) CountAudit(ctx context.Context, actions []string, from time.Time, step time.Duration, n int) (map[string][]int, error) {
	out := make(map[string][]int, len(actions))
	for _, a := range actions {
		out[a] = make([]int, n)
	}
	if len(actions) == 0 || n < 1 || step <= 0 {
		return out, nil
	}
	ph := db.F.Placeholder
	rows, err := db.rd().QueryContext(ctx, "SELECT action, "+db.F.Bucket("at", ph(1), ph(2))+" AS bucket, count(*) FROM audit_log WHERE at >= "+ph(3)+
		" AND at < "+ph(4)+" GROUP BY action, bucket",
		db.encode(from), step.Microseconds(), db.encode(from), db.encode(from.Add(time.Duration(n)*step)))
	if err != nil {
		return nil, db.wrap("count audit entries", err)
	}
	defer rows.Close()
	for rows.Next() {
		var action string
		var bucket int64
		var count int
		if err := rows.Scan(&action, &bucket, &count); err != nil {
			return nil, db.wrap("count audit entries", err)
		}
		if counts := out[action]; bucket >= 0 && bucket < int64(len(counts)) {
			counts[bucket] = count
		}
	}
	return out, db.wrap("count audit entries", rows.Err())
}

// ExplainCountAudit returns the engine's plan for CountAudit's statement.
func (db *DB) ExplainCountAudit(ctx context.Context, from time.Time, step time.Duration, n int) (string, error) {
	b := db.newBuilder(core.AuditLog)
	b.write("SELECT action, ", db.F.Bucket("at", b.arg(db.encode(from)), b.arg(step.Microseconds())), " AS bucket, count(*) FROM audit_log WHERE at >= ",
		b.arg(db.encode(from)), " AND at < ", b.arg(db.encode(from.Add(time.Duration(n)*step))), " GROUP BY action, bucket")
	return db.explain(ctx, b)
}
