-- Webhooks (core.Webhook) and their outbox: AppendAudit writes a pending
-- delivery of each audit entry for every enabled webhook subscribed to
-- its action, in the entry's transaction; dispatchers claim due
-- deliveries, send them and log each attempt.
CREATE TABLE webhooks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    url              TEXT NOT NULL CHECK (length(url) <= 2048),
    description      TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    enabled          INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    secret           TEXT NOT NULL,
    old_secret       TEXT,
    old_secret_until INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;

-- A webhook's events ("*": all), keyed by event for AppendAudit's match.
CREATE TABLE webhook_events (
    event      TEXT NOT NULL,
    webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    PRIMARY KEY (event, webhook_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ix_webhook_events_webhook_id ON webhook_events (webhook_id);

-- audit_id has no foreign key, like the log's own references; PruneAudit
-- keeps the entries of pending deliveries.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    audit_id     INTEGER,
    event        TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,
    locked_until INTEGER,
    finished_at  INTEGER,
    last_status  INTEGER,
    last_error   TEXT
) STRICT;
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_at, id) WHERE state = 'pending';
CREATE INDEX ix_webhook_deliveries_webhook_id ON webhook_deliveries (webhook_id, id);
CREATE INDEX ix_webhook_deliveries_audit_id ON webhook_deliveries (audit_id) WHERE state = 'pending';
CREATE INDEX ix_webhook_deliveries_finished_at ON webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;

-- The delivery log: one row per attempt.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status      INTEGER,
    latency_us  INTEGER NOT NULL,
    response    TEXT,
    error       TEXT
) STRICT;
CREATE INDEX ix_webhook_attempts_delivery_id ON webhook_attempts (delivery_id, id);
