-- row_version grows by one whenever a users row changes, so that a copy
-- of the row read earlier (sqlstore's user cache) can be checked against
-- the row without reading it whole. usersd's own updates bump it in the
-- statement; the trigger bumps it for any other UPDATE (an import's
-- upsert, an operator's SQL). Users rows are never deleted by usersd and
-- ids are never reused (AUTOINCREMENT), so (id, row_version) names one
-- state of one row.
ALTER TABLE users ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER users_row_version AFTER UPDATE ON users
WHEN new.row_version = old.row_version BEGIN
    UPDATE users SET row_version = old.row_version + 1 WHERE id = old.id;
END;
