-- The audit log (core.AuditLog): one row per change or security event,
-- written in the change's own transaction. No foreign keys: entries
-- outlive what they name, and users rows are never deleted anyway. Each
-- filterable column leads an index with id, so a filtered page is one
-- index walked newest first.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    action      TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT,
    target_id   INTEGER,
    target_name TEXT,
    face        TEXT NOT NULL,
    addr        BLOB CHECK (length(addr) = 16),
    request_id  TEXT,
    diff        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(diff))
);
CREATE INDEX ix_audit_log_at ON audit_log (at, id);
CREATE INDEX ix_audit_log_action ON audit_log (action, id);
CREATE INDEX ix_audit_log_actor_id ON audit_log (actor_id, id);
CREATE INDEX ix_audit_log_target_id ON audit_log (target_id, id);
CREATE INDEX ix_audit_log_face ON audit_log (face, id);
CREATE INDEX ix_audit_log_addr ON audit_log (addr, id);
CREATE INDEX ix_audit_log_request_id ON audit_log (request_id, id);
