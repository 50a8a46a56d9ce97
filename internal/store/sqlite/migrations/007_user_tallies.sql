-- Exact totals without counting rows: the users per (level, active,
-- deleted, banned), kept in step by triggers. A total whose filter names
-- only these columns is the sum of the matching tallies (at most 80 rows),
-- however many users there are; the filters the faces total by (a level,
-- staff or not, active, not deleted) are all of this kind.
CREATE TABLE user_tallies (
    level   INTEGER NOT NULL,
    active  INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    banned  INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (level, active, deleted, banned)
) STRICT, WITHOUT ROWID;

INSERT INTO user_tallies (level, active, deleted, banned, n)
    SELECT level, active, deleted, banned, count(*) FROM users GROUP BY level, active, deleted, banned;

CREATE TRIGGER user_tallies_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_tallies (level, active, deleted, banned, n) VALUES (new.level, new.active, new.deleted, new.banned, 1)
        ON CONFLICT (level, active, deleted, banned) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER user_tallies_delete AFTER DELETE ON users BEGIN
    UPDATE user_tallies SET n = n - 1
        WHERE level = old.level AND active = old.active AND deleted = old.deleted AND banned = old.banned;
END;
CREATE TRIGGER user_tallies_update AFTER UPDATE OF level, active, deleted, banned ON users
    WHEN old.level <> new.level OR old.active <> new.active OR old.deleted <> new.deleted OR old.banned <> new.banned
BEGIN
    UPDATE user_tallies SET n = n - 1
        WHERE level = old.level AND active = old.active AND deleted = old.deleted AND banned = old.banned;
    INSERT INTO user_tallies (level, active, deleted, banned, n) VALUES (new.level, new.active, new.deleted, new.banned, 1)
        ON CONFLICT (level, active, deleted, banned) DO UPDATE SET n = n + 1;
END;

-- Review Board's totals (its list and counts-only) count the active, live
-- users with a name prefix: this index answers them from its entries
-- alone, without reading a user row. The predicate is spelled as the
-- compiler writes flag conditions, so planners match it.
CREATE INDEX ix_users_name_key_live ON users (name_key) WHERE active = TRUE AND deleted = FALSE;
