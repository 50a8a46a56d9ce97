-- Flags where one value is rare get a partial index on that value only.
-- A (flag, id) index on, say, deleted led the planner to read every live
-- user through it and sort them, instead of walking the index of the
-- requested order; indexing only the rare rows serves the searches for
-- them (deleted, banned, inactive users) and leaves the common value to
-- the order's index. The compiler writes flag values as TRUE/FALSE
-- literals, so the planner can match these predicates.
DROP INDEX ix_users_deleted;
DROP INDEX ix_users_banned;
DROP INDEX ix_users_active;
DROP INDEX ix_users_anonymized;
DROP INDEX ix_users_can_approve_posts;
DROP INDEX ix_users_can_upload_free;
CREATE INDEX ix_users_deleted ON users (id) WHERE deleted = TRUE;
CREATE INDEX ix_users_banned ON users (id) WHERE banned = TRUE;
CREATE INDEX ix_users_inactive ON users (id) WHERE active = FALSE;
CREATE INDEX ix_users_anonymized ON users (id) WHERE anonymized = TRUE;
CREATE INDEX ix_users_can_approve_posts ON users (id) WHERE can_approve_posts = TRUE;
CREATE INDEX ix_users_can_upload_free ON users (id) WHERE can_upload_free = TRUE;
