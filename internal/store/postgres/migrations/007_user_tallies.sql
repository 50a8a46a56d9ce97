-- Exact totals without counting rows: the users per (level, active,
-- deleted, banned), kept in step by a trigger. A total whose filter names
-- only these columns is the sum of the matching tallies (at most 80 rows),
-- however many users there are; the filters the faces total by (a level,
-- staff or not, active, not deleted) are all of this kind. A tally row is
-- locked from a change of its users to the commit: concurrent sign-ups
-- serialise on it for their commit only, and a deadlock between two bulk
-- writes is retried as any (Flavor.Retryable).
CREATE TABLE user_tallies (
    level   integer NOT NULL,
    active  boolean NOT NULL,
    deleted boolean NOT NULL,
    banned  boolean NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (level, active, deleted, banned)
);

INSERT INTO user_tallies (level, active, deleted, banned, n)
    SELECT level, active, deleted, banned, count(*) FROM users GROUP BY level, active, deleted, banned;

CREATE FUNCTION user_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE user_tallies SET n = n - 1
            WHERE level = OLD.level AND active = OLD.active AND deleted = OLD.deleted AND banned = OLD.banned;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO user_tallies (level, active, deleted, banned, n) VALUES (NEW.level, NEW.active, NEW.deleted, NEW.banned, 1)
            ON CONFLICT (level, active, deleted, banned) DO UPDATE SET n = user_tallies.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER user_tallies_insert_delete AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION user_tallies_count();
CREATE TRIGGER user_tallies_update AFTER UPDATE OF level, active, deleted, banned ON users
    FOR EACH ROW WHEN ((OLD.level, OLD.active, OLD.deleted, OLD.banned) IS DISTINCT FROM (NEW.level, NEW.active, NEW.deleted, NEW.banned))
    EXECUTE FUNCTION user_tallies_count();

-- Review Board's totals (its list and counts-only) count the active, live
-- users with a name prefix: this index answers them from its entries
-- alone, without reading a user row. The predicate is spelled as the
-- compiler writes flag conditions, so planners match it.
CREATE INDEX ix_users_name_key_live ON users (name_key) WHERE active = TRUE AND deleted = FALSE;
