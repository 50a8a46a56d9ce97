-- row_version grows by one whenever a users row changes, so that a copy
-- of the row read earlier (sqlstore's user cache) can be checked against
-- the row without reading it whole. The trigger bumps it for every
-- UPDATE, whoever makes it. Users rows are never deleted by usersd and
-- identity ids are not reused, so (id, row_version) names one state of
-- one row.
ALTER TABLE users ADD COLUMN row_version bigint NOT NULL DEFAULT 0;
CREATE FUNCTION users_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.row_version := OLD.row_version + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER users_row_version BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION users_row_version();
