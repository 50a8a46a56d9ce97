package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"usersd/internal/core"
)

const webhookColumns = "id, url, description, enabled, secret, old_secret, old_secret_until, created_at, updated_at"

func webhookTargets(w *core.Webhook) []any {
	return []any{&w.ID, &w.URL, &w.Description, &w.Enabled, &w.Secret, nullStringValue{&w.OldSecret},
		nullTimeScanner{&w.OldSecretUntil}, timeScanner{&w.CreatedAt}, timeScanner{&w.UpdatedAt}}
}

// nullStringValue scans a nullable text column into a string, NULL as "".
type nullStringValue struct{ p *string }

func (s nullStringValue) Scan(src any) error {
	var n sql.NullString
	if err := n.Scan(src); err != nil {
		return err
	}
	*s.p = n.String
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateWebhook implements core.Store.
func (db *DB) CreateWebhook(ctx context.Context, w *core.Webhook) error {
	ph := db.F.Placeholder
	return db.tx(ctx, "create webhook", func(c conn) error {
		err := c.QueryRowContext(ctx, "INSERT INTO webhooks (url, description, enabled, secret, old_secret, old_secret_until, created_at, updated_at) VALUES ("+
			ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+", "+ph(7)+", "+ph(8)+") RETURNING id",
			w.URL, w.Description, w.Enabled, w.Secret, nullIfEmpty(w.OldSecret), db.encodeNullTime(w.OldSecretUntil),
			db.encode(w.CreatedAt), db.encode(w.UpdatedAt)).Scan(&w.ID)
		if err != nil {
			return err
		}
		return db.insertWebhookEvents(ctx, c, w)
	})
}

func (db *DB) insertWebhookEvents(ctx context.Context, c conn, w *core.Webhook) error {
	ph := db.F.Placeholder
	for _, e := range w.Events {
		if _, err := c.ExecContext(ctx, "INSERT INTO webhook_events (event, webhook_id) VALUES ("+ph(1)+", "+ph(2)+")", e, w.ID); err != nil {
			return err
		}
	}
	return nil
}

// UpdateWebhook implements core.Store.
func (db *DB) UpdateWebhook(ctx context.Context, w *core.Webhook) error {
	ph := db.F.Placeholder
	return db.tx(ctx, "update webhook", func(c conn) error {
		res, err := c.ExecContext(ctx, "UPDATE webhooks SET url = "+ph(1)+", description = "+ph(2)+", enabled = "+ph(3)+", secret = "+ph(4)+
			", old_secret = "+ph(5)+", old_secret_until = "+ph(6)+", updated_at = "+ph(7)+" WHERE id = "+ph(8),
			w.URL, w.Description, w.Enabled, w.Secret, nullIfEmpty(w.OldSecret), db.encodeNullTime(w.OldSecretUntil), db.encode(w.UpdatedAt), w.ID)
		if err != nil {
			return err
		}
		if err := oneRow(res); err != nil {
			return notFoundAs(err, "Webhook not found.")
		}
		if _, err := c.ExecContext(ctx, "DELETE FROM webhook_events WHERE webhook_id = "+ph(1), w.ID); err != nil {
			return err
		}
		return db.insertWebhookEvents(ctx, c, w)
	})
}

// DeleteWebhook implements core.Store; deliveries and attempts go with it
// (ON DELETE CASCADE).
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	res, err := db.exec(ctx, "DELETE FROM webhooks WHERE id = "+db.F.Placeholder(1), id)
	if err == nil {
		err = notFoundAs(oneRow(res), "Webhook not found.")
	}
	return db.wrap("delete webhook", err)
}

// FindWebhook implements core.Store.
func (db *DB) FindWebhook(ctx context.Context, id int64) (*core.Webhook, error) {
	ws, err := db.findWebhooks(ctx, " WHERE id = "+db.F.Placeholder(1), id)
	if err == nil && len(ws) == 0 {
		err = &core.Error{Code: core.NotFound, Message: "Webhook not found."}
	}
	if err != nil {
		return nil, db.wrap("find webhook", err)
	}
	return ws[0], nil
}

// FindWebhooks implements core.Store.
func (db *DB) FindWebhooks(ctx context.Context) ([]*core.Webhook, error) {
	ws, err := db.findWebhooks(ctx, "")
	return ws, db.wrap("find webhooks", err)
}

func (db *DB) findWebhooks(ctx context.Context, where string, args ...any) ([]*core.Webhook, error) {
	rows, err := db.rd().QueryContext(ctx, "SELECT "+webhookColumns+" FROM webhooks"+where+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ws []*core.Webhook
	byID := map[int64]*core.Webhook{}
	for rows.Next() {
		w := new(core.Webhook)
		if err := rows.Scan(webhookTargets(w)...); err != nil {
			return nil, err
		}
		ws = append(ws, w)
		byID[w.ID] = w
	}
	if err := rows.Err(); err != nil || len(ws) == 0 {
		return ws, err
	}
	rows.Close()
	evWhere := ""
	if len(ws) == 1 {
		evWhere, args = " WHERE webhook_id = "+db.F.Placeholder(1), []any{ws[0].ID}
	} else {
		args = nil
	}
	ev, err := db.rd().QueryContext(ctx, "SELECT webhook_id, event FROM webhook_events"+evWhere+" ORDER BY webhook_id, event", args...)
	if err != nil {
		return nil, err
	}
	defer ev.Close()
	for ev.Next() {
		var id int64
		var e string
		if err := ev.Scan(&id, &e); err != nil {
			return nil, err
		}
		if w := byID[id]; w != nil {
			w.Events = append(w.Events, e)
		}
	}
	return ws, ev.Err()
}

const deliveryColumns = "id, webhook_id, audit_id, event, state, attempts, created_at, next_at, finished_at, last_status, last_error"

func deliveryTargets(d *core.Delivery) []any {
	return []any{&d.ID, &d.WebhookID, nullInt64Scanner{&d.AuditID}, &d.Event, &d.State, &d.Attempts, timeScanner{&d.CreatedAt},
		timeScanner{&d.NextAt}, nullTimeScanner{&d.FinishedAt}, &d.LastStatus, nullStringScanner{&d.LastError}}
}

// enqueueAudit writes the outbox rows of entry e: a pending delivery for
// every enabled webhook subscribed to its action. It runs in AppendAudit's
// transaction.
func (db *DB) enqueueAudit(ctx context.Context, c conn, e *core.AuditEntry) error {
	ph := db.F.Placeholder
	at := db.encode(e.At)
	_, err := c.ExecContext(ctx, "INSERT INTO webhook_deliveries (webhook_id, audit_id, event, created_at, next_at) SELECT w.id, "+
		ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+" FROM webhooks w WHERE w.enabled AND EXISTS (SELECT 1 FROM webhook_events s"+
		" WHERE s.webhook_id = w.id AND s.event IN ("+ph(5)+", '*'))", e.ID, e.Action, at, at, e.Action)
	return err
}

// EnqueueDelivery implements core.Store.
func (db *DB) EnqueueDelivery(ctx context.Context, d *core.Delivery) error {
	ph := db.F.Placeholder
	err := db.writeRow(ctx, []any{&d.ID}, "INSERT INTO webhook_deliveries (webhook_id, audit_id, event, created_at, next_at) VALUES ("+
		ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+") RETURNING id",
		d.WebhookID, d.AuditID, d.Event, db.encode(d.CreatedAt), db.encode(d.NextAt))
	return db.wrap("enqueue delivery", notFoundAs(err, "Webhook not found."))
}

// ClaimDeliveries implements core.Store. The claim is one UPDATE that
// sets the lease; on PostgreSQL its row selection is FOR UPDATE SKIP
// LOCKED, so nodes claiming at once pass over each other's rows instead
// of waiting and then taking the same ones. SQLite's single writer
// serializes claims already.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, n int) ([]*core.Delivery, error) {
	ph := db.F.Placeholder
	// A read first: an idle outbox, polled every second by every node,
	// then costs no write (on SQLite, no turn of the single writer).
	var due int
	err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries WHERE state = 'pending' AND next_at <= "+
		ph(1)+" LIMIT 1) d", db.encode(now)).Scan(&due)
	if err != nil || due == 0 {
		return nil, db.wrap("claim deliveries", err)
	}
	lock := ""
	if db.F.LockRow != "" {
		lock = db.F.LockRow + " SKIP LOCKED"
	}
	rows, err := db.W.QueryContext(ctx, "UPDATE webhook_deliveries SET locked_until = "+ph(1)+" WHERE id IN (SELECT d.id FROM webhook_deliveries d"+
		" WHERE d.state = 'pending' AND d.next_at <= "+ph(2)+" AND (d.locked_until IS NULL OR d.locked_until <= "+ph(3)+")"+
		" AND d.webhook_id IN (SELECT id FROM webhooks WHERE enabled) ORDER BY d.next_at, d.id LIMIT "+ph(4)+lock+
		") RETURNING "+deliveryColumns, db.encode(now.Add(lease)), db.encode(now), db.encode(now), n)
	if err != nil {
		return nil, db.wrap("claim deliveries", err)
	}
	var ds []*core.Delivery
	for rows.Next() {
		d := new(core.Delivery)
		if err := rows.Scan(deliveryTargets(d)...); err != nil {
			rows.Close()
			return nil, db.wrap("claim deliveries", err)
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ds) == 0 {
		return nil, db.wrap("claim deliveries", err)
	}
	return ds, db.wrap("claim deliveries", db.loadDeliveries(ctx, ds))
}

// loadDeliveries fills the Webhook and Entry of claimed deliveries.
func (db *DB) loadDeliveries(ctx context.Context, ds []*core.Delivery) error {
	hooks := map[int64]*core.Webhook{}
	entries := map[int64]*core.AuditEntry{}
	var ids []any
	var marks []string
	for _, d := range ds {
		if _, ok := hooks[d.WebhookID]; !ok {
			w, err := db.FindWebhook(ctx, d.WebhookID)
			if err != nil && core.ErrorCode(err) != core.NotFound {
				return err
			}
			hooks[d.WebhookID] = w
		}
		d.Webhook = hooks[d.WebhookID]
		if d.AuditID != nil {
			ids = append(ids, *d.AuditID)
			marks = append(marks, db.F.Placeholder(len(ids)))
		}
	}
	if len(ids) > 0 {
		rows, err := db.rd().QueryContext(ctx, "SELECT "+columnsOf(core.AuditLog)+" FROM audit_log WHERE id IN ("+strings.Join(marks, ", ")+")", ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e := new(core.AuditEntry)
			var dest []any
			for _, f := range core.AuditLog.Fields {
				dest = append(dest, scanTarget(f, e))
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			entries[e.ID] = e
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, d := range ds {
		if d.AuditID != nil {
			d.Entry = entries[*d.AuditID]
		}
	}
	return nil
}

// FinishAttempt implements core.Store.
func (db *DB) FinishAttempt(ctx context.Context, d *core.Delivery, a *core.DeliveryAttempt) error {
	ph := db.F.Placeholder
	return db.tx(ctx, "finish delivery attempt", func(c conn) error {
		res, err := c.ExecContext(ctx, "UPDATE webhook_deliveries SET state = "+ph(1)+", attempts = "+ph(2)+", next_at = "+ph(3)+
			", finished_at = "+ph(4)+", last_status = "+ph(5)+", last_error = "+ph(6)+", locked_until = NULL WHERE id = "+ph(7),
			d.State, d.Attempts, db.encode(d.NextAt), db.encodeNullTime(d.FinishedAt), d.LastStatus, d.LastError, d.ID)
		if err != nil {
			return err
		}
		if err := oneRow(res); err != nil {
			return notFoundAs(err, "Delivery not found.")
		}
		var status any
		if a.Status != 0 {
			status = a.Status
		}
		return c.QueryRowContext(ctx, "INSERT INTO webhook_attempts (delivery_id, at, status, latency_us, response, error) VALUES ("+
			ph(1)+", "+ph(2)+", "+ph(3)+", "+ph(4)+", "+ph(5)+", "+ph(6)+") RETURNING id",
			d.ID, db.encode(a.At), status, a.Latency.Microseconds(), nullIfEmpty(a.Response), nullIfEmpty(a.Error)).Scan(&a.ID)
	})
}

// FindDeliveries implements core.Store.
func (db *DB) FindDeliveries(ctx context.Context, webhookID int64, state string, before int64, limit int) ([]*core.Delivery, error) {
	ph := db.F.Placeholder
	args := []any{webhookID}
	q := "SELECT " + deliveryColumns + " FROM webhook_deliveries WHERE webhook_id = " + ph(1)
	if state != "" {
		args = append(args, state)
		q += " AND state = " + ph(len(args))
	}
	if before > 0 {
		args = append(args, before)
		q += " AND id < " + ph(len(args))
	}
	args = append(args, limit)
	q += " ORDER BY id DESC LIMIT " + ph(len(args))
	rows, err := db.rd().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.wrap("find deliveries", err)
	}
	defer rows.Close()
	var ds []*core.Delivery
	for rows.Next() {
		d := new(core.Delivery)
		if err := rows.Scan(deliveryTargets(d)...); err != nil {
			return nil, db.wrap("find deliveries", err)
		}
		ds = append(ds, d)
	}
	return ds, db.wrap("find deliveries", rows.Err())
}

// FindDelivery implements core.Store.
func (db *DB) FindDelivery(ctx context.Context, webhookID, id int64) (*core.Delivery, []*core.DeliveryAttempt, error) {
	ph := db.F.Placeholder
	d := new(core.Delivery)
	err := db.rd().QueryRowContext(ctx, "SELECT "+deliveryColumns+" FROM webhook_deliveries WHERE id = "+ph(1)+" AND webhook_id = "+ph(2),
		id, webhookID).Scan(deliveryTargets(d)...)
	if err != nil {
		return nil, nil, db.wrap("find delivery", notFoundAs(err, "Delivery not found."))
	}
	rows, err := db.rd().QueryContext(ctx, "SELECT id, delivery_id, at, status, latency_us, response, error FROM webhook_attempts WHERE delivery_id = "+
		ph(1)+" ORDER BY id", id)
	if err != nil {
		return nil, nil, db.wrap("find delivery", err)
	}
	defer rows.Close()
	var as []*core.DeliveryAttempt
	for rows.Next() {
		a := new(core.DeliveryAttempt)
		var status sql.NullInt64
		var us int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, timeScanner{&a.At}, &status, &us, nullStringValue{&a.Response}, nullStringValue{&a.Error}); err != nil {
			return nil, nil, db.wrap("find delivery", err)
		}
		a.Status, a.Latency = int(status.Int64), time.Duration(us)*time.Microsecond
		as = append(as, a)
	}
	return d, as, db.wrap("find delivery", rows.Err())
}

// RetryDelivery implements core.Store.
func (db *DB) RetryDelivery(ctx context.Context, webhookID, id int64, now time.Time) error {
	ph := db.F.Placeholder
	return db.tx(ctx, "retry delivery", func(c conn) error {
		var state string
		err := c.QueryRowContext(ctx, "SELECT state FROM webhook_deliveries WHERE id = "+ph(1)+" AND webhook_id = "+ph(2)+db.F.LockRow,
			id, webhookID).Scan(&state)
		if err != nil {
			return notFoundAs(err, "Delivery not found.")
		}
		if state == core.DeliveryPending {
			return core.Errorf(core.Conflict, "The delivery is still pending.")
		}
		_, err = c.ExecContext(ctx, "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_at = "+ph(1)+
			", finished_at = NULL, locked_until = NULL WHERE id = "+ph(2), db.encode(now), id)
		return err
	})
}

// PruneDeliveries implements core.Store, in batches as PruneAudit.
func (db *DB) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	ph := db.F.Placeholder
	total := 0
	for {
		res, err := db.exec(ctx, "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE finished_at < "+ph(1)+
			" LIMIT "+ph(2)+")", db.encode(before), pruneBatch)
		if err != nil {
			return total, db.wrap("prune deliveries", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, db.wrap("prune deliveries", err)
		}
		total += int(n)
		if n < pruneBatch {
			return total, nil
		}
	}
}
